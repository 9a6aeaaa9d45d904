// Transport keypairs and their rotation (whitepaper section 5.4.5 and 6.1; the slot names of
// the reference implementations). A keypair is used for sending only while it is younger than
// REJECT_AFTER_TIME and its counter is below REJECT_AFTER_MESSAGES; its keys are wiped as soon
// as it leaves the three slots or expires.

import { wipe } from "./bytes";
import { REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME } from "./constants";
import { ReplayWindow } from "./replay";
import type { SessionKeys } from "./noise";
import { transportHeaderTemplate } from "./messages";

export class Keypair {
  sendKey: Uint8Array;
  recvKey: Uint8Array;
  /** Next nonce to send with. */
  sendCounter: number;
  replay: ReplayWindow;
  /** nowMs() when the keys were derived. */
  created: number;
  isInitiator: boolean;
  localIndex: number;
  remoteIndex: number;
  /** Type and receiver index of every transport message sent on this keypair. */
  header: Uint8Array;

  constructor(keys: SessionKeys, created: number) {
    this.sendKey = keys.sendKey;
    this.recvKey = keys.recvKey;
    this.sendCounter = 0;
    this.replay = new ReplayWindow();
    this.created = created;
    this.isInitiator = keys.isInitiator;
    this.localIndex = keys.localIndex;
    this.remoteIndex = keys.remoteIndex;
    this.header = transportHeaderTemplate(keys.remoteIndex);
  }

  expired(now: number): boolean {
    return now - this.created >= REJECT_AFTER_TIME;
  }

  /** May still send: not expired and a nonce left. */
  canSend(now: number): boolean {
    return !this.expired(now) && this.sendCounter < REJECT_AFTER_MESSAGES;
  }

  zero(): void {
    wipe(this.sendKey);
    wipe(this.recvKey);
    this.replay.reset();
  }
}

export class Keypairs {
  current: Keypair | null = null;
  previous: Keypair | null = null;
  /** Responder only: derived, not yet confirmed by a packet from the initiator. */
  next: Keypair | null = null;

  /**
   * Place a freshly derived keypair. The initiator starts sending on it at once (the response
   * confirmed the handshake); the responder parks it in next until the initiator uses it.
   */
  install(keypair: Keypair): void {
    if (keypair.isInitiator) {
      if (this.next !== null) {
        // An unconfirmed responder keypair is newer than current: keep it as previous so
        // packets the peer already sent on it still decrypt.
        drop(this.previous);
        drop(this.current);
        this.previous = this.next;
        this.next = null;
      } else {
        drop(this.previous);
        this.previous = this.current;
      }
      this.current = keypair;
    } else {
      drop(this.next);
      drop(this.previous);
      this.next = keypair;
      this.previous = null;
    }
  }

  /** The peer sent on keypair: if it is next, the handshake is now confirmed and it becomes
   *  current. Returns true exactly then. */
  receivedWith(keypair: Keypair): boolean {
    if (keypair !== this.next) return false;
    drop(this.previous);
    this.previous = this.current;
    this.current = this.next;
    this.next = null;
    return true;
  }

  /** The keypair our local index names, if any. */
  lookup(localIndex: number): Keypair | null {
    if (this.current !== null && this.current.localIndex === localIndex) return this.current;
    if (this.previous !== null && this.previous.localIndex === localIndex) return this.previous;
    if (this.next !== null && this.next.localIndex === localIndex) return this.next;
    return null;
  }

  usesIndex(localIndex: number): boolean {
    return this.lookup(localIndex) !== null;
  }

  /** Wipe and forget every keypair older than REJECT_AFTER_TIME. */
  expire(now: number): void {
    if (this.current !== null && this.current.expired(now)) { drop(this.current); this.current = null; }
    if (this.previous !== null && this.previous.expired(now)) { drop(this.previous); this.previous = null; }
    if (this.next !== null && this.next.expired(now)) { drop(this.next); this.next = null; }
  }

  clear(): void {
    drop(this.current);
    drop(this.previous);
    drop(this.next);
    this.current = null;
    this.previous = null;
    this.next = null;
  }
}

function drop(keypair: Keypair | null): void {
  if (keypair !== null) keypair.zero();
}

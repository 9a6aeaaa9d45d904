// The session a sleeping sensor keeps across a sleep with RAM off (deep sleep), in a small
// retained region (RTC memory, a region QEMU keeps, a file on the host board): one transport
// keypair with its counters and indices, the endpoint, and the timer deadlines that still mean
// something after a sleep. Compact, fixed-size and versioned; its last 8 bytes are a keyed
// BLAKE2s tag that detects corruption and binds the record to our key and the peer's.
//
// ResumableDevice is a Device that can hand its session over before a sleep (exportSession) and
// take it back after the wake (importSession). A subclass in its own file, so a firmware image
// without deep sleep does not carry it (the QEMU board's 256 KiB heap is nearly full).
//
// The record is resumed at most once: importSession erases it durably before it installs the
// keypair, and exportSession writes it only after the device has stopped using the keypair.
// Hence every nonce ever sent with the key is below the stored counter, and every counter ever
// accepted is below the stored window top, also across a crash or a watchdog reset at any point:
// a wake that finds no record (or a consumed one) handshakes instead.
//
// Layout (little-endian, SESSION_SIZE = 172 bytes):
//   0 version (1)          1 flags                2 endpoint port (u16)   4 endpoint address (16)
//  20 local index (u32)   24 remote index (u32)  28 send key (32)        60 receive key (32)
//  92 saved at (ms, u64) 100 created (ms)       108 send counter (next unused)
// 116 receive window top (greatest accepted counter + 1, 0 = none)
// 124 last handshake (ms + 1, 0 = none)         132 last initiation sent (ms + 1, 0 = none)
// 140 zero-keys deadline (ms + 1, 0 = off)      148 persistent keepalive deadline (ms + 1, 0 = off)
// 156 wall clock at save (Unix ms, if flag)     164 tag (8)
// Times are the platform's nowMs(), which must keep counting across the sleep.

import type { Address, Crypto, Retained } from "../platform/platform";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import { concat, constantTimeEqual, copyOf, readU32LE, readU64LE, wipe, writeU32LE, writeU64LE } from "./bytes";
import { formatIp, parseIp } from "./allowedips";
import { ascii } from "./noise";
import { hash } from "./kdf";
import { REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME } from "./constants";
import { Device, type DeviceConfig } from "./device";
import type { Platform } from "../platform/platform";
import { Keypair } from "./keypair";

export var SESSION_VERSION = 1;
export var SESSION_SIZE = 172;
var TAG_AT = 164;
var TAG_SIZE = 8;
var LABEL_SESSION = "homewire session v1";

var FLAG_INITIATOR = 1;
var FLAG_LAST_MINUTE = 2;
var FLAG_ENDPOINT = 4;
var FLAG_ENDPOINT_V6 = 8;
var FLAG_WALL = 16;

export interface SessionState {
  isInitiator: boolean;
  /** The initiator already started its last-minute rekey on this keypair. */
  sentLastMinuteHandshake: boolean;
  endpoint: Address | null;
  localIndex: number;
  remoteIndex: number;
  sendKey: Uint8Array;
  recvKey: Uint8Array;
  savedAtMs: number;
  /** Unix ms at save, when the platform had a wall clock: a cross-check of the monotonic clock. */
  savedAtWallMs: number | null;
  created: number;
  /** The next counter to send with: every counter used so far is below it. */
  sendCounter: number;
  /** Greatest counter accepted + 1 (0: nothing received yet). */
  recvWindowTop: number;
  lastHandshakeMs: number | null;
  lastSentHandshake: number | null;
  zeroKeysAt: number | null;
  persistentAt: number | null;
}

/** The key of the record's tag: what binds a record to this device and this peer. */
export function sessionTagKey(crypto: Crypto, localPublic: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  return hash(crypto, concat([ascii(LABEL_SESSION), localPublic, peerPublic]));
}

function putTime(b: Uint8Array, at: number, t: number | null): void {
  writeU64LE(b, at, t === null ? 0 : t + 1);
}

function getTime(b: Uint8Array, at: number): number | null {
  var v = readU64LE(b, at);
  return v === 0 ? null : v - 1;
}

export function encodeSession(crypto: Crypto, tagKey: Uint8Array, s: SessionState): Uint8Array {
  var b = new Uint8Array(SESSION_SIZE);
  var flags = (s.isInitiator ? FLAG_INITIATOR : 0) + (s.sentLastMinuteHandshake ? FLAG_LAST_MINUTE : 0) +
    (s.savedAtWallMs !== null ? FLAG_WALL : 0);
  var ip = s.endpoint === null ? null : parseIp(s.endpoint.host);
  if (s.endpoint !== null && ip !== null) {
    flags += FLAG_ENDPOINT + (ip.length === 16 ? FLAG_ENDPOINT_V6 : 0);
    b[2] = s.endpoint.port % 256;
    b[3] = (s.endpoint.port - b[2]) / 256;
    b.set(ip, 4);
  }
  b[0] = SESSION_VERSION;
  b[1] = flags;
  writeU32LE(b, 20, s.localIndex);
  writeU32LE(b, 24, s.remoteIndex);
  b.set(s.sendKey, 28);
  b.set(s.recvKey, 60);
  writeU64LE(b, 92, s.savedAtMs);
  writeU64LE(b, 100, s.created);
  writeU64LE(b, 108, s.sendCounter);
  writeU64LE(b, 116, s.recvWindowTop);
  putTime(b, 124, s.lastHandshakeMs);
  putTime(b, 132, s.lastSentHandshake);
  putTime(b, 140, s.zeroKeysAt);
  putTime(b, 148, s.persistentAt);
  writeU64LE(b, 156, s.savedAtWallMs === null ? 0 : s.savedAtWallMs);
  b.set(crypto.blake2s(TAG_SIZE, b.subarray(0, TAG_AT), tagKey), TAG_AT);
  return b;
}

/** The state in a record, or why there is none: "empty" (no record, or an erased one),
 *  "bad-size", "bad-version", "bad-tag" (corrupt, or another device's or peer's), "bad-field". */
export function decodeSession(crypto: Crypto, tagKey: Uint8Array, b: Uint8Array | null): SessionState | string {
  if (b === null || b.length === 0) return "empty";
  if (b.length !== SESSION_SIZE) return "bad-size";
  if (b[0] === 0) return "empty";
  if (b[0] !== SESSION_VERSION) return "bad-version";
  if (!constantTimeEqual(crypto.blake2s(TAG_SIZE, b.subarray(0, TAG_AT), tagKey), b.subarray(TAG_AT))) return "bad-tag";
  var flags = b[1];
  var endpoint: Address | null = null;
  if (flags % (2 * FLAG_ENDPOINT) >= FLAG_ENDPOINT) {
    var v6 = flags % (2 * FLAG_ENDPOINT_V6) >= FLAG_ENDPOINT_V6;
    var port = b[2] + b[3] * 256;
    if (port === 0) return "bad-field";
    endpoint = { host: formatIp(copyOf(b, 4, v6 ? 20 : 8)), port: port };
  }
  var s: SessionState = {
    isInitiator: flags % 2 === 1,
    sentLastMinuteHandshake: flags % (2 * FLAG_LAST_MINUTE) >= FLAG_LAST_MINUTE,
    endpoint: endpoint,
    localIndex: readU32LE(b, 20),
    remoteIndex: readU32LE(b, 24),
    sendKey: copyOf(b, 28, 60),
    recvKey: copyOf(b, 60, 92),
    savedAtMs: readU64LE(b, 92),
    savedAtWallMs: flags % (2 * FLAG_WALL) >= FLAG_WALL ? readU64LE(b, 156) : null,
    created: readU64LE(b, 100),
    sendCounter: readU64LE(b, 108),
    recvWindowTop: readU64LE(b, 116),
    lastHandshakeMs: getTime(b, 124),
    lastSentHandshake: getTime(b, 132),
    zeroKeysAt: getTime(b, 140),
    persistentAt: getTime(b, 148),
  };
  // The tag vouches for the writer, not for the values: check what the device relies on.
  if (s.created > s.savedAtMs || s.sendCounter >= REJECT_AFTER_MESSAGES || s.recvWindowTop > REJECT_AFTER_MESSAGES) return "bad-field";
  return s;
}

/** A Device whose session survives a sleep with RAM off, through Platform.retained. */
export class ResumableDevice extends Device {
  /** The key of the tag that binds a record to our key and the peer's. */
  private tagKey: Uint8Array;

  constructor(config: DeviceConfig, platform: Platform) {
    super(config, platform);
    this.tagKey = sessionTagKey(this.crypto, this.localPublic, config.peer.publicKey);
  }
  /**
   * Before a sleep with RAM off: hands the current session to the platform's retained region
   * (this file), then forgets everything here (keys wiped, timers off, a handshake in flight
   * dropped, staged packets counted as tx-suspended), so nothing is sent or accepted on that
   * keypair after its record was written. Returns the record's size, or 0 if there was no
   * session worth keeping (the region is then erased: no old keys linger in it). Throws if the
   * platform has no retained region or the write fails; the device is then left as it was.
   */
  exportSession(): number {
    var retained = this.retainedRegion();
    var now = this.clock.nowMs();
    var kp = this.keypairs.current;
    var record: Uint8Array;
    if (kp === null || !kp.canSend(now)) {
      record = new Uint8Array(0);
    } else {
      var deadlines = this.timers.sleepDeadlines();
      record = encodeSession(this.crypto, this.tagKey, {
        isInitiator: kp.isInitiator,
        sentLastMinuteHandshake: this.sentLastMinuteHandshake,
        endpoint: this.endpoint,
        localIndex: kp.localIndex,
        remoteIndex: kp.remoteIndex,
        sendKey: kp.sendKey,
        recvKey: kp.recvKey,
        savedAtMs: now,
        savedAtWallMs: this.clock.wallClockMs(),
        created: kp.created,
        sendCounter: kp.sendCounter,
        recvWindowTop: kp.replay.top(),
        lastHandshakeMs: this.lastHandshakeMs,
        lastSentHandshake: this.lastSentHandshake,
        zeroKeysAt: deadlines.zeroKeysAt,
        persistentAt: deadlines.persistentAt,
      });
    }
    try {
      retained.write(record);
    } finally {
      wipe(record);
    }
    this.keypairs.clear();
    this.handshake.clear();
    this.timers.stopAll();
    this.drops.addMany("tx-suspended", this.staging.clear());
    this.log(LOG_INFO, record.length > 0 ? "session handed to the retained region (" + record.length + " bytes)" : "no session to keep; retained region erased");
    return record.length;
  }

  /**
   * After a wake: takes back the session exportSession left in the retained region. The record
   * is erased durably before the keypair is used, so it is resumed at most once, whatever
   * happens next. Returns null when resumed, else why not: "busy" (this device already has a
   * session or handshake), "empty", "bad-size", "bad-version", "bad-tag", "bad-field",
   * "clock-went-back" or "clock-mismatch" (nowMs() did not keep counting across the sleep),
   * "expired" (REJECT_AFTER_TIME passed), "retained-write-failed". Without a session the device
   * handshakes as usual when there is something to send. Throws if the platform has no region.
   */
  importSession(): string | null {
    var retained = this.retainedRegion();
    if (this.keypairs.current !== null || this.keypairs.next !== null || this.timers.wantRetransmit()) return "busy";
    var bytes = retained.read();
    var state = decodeSession(this.crypto, this.tagKey, bytes);
    if (typeof state === "string") {
      if (state !== "empty") this.eraseRetained(retained, state);
      return state;
    }
    var now = this.clock.nowMs();
    var wall = this.clock.wallClockMs();
    var why: string | null = null;
    if (now < state.savedAtMs) why = "clock-went-back";
    else if (state.savedAtWallMs !== null && wall !== null && Math.abs((wall - state.savedAtWallMs) - (now - state.savedAtMs)) > 2000) why = "clock-mismatch";
    else if (now - state.created >= REJECT_AFTER_TIME) why = "expired";
    if (why === null) {
      try {
        retained.write(new Uint8Array(0));
      } catch (e) {
        why = "retained-write-failed";
      }
    } else {
      this.eraseRetained(retained, why);
    }
    if (why !== null) {
      wipe(state.sendKey);
      wipe(state.recvKey);
      return why;
    }
    var kp = new Keypair({
      sendKey: state.sendKey, recvKey: state.recvKey, isInitiator: state.isInitiator,
      localIndex: state.localIndex, remoteIndex: state.remoteIndex,
    }, state.created);
    kp.sendCounter = state.sendCounter;
    kp.replay.restore(state.recvWindowTop);
    this.keypairs.current = kp; // the slots are empty: "busy" above
    if (state.endpoint !== null) this.endpoint = state.endpoint;
    this.lastHandshakeMs = state.lastHandshakeMs;
    this.lastSentHandshake = state.lastSentHandshake;
    this.sentLastMinuteHandshake = state.sentLastMinuteHandshake;
    this.timers.resumeDeadlines(state.zeroKeysAt, state.persistentAt, now);
    this.log(LOG_INFO, "session resumed from the retained region (" + Math.floor((now - state.created) / 1000) + " s old)");
    return null;
  }

  private retainedRegion(): Retained {
    var retained = this.platform.retained;
    if (!retained) throw new Error("this platform has no retained region for a session");
    if (retained.capacity < SESSION_SIZE) throw new Error("retained region holds " + retained.capacity + " bytes, a session needs " + SESSION_SIZE);
    return retained;
  }

  /** A record that will not be resumed must not keep its keys around. */
  private eraseRetained(retained: Retained, why: string): void {
    try {
      retained.write(new Uint8Array(0));
    } catch (e) {
      this.log(LOG_WARN, "could not erase the retained session (" + why + ")");
    }
  }
}

// The whitepaper's timers (section 6) as plain data: each timer is a deadline in clock.nowMs()
// milliseconds, or OFF. Events from the device move deadlines; poll(now) reports which ones
// expired. Nothing here sends or schedules anything, so every timer path runs on a fake clock.
// Event names follow wireguard-go's timers.go.
//
//   retransmit handshake  REKEY_TIMEOUT + jitter after each initiation; give up once more than
//                         MAX_TIMER_HANDSHAKES retransmissions went unanswered (as the reference:
//                         20 initiations in all)
//   passive keepalive     KEEPALIVE_TIMEOUT after data arrived, unless we sent something
//   new handshake         KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after data sent, unless
//                         anything came back
//   zero key material     3 * REJECT_AFTER_TIME after the last new session (or after giving up)
//   persistent keepalive  the configured interval after the last authenticated packet either way

import { KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_ATTEMPT_TIME, REKEY_TIMEOUT, REKEY_TIMEOUT_JITTER_MAX } from "./constants";
import type { Random } from "../platform/platform";

/** REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18. The reference gives up when its attempt count is
 *  greater than this: after the first initiation and 19 retransmissions (100 s). */
export var MAX_TIMER_HANDSHAKES = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT;

var OFF = -1;

export interface TimerActions {
  /** Send a handshake initiation (a retransmission or a new handshake). */
  sendInitiation: boolean;
  /** Send a keepalive (empty transport message): passive or persistent. */
  sendKeepalive: boolean;
  /** Wipe every keypair and the handshake state. */
  zeroKeys: boolean;
  /** The handshake went unanswered through every retransmission: drop staged packets. */
  gaveUp: boolean;
}

export class Timers {
  private random: Random;
  protected persistentKeepaliveMs: number;
  private retransmitAt: number = OFF;
  private keepaliveAt: number = OFF;
  private newHandshakeAt: number = OFF;
  protected zeroKeysAt: number = OFF;
  protected persistentAt: number = OFF;
  private inFlight: boolean = false;
  /** Retransmissions the timer asked for in the handshake in flight. Counted here, when the
   *  timer fires, not when the device reports a send: a send that fails (store refused the
   *  timestamp, no endpoint) must still bring the give-up closer, or the handshake never ends. */
  private retransmissions: number = 0;
  /** KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + the jitter of the next new-handshake deadline. Drawn
   *  when a session is derived or resumed and after each firing, not at every arming: arming sits
   *  on the per-packet send path, and only a deadline that fires is ever observed, so each of
   *  those still gets a fresh draw. (No session, no data sent: the default is never used.) */
  protected newHandshakeDelay: number = KEEPALIVE_TIMEOUT + REKEY_TIMEOUT;

  /** persistentKeepaliveMs: 0 turns the persistent keepalive off. */
  constructor(random: Random, persistentKeepaliveMs: number) {
    if (!(persistentKeepaliveMs >= 0)) throw new TypeError("persistentKeepaliveMs must be >= 0");
    this.random = random;
    this.persistentKeepaliveMs = persistentKeepaliveMs;
  }

  /** Attempts in the handshake in flight: 1 for the first initiation plus one per
   *  retransmission; 0 when none is in flight. */
  get handshakeAttempts(): number {
    return this.inFlight ? this.retransmissions + 1 : 0;
  }

  /** An initiation was sent, first or retransmitted. The first one of a handshake starts the count. */
  handshakeInitiated(now: number): void {
    if (!this.inFlight) {
      this.inFlight = true;
      this.retransmissions = 0;
    }
    this.armRetransmit(now);
  }

  /** The handshake finished (we got the response, or the initiator's first data as responder). */
  handshakeComplete(now: number): void {
    this.inFlight = false;
    this.retransmissions = 0;
    this.retransmitAt = OFF;
  }

  /** A new keypair was derived: its material (and any older) is wiped 3 * REJECT_AFTER_TIME later. */
  sessionDerived(now: number): void {
    this.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
    this.newHandshakeDelay = 15000 + this.jitter(); // KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter
  }

  /** A data packet (not a keepalive) was sent: expect something back before the deadline. */
  dataSent(now: number): void {
    if (this.newHandshakeAt === OFF) this.newHandshakeAt = now + this.newHandshakeDelay;
  }

  /** A data packet (not a keepalive) arrived: owe the peer an answer within KEEPALIVE_TIMEOUT. */
  dataReceived(now: number): void {
    if (this.keepaliveAt === OFF) this.keepaliveAt = now + KEEPALIVE_TIMEOUT;
  }

  /** Anything authenticated went out, which answers the peer: no passive keepalive needed.
   *  (wireguard-go also keeps a "need another keepalive" flag for data that arrived while the
   *  timer ran; here the keepalive goes out after poll, so it already postdates that data.) */
  anyAuthenticatedPacketSent(now: number): void {
    this.keepaliveAt = OFF;
  }

  /** Anything authenticated came in: the peer is alive, no new handshake needed. */
  anyAuthenticatedPacketReceived(now: number): void {
    this.newHandshakeAt = OFF;
  }

  /** Any authenticated packet in either direction (handshake messages included). */
  anyAuthenticatedPacketTraversal(now: number): void {
    if (this.persistentKeepaliveMs > 0) this.persistentAt = now + this.persistentKeepaliveMs;
  }

  /** A transport message was sent: anyAuthenticatedPacketTraversal, anyAuthenticatedPacketSent
   *  and, for data (not a keepalive), dataSent — in one call, for the per-packet path (so with
   *  literals: -1 = OFF, 10000 = KEEPALIVE_TIMEOUT; newHandshakeDelay = 15000 + jitter). No local
   *  variables and no calls in here: Duktape sets up every register on each call. */
  transportSent(now: number, isData: boolean): void {
    if (this.persistentKeepaliveMs > 0) this.persistentAt = now + this.persistentKeepaliveMs;
    this.keepaliveAt = -1;
    if (isData && this.newHandshakeAt === -1) this.newHandshakeAt = now + this.newHandshakeDelay;
  }

  /** An authenticated transport message arrived: anyAuthenticatedPacketTraversal,
   *  anyAuthenticatedPacketReceived and, for data, dataReceived — in one call. */
  transportReceived(now: number, isData: boolean): void {
    if (this.persistentKeepaliveMs > 0) this.persistentAt = now + this.persistentKeepaliveMs;
    this.newHandshakeAt = -1;
    if (isData && this.keepaliveAt === -1) this.keepaliveAt = now + 10000;
  }

  /** A handshake is in flight (initiated, neither complete nor given up). */
  wantRetransmit(): boolean {
    return this.inFlight;
  }

  /** Changes the persistent keepalive interval (0 = off); takes effect from now. */
  setPersistentKeepalive(ms: number, now: number): void {
    if (!(ms >= 0)) throw new TypeError("persistentKeepaliveMs must be >= 0");
    this.persistentKeepaliveMs = ms;
    this.persistentAt = ms > 0 ? now + ms : OFF;
  }

  /** The earliest armed deadline, or -1 if none: lets a runtime sleep until then. */
  nextDeadline(): number {
    var next = OFF;
    var all = [this.retransmitAt, this.keepaliveAt, this.newHandshakeAt, this.zeroKeysAt, this.persistentAt];
    for (var i = 0; i < all.length; i++) if (all[i] !== OFF && (next === OFF || all[i] < next)) next = all[i];
    return next;
  }

  /** Fires every timer whose deadline is <= now, each once, and says what the device must do. */
  poll(now: number): TimerActions {
    var actions: TimerActions = { sendInitiation: false, sendKeepalive: false, zeroKeys: false, gaveUp: false };

    if (due(this.retransmitAt, now)) {
      this.retransmitAt = OFF;
      if (this.retransmissions > MAX_TIMER_HANDSHAKES) {
        actions.gaveUp = true;
        this.inFlight = false;
        this.retransmissions = 0;
        // Nothing to keep alive without a session; and whatever keys remain must still expire.
        this.keepaliveAt = OFF;
        if (this.zeroKeysAt === OFF) this.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
      } else {
        this.retransmissions++;
        actions.sendInitiation = true;
        // Re-armed here too: if the device cannot send this time, the timer still comes back.
        this.armRetransmit(now);
      }
    }

    if (due(this.newHandshakeAt, now)) {
      this.newHandshakeAt = OFF;
      this.newHandshakeDelay = 15000 + this.jitter(); // the next deadline gets a fresh jitter
      // A handshake already in flight covers it; its retransmissions keep going.
      if (!this.inFlight) actions.sendInitiation = true;
    }

    if (due(this.keepaliveAt, now)) {
      this.keepaliveAt = OFF;
      actions.sendKeepalive = true;
    }

    if (due(this.persistentAt, now)) {
      // Re-armed here as well as on traversal, so it keeps ticking even if the send is staged.
      this.persistentAt = now + this.persistentKeepaliveMs;
      actions.sendKeepalive = true;
    }

    if (due(this.zeroKeysAt, now)) {
      this.zeroKeysAt = OFF;
      actions.zeroKeys = true;
    }
    return actions;
  }

  /** Disarms everything (device shut down or keys zeroed by the owner). */
  stopAll(): void {
    this.retransmitAt = OFF;
    this.keepaliveAt = OFF;
    this.newHandshakeAt = OFF;
    this.zeroKeysAt = OFF;
    this.persistentAt = OFF;
    this.inFlight = false;
    this.retransmissions = 0;
  }

  /** Jitter keeps two peers that started together from retransmitting in lockstep. */
  private armRetransmit(now: number): void {
    this.retransmitAt = now + REKEY_TIMEOUT + this.jitter();
  }

  /** 0..REKEY_TIMEOUT_JITTER_MAX ms from the injected randomness. */
  protected jitter(): number {
    var r = this.random.randomBytes(2);
    return ((r[0] << 8) | r[1]) % (REKEY_TIMEOUT_JITTER_MAX + 1);
  }
}

function due(at: number, now: number): boolean {
  return at !== OFF && now >= at;
}

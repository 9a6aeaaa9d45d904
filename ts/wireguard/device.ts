// A single-peer WireGuard endpoint: the glue between the messages, the Noise handshake, the
// cookie machinery, the keypairs, the timers and the platform. Pure: time, randomness, storage
// and I/O all come from the injected Platform, and nothing runs unless onDatagram,
// onTunnelPacket or tick is called.
//
// Every datagram given to onDatagram is either accepted or counted under exactly one drop
// reason (status().drops); it never throws on bad input.

import type { Address, Clock, Crypto, Io, Platform } from "../platform/platform";
import { LOG_DEBUG, LOG_INFO, LOG_WARN } from "../platform/platform";
import { constantTimeEqual, copyOf, readU32LE } from "./bytes";
import {
  KEEPALIVE_TIMEOUT, REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME, REKEY_AFTER_MESSAGES, REKEY_AFTER_TIME,
  REKEY_TIMEOUT, TUNNEL_MTU,
} from "./constants";
import {
  MESSAGE_COOKIE_REPLY, MESSAGE_INITIATION, MESSAGE_TRANSPORT, classify, frameTransport,
} from "./messages";
import { HANDSHAKE_INITIATION_CREATED, HANDSHAKE_ZEROED, Handshake, hasSmallOrder } from "./noise";
import { CookieChecker, CookieGenerator } from "./cookie";
import { RateLimiter } from "./ratelimiter";
import { Tai64nClock } from "./tai64n";
import { Keypair, Keypairs } from "./keypair";
import { StagingQueue } from "./staging";
import { DeviceStatus, DropCounters } from "./status";
import { AllowedIps, NOT_AN_IP_PACKET, parseIp } from "./allowedips";
import { MAX_TIMER_HANDSHAKES, Timers } from "./timers";

export type { DeviceStatus } from "./status";

/** More handshake messages than this (with a valid mac1) within one second put the device
 *  under load for the following second: then cookie replies and the rate limit apply. */
export var UNDER_LOAD_THRESHOLD = 10;
export var UNDER_LOAD_WINDOW = 1000;

/** REKEY_AFTER_MESSAGES (2^60) lies beyond homewire's REJECT_AFTER_MESSAGES (2^53 - 1, see
 *  constants.ts), so the early rekey is moved below the hard limit, keeping the whitepaper's
 *  order: rekey first, reject later. */
export var REKEY_AFTER_SENT_MESSAGES = Math.min(REKEY_AFTER_MESSAGES, REJECT_AFTER_MESSAGES - 1048576);

var EMPTY = new Uint8Array(0);
type OpenTransport = NonNullable<Crypto["openTransport"]>;
type SendTransport = NonNullable<Io["sendTransport"]>;
type DeliverPrefix = NonNullable<Io["deliverPrefixToTunnel"]>;
var U8 = Uint8Array;
/** Age at which an initiator that is receiving renews its session before it is rejected. */
var LAST_MINUTE_HANDSHAKE_AGE = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;

export interface DeviceConfig {
  privateKey: Uint8Array;
  /** Must be x25519Base(privateKey), when the caller has it already (the firmware's identity
   *  derives it at every boot for its console): one X25519 base-point multiplication saved per
   *  boot. It cannot be checked cheaply (the check is that very multiplication), so it is not:
   *  a wrong key fails every handshake (mac1 and the peer's view of our static key) but is
   *  never a secret. Absent: derived here. */
  publicKey?: Uint8Array;
  /** Compute DH(our static key, the peer's) at the first handshake instead of here: for a
   *  sensor that wakes from deep sleep to a kept session and mostly needs none. Otherwise it is
   *  computed now, once, so no handshake pays for it. */
  staticStaticOnFirstUse?: boolean;
  peer: {
    publicKey: Uint8Array;
    /** Absent or null: no PSK (all zero, as the protocol defines). */
    presharedKey?: Uint8Array | null;
    /** Null: wait for the peer to reach us (responder only until it does). An IP address: a
     *  DNS name is looked up beside the device (NamedEndpoint, endpointname.ts), which gives the
     *  answers to EndpointDevice.setPeerEndpoint. */
    endpoint?: Address | null;
    /** CIDRs the peer's inner packets may come from (and ours may go to). */
    allowedIps: string[];
    /** Seconds; 0 or absent = off. */
    persistentKeepalive?: number;
  };
}

function checkKey(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) throw new TypeError(field + ": expected a 32-byte Uint8Array");
  return value;
}

function checkAddress(value: unknown, field: string): Address | null {
  if (value === undefined || value === null) return null;
  var a = value as Address;
  if (typeof a !== "object" || typeof a.host !== "string" || a.host === "") throw new TypeError(field + ".host: expected a non-empty string");
  if (typeof a.port !== "number" || a.port !== Math.floor(a.port) || a.port < 1 || a.port > 65535) {
    throw new TypeError(field + ".port: expected an integer in 1..65535");
  }
  return { host: a.host, port: a.port };
}

/** Inner packets are padded to a multiple of 16 bytes, but never beyond the MTU
 *  (whitepaper section 5.4.6), which hides their exact length cheaply. */
export function paddedLength(n: number): number {
  var p = (n + 15) & ~15;
  return n <= TUNNEL_MTU && p > TUNNEL_MTU ? TUNNEL_MTU : p;
}

/** The drop reason of a datagram that looked like a transport message (type 4, 32 bytes or
 *  more) but is not one: what classify says. */
function notTransport(bytes: Uint8Array): string {
  var kind = classify(bytes);
  return typeof kind === "string" ? kind : "bad-length";
}

/** Drops of inbound datagrams: every reason but the outbound ones ("tx-*", staging-overflow). */
function inboundDrops(drops: { [reason: string]: number }): number {
  var sum = 0;
  for (var reason in drops) {
    if (!Object.prototype.hasOwnProperty.call(drops, reason)) continue;
    if (reason.substring(0, 3) !== "tx-" && reason !== "staging-overflow") sum += drops[reason];
  }
  return sum;
}

export class Device {
  protected platform: Platform;
  // The platform's parts, held directly: one property lookup less on every packet.
  protected crypto: Crypto;
  /** The platform's optional per-packet natives (Crypto.openTransport, Io.sendTransport,
   *  Io.deliverPrefixToTunnel), held directly (one property read per call, not two), or null. */
  private openNative: OpenTransport | null;
  private sendNative: SendTransport | null;
  private deliverNative: DeliverPrefix | null;
  /** Where openTransport writes plaintexts: one array for every packet (a fresh one per packet
   *  is an allocation, and on JerryScript garbage to collect), made on the first transport
   *  message and grown for a larger one; its length is kept apart (reading a typed array's
   *  length costs more than a plain property on JerryScript). */
  private plaintext = EMPTY;
  private plaintextRoom = 0;
  protected clock: Clock;
  private io: Io;
  protected localPublic: Uint8Array;
  protected handshake: Handshake;
  private checker: CookieChecker;
  private generator: CookieGenerator;
  private limiter: RateLimiter;
  private tai64n: Tai64nClock;
  protected keypairs: Keypairs;
  protected staging: StagingQueue;
  protected timers: Timers;
  private allowedIps: AllowedIps;
  protected drops: DropCounters;
  protected endpoint: Address | null;

  protected lastSentHandshake: number | null = null;
  protected sentLastMinuteHandshake = false;
  private loadWindowStart = 0;
  private loadCount = 0;
  private underLoadUntil = -1;

  protected lastHandshakeMs: number | null = null;
  private handshakes = 0;
  private rxBytes = 0;
  private txBytes = 0;
  private rxPackets = 0;
  private txPackets = 0;
  /** Datagrams accepted. datagramsIn is not counted: every other datagram is in exactly one
   *  inbound drop reason, so status() adds them up (one counter less per packet). */
  private datagramsAccepted = 0;

  /** Throws a TypeError naming the bad field. */
  constructor(config: DeviceConfig, platform: Platform) {
    if (!config || typeof config !== "object") throw new TypeError("config: expected an object");
    var privateKey = copyOf(checkKey(config.privateKey, "privateKey"));
    var peer = config.peer;
    if (!peer || typeof peer !== "object") throw new TypeError("peer: expected an object");
    var peerPublic = copyOf(checkKey(peer.publicKey, "peer.publicKey"));
    var psk = peer.presharedKey === undefined || peer.presharedKey === null
      ? new Uint8Array(32) : copyOf(checkKey(peer.presharedKey, "peer.presharedKey"));
    var keepalive = peer.persistentKeepalive === undefined ? 0 : peer.persistentKeepalive;
    if (typeof keepalive !== "number" || keepalive !== Math.floor(keepalive) || keepalive < 0 || keepalive > 65535) {
      throw new TypeError("peer.persistentKeepalive: expected an integer number of seconds in 0..65535");
    }
    this.endpoint = checkAddress(peer.endpoint, "peer.endpoint");
    if (this.endpoint !== null && parseIp(this.endpoint.host) === null) {
      throw new TypeError("peer.endpoint.host: expected an IP address (look names up with NamedEndpoint)");
    }
    this.allowedIps = new AllowedIps(peer.allowedIps);

    var crypto = platform.crypto;
    this.platform = platform;
    this.crypto = crypto;
    this.openNative = typeof crypto.openTransport === "function" ? crypto.openTransport : null;
    this.clock = platform.clock;
    this.io = platform.io;
    this.sendNative = typeof platform.io.sendTransport === "function" ? platform.io.sendTransport : null;
    this.deliverNative = typeof platform.io.deliverPrefixToTunnel === "function" ? platform.io.deliverPrefixToTunnel : null;
    this.localPublic = config.publicKey === undefined ? crypto.x25519Base(privateKey) : copyOf(checkKey(config.publicKey, "publicKey"));
    if (constantTimeEqual(this.localPublic, peerPublic)) throw new TypeError("peer.publicKey: is our own public key");
    if (hasSmallOrder(peerPublic)) throw new TypeError("peer.publicKey: a low-order point (its DH result is all zero)");

    // The static-static DH is fixed for the life of the device: computed once, now or by the
    // first handshake (hasSmallOrder above already refused a peer key that makes it zero).
    var staticStatic = config.staticStaticOnFirstUse ? null : crypto.x25519(privateKey, peerPublic);
    this.handshake = new Handshake(crypto, privateKey, this.localPublic, peerPublic, psk, staticStatic, platform.store);
    this.checker = new CookieChecker(crypto, platform.random, this.localPublic);
    this.generator = new CookieGenerator(crypto, peerPublic);
    this.limiter = new RateLimiter();
    this.tai64n = new Tai64nClock(platform.clock, platform.store);
    this.keypairs = new Keypairs();
    this.staging = new StagingQueue();
    this.timers = new Timers(platform.random, keepalive * 1000);
    this.drops = new DropCounters();
  }

  /** Our static public key. */
  publicKey(): Uint8Array {
    return copyOf(this.localPublic);
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** An outer UDP datagram arrived from `from`. Never throws on bad input. */
  onDatagram(bytes: Uint8Array, from: Address): void {
    var reason: string | null;
    try {
      // Transport messages, the per-packet path, are told apart here (type 4, room for header
      // and tag; receiveTransport checks the reserved bytes) and skip the general classify. The
      // length is read once and handed on: on JerryScript every named property of a typed array
      // costs a string-to-number conversion of the name before the lookup.
      var size = bytes instanceof U8 ? bytes.length : -1;
      if (size >= 32 && bytes[0] === 4) reason = this.receiveTransport(bytes, size, from, this.clock.nowMs());
      else reason = this.receive(bytes, from);
    } catch (e) {
      // A bug, not an attack we anticipated: count it and keep running.
      reason = "internal-error";
      this.log(LOG_WARN, "onDatagram: " + (e && (e as Error).message ? (e as Error).message : String(e)));
    }
    if (reason === null) this.datagramsAccepted++;
    else this.drops.add(reason);
  }

  /** lwIP wants to send an inner IP packet to the peer: encrypt and send it, or stage it and
   *  start a handshake. */
  onTunnelPacket(packet: Uint8Array): void {
    // Per-packet path: see onDatagram and receiveTransport for why it is written this way.
    var size = packet instanceof U8 ? packet.length : -1;
    if (size < 0) {
      this.drops.add("tx-bad-packet");
      return;
    }
    // Header length check and destination filter in one call.
    var length = this.allowedIps.filteredLength(packet, size, false);
    if (length < 0) {
      this.drops.add(length === NOT_AN_IP_PACKET ? "tx-bad-packet" : "tx-no-route");
      return;
    }
    if (length < size) packet = packet.subarray(0, length);
    var now = this.clock.nowMs();
    var keypair = this.keypairs.current;
    // Fast path: a usable session (canSend inline: younger than REJECT_AFTER_TIME, a nonce
    // left below REJECT_AFTER_MESSAGES) and nothing queued ahead of this packet. The counter
    // limits are compared only once the counter is past 2^27 - 1: JerryScript keeps smaller
    // integers unboxed, and a larger literal is a heap double made at every use.
    var sent = keypair === null ? 0 : keypair.sendCounter;
    if (this.staging.length === 0 && keypair !== null && now - keypair.created < 180000 &&
      (sent < 134217727 || sent < 9007199254740991) && this.endpoint !== null) {
      this.sendTransport(keypair, packet, length, now);
      // keepKeyFreshSending inline (REKEY_AFTER_SENT_MESSAGES, REKEY_AFTER_TIME).
      if ((sent >= 134217727 && sent >= 9007199253692415) || (keypair.isInitiator && now - keypair.created >= 120000)) {
        this.sendInitiation(false, now);
      }
      return;
    }
    // The caller may reuse its buffer once we return.
    this.drops.addMany("staging-overflow", this.staging.push(copyOf(packet)));
    this.sendStaged(now);
  }

  /** Run the timers. Call it often (every 100 ms or so); it does nothing when nothing is due. */
  tick(): void {
    var now = this.clock.nowMs();
    this.keypairs.expire(now);
    var actions = this.timers.poll(now);
    if (actions.zeroKeys) {
      this.keypairs.clear();
      this.handshake.clear();
      // The cookie we hold for the peer and the secret ours are made from are keys too.
      this.generator.clear();
      this.checker.clear();
      this.drops.addMany("tx-gave-up", this.staging.clear());
      this.log(LOG_INFO, "keys zeroed after " + (3 * REJECT_AFTER_TIME / 1000) + " s without a new session");
    }
    if (actions.gaveUp) {
      this.drops.addMany("tx-gave-up", this.staging.clear());
      this.log(LOG_INFO, "handshake gave up after " + (MAX_TIMER_HANDSHAKES + 2) + " attempts");
    }
    if (actions.sendInitiation) this.sendInitiation(true, now);
    if (actions.sendKeepalive) this.sendKeepalive(now);
  }

  /** Start a handshake now, unless one is in flight. */
  connect(): void {
    if (this.timers.wantRetransmit()) return;
    this.sendInitiation(false, this.clock.nowMs());
  }

  status(): DeviceStatus {
    var now = this.clock.nowMs();
    var drops = this.drops.snapshot();
    var current = this.keypairs.current;
    var state = "idle";
    if (current !== null && current.canSend(now)) state = "established";
    else if (this.timers.wantRetransmit()) state = "handshake-sent";
    else if (this.keypairs.next !== null) state = "handshake-responded";
    return {
      state: state,
      lastHandshakeMs: this.lastHandshakeMs,
      endpoint: this.endpoint === null ? null : { host: this.endpoint.host, port: this.endpoint.port },
      rxBytes: this.rxBytes,
      txBytes: this.txBytes,
      rxPackets: this.rxPackets,
      txPackets: this.txPackets,
      handshakes: this.handshakes,
      keypairs: (current !== null ? 1 : 0) + (this.keypairs.previous !== null ? 1 : 0) + (this.keypairs.next !== null ? 1 : 0),
      datagramsIn: this.datagramsAccepted + inboundDrops(drops),
      datagramsAccepted: this.datagramsAccepted,
      drops: drops,
    };
  }

  // ---- receive ------------------------------------------------------------------------------

  /** null: accepted; else the drop reason. */
  private receive(bytes: Uint8Array, from: Address): string | null {
    if (!(bytes instanceof Uint8Array)) return "bad-length";
    var type = classify(bytes);
    if (typeof type === "string") return type;
    var now = this.clock.nowMs();
    if (type === MESSAGE_TRANSPORT) return this.receiveTransport(bytes, bytes.length, from, now);
    if (type === MESSAGE_COOKIE_REPLY) return this.receiveCookieReply(bytes);

    // Handshake messages: mac1 first (cheap, proves knowledge of our public key), then the
    // DoS defences, and only then any DH.
    if (!this.checker.checkMac1(bytes)) return "bad-mac1";
    if (this.underLoad(now)) {
      if (!this.checker.checkMac2(bytes, from, now)) {
        this.sendDatagram(this.checker.createCookieReply(bytes, from, now), from);
        return "cookie-sent";
      }
      if (!this.limiter.allow(from.host, now)) return "rate-limited";
    }
    return type === MESSAGE_INITIATION ? this.receiveInitiation(bytes, from, now) : this.receiveResponse(bytes, from, now);
  }

  /** Counts handshake messages per second; over the threshold, the next second is "under load". */
  private underLoad(now: number): boolean {
    if (now - this.loadWindowStart >= UNDER_LOAD_WINDOW) {
      this.loadWindowStart = now;
      this.loadCount = 0;
    }
    this.loadCount++;
    if (this.loadCount > UNDER_LOAD_THRESHOLD) this.underLoadUntil = now + UNDER_LOAD_WINDOW;
    return now < this.underLoadUntil;
  }

  private receiveInitiation(bytes: Uint8Array, from: Address, now: number): string | null {
    var reason = this.handshake.consumeInitiation(bytes, now);
    if (reason !== null) return reason;
    // The response goes back to the sender, but a known endpoint moves only when the initiator
    // confirms the session with a transport packet (roaming in receiveTransport): an initiation
    // proves nothing about where the peer is, since anyone can replay one. Without any endpoint
    // (a pure responder) its source is the best guess for our own handshakes.
    if (this.endpoint === null) this.setEndpoint(from);
    this.rxBytes += bytes.length;
    this.timers.anyAuthenticatedPacketTraversal(now);
    this.timers.anyAuthenticatedPacketReceived(now);

    var response = this.handshake.createResponse(this.platform.random.randomBytes(32), this.newIndex());
    if (response === null) return "low-order-point";
    this.generator.addMacs(response, now);
    var keys = this.handshake.beginSymmetricSession();
    if (keys === null) return "handshake-failed";
    this.keypairs.install(new Keypair(keys, now));
    this.timers.sessionDerived(now);
    this.log(LOG_DEBUG, "initiation consumed, response sent");
    // A response counts as a handshake sent: our own initiation waits REKEY_TIMEOUT, giving the
    // initiator time to confirm this session instead of racing it with a second handshake.
    this.lastSentHandshake = now;
    this.sendDatagram(response, from);
    this.timers.anyAuthenticatedPacketTraversal(now);
    this.timers.anyAuthenticatedPacketSent(now);
    return null;
  }

  private receiveResponse(bytes: Uint8Array, from: Address, now: number): string | null {
    if (this.handshake.state !== HANDSHAKE_INITIATION_CREATED || readU32LE(bytes, 8) !== this.handshake.localIndex) {
      return "unknown-receiver";
    }
    var reason = this.handshake.consumeResponse(bytes);
    if (reason !== null) return reason;
    this.setEndpoint(from);
    this.rxBytes += bytes.length;
    this.timers.anyAuthenticatedPacketTraversal(now);
    this.timers.anyAuthenticatedPacketReceived(now);
    var keys = this.handshake.beginSymmetricSession();
    if (keys === null) return "handshake-failed";
    this.keypairs.install(new Keypair(keys, now));
    this.timers.sessionDerived(now);
    this.handshakeComplete(now);
    // Confirms the session to the responder (it may not send until it hears from us) and
    // flushes whatever was staged.
    this.sendKeepalive(now);
    return null;
  }

  private receiveCookieReply(bytes: Uint8Array): string | null {
    var receiver = readU32LE(bytes, 4);
    var known = (this.handshake.state !== HANDSHAKE_ZEROED && this.handshake.localIndex === receiver) ||
      this.keypairs.usesIndex(receiver);
    if (!known) return "unknown-receiver";
    if (!this.generator.consumeCookieReply(bytes, this.clock.nowMs())) return "bad-cookie";
    // The whitepaper has the initiator wait for its retransmission timer; the next
    // initiation carries mac2.
    this.log(LOG_DEBUG, "cookie reply consumed");
    return null;
  }

  /** The per-packet receive path. Written for an interpreter: checks inline, literal constants
   *  (module constants cost a scope and a property lookup each), one call per concern. With the
   *  platform's openTransport, one native call does the mechanical part (shape, receiver,
   *  counter bound, decryption) for the keypair picked here; the decisions stay here. */
  private receiveTransport(bytes: Uint8Array, size: number, from: Address, now: number): string | null {
    var keypairs = this.keypairs;
    var keypair = keypairs.current;
    var plain: Uint8Array, counter: number;
    var open = this.openNative;
    if (open !== null) {
      if (size - 32 > this.plaintextRoom) {
        this.plaintextRoom = size - 32;
        this.plaintext = new U8(size - 32);
      }
      plain = this.plaintext;
      // The current keypair first (REJECT_AFTER_TIME inline), the other slots only if it is not.
      // The OPEN_* codes as literals: -1 NOT_TRANSPORT, -2 OTHER_RECEIVER, -3 BAD_COUNTER.
      counter = keypair !== null && now - keypair.created < 180000 ? open(keypair.recvKey, keypair.localIndex, bytes, plain) : -2;
      if (counter === -2) {
        if (bytes[1] + bytes[2] + bytes[3] !== 0) return notTransport(bytes);
        keypair = keypairs.lookup(readU32LE(bytes, 4));
        if (keypair === null) return "unknown-receiver";
        if (now - keypair.created >= 180000) return "expired-keypair"; // REJECT_AFTER_TIME
        counter = open(keypair.recvKey, keypair.localIndex, bytes, plain);
      }
      if (counter < 0) return counter === -1 ? notTransport(bytes) : counter === -3 ? "bad-counter" : "decrypt-failed";
    } else {
      // Reserved bytes zero (the caller checked the type and the length).
      if (bytes[1] + bytes[2] + bytes[3] !== 0) return notTransport(bytes);
      // Receiver index (LE32 at 4): the current keypair first, the other slots only if it is not.
      // Header words read with + and *: exact, and cheaper than | and << under Duktape without fastints.
      var index = bytes[4] + bytes[5] * 256 + bytes[6] * 65536 + bytes[7] * 16777216;
      if (keypair === null || keypair.localIndex !== index) {
        keypair = keypairs.lookup(index);
        if (keypair === null) return "unknown-receiver";
      }
      if (now - keypair.created >= 180000) return "expired-keypair"; // REJECT_AFTER_TIME
      // Counter (LE64 at 8): the high word is zero for the first 2^32 messages of a session.
      counter = bytes[8] + bytes[9] * 256 + bytes[10] * 65536 + bytes[11] * 16777216;
      if (bytes[12] + bytes[13] + bytes[14] + bytes[15] !== 0) {
        counter += (bytes[12] + bytes[13] * 256 + bytes[14] * 65536 + bytes[15] * 16777216) * 4294967296;
        if (counter >= REJECT_AFTER_MESSAGES) return "bad-counter";
      }
      var opened = this.crypto.aeadOpen(keypair.recvKey, counter, bytes.subarray(16), EMPTY);
      if (opened === null) return "decrypt-failed";
      plain = opened;
    }
    keypair = keypair as Keypair; // a counter came back: some keypair opened the message
    if (!keypair.replay.validateCounter(counter)) return "replay";

    // Roaming: the peer is wherever its last authenticated packet came from.
    var endpoint = this.endpoint;
    if (endpoint === null || endpoint.port !== from.port || endpoint.host !== from.host) this.setEndpoint(from);
    this.rxBytes += size;
    if (keypair === keypairs.next) {
      keypairs.receivedWith(keypair);
      this.handshakeComplete(now);
      this.sendStaged(now);
    }
    if (!this.sentLastMinuteHandshake) {
      // keepKeyFreshReceiving, its test inline.
      var current = keypairs.current;
      // 165000 = LAST_MINUTE_HANDSHAKE_AGE (a module constant is a scope lookup per packet)
      if (current !== null && current.isInitiator && now - current.created >= 165000) {
        this.keepKeyFreshReceiving(now);
      }
    }
    var n = size - 32;
    this.timers.transportReceived(now, n !== 0);
    if (n === 0) return null; // keepalive

    // Header length check and source filter in one call.
    var length = this.allowedIps.filteredLength(plain, n, true);
    if (length < 0) return length === NOT_AN_IP_PACKET ? "bad-inner-packet" : "source-not-allowed";
    this.rxPackets++;
    // Trim the zero padding (the platform or a view does).
    if (this.deliverNative !== null) this.deliverNative(plain, length);
    else this.io.deliverToTunnel(length === n && open === null ? plain : plain.subarray(0, length));
    return null;
  }

  // ---- send ---------------------------------------------------------------------------------

  protected sendInitiation(isRetry: boolean, now: number): void {
    if (this.endpoint === null) return; // nowhere to send: wait for the peer
    // Never more than one initiation per REKEY_TIMEOUT, however many triggers fire.
    if (this.lastSentHandshake !== null && now - this.lastSentHandshake < REKEY_TIMEOUT) return;
    var timestamp: Uint8Array;
    try {
      timestamp = this.tai64n.next();
    } catch (e) {
      // Without a durable reservation a reboot could reuse this timestamp: do not send.
      this.log(LOG_WARN, "store refused the TAI64N reservation; initiation not sent");
      return;
    }
    var msg = this.handshake.createInitiation(this.platform.random.randomBytes(32), timestamp, this.newIndex());
    if (msg === null) return;
    this.lastSentHandshake = now;
    this.generator.addMacs(msg, now);
    this.log(LOG_DEBUG, isRetry ? "initiation retransmitted" : "initiation sent");
    this.sendDatagram(msg, this.endpoint);
    this.timers.anyAuthenticatedPacketTraversal(now);
    this.timers.anyAuthenticatedPacketSent(now);
    this.timers.handshakeInitiated(now);
  }

  private sendKeepalive(now: number): void {
    if (this.staging.length === 0) this.staging.push(EMPTY);
    this.sendStaged(now);
  }

  /** Send everything staged on the current keypair, or start a handshake if there is none. */
  protected sendStaged(now: number): void {
    var keypair = this.keypairs.current;
    if (keypair === null || !keypair.canSend(now) || this.endpoint === null) {
      this.sendInitiation(false, now);
      return;
    }
    while (this.staging.length > 0) {
      if (!keypair.canSend(now)) {
        this.sendInitiation(false, now);
        return;
      }
      var staged = this.staging.shift() as Uint8Array;
      this.sendTransport(keypair, staged, staged.length, now);
    }
    this.keepKeyFreshSending(keypair, now);
  }

  /** The per-packet send path: pad, seal, frame, send. No closures; paddedLength inline; with
   *  the optional native one call and no array, else two copies (pad, frame). */
  private sendTransport(keypair: Keypair, packet: Uint8Array, n: number, now: number): void {
    var p = n + 15 - (n + 15) % 16;
    if (p > 1420 && n <= 1420) p = 1420; // never pad beyond TUNNEL_MTU
    var counter = keypair.sendCounter;
    keypair.sendCounter = counter + 1;
    var to = this.endpoint as Address;
    if (this.sendNative !== null) {
      this.txBytes += p + 32;
      try {
        this.sendNative(keypair.sendKey, counter, keypair.header, packet, p, to.host, to.port);
      } catch (e) {
        this.sendFailed(e);
      }
    } else {
      var plain = packet;
      if (p !== n) {
        plain = new U8(p);
        plain.set(packet);
      }
      this.sendDatagram(frameTransport(keypair.header, counter, this.crypto.aeadSeal(keypair.sendKey, counter, plain, EMPTY)), to);
    }
    this.timers.transportSent(now, n !== 0);
    if (n !== 0) this.txPackets++;
  }

  /** Initiator side: a session is renewed before it gets old (REKEY_AFTER_TIME) and either
   *  side renews one that has sent too much (REKEY_AFTER_MESSAGES). */
  private keepKeyFreshSending(keypair: Keypair, now: number): void {
    if (keypair.sendCounter > REKEY_AFTER_SENT_MESSAGES || (keypair.isInitiator && now - keypair.created >= REKEY_AFTER_TIME)) {
      this.sendInitiation(false, now);
    }
  }

  /** Initiator side: if the session is about to be rejected and the peer is talking to us,
   *  renew now rather than waiting to send (once per session). */
  private keepKeyFreshReceiving(now: number): void {
    if (this.sentLastMinuteHandshake) return;
    var keypair = this.keypairs.current;
    if (keypair !== null && keypair.isInitiator && now - keypair.created >= LAST_MINUTE_HANDSHAKE_AGE) {
      this.sentLastMinuteHandshake = true;
      this.sendInitiation(false, now);
    }
  }

  private handshakeComplete(now: number): void {
    this.timers.handshakeComplete(now);
    this.lastHandshakeMs = now;
    this.handshakes++;
    this.sentLastMinuteHandshake = false;
    this.log(LOG_INFO, "handshake complete");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** A random local index not used by the handshake or any live keypair. */
  private newIndex(): number {
    for (var i = 0; i < 64; i++) {
      var index = readU32LE(this.platform.random.randomBytes(4), 0);
      if (index !== this.handshake.localIndex && !this.keypairs.usesIndex(index)) return index;
    }
    throw new Error("random source keeps returning used indices");
  }

  /** Roaming: the peer is wherever its last authenticated packet came from. */
  protected setEndpoint(from: Address): void {
    var e = this.endpoint;
    if (e !== null && e.host === from.host && e.port === from.port) return;
    this.endpoint = { host: from.host, port: from.port };
    this.log(LOG_INFO, "peer endpoint is now " + from.host + " port " + from.port);
  }

  private sendDatagram(bytes: Uint8Array, to: Address): void {
    this.txBytes += bytes.length;
    try {
      this.io.sendDatagram(bytes, to);
    } catch (e) {
      this.sendFailed(e);
    }
  }

  /** Transient socket errors must not unwind the protocol state; retransmits cover losses. */
  private sendFailed(e: unknown): void {
    this.log(LOG_WARN, "sendDatagram failed: " + (e && (e as Error).message ? (e as Error).message : String(e)));
  }

  protected log(level: number, message: string): void {
    this.io.log(level, message);
  }
}

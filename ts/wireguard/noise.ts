// Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it (whitepaper section 5.4): the
// handshake state of our single peer, both roles. Message framing is in messages.ts, mac1/mac2
// in cookie.ts, timestamp freshness policy (greater-than and flood) here because it guards the
// state update of consumeInitiation.
//
// Every consume* checks everything before it touches the stored state, so a forged or replayed
// message can never disturb a handshake in progress.

import type { Crypto, Store } from "../platform/platform";
import { constantTimeEqual, copyOf, fromHex, isZero, readU32LE, toHex, wipe, writeU32LE } from "./bytes";
import { hash, kdf, mixHash } from "./kdf";
import {
  INITIATION_MAC1_OFFSET, INITIATION_SIZE, MESSAGE_INITIATION, MESSAGE_RESPONSE,
  RESPONSE_MAC1_OFFSET, RESPONSE_SIZE, TIMESTAMP_SIZE, parseInitiation, parseResponse,
} from "./messages";
import { PEER_TAI64N_STORE_KEY, tai64nAfter } from "./tai64n";

export var CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
export var IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
/** The responder refuses initiations closer together than this (ms), as the reference
 *  implementations do: it bounds the DH work a replaying attacker can cause. */
export var HANDSHAKE_INITIATION_RATE = 20;

export var HANDSHAKE_ZEROED = 0;
export var HANDSHAKE_INITIATION_CREATED = 1;
export var HANDSHAKE_INITIATION_CONSUMED = 2;
export var HANDSHAKE_RESPONSE_CREATED = 3;
export var HANDSHAKE_RESPONSE_CONSUMED = 4;

var EMPTY = new Uint8Array(0);

// The two points of order 8 on Curve25519 (u-coordinates, little-endian hex); hasSmallOrder
// tells the other small-order encodings by their shape.
var ORDER_8 = ["e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"];

/**
 * Whether X25519 with this public key gives all zero whatever our (clamped) key: its u-coordinate
 * is of small order on the curve or its twist (0, 1, p - 1, the two points of order 8) or a
 * non-canonical encoding of one (p, p + 1); bit 255 is ignored, as X25519 ignores it. The same
 * answer as computing a DH and testing it for zero, without the DH.
 */
export function hasSmallOrder(publicKey: Uint8Array): boolean {
  var low = publicKey[0], top = publicKey[31] & 127, zeros = true, ones = true;
  for (var i = 1; i < 31; i++) {
    if (publicKey[i] !== 0) zeros = false;
    if (publicKey[i] !== 255) ones = false;
  }
  if (zeros && top === 0 && low <= 1) return true; // 0, 1
  if (ones && top === 127 && low >= 0xec && low <= 0xee) return true; // p - 1, p, p + 1
  var hex = toHex(publicKey.subarray(0, 31)) + (top < 16 ? "0" : "") + top.toString(16);
  return hex === ORDER_8[0] || hex === ORDER_8[1];
}

/** ASCII text as bytes (the labels are ASCII). */
export function ascii(text: string): Uint8Array {
  var out = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

var initialChainKey: Uint8Array | null = null;
var initialHash: Uint8Array | null = null;

/** Ci = HASH(CONSTRUCTION), Hi = HASH(Ci || IDENTIFIER); computed once per engine. */
function initialState(crypto: Crypto): void {
  if (initialChainKey !== null) return;
  initialChainKey = hash(crypto, ascii(CONSTRUCTION));
  initialHash = mixHash(crypto, initialChainKey, ascii(IDENTIFIER));
}

export function getInitialChainKey(crypto: Crypto): Uint8Array {
  initialState(crypto);
  return initialChainKey as Uint8Array;
}

export function getInitialHash(crypto: Crypto): Uint8Array {
  initialState(crypto);
  return initialHash as Uint8Array;
}

/** KDFn over a chaining key that is then wiped (never the shared initial one): intermediate
 *  chaining keys do not linger until garbage collection. */
function chain(crypto: Crypto, n: number, ck: Uint8Array, input: Uint8Array): Uint8Array[] {
  var out = kdf(crypto, n, ck, input);
  if (ck !== initialChainKey) wipe(ck);
  return out;
}

/** Wipe a chaining key and pass the drop reason on. */
function fail(ck: Uint8Array, reason: string): string {
  if (ck !== initialChainKey) wipe(ck);
  return reason;
}

/** Transport keys derived by beginSymmetricSession. */
export interface SessionKeys {
  sendKey: Uint8Array;
  recvKey: Uint8Array;
  isInitiator: boolean;
  localIndex: number;
  remoteIndex: number;
}

/** Outcome of consumeInitiation: null on success, else a drop reason. */
export type ConsumeResult = string | null;

export class Handshake {
  state: number;
  localIndex: number;
  remoteIndex: number;
  /** Greatest timestamp accepted from the peer, kept in the Store across reboots (see README). */
  lastTimestamp: Uint8Array;
  /** nowMs() of the last consumed initiation, or null. */
  lastInitiationConsumption: number | null;

  private crypto: Crypto;
  private localPrivate: Uint8Array;
  private localPublic: Uint8Array;
  private remoteStatic: Uint8Array;
  private presharedKey: Uint8Array;
  /** DH(our static key, the peer's): fixed for the life of the device; null until a handshake
   *  first needs it (staticStatic()), so a wake that resumes a kept session computes none. */
  private precomputedStaticStatic: Uint8Array | null;
  /** Where lastTimestamp is kept (null: RAM only, for tests of this layer), and the prefix of the
   *  stored value: the peer's key, first 8 bytes in hex, and a space. */
  private store: Store | null;
  private stampTag: string;
  private hash: Uint8Array;
  private chainKey: Uint8Array;
  private localEphemeral: Uint8Array;
  private remoteEphemeral: Uint8Array;

  /** precomputedStaticStatic: DH(localPrivate, remoteStatic), or null to compute it when first
   *  needed (the caller has refused a remoteStatic of small order: hasSmallOrder). store: where
   *  the peer's greatest timestamp is kept; absent = RAM only (tests). */
  constructor(crypto: Crypto, localPrivate: Uint8Array, localPublic: Uint8Array, remoteStatic: Uint8Array,
              presharedKey: Uint8Array, precomputedStaticStatic: Uint8Array | null, store?: Store) {
    this.crypto = crypto;
    this.localPrivate = localPrivate;
    this.localPublic = localPublic;
    this.remoteStatic = remoteStatic;
    this.presharedKey = presharedKey;
    this.precomputedStaticStatic = precomputedStaticStatic;
    this.state = HANDSHAKE_ZEROED;
    this.localIndex = 0;
    this.remoteIndex = 0;
    this.store = store === undefined ? null : store;
    this.stampTag = toHex(remoteStatic.subarray(0, 8)) + " ";
    var text = this.store === null ? null : this.store.get(PEER_TAI64N_STORE_KEY);
    // Absent, another peer's or unreadable: nothing was accepted from this peer (first boot).
    this.lastTimestamp = text !== null && text.indexOf(this.stampTag) === 0 && /^[0-9a-f]{24}$/.test(text.substring(17))
      ? fromHex(text.substring(17)) : new Uint8Array(TIMESTAMP_SIZE);
    this.lastInitiationConsumption = null;
    this.hash = new Uint8Array(32);
    this.chainKey = new Uint8Array(32);
    this.localEphemeral = new Uint8Array(32);
    this.remoteEphemeral = new Uint8Array(32);
  }

  private staticStatic(): Uint8Array {
    var ss = this.precomputedStaticStatic;
    if (ss === null) {
      ss = this.crypto.x25519(this.localPrivate, this.remoteStatic);
      // Unreachable when the caller checked hasSmallOrder, as the Device does; never used if so.
      if (isZero(ss)) throw new Error("peer's static key: a low-order point");
      this.precomputedStaticStatic = ss;
    }
    return ss;
  }

  /** Forget the ephemeral secrets and the transcript (after deriving keys, on expiry). */
  clear(): void {
    wipe(this.hash);
    wipe(this.chainKey);
    wipe(this.localEphemeral);
    wipe(this.remoteEphemeral);
    this.localIndex = 0;
    this.state = HANDSHAKE_ZEROED;
  }

  /**
   * The initiation without macs (bytes 116..147 are zero; cookie.ts fills them in).
   * ephemeralPrivate: 32 random bytes; timestamp: 12-byte TAI64N. Returns null if a DH result is
   * all zero (cannot happen with a checked peer key and a random scalar, but is never sent).
   */
  createInitiation(ephemeralPrivate: Uint8Array, timestamp: Uint8Array, localIndex: number): Uint8Array | null {
    var c = this.crypto;
    this.clear();
    var h = mixHash(c, getInitialHash(c), this.remoteStatic);
    var ck = getInitialChainKey(c);
    var ephemeralPublic = c.x25519Base(ephemeralPrivate);
    ck = chain(c, 1, ck, ephemeralPublic)[0];
    h = mixHash(c, h, ephemeralPublic);

    var es = c.x25519(ephemeralPrivate, this.remoteStatic);
    if (isZero(es)) {
      wipe(ck);
      return null;
    }
    var t = chain(c, 2, ck, es);
    wipe(es);
    ck = t[0];
    var encryptedStatic = c.aeadSeal(t[1], 0, this.localPublic, h);
    wipe(t[1]);
    h = mixHash(c, h, encryptedStatic);

    t = chain(c, 2, ck, this.staticStatic());
    ck = t[0];
    var encryptedTimestamp = c.aeadSeal(t[1], 0, timestamp, h);
    wipe(t[1]);
    h = mixHash(c, h, encryptedTimestamp);

    var out = new Uint8Array(INITIATION_SIZE);
    out[0] = MESSAGE_INITIATION;
    writeU32LE(out, 4, localIndex);
    out.set(ephemeralPublic, 8);
    out.set(encryptedStatic, 40);
    out.set(encryptedTimestamp, 88);

    this.hash = h;
    this.chainKey = ck;
    this.localEphemeral = ephemeralPrivate;
    this.localIndex = localIndex;
    this.state = HANDSHAKE_INITIATION_CREATED;
    return out;
  }

  /**
   * Checks an initiation (mac1 already verified) and, only if it is good, from our peer, fresh
   * and not a flood, makes it the current handshake. Returns null or a drop reason.
   */
  consumeInitiation(msg: Uint8Array, now: number): ConsumeResult {
    var c = this.crypto;
    var m = parseInitiation(msg);
    if (m === null) return "bad-length";
    var h = mixHash(c, getInitialHash(c), this.localPublic);
    h = mixHash(c, h, m.ephemeral);
    var ck = kdf(c, 1, getInitialChainKey(c), m.ephemeral)[0];

    var es = c.x25519(this.localPrivate, m.ephemeral);
    if (isZero(es)) return fail(ck, "low-order-point");
    var t = chain(c, 2, ck, es);
    wipe(es);
    ck = t[0];
    var peerStatic = c.aeadOpen(t[1], 0, m.encryptedStatic, h);
    wipe(t[1]);
    if (peerStatic === null) return fail(ck, "handshake-failed");
    h = mixHash(c, h, m.encryptedStatic);
    // Single peer: any other static key is an unknown peer.
    if (!constantTimeEqual(peerStatic, this.remoteStatic)) return fail(ck, "unknown-peer");

    t = chain(c, 2, ck, this.staticStatic());
    ck = t[0];
    var timestamp = c.aeadOpen(t[1], 0, m.encryptedTimestamp, h);
    wipe(t[1]);
    if (timestamp === null) return fail(ck, "handshake-failed");
    h = mixHash(c, h, m.encryptedTimestamp);

    if (!tai64nAfter(timestamp, this.lastTimestamp)) return fail(ck, "stale-timestamp");
    if (this.lastInitiationConsumption !== null && now - this.lastInitiationConsumption < HANDSHAKE_INITIATION_RATE) {
      return fail(ck, "handshake-flood");
    }
    // Kept in the Store, unlike the reference implementations (README: forgotten at a reboot, any
    // initiation the peer ever sent could be replayed once more), and durably before anything
    // changes: one the Store refuses is refused too. One write per accepted initiation; refused,
    // forged or replayed ones never cost a write.
    try {
      if (this.store !== null) this.store.put(PEER_TAI64N_STORE_KEY, this.stampTag + toHex(timestamp));
    } catch (e) {
      return fail(ck, "store-failed");
    }

    this.clear();
    this.hash = h;
    this.chainKey = ck;
    this.remoteIndex = m.sender;
    this.remoteEphemeral = new Uint8Array(32);
    this.remoteEphemeral.set(m.ephemeral);
    this.lastTimestamp = copyOf(timestamp);
    this.lastInitiationConsumption = now;
    this.state = HANDSHAKE_INITIATION_CONSUMED;
    return null;
  }

  /** The response without macs, after consumeInitiation. Returns null (and clears the
   *  handshake) if a DH result is all zero. */
  createResponse(ephemeralPrivate: Uint8Array, localIndex: number): Uint8Array | null {
    if (this.state !== HANDSHAKE_INITIATION_CONSUMED) return null;
    var c = this.crypto;
    var ephemeralPublic = c.x25519Base(ephemeralPrivate);
    var h = mixHash(c, this.hash, ephemeralPublic);
    var ck = kdf(c, 1, this.chainKey, ephemeralPublic)[0];

    var ee = c.x25519(ephemeralPrivate, this.remoteEphemeral);
    var se = c.x25519(ephemeralPrivate, this.remoteStatic);
    if (isZero(ee) || isZero(se)) {
      wipe(ee);
      wipe(se);
      wipe(ck);
      this.clear();
      return null;
    }
    ck = chain(c, 1, ck, ee)[0];
    ck = chain(c, 1, ck, se)[0];
    wipe(ee);
    wipe(se);
    var t = chain(c, 3, ck, this.presharedKey);
    ck = t[0];
    h = mixHash(c, h, t[1]);
    var encryptedNothing = c.aeadSeal(t[2], 0, EMPTY, h);
    wipe(t[1]);
    wipe(t[2]);
    h = mixHash(c, h, encryptedNothing);

    var out = new Uint8Array(RESPONSE_SIZE);
    out[0] = MESSAGE_RESPONSE;
    writeU32LE(out, 4, localIndex);
    writeU32LE(out, 8, this.remoteIndex);
    out.set(ephemeralPublic, 12);
    out.set(encryptedNothing, 44);

    wipe(this.chainKey);
    this.hash = h;
    this.chainKey = ck;
    this.localEphemeral = ephemeralPrivate;
    this.localIndex = localIndex;
    this.state = HANDSHAKE_RESPONSE_CREATED;
    return out;
  }

  /** Checks a response (mac1 verified, receiver index matched by the caller) against our
   *  initiation in flight. Returns null or a drop reason; state changes only on success. */
  consumeResponse(msg: Uint8Array): ConsumeResult {
    if (this.state !== HANDSHAKE_INITIATION_CREATED) return "unknown-receiver";
    var m = parseResponse(msg);
    if (m === null) return "bad-length";
    if (m.receiver !== this.localIndex) return "unknown-receiver";
    var c = this.crypto;
    var h = mixHash(c, this.hash, m.ephemeral);
    var ck = kdf(c, 1, this.chainKey, m.ephemeral)[0];
    var ee = c.x25519(this.localEphemeral, m.ephemeral);
    var se = c.x25519(this.localPrivate, m.ephemeral);
    if (isZero(ee) || isZero(se)) {
      wipe(ee);
      wipe(se);
      return fail(ck, "low-order-point");
    }
    ck = chain(c, 1, ck, ee)[0];
    ck = chain(c, 1, ck, se)[0];
    wipe(ee);
    wipe(se);
    var t = chain(c, 3, ck, this.presharedKey);
    ck = t[0];
    h = mixHash(c, h, t[1]);
    var nothing = c.aeadOpen(t[2], 0, m.encryptedNothing, h);
    wipe(t[1]);
    wipe(t[2]);
    if (nothing === null) return fail(ck, "handshake-failed");
    h = mixHash(c, h, m.encryptedNothing);

    wipe(this.chainKey);
    this.hash = h;
    this.chainKey = ck;
    this.remoteIndex = m.sender;
    this.state = HANDSHAKE_RESPONSE_CONSUMED;
    return null;
  }

  /** Derives the transport keys (initiator sends with the first, responder with the second)
   *  and wipes the handshake. Null unless a response was just created or consumed. */
  beginSymmetricSession(): SessionKeys | null {
    var isInitiator: boolean;
    if (this.state === HANDSHAKE_RESPONSE_CONSUMED) isInitiator = true;
    else if (this.state === HANDSHAKE_RESPONSE_CREATED) isInitiator = false;
    else return null;
    var t = kdf(this.crypto, 2, this.chainKey, EMPTY);
    var keys: SessionKeys = {
      sendKey: isInitiator ? t[0] : t[1],
      recvKey: isInitiator ? t[1] : t[0],
      isInitiator: isInitiator,
      localIndex: this.localIndex,
      remoteIndex: this.remoteIndex,
    };
    this.clear();
    return keys;
  }
}

/** The sender index of a handshake message (initiation or response), where cookie replies go. */
export function handshakeSender(msg: Uint8Array): number {
  return readU32LE(msg, 4);
}

/** Where mac1 starts in a handshake message of this type. */
export function mac1Offset(type: number): number {
  return type === MESSAGE_INITIATION ? INITIATION_MAC1_OFFSET : RESPONSE_MAC1_OFFSET;
}

// The four WireGuard messages (whitepaper section 5.4): exact wire layouts, parse and
// serialize. Parsing returns views into the datagram (no copies); the device never writes
// into received bytes, so the views are safe.

import { readU32LE, readU64LE, writeU32LE } from "./bytes";

export var MESSAGE_INITIATION = 1;
export var MESSAGE_RESPONSE = 2;
export var MESSAGE_COOKIE_REPLY = 3;
export var MESSAGE_TRANSPORT = 4;

export var INITIATION_SIZE = 148;
export var RESPONSE_SIZE = 92;
export var COOKIE_REPLY_SIZE = 64;
export var TRANSPORT_HEADER_SIZE = 16;
/** Header plus the AEAD tag of an empty (keepalive) payload. */
export var TRANSPORT_MIN_SIZE = 32;

// Field sizes.
export var KEY_SIZE = 32;
export var TAG_SIZE = 16;
export var MAC_SIZE = 16;
export var TIMESTAMP_SIZE = 12;
export var COOKIE_NONCE_SIZE = 24;

// Offsets inside the handshake messages.
export var INITIATION_MAC1_OFFSET = 116;
export var INITIATION_MAC2_OFFSET = 132;
export var RESPONSE_MAC1_OFFSET = 60;
export var RESPONSE_MAC2_OFFSET = 76;

export interface Initiation {
  sender: number;
  ephemeral: Uint8Array;          // 32
  encryptedStatic: Uint8Array;    // 32 + 16
  encryptedTimestamp: Uint8Array; // 12 + 16
  mac1: Uint8Array;
  mac2: Uint8Array;
}

export interface Response {
  sender: number;
  receiver: number;
  ephemeral: Uint8Array;          // 32
  encryptedNothing: Uint8Array;   // 0 + 16
  mac1: Uint8Array;
  mac2: Uint8Array;
}

export interface CookieReply {
  receiver: number;
  nonce: Uint8Array;              // 24
  encryptedCookie: Uint8Array;    // 16 + 16
}

export interface TransportHeader {
  receiver: number;
  counter: number;                // exact below 2^53; larger values are refused by the device
}

/**
 * The message type of a datagram, or the drop reason ("bad-type", "bad-length").
 * The first four bytes are read as one little-endian word, as the reference implementations
 * do: non-zero reserved bytes make an unknown type.
 */
export function classify(bytes: Uint8Array): number | string {
  // Literal sizes and types: this runs for every datagram, and on the device engines a
  // literal is cheaper than a module property lookup.
  var n = bytes.length;
  if (n < 4) return "bad-length";
  if ((bytes[1] | bytes[2] | bytes[3]) !== 0) return "bad-type";
  switch (bytes[0]) {
    case 4: // MESSAGE_TRANSPORT, the common case, first
      return n >= 32 ? 4 : "bad-length";
    case 1:
      return n === 148 ? 1 : "bad-length";
    case 2:
      return n === 92 ? 2 : "bad-length";
    case 3:
      return n === 64 ? 3 : "bad-length";
    default:
      return "bad-type";
  }
}

function header(type: number, size: number): Uint8Array {
  var out = new Uint8Array(size);
  out[0] = type;
  return out;
}

function need(what: string, field: Uint8Array, size: number): void {
  if (!(field instanceof Uint8Array) || field.length !== size) throw new TypeError(what + ": expected " + size + " bytes");
}

export function serializeInitiation(m: Initiation): Uint8Array {
  need("initiation.ephemeral", m.ephemeral, KEY_SIZE);
  need("initiation.encryptedStatic", m.encryptedStatic, KEY_SIZE + TAG_SIZE);
  need("initiation.encryptedTimestamp", m.encryptedTimestamp, TIMESTAMP_SIZE + TAG_SIZE);
  need("initiation.mac1", m.mac1, MAC_SIZE);
  need("initiation.mac2", m.mac2, MAC_SIZE);
  var out = header(MESSAGE_INITIATION, INITIATION_SIZE);
  writeU32LE(out, 4, m.sender);
  out.set(m.ephemeral, 8);
  out.set(m.encryptedStatic, 40);
  out.set(m.encryptedTimestamp, 88);
  out.set(m.mac1, INITIATION_MAC1_OFFSET);
  out.set(m.mac2, INITIATION_MAC2_OFFSET);
  return out;
}

/** Views into bytes, or null if bytes is not an initiation of the exact size. */
export function parseInitiation(bytes: Uint8Array): Initiation | null {
  if (classify(bytes) !== MESSAGE_INITIATION) return null;
  return {
    sender: readU32LE(bytes, 4),
    ephemeral: bytes.subarray(8, 40),
    encryptedStatic: bytes.subarray(40, 88),
    encryptedTimestamp: bytes.subarray(88, 116),
    mac1: bytes.subarray(INITIATION_MAC1_OFFSET, INITIATION_MAC2_OFFSET),
    mac2: bytes.subarray(INITIATION_MAC2_OFFSET, INITIATION_SIZE),
  };
}

export function serializeResponse(m: Response): Uint8Array {
  need("response.ephemeral", m.ephemeral, KEY_SIZE);
  need("response.encryptedNothing", m.encryptedNothing, TAG_SIZE);
  need("response.mac1", m.mac1, MAC_SIZE);
  need("response.mac2", m.mac2, MAC_SIZE);
  var out = header(MESSAGE_RESPONSE, RESPONSE_SIZE);
  writeU32LE(out, 4, m.sender);
  writeU32LE(out, 8, m.receiver);
  out.set(m.ephemeral, 12);
  out.set(m.encryptedNothing, 44);
  out.set(m.mac1, RESPONSE_MAC1_OFFSET);
  out.set(m.mac2, RESPONSE_MAC2_OFFSET);
  return out;
}

export function parseResponse(bytes: Uint8Array): Response | null {
  if (classify(bytes) !== MESSAGE_RESPONSE) return null;
  return {
    sender: readU32LE(bytes, 4),
    receiver: readU32LE(bytes, 8),
    ephemeral: bytes.subarray(12, 44),
    encryptedNothing: bytes.subarray(44, 60),
    mac1: bytes.subarray(RESPONSE_MAC1_OFFSET, RESPONSE_MAC2_OFFSET),
    mac2: bytes.subarray(RESPONSE_MAC2_OFFSET, RESPONSE_SIZE),
  };
}

export function serializeCookieReply(m: CookieReply): Uint8Array {
  need("cookieReply.nonce", m.nonce, COOKIE_NONCE_SIZE);
  need("cookieReply.encryptedCookie", m.encryptedCookie, MAC_SIZE + TAG_SIZE);
  var out = header(MESSAGE_COOKIE_REPLY, COOKIE_REPLY_SIZE);
  writeU32LE(out, 4, m.receiver);
  out.set(m.nonce, 8);
  out.set(m.encryptedCookie, 32);
  return out;
}

export function parseCookieReply(bytes: Uint8Array): CookieReply | null {
  if (classify(bytes) !== MESSAGE_COOKIE_REPLY) return null;
  return {
    receiver: readU32LE(bytes, 4),
    nonce: bytes.subarray(8, 32),
    encryptedCookie: bytes.subarray(32, 64),
  };
}

/** A transport message around an already sealed payload (ciphertext || tag). On the per-packet
 *  path, so the header is written inline: `>>> 0` is the low word of any counter below 2^53. */
export function serializeTransport(receiver: number, counter: number, sealed: Uint8Array): Uint8Array {
  var out = new Uint8Array(TRANSPORT_HEADER_SIZE + sealed.length);
  out[0] = MESSAGE_TRANSPORT;
  out[4] = receiver & 0xff;
  out[5] = (receiver >>> 8) & 0xff;
  out[6] = (receiver >>> 16) & 0xff;
  out[7] = receiver >>> 24;
  var low = counter >>> 0;
  var high = (counter - low) / 4294967296;
  out[8] = low & 0xff;
  out[9] = (low >>> 8) & 0xff;
  out[10] = (low >>> 16) & 0xff;
  out[11] = low >>> 24;
  out[12] = high & 0xff;
  out[13] = (high >>> 8) & 0xff;
  out[14] = (high >>> 16) & 0xff;
  out[15] = high >>> 24;
  out.set(sealed, TRANSPORT_HEADER_SIZE);
  return out;
}

/** The constant part of a keypair's transport header (type and receiver index), built once. */
export function transportHeaderTemplate(receiver: number): Uint8Array {
  return serializeTransport(receiver, 0, new Uint8Array(0));
}

/** A transport message from a precomputed header template: the per-packet framing. Counter
 *  bytes are stored through the typed array's own conversion (ToUint8 keeps floor(x) mod 256),
 *  so each is one division by a power of two: exact, and far cheaper than shifts and masks
 *  under Duktape. The high word is written only once it is non-zero (the buffer starts zeroed). */
export function frameTransport(template: Uint8Array, counter: number, sealed: Uint8Array): Uint8Array {
  var out = new Uint8Array(16 + sealed.length); // TRANSPORT_HEADER_SIZE (a literal: per packet)
  out.set(template);
  out[8] = counter;
  out[9] = counter / 256;
  out[10] = counter / 65536;
  out[11] = counter / 16777216;
  if (counter > 4294967295) {
    out[12] = counter / 4294967296;
    out[13] = counter / 1099511627776;
    out[14] = counter / 281474976710656;
    out[15] = counter / 72057594037927936;
  }
  out.set(sealed, 16);
  return out;
}

export function parseTransportHeader(bytes: Uint8Array): TransportHeader | null {
  if (classify(bytes) !== MESSAGE_TRANSPORT) return null;
  return { receiver: readU32LE(bytes, 4), counter: readU64LE(bytes, 8) };
}

/** The sealed payload of a transport message (a view). */
export function transportPayload(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(TRANSPORT_HEADER_SIZE);
}

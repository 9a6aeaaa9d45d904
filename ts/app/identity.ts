// The device's identity: the private key it made itself and the config `homewire enroll`
// brought. Both live in ONE store value, so that an enrolment is one atomic put: a refused
// field, a cut console link or a power cut leaves the previous identity whole.
//
//   identity = {"v":1,"privateKey":"<base64>","config":{...the enrolled config...}}
//
// The private key is born here from the board's RNG on the first boot and never leaves the
// device: it is stored, used by the core, and otherwise only ever reduced to its public key.

import type { Crypto, Random, Store } from "../platform/platform";
import { decodeBase64, encodeBase64 } from "../wireguard/base64";
import { isZero, wipe } from "../wireguard/bytes";
import { parseEnrolledConfig } from "./config";
import type { EnrolledConfig } from "./config";

export var IDENTITY_KEY = "identity";
var VERSION = 1;
/** The store's value limit (firmware/bindings/bindings.h HW_STORE_VALUE_MAX). */
export var IDENTITY_MAX_BYTES = 2048;

export interface Identity {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  /** The enrolled config as stored (checked again on every load), or null: not enrolled. */
  config: { [k: string]: unknown } | null;
}

function fail(message: string): never {
  throw new TypeError("identity: " + message);
}

function publicOf(crypto: Crypto, privateKey: Uint8Array): Uint8Array {
  var pub = crypto.x25519Base(privateKey);
  if (isZero(pub)) fail("the key's public half is zero");
  return pub;
}

/** A new private key from the board's RNG, clamped as X25519 expects (like `wg genkey`). */
export function newIdentity(random: Random, crypto: Crypto): Identity {
  var k = random.randomBytes(32);
  if (k.length !== 32 || isZero(k)) fail("the board's RNG gave no key material");
  k[0] &= 248;
  k[31] = (k[31] & 127) | 64;
  return { privateKey: k, publicKey: publicOf(crypto, k), config: null };
}

/** The stored identity, or null on a blank store. A value that is there but unreadable throws:
 *  replacing it silently would orphan the device from the home that knows its key. */
export function loadIdentity(store: Store, crypto: Crypto): Identity | null {
  var text = store.get(IDENTITY_KEY);
  if (text === null) return null;
  var raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail("the stored record is not valid JSON");
  }
  var rec = raw as { v?: unknown; privateKey?: unknown; config?: unknown };
  if (typeof rec !== "object" || rec === null || rec.v !== VERSION) fail("the stored record has an unknown version");
  if (typeof rec.privateKey !== "string") fail("the stored record has no key");
  var k: Uint8Array;
  try {
    k = decodeBase64(rec.privateKey as string);
  } catch (e) {
    fail("the stored key is not base64");
  }
  if (k!.length !== 32 || isZero(k!)) fail("the stored key is not 32 bytes");
  var config = rec.config === undefined || rec.config === null ? null : (rec.config as { [k: string]: unknown });
  if (config !== null && (typeof config !== "object" || config instanceof Array)) fail("the stored config is not an object");
  return { privateKey: k!, publicKey: publicOf(crypto, k!), config: config };
}

/** The record's text (holds the key: goes to the store and nowhere else). */
function recordText(id: Identity): string {
  var rec: { [k: string]: unknown } = { v: VERSION, privateKey: encodeBase64(id.privateKey) };
  if (id.config) rec.config = id.config;
  return JSON.stringify(rec);
}

/** Writes the identity in one put (durable when it returns). */
export function saveIdentity(store: Store, id: Identity): void {
  var text = recordText(id);
  if (text.length > IDENTITY_MAX_BYTES) fail("too large for the store (" + text.length + " bytes, at most " + IDENTITY_MAX_BYTES + ")");
  store.put(IDENTITY_KEY, text);
}

/** The enrolled config of an identity, checked (the stored form is re-checked on every boot, so a
 *  firmware whose parser grew stricter refuses an old config instead of misreading it). */
export function enrolledConfig(id: Identity): EnrolledConfig | null {
  return id.config ? parseEnrolledConfig(id.config) : null;
}

/** An enroll request as the device reads it (and the host CLI checks it before sending): the
 *  enrolled config, checked field by field (a TypeError naming the field), and whether it asks
 *  for a new key ("newKey": true; a request, not part of the config). */
export function parseEnrollRequest(json: string): { config: { [k: string]: unknown }; parsed: EnrolledConfig; newKey: boolean } {
  var raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    // Only a syntax error is the sender's fault; anything else (the engine out of memory) is
    // the device's and is reported as it is.
    if (e instanceof SyntaxError) throw new TypeError("config: not valid JSON");
    throw e;
  }
  if (typeof raw !== "object" || raw === null || raw instanceof Array) throw new TypeError("config: expected a JSON object");
  var obj = raw as { [k: string]: unknown };
  var newKey = false;
  if (obj.newKey !== undefined) {
    if (typeof obj.newKey !== "boolean") throw new TypeError("newKey: expected true or false");
    newKey = obj.newKey as boolean;
    delete obj.newKey;
  }
  return { config: obj, parsed: parseEnrolledConfig(obj), newKey: newKey };
}

/**
 * Enrolment: checks the request (parseEnrollRequest), keeps the key unless it asks for a new
 * one, and stores key and config in one put. Returns the identity now stored; on any error
 * nothing is stored and the current identity stays valid.
 */
export function enroll(store: Store, random: Random, crypto: Crypto, current: Identity, json: string,
                       canRun?: (config: EnrolledConfig) => void): Identity {
  var request = parseEnrollRequest(json); // throws naming the field; nothing is stored
  if (canRun) canRun(request.parsed); // this image's own limits (throws likewise)
  var next: Identity = request.newKey ? newIdentity(random, crypto) : { privateKey: current.privateKey, publicKey: current.publicKey, config: null };
  next.config = request.config;
  try {
    saveIdentity(store, next);
  } catch (e) {
    if (request.newKey) wipe(next.privateKey);
    throw e;
  }
  // The running tunnel keeps the old key until the next boot (enrolment takes effect then);
  // after that it exists nowhere.
  return next;
}

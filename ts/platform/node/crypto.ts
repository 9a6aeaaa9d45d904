// Node implementation of the Crypto interface on @noble. It is the reference the C natives
// (firmware/crypto) are compared against, so it stays a thin, obvious adapter.
import { x25519 } from "@noble/curves/ed25519.js";
import { chacha20poly1305, xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { blake2s } from "@noble/hashes/blake2.js";
import { hmac } from "@noble/hashes/hmac.js";
import type { Crypto } from "../platform.ts";

const BASE_POINT = new Uint8Array(32);
BASE_POINT[0] = 9;

function need(name: string, arg: Uint8Array, len: number): void {
  if (!(arg instanceof Uint8Array) || arg.length !== len) {
    throw new RangeError(`${name}: expected ${len} bytes, got ${arg instanceof Uint8Array ? arg.length : typeof arg}`);
  }
}

/** WireGuard's AEAD nonce: 32 zero bits then the 64-bit little-endian counter. */
export function counterNonce(counter: number): Uint8Array {
  if (!Number.isInteger(counter) || counter < 0 || counter > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`aead: counter must be an integer in [0, 2^53), got ${counter}`);
  }
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  view.setUint32(4, counter % 0x100000000, true);
  view.setUint32(8, Math.floor(counter / 0x100000000), true);
  return nonce;
}

function scalarMult(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  need("x25519 scalar", scalar, 32);
  need("x25519 point", point, 32);
  try {
    return x25519.scalarMult(scalar, point);
  } catch (e) {
    // noble refuses an all-zero shared secret by throwing; the interface reports it as zeros
    // and leaves the rejection to the caller, as the C native does.
    if (e instanceof Error && /invalid private or public key/.test(e.message)) return new Uint8Array(32);
    throw e;
  }
}

export const nobleCrypto: Crypto = {
  x25519: scalarMult,
  x25519Base(scalar) {
    return scalarMult(scalar, BASE_POINT);
  },
  aeadSeal(key, counter, plaintext, ad) {
    need("aead key", key, 32);
    return chacha20poly1305(key, counterNonce(counter), ad).encrypt(plaintext);
  },
  aeadOpen(key, counter, ciphertext, ad) {
    need("aead key", key, 32);
    if (ciphertext.length < 16) return null;
    try {
      return chacha20poly1305(key, counterNonce(counter), ad).decrypt(ciphertext);
    } catch {
      return null;
    }
  },
  xaeadSeal(key, nonce, plaintext, ad) {
    need("xaead key", key, 32);
    need("xaead nonce", nonce, 24);
    return xchacha20poly1305(key, nonce, ad).encrypt(plaintext);
  },
  xaeadOpen(key, nonce, ciphertext, ad) {
    need("xaead key", key, 32);
    need("xaead nonce", nonce, 24);
    if (ciphertext.length < 16) return null;
    try {
      return xchacha20poly1305(key, nonce, ad).decrypt(ciphertext);
    } catch {
      return null;
    }
  },
  blake2s(outLen, data, key) {
    if (!Number.isInteger(outLen) || outLen < 1 || outLen > 32) throw new RangeError(`blake2s: outLen must be 1..32, got ${outLen}`);
    if (key !== undefined && key.length > 32) throw new RangeError(`blake2s: key must be at most 32 bytes, got ${key.length}`);
    return key !== undefined && key.length > 0 ? blake2s(data, { dkLen: outLen, key }) : blake2s(data, { dkLen: outLen });
  },
  hmacBlake2s(key, data) {
    // noble would hash a key longer than the block; the interface (and the C native) refuse it.
    if (!(key instanceof Uint8Array) || key.length > 64) throw new RangeError(`hmacBlake2s: key must be at most 64 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
    return hmac(blake2s, key, data);
  },
};

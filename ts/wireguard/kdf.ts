// The hash constructions of the whitepaper (section 5.4): HASH, MAC, HMAC and KDF1/2/3, all
// over BLAKE2s from the injected Crypto. Only the handshake and cookie paths use them, never
// the per-packet transport path, so allocating small arrays here is fine.

import type { Crypto } from "../platform/platform";
import { concat, wipe } from "./bytes";

/** HASH(input): unkeyed BLAKE2s-256. */
export function hash(crypto: Crypto, input: Uint8Array): Uint8Array {
  return crypto.blake2s(32, input);
}

/** HASH(a || b): the MixHash step. */
export function mixHash(crypto: Crypto, h: Uint8Array, data: Uint8Array): Uint8Array {
  return crypto.blake2s(32, concat([h, data]));
}

/** MAC(key, input): keyed BLAKE2s with a 16-byte output (mac1, mac2, cookies). */
export function mac(crypto: Crypto, key: Uint8Array, input: Uint8Array): Uint8Array {
  return crypto.blake2s(16, input, key);
}

/** HMAC(key, input) with BLAKE2s-256 as the hash (RFC 2104; keys here are at most 32 bytes).
 *  The injected primitive pads the key and wipes its intermediates: in C on the device, where
 *  the byte-wise padding loop would be interpreted ~30 times per handshake. */
export function hmac(crypto: Crypto, key: Uint8Array, input: Uint8Array): Uint8Array {
  return crypto.hmacBlake2s(key, input);
}

/** KDFn(key, input) for n in 1..3: τ0 = HMAC(key, input), τi = HMAC(τ0, τ(i-1) || i). */
export function kdf(crypto: Crypto, n: number, key: Uint8Array, input: Uint8Array): Uint8Array[] {
  var prk = hmac(crypto, key, input);
  var out: Uint8Array[] = [];
  var prev: Uint8Array = new Uint8Array(0);
  for (var i = 1; i <= n; i++) {
    var block = new Uint8Array(prev.length + 1);
    block.set(prev);
    block[prev.length] = i;
    prev = hmac(crypto, prk, block);
    wipe(block);
    out.push(prev);
  }
  wipe(prk);
  return out;
}

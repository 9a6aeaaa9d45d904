// keygen and pubkey: X25519 keys in wg(8)'s base64 format.
import { randomBytes } from "node:crypto";
import { nobleCrypto } from "../platform/node/crypto.ts";
import { encodeBase64 } from "../wireguard/base64.ts";
import { wipe } from "../wireguard/bytes.ts";

/** A fresh private key, clamped as RFC 7748 section 5 describes (as `wg genkey` stores it). */
export function generatePrivateKey(): Uint8Array {
  const key = new Uint8Array(randomBytes(32));
  key[0] &= 248;
  key[31] &= 127;
  key[31] |= 64;
  return key;
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return nobleCrypto.x25519Base(privateKey);
}

/** Base64 of the private key and its public key; the private key bytes are wiped. */
export function newKeyPair(): { privateText: string; publicText: string } {
  const priv = generatePrivateKey();
  try {
    return { privateText: encodeBase64(priv), publicText: encodeBase64(publicKeyOf(priv)) };
  } finally {
    wipe(priv);
  }
}

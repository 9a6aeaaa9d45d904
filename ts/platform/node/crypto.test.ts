// nobleCrypto.hmacBlake2s: the known answers the C code is checked against, the key-length
// contract (0..64, longer refused rather than hashed), and RFC 2104 spelled out over blake2s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { nobleCrypto } from "./crypto.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

function vectors(): { key: string; in: string; out: string }[] {
  const text = readFileSync(new URL("../../../firmware/crypto/test/vectors/hmac-blake2s.txt", import.meta.url), "utf8");
  return text.split(/\n\s*\n/).map((rec) => {
    const f: Record<string, string> = {};
    for (const line of rec.split("\n")) {
      const m = /^(\w+) =\s*([0-9a-f]*)$/.exec(line.trim());
      if (m) f[m[1]] = m[2];
    }
    return f as { key: string; in: string; out: string };
  }).filter((f) => f.out !== undefined);
}

test("hmacBlake2s: every record of hmac-blake2s.txt", () => {
  const all = vectors();
  assert.ok(all.length >= 10, `only ${all.length} records parsed`);
  for (const v of all) assert.equal(hex(nobleCrypto.hmacBlake2s(unhex(v.key), unhex(v.in))), v.out, `key ${v.key}`);
});

test("hmacBlake2s: RFC 2104 over blake2s for key lengths 0..64", () => {
  const data = unhex("0102030405");
  for (let n = 0; n <= 64; n++) {
    const key = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    const inner = new Uint8Array(64 + data.length), outer = new Uint8Array(64 + 32);
    for (let i = 0; i < 64; i++) {
      inner[i] = (i < n ? key[i] : 0) ^ 0x36;
      outer[i] = (i < n ? key[i] : 0) ^ 0x5c;
    }
    inner.set(data, 64);
    outer.set(nobleCrypto.blake2s(32, inner), 64);
    assert.equal(hex(nobleCrypto.hmacBlake2s(key, data)), hex(nobleCrypto.blake2s(32, outer)), `key length ${n}`);
  }
});

test("hmacBlake2s: a key longer than 64 bytes is refused, as the C native does", () => {
  assert.throws(() => nobleCrypto.hmacBlake2s(new Uint8Array(65), new Uint8Array(1)), /hmacBlake2s: key must be at most 64 bytes, got 65/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { decodeBase64, decodeKey, encodeBase64 } from "./base64.ts";

const enc = new TextEncoder();

test("RFC 4648 section 10 vectors both ways", () => {
  const vectors: Array<[string, string]> = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
  for (const [plain, b64] of vectors) {
    assert.equal(encodeBase64(enc.encode(plain)), b64);
    assert.deepEqual(decodeBase64(b64), enc.encode(plain));
  }
});

test("agrees with Node's Buffer on random inputs of every length 0..70", () => {
  for (let len = 0; len <= 70; len++) {
    const bytes = new Uint8Array(randomBytes(len));
    const text = Buffer.from(bytes).toString("base64");
    assert.equal(encodeBase64(bytes), text);
    assert.deepEqual(decodeBase64(text), bytes);
  }
});

test("strict: bad length, characters, padding placement and non-zero padding bits", () => {
  for (const bad of ["Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm 9", "Zm9-", "Zm9_", "Zh==", "Zm9=", "=m9v", "Z=9v", "Zm=v"]) {
    assert.throws(() => decodeBase64(bad), TypeError, JSON.stringify(bad));
  }
  assert.deepEqual(decodeBase64("Zm8="), enc.encode("fo"), "the canonical neighbour of Zm9= decodes");
});

test("decodeKey: 32 bytes or an error naming the field and not the value", () => {
  const key = new Uint8Array(randomBytes(32));
  const text = Buffer.from(key).toString("base64");
  assert.deepEqual(decodeKey(text, "privateKey"), key);
  const short = Buffer.from(key.subarray(0, 31)).toString("base64");
  assert.throws(() => decodeKey(short, "peer.publicKey"), (e: unknown) => e instanceof TypeError && /^peer\.publicKey: .*31 bytes/.test(e.message));
  const mangled = text.slice(0, 10) + "!" + text.slice(11);
  assert.throws(() => decodeKey(mangled, "privateKey"), (e: unknown) => e instanceof TypeError && e.message.startsWith("privateKey: ") && !e.message.includes(text.slice(0, 10)));
  assert.throws(() => decodeKey(42 as unknown as string, "k"), /^TypeError: k: expected a base64 string/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { nobleCrypto as c } from "../platform/node/crypto.ts";
import { CookieChecker, CookieGenerator, addressBytes } from "./cookie.ts";
import { COOKIE_REFRESH_TIME } from "./constants.ts";
import { SeededRandom } from "./harness.test.ts";
import { toHex } from "./bytes.ts";

const r = new SeededRandom(12);
const responderPrivate = r.randomBytes(32);
const responderPublic = c.x25519Base(responderPrivate);
const SRC = { host: "203.0.113.9", port: 4000 };

function fakeInitiation(): Uint8Array {
  const m = new Uint8Array(148);
  m[0] = 1;
  m.set(r.randomBytes(112), 4);
  return m;
}

test("addressBytes: IPv4 and IPv6 in binary, port big-endian", () => {
  assert.equal(toHex(addressBytes({ host: "10.0.0.1", port: 0x1234 })), "0a0000011234");
  assert.equal(toHex(addressBytes({ host: "::1", port: 1 })), "00".repeat(15) + "01" + "0001");
});

test("mac1: set by the generator for the peer's key, verified by the checker; any bit flip fails", () => {
  const gen = new CookieGenerator(c, responderPublic);
  const chk = new CookieChecker(c, r, responderPublic);
  const m = fakeInitiation();
  gen.addMacs(m, 0);
  assert.ok(chk.checkMac1(m));
  assert.deepEqual(m.subarray(132), new Uint8Array(16), "no cookie yet: mac2 is zero");
  for (const bit of [0, 8 * 5, 8 * 115 + 7, 8 * 116, 8 * 131 + 7]) {
    const bad = m.slice();
    bad[bit >> 3] ^= 1 << (bit & 7);
    assert.ok(!chk.checkMac1(bad), `bit ${bit}`);
  }
  const other = new CookieChecker(c, r, c.x25519Base(r.randomBytes(32)));
  assert.ok(!other.checkMac1(m), "mac1 binds the receiver's public key");
});

test("cookie reply: created for the source, consumed by the initiator, then mac2 verifies", () => {
  const gen = new CookieGenerator(c, responderPublic);
  const chk = new CookieChecker(c, r, responderPublic);
  const m = fakeInitiation();
  gen.addMacs(m, 1000);
  assert.ok(!chk.checkMac2(m, SRC, 1000));
  const reply = chk.createCookieReply(m, SRC, 1000);
  assert.equal(reply.length, 64);
  assert.equal(reply[0], 3);
  assert.deepEqual(reply.subarray(4, 8), m.subarray(4, 8), "addressed to the message's sender index");
  assert.ok(gen.consumeCookieReply(reply, 1010));
  assert.ok(!gen.consumeCookieReply(reply, 1020), "one reply per message sent");
  const m2 = fakeInitiation();
  gen.addMacs(m2, 1100);
  assert.ok(chk.checkMac1(m2));
  assert.ok(chk.checkMac2(m2, SRC, 1100));
  assert.ok(!chk.checkMac2(m2, { host: SRC.host, port: SRC.port + 1 }, 1100), "cookie bound to the port");
  assert.ok(!chk.checkMac2(m2, { host: "203.0.113.10", port: SRC.port }, 1100), "cookie bound to the IP");
});

test("a cookie reply for a different mac1, or tampered, is refused", () => {
  const gen = new CookieGenerator(c, responderPublic);
  const chk = new CookieChecker(c, r, responderPublic);
  const m = fakeInitiation();
  gen.addMacs(m, 0);
  const other = fakeInitiation();
  gen.addMacs(other, 0); // now lastMac1 is other's
  assert.ok(!gen.consumeCookieReply(chk.createCookieReply(m, SRC, 0), 0));
  const reply = chk.createCookieReply(other, SRC, 0);
  const bad = reply.slice();
  bad[40] ^= 1;
  assert.ok(!gen.consumeCookieReply(bad, 0));
  assert.ok(gen.consumeCookieReply(reply, 0));
});

test("cookie secret rotates after COOKIE_REFRESH_TIME; the initiator stops using an old cookie", () => {
  const gen = new CookieGenerator(c, responderPublic);
  const chk = new CookieChecker(c, r, responderPublic);
  const m = fakeInitiation();
  gen.addMacs(m, 0);
  assert.ok(gen.consumeCookieReply(chk.createCookieReply(m, SRC, 0), 0));
  const m2 = fakeInitiation();
  gen.addMacs(m2, COOKIE_REFRESH_TIME - 1);
  assert.ok(chk.checkMac2(m2, SRC, COOKIE_REFRESH_TIME - 1));
  assert.ok(!chk.checkMac2(m2, SRC, COOKIE_REFRESH_TIME), "secret expired");
  // A new reply after the refresh uses a new secret: the old cookie's mac2 no longer verifies.
  const m3 = fakeInitiation();
  gen.addMacs(m3, COOKIE_REFRESH_TIME);
  assert.deepEqual(m3.subarray(132), new Uint8Array(16), "an expired cookie is not used");
  gen.addMacs(m2, COOKIE_REFRESH_TIME - 1); // recompute mac2 with the old cookie, as a stale initiator would
  chk.createCookieReply(m3, SRC, COOKIE_REFRESH_TIME + 1);
  assert.ok(!chk.checkMac2(m2, SRC, COOKIE_REFRESH_TIME + 1));
});

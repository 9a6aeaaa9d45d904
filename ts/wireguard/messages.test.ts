import { test } from "node:test";
import assert from "node:assert/strict";
import {
  COOKIE_REPLY_SIZE, INITIATION_SIZE, MESSAGE_COOKIE_REPLY, MESSAGE_INITIATION, MESSAGE_RESPONSE, MESSAGE_TRANSPORT,
  RESPONSE_SIZE, TRANSPORT_MIN_SIZE, classify, parseCookieReply, parseInitiation, parseResponse, parseTransportHeader,
  serializeCookieReply, serializeInitiation, serializeResponse, serializeTransport, transportPayload,
  frameTransport, transportHeaderTemplate,
} from "./messages.ts";
import { SeededRandom } from "./harness.test.ts";

const r = new SeededRandom(5);

test("sizes are the whitepaper's", () => {
  assert.equal(INITIATION_SIZE, 148);
  assert.equal(RESPONSE_SIZE, 92);
  assert.equal(COOKIE_REPLY_SIZE, 64);
  assert.equal(TRANSPORT_MIN_SIZE, 32);
});

test("initiation round trip, exact layout", () => {
  const m = { sender: 0xdeadbeef, ephemeral: r.randomBytes(32), encryptedStatic: r.randomBytes(48), encryptedTimestamp: r.randomBytes(28), mac1: r.randomBytes(16), mac2: r.randomBytes(16) };
  const b = serializeInitiation(m);
  assert.equal(b.length, 148);
  assert.deepEqual([...b.subarray(0, 8)], [1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
  assert.deepEqual(b.subarray(8, 40), m.ephemeral);
  assert.deepEqual(b.subarray(132), m.mac2);
  assert.deepEqual(parseInitiation(b), m);
  assert.equal(parseInitiation(b.subarray(0, 147)), null);
});

test("response round trip", () => {
  const m = { sender: 7, receiver: 0xffffffff, ephemeral: r.randomBytes(32), encryptedNothing: r.randomBytes(16), mac1: r.randomBytes(16), mac2: r.randomBytes(16) };
  const b = serializeResponse(m);
  assert.equal(b.length, 92);
  assert.deepEqual([...b.subarray(0, 12)], [2, 0, 0, 0, 7, 0, 0, 0, 255, 255, 255, 255]);
  assert.deepEqual(parseResponse(b), m);
});

test("cookie reply round trip", () => {
  const m = { receiver: 0x01020304, nonce: r.randomBytes(24), encryptedCookie: r.randomBytes(32) };
  const b = serializeCookieReply(m);
  assert.equal(b.length, 64);
  assert.deepEqual([...b.subarray(0, 8)], [3, 0, 0, 0, 4, 3, 2, 1]);
  assert.deepEqual(parseCookieReply(b), m);
});

test("transport header round trip with a counter above 2^32", () => {
  const sealed = r.randomBytes(16 + 32);
  const counter = 2 ** 40 + 12345;
  const b = serializeTransport(42, counter, sealed);
  assert.deepEqual([...b.subarray(0, 16)], [4, 0, 0, 0, 42, 0, 0, 0, 0x39, 0x30, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(parseTransportHeader(b), { receiver: 42, counter });
  assert.deepEqual(transportPayload(b), sealed);
});

test("classify: every type at its exact length, every other case a drop reason", () => {
  const at = (type: number, len: number) => { const b = new Uint8Array(len); if (len > 0) b[0] = type; return b; };
  assert.equal(classify(at(1, 148)), MESSAGE_INITIATION);
  assert.equal(classify(at(2, 92)), MESSAGE_RESPONSE);
  assert.equal(classify(at(3, 64)), MESSAGE_COOKIE_REPLY);
  assert.equal(classify(at(4, 32)), MESSAGE_TRANSPORT);
  assert.equal(classify(at(4, 1500)), MESSAGE_TRANSPORT);
  for (const [t, len] of [[1, 147], [1, 149], [2, 91], [2, 93], [3, 63], [3, 65], [4, 31], [1, 0], [1, 3]]) {
    assert.equal(classify(at(t, len)), "bad-length", `type ${t} length ${len}`);
  }
  assert.equal(classify(at(0, 148)), "bad-type");
  assert.equal(classify(at(5, 148)), "bad-type");
  assert.equal(classify(at(255, 32)), "bad-type");
  const reserved = at(1, 148); reserved[2] = 1;
  assert.equal(classify(reserved), "bad-type", "non-zero reserved bytes");
});

test("serializers refuse wrong field sizes", () => {
  assert.throws(() => serializeCookieReply({ receiver: 1, nonce: new Uint8Array(12), encryptedCookie: new Uint8Array(32) }), TypeError);
  assert.throws(() => serializeInitiation({ sender: 1, ephemeral: new Uint8Array(31), encryptedStatic: new Uint8Array(48), encryptedTimestamp: new Uint8Array(28), mac1: new Uint8Array(16), mac2: new Uint8Array(16) }), TypeError);
});

test("frameTransport from a keypair's header template equals serializeTransport", () => {
  const sealed = r.randomBytes(16 + 5);
  const counters = [0, 1, 255, 256, 65535, 65536, 2 ** 24 - 1, 2 ** 24, 0xffffffff, 2 ** 32, 2 ** 40 + 0x1234567, 2 ** 52 + 3, 2 ** 53 - 2];
  // And a seeded spread over the whole range: a 21-bit high part times 2^32 plus a 32-bit low part.
  let seed = 0x6a09e667;
  const next32 = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  for (let i = 0; i < 200; i++) counters.push(Math.min((next32() >>> 11) * 2 ** 32 + next32(), 2 ** 53 - 2), next32());
  for (const counter of counters) {
    assert.deepEqual(frameTransport(transportHeaderTemplate(0x89abcdef), counter, sealed), serializeTransport(0x89abcdef, counter, sealed), `counter ${counter}`);
  }
});

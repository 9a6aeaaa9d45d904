import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { readFileSync } from "node:fs";
import { nobleCrypto } from "../platform/node/crypto.ts";
import { fromHex, toHex } from "./bytes.ts";
import { hmac, kdf, mac } from "./kdf.ts";
import { CONSTRUCTION, Handshake, HANDSHAKE_INITIATION_CREATED, HANDSHAKE_RESPONSE_CONSUMED, HANDSHAKE_ZEROED, getInitialChainKey, hasSmallOrder } from "./noise.ts";
import { makeNode, FakeClock, SeededRandom } from "./harness.test.ts";
import type { Address, Store } from "../platform/platform.ts";
import { MemoryStore } from "../platform/node/store.ts";
import { encodeTai64n } from "./tai64n.ts";

const c = nobleCrypto;

test("HMAC-BLAKE2s matches OpenSSL's HMAC with blake2s256 (an independent implementation)", () => {
  const r = new SeededRandom(3);
  for (const [keyLen, dataLen] of [[32, 0], [32, 1], [32, 33], [16, 64], [1, 200], [0, 5]]) {
    const key = r.randomBytes(keyLen);
    const data = r.randomBytes(dataLen);
    const expected = createHmac("blake2s256", key).update(data).digest();
    assert.equal(toHex(hmac(c, key, data)), expected.toString("hex"), `key ${keyLen} data ${dataLen}`);
  }
});

test("KDF1/2/3 follow the whitepaper: τ0 = HMAC(C, in), τi = HMAC(τ0, τ(i-1) || i)", () => {
  const key = fromHex("11".repeat(32));
  const input = fromHex("22".repeat(40));
  const t0 = createHmac("blake2s256", key).update(input).digest();
  const t1 = createHmac("blake2s256", t0).update(Buffer.from([1])).digest();
  const t2 = createHmac("blake2s256", t0).update(Buffer.concat([t1, Buffer.from([2])])).digest();
  const t3 = createHmac("blake2s256", t0).update(Buffer.concat([t2, Buffer.from([3])])).digest();
  const out = kdf(c, 3, key, input);
  assert.deepEqual(out.map(toHex), [t1, t2, t3].map((b) => b.toString("hex")));
  assert.deepEqual(kdf(c, 1, key, input).map(toHex), [t1.toString("hex")]);
});

test("MAC is keyed BLAKE2s-128 and the initial chaining key is HASH(CONSTRUCTION)", () => {
  const key = fromHex("33".repeat(32));
  const m = mac(c, key, new Uint8Array([1, 2, 3]));
  assert.equal(m.length, 16);
  assert.notDeepEqual(m, mac(c, fromHex("34".repeat(32)), new Uint8Array([1, 2, 3])));
  // OpenSSL's BLAKE2s-256 is an independent HASH.
  assert.equal(toHex(getInitialChainKey(c)), createHash("blake2s256").update(CONSTRUCTION).digest("hex"));
});

interface Event { dir: "in" | "out" | "tunnel"; hex: string; t: number }
interface Transcript { devicePrivate: string; homePrivate: string; psk: string; seed: number; wallMs: number; deviceRole: string; events: Event[] }
const fixture = JSON.parse(readFileSync(new URL("./fixtures/wireguard-go-transcripts.json", import.meta.url), "utf8")) as { transcripts: Record<string, Transcript> };
const HOME: Address = { host: "127.0.0.1", port: 51999 };

/** Replays a captured exchange with wireguard-go: our Device, given the same keys, seed and clock,
 *  must emit byte-identical datagrams and accept everything wireguard-go sent. Since wireguard-go
 *  accepted our messages and answered them, this pins our Noise construction to the reference. */
function replay(t: Transcript): void {
  const clock = new FakeClock();
  clock.wall = t.wallMs;
  const homePublic = c.x25519Base(fromHex(t.homePrivate));
  const node = makeNode({
    privateKey: fromHex(t.devicePrivate),
    peer: { publicKey: homePublic, presharedKey: fromHex(t.psk), endpoint: t.deviceRole === "initiator" ? HOME : null, allowedIps: ["10.88.0.1/32"] },
  }, { host: "127.0.0.1", port: 52000 }, { clock, seed: t.seed });
  // The capture used a fresh SeededRandom; makeNode's is the same generator with the same seed.
  if (t.deviceRole === "initiator") node.device.connect();
  let outAt = 0;
  let tunnelAt = 0;
  for (const e of t.events) {
    if (e.dir === "in") {
      clock.t = e.t;
      node.device.onDatagram(fromHex(e.hex), HOME);
      assert.deepEqual(node.device.status().drops, {}, "wireguard-go's datagram must be accepted");
    } else if (e.dir === "out") {
      assert.ok(outAt < node.outbox.length, "device should have sent a datagram");
      assert.equal(toHex(node.outbox[outAt].bytes), e.hex, `datagram ${outAt} differs from the one wireguard-go accepted`);
      outAt++;
    } else {
      assert.equal(toHex(node.delivered[tunnelAt]), e.hex);
      tunnelAt++;
    }
  }
  assert.equal(node.device.status().state, "established");
  assert.equal(node.device.status().handshakes, 1);
}

test("known answer: our initiation and keepalive, wireguard-go's response and data (PSK)", () => {
  replay(fixture.transcripts.initiator);
});

test("known answer: wireguard-go's initiation, our response, its data (PSK)", () => {
  replay(fixture.transcripts.responder);
});

function handshakes(psk: Uint8Array) {
  const r = new SeededRandom(9);
  const ia = r.randomBytes(32), ib = r.randomBytes(32);
  const pa = c.x25519Base(ia), pb = c.x25519Base(ib);
  const ss = c.x25519(ia, pb);
  const A = new Handshake(c, ia, pa, pb, psk, ss);
  const B = new Handshake(c, ib, pb, pa, psk, c.x25519(ib, pa));
  return { A, B, r };
}

test("both roles derive mirrored transport keys and wipe the handshake", () => {
  const { A, B, r } = handshakes(new Uint8Array(32));
  const ts = new Uint8Array(12); ts[0] = 0x40; ts[7] = 5;
  const init = A.createInitiation(r.randomBytes(32), ts, 1234)!;
  assert.equal(A.state, HANDSHAKE_INITIATION_CREATED);
  assert.equal(B.consumeInitiation(init, 0), null);
  const resp = B.createResponse(r.randomBytes(32), 99)!;
  assert.equal(A.consumeResponse(resp), null);
  assert.equal(A.state, HANDSHAKE_RESPONSE_CONSUMED);
  const ka = A.beginSymmetricSession()!, kb = B.beginSymmetricSession()!;
  assert.deepEqual(ka.sendKey, kb.recvKey);
  assert.deepEqual(ka.recvKey, kb.sendKey);
  assert.notDeepEqual(ka.sendKey, ka.recvKey);
  assert.equal(ka.isInitiator, true);
  assert.equal(kb.isInitiator, false);
  assert.equal(ka.localIndex, 1234);
  assert.equal(ka.remoteIndex, 99);
  assert.equal(kb.remoteIndex, 1234);
  assert.equal(A.state, HANDSHAKE_ZEROED);
  assert.equal(B.state, HANDSHAKE_ZEROED);
  // A second derivation is refused: the chaining key is gone.
  assert.equal(A.beginSymmetricSession(), null);
});

test("a PSK mismatch fails the response, and the stale-timestamp and flood checks hold", () => {
  const { A, r } = handshakes(new Uint8Array(32));
  const psk2 = new Uint8Array(32).fill(1);
  const { B } = handshakes(psk2);
  const ts = new Uint8Array(12); ts[0] = 0x40; ts[7] = 5;
  const init = A.createInitiation(r.randomBytes(32), ts, 1)!;
  assert.equal(B.consumeInitiation(init, 0), null); // PSK is not used before the response
  assert.equal(B.consumeInitiation(init, 1000), "stale-timestamp");
  const resp = B.createResponse(r.randomBytes(32), 2)!;
  assert.equal(A.consumeResponse(resp), "handshake-failed");
  assert.equal(A.state, HANDSHAKE_INITIATION_CREATED, "a failed response leaves the handshake in flight");
  const ts2 = ts.slice(); ts2[11] = 1;
  const init2 = A.createInitiation(r.randomBytes(32), ts2, 3)!;
  assert.equal(B.consumeInitiation(init2, 10), "handshake-flood");
  assert.equal(B.consumeInitiation(init2, 30), null);
});

test("low-order ephemeral keys are rejected in both messages", () => {
  const { A, B, r } = handshakes(new Uint8Array(32));
  const ts = new Uint8Array(12); ts[0] = 0x40;
  const init = A.createInitiation(r.randomBytes(32), ts, 1)!;
  const bad = init.slice();
  bad.fill(0, 8, 40); // the point 0 is of small order: every DH with it is zero
  assert.equal(B.consumeInitiation(bad, 0), "low-order-point");
  // A low-order point with a non-zero encoding (order 8 on Curve25519).
  const order8 = fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
  bad.set(order8, 8);
  assert.equal(B.consumeInitiation(bad, 0), "low-order-point");
  assert.equal(B.consumeInitiation(init, 0), null);
  const resp = B.createResponse(r.randomBytes(32), 2)!;
  const badResp = resp.slice();
  badResp.set(order8, 12);
  assert.equal(A.consumeResponse(badResp), "low-order-point");
  assert.equal(A.consumeResponse(resp), null);
});

/** A responder whose peer timestamps go to `store`, and initiations from its peer with chosen timestamps. */
function storedResponder(store: Store) {
  const r = new SeededRandom(9);
  const ia = r.randomBytes(32), ib = r.randomBytes(32);
  const pa = c.x25519Base(ia), pb = c.x25519Base(ib);
  const A = new Handshake(c, ia, pa, pb, new Uint8Array(32), c.x25519(ia, pb));
  const B = () => new Handshake(c, ib, pb, pa, new Uint8Array(32), c.x25519(ib, pa), store);
  const initiation = (seconds: number, ns = 0) => A.createInitiation(r.randomBytes(32), encodeTai64n(seconds, ns), 1)!;
  return { B, initiation, pa };
}

test("the peer's greatest TAI64N is kept in the Store: a new Handshake (a reboot) refuses what the last one accepted", () => {
  const store = new MemoryStore();
  const { B, initiation, pa } = storedResponder(store);
  const t1 = initiation(1700000000);
  assert.equal(B().consumeInitiation(t1, 0), null);
  assert.equal(store.get("tai64n.peer"), toHex(pa.subarray(0, 8)) + " " + toHex(encodeTai64n(1700000000, 0)), "the stored form");
  const rebooted = B();
  assert.equal(rebooted.consumeInitiation(t1, 1000), "stale-timestamp", "replayed after the reboot");
  assert.equal(rebooted.consumeInitiation(initiation(1700000000, 16777216), 2000), null, "a later one is fresh");
  // Another peer's value, or junk, counts as nothing accepted yet.
  for (const junk of ["0011223344556677 4000000065a0b1c200000000", "", "zz", toHex(pa.subarray(0, 8)) + " 40000000", toHex(pa.subarray(0, 8)) + " 4000000065a0b1c20000000g"]) {
    store.put("tai64n.peer", junk);
    assert.equal(B().consumeInitiation(t1, 5000), null, `junk ${JSON.stringify(junk)}`);
  }
});

test("an initiation whose timestamp the Store refuses is refused (store-failed), and nothing changes", () => {
  const store = new MemoryStore();
  let refuse = false;
  const failing: Store = { get: (k) => store.get(k), put: (k, v) => { if (refuse) throw new Error("flash full"); store.put(k, v); } };
  const { B, initiation } = storedResponder(failing);
  const b = B();
  assert.equal(b.consumeInitiation(initiation(100), 0), null);
  refuse = true;
  const before = store.get("tai64n.peer");
  assert.equal(b.consumeInitiation(initiation(200), 1000), "store-failed");
  assert.equal(store.get("tai64n.peer"), before, "nothing half-written");
  refuse = false;
  assert.equal(b.consumeInitiation(initiation(150), 2000), null, "150 > 100: the refused 200 was never accepted");
});

// ---- hasSmallOrder: the same answer as a DH that comes out all zero ---------------------------

/** X25519(key, point) is all zero, by two implementations that must agree: noble (the node
 *  platform's, which hands a zero result back as zeros) and OpenSSL (which refuses to derive it). */
function dhIsZero(key: Uint8Array, point: Uint8Array): boolean {
  const noble = c.x25519(key, point).every((b) => b === 0);
  const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  const priv = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: b64u(key), x: b64u(c.x25519Base(key)) }, format: "jwk" });
  const pub = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64u(point) }, format: "jwk" });
  let openssl: boolean;
  try {
    openssl = diffieHellman({ privateKey: priv, publicKey: pub }).every((b) => b === 0);
  } catch (e) {
    if (!(e instanceof Error && /failed during derivation/.test(e.message))) throw e;
    openssl = true;
  }
  assert.equal(noble, openssl, `noble and OpenSSL disagree on ${toHex(point)}`);
  return noble;
}

/** u (an integer below 2^256) as a little-endian 32-byte encoding. */
function encode(u: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, u >>= 8n) out[i] = Number(u & 255n);
  return out;
}

const P = 2n ** 255n - 19n;
/** The seven encodings (below 2^255) of points of small order on Curve25519 or its twist: 0, 1,
 *  the two u-coordinates of order 8, p - 1, and p, p + 1 (non-canonical 0 and 1). */
const SMALL_ORDER = [encode(0n), encode(1n),
  fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
  fromHex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
  encode(P - 1n), encode(P), encode(P + 1n)];
const withBit255 = (e: Uint8Array) => { const x = e.slice(); x[31] |= 0x80; return x; };

test("hasSmallOrder: the 7 small-order encodings, also with bit 255 set, are small: hasSmallOrder says so and the DH is zero for every key tried", () => {
  const r = new SeededRandom(255);
  const keys = [r.randomBytes(32), r.randomBytes(32), r.randomBytes(32), new Uint8Array(32).fill(255)];
  for (const e of SMALL_ORDER) {
    for (const point of [e, withBit255(e)]) {
      assert.equal(hasSmallOrder(point), true, toHex(point));
      for (const k of keys) assert.equal(dhIsZero(k, point), true, `DH with ${toHex(point)}`);
    }
  }
});

test("hasSmallOrder agrees with a real DH next to the small-order encodings and for random keys", () => {
  const r = new SeededRandom(256);
  const key = r.randomBytes(32);
  const check = (point: Uint8Array) => assert.equal(hasSmallOrder(point), dhIsZero(key, point), toHex(point));
  const near: Uint8Array[] = [];
  // Small integers, and every encoding from p - 20 up to 2^255 - 1 (the non-canonical p .. p + 18).
  for (let u = 0n; u <= 40n; u++) near.push(encode(u));
  for (let u = P - 20n; u < 2n ** 255n; u++) near.push(encode(u));
  // Each small-order encoding one step away: its first, a middle and its last byte changed.
  for (const e of SMALL_ORDER) {
    for (const [i, d] of [[0, 1], [0, 255], [15, 1], [30, 128], [31, 1], [31, 64]]) {
      const x = e.slice(); x[i] = (x[i] + d) & 255; near.push(x);
    }
  }
  for (const point of near) { check(point); check(withBit255(point)); }
  let small = 0;
  for (let i = 0; i < 1000; i++) {
    const point = r.randomBytes(32);
    check(point);
    if (hasSmallOrder(point)) small++;
  }
  assert.equal(small, 0, "random points are (almost surely) not of small order");
  // Real public keys, as the Device meets them.
  for (let i = 0; i < 50; i++) check(c.x25519Base(r.randomBytes(32)));
});

test("a Handshake without the precomputed static-static DH computes it when first needed: the same session", () => {
  const r = new SeededRandom(10);
  const ia = r.randomBytes(32), ib = r.randomBytes(32);
  const pa = c.x25519Base(ia), pb = c.x25519Base(ib);
  // A initiates lazily; B responds lazily; then the other way round against precomputed ones.
  for (const [lazyA, lazyB] of [[true, true], [true, false], [false, true]]) {
    const A = new Handshake(c, ia, pa, pb, new Uint8Array(32), lazyA ? null : c.x25519(ia, pb));
    const B = new Handshake(c, ib, pb, pa, new Uint8Array(32), lazyB ? null : c.x25519(ib, pa));
    const ts = new Uint8Array(12); ts[0] = 0x40;
    assert.equal(B.consumeInitiation(A.createInitiation(r.randomBytes(32), ts, 1)!, 0), null);
    assert.equal(A.consumeResponse(B.createResponse(r.randomBytes(32), 2)!), null);
    const ka = A.beginSymmetricSession()!, kb = B.beginSymmetricSession()!;
    assert.deepEqual(ka.sendKey, kb.recvKey);
    assert.deepEqual(ka.recvKey, kb.sendKey);
  }
});


// 10^5 random and mutated datagrams into onDatagram (seeded, so any failure reproduces): no
// exception escapes, every datagram is accounted for (drops + accepted == sent) and the tunnel
// still works afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nobleCrypto as c } from "../platform/node/crypto.ts";
import { makePair, establish, ipv4Packet, INNER_A, INNER_B, ADDRESS_A, ADDRESS_B, SeededRandom, type Node } from "./harness.test.ts";
import { CookieChecker, CookieGenerator } from "./cookie.ts";
import type { Address } from "../platform/platform.ts";

const TOTAL = 100000;

test(`fuzz: ${TOTAL} random and mutated datagrams`, () => {
  const p = makePair();
  p.a.device.connect();
  const initiation = p.a.outbox[0].bytes.slice();
  let response = new Uint8Array(0);
  let keepalive = new Uint8Array(0);
  p.pump((s, from) => {
    if (from === p.b && s.bytes[0] === 2) response = s.bytes.slice();
    if (from === p.a && s.bytes[0] === 4) keepalive = s.bytes.slice();
    return true;
  });
  p.a.device.onTunnelPacket(ipv4Packet(INNER_A, INNER_B, 200));
  const dataAB = p.a.outbox[0].bytes.slice();
  p.pump();
  p.b.device.onTunnelPacket(ipv4Packet(INNER_B, INNER_A, 60));
  const dataBA = p.b.outbox[0].bytes.slice();
  p.pump();
  const cookieReply = new CookieChecker(c, new SeededRandom(1), p.keys.publicA).createCookieReply(response, ADDRESS_B, 0);
  assert.ok(response.length === 92 && keepalive.length === 32, "captured a response and a keepalive");
  const seeds = [initiation, response, cookieReply, dataAB, dataBA, keepalive];

  const r = new SeededRandom(20260101);
  const sources: Address[] = [ADDRESS_A, ADDRESS_B, { host: "203.0.113.1", port: 1 }, { host: "2001:db8::7", port: 51820 }];
  const start = { a: p.a.device.status(), b: p.b.device.status() };
  const sent = new Map<Node, number>([[p.a, 0], [p.b, 0]]);

  const mutate = (): Uint8Array => {
    const kind = r.below(9);
    if (kind === 0) return r.randomBytes(r.below(200));
    const base = seeds[r.below(seeds.length)];
    let m = base.slice();
    switch (kind) {
      case 1: { // bit flips
        const flips = 1 + r.below(3);
        for (let i = 0; i < flips && m.length > 0; i++) { const bit = r.below(m.length * 8); m[bit >> 3] ^= 1 << (bit & 7); }
        break;
      }
      case 2: m = m.slice(0, r.below(m.length + 1)); break; // truncation
      case 3: { const ext = new Uint8Array(m.length + 1 + r.below(64)); ext.set(m); ext.set(r.randomBytes(ext.length - m.length), m.length); m = ext; break; }
      case 4: m[r.below(4)] = r.below(6); break; // type and reserved bytes
      case 5: // counters: transport counter set to something near, far, or huge
        if (m.length >= 16) { const v = new DataView(m.buffer); v.setUint32(8, r.nextU32(), true); v.setUint32(12, r.below(4) === 0 ? r.nextU32() : 0, true); }
        break;
      case 6: if (m.length >= 8) m.set(r.randomBytes(4), 4); break; // receiver/sender index
      case 7: if (m.length >= 16) m.set(r.randomBytes(m.length - 16), 16); break; // body replaced
      default: break; // unmodified replay
    }
    return m;
  };

  const t0 = Date.now();
  for (let i = 0; i < TOTAL; i++) {
    const target = r.below(4) === 0 ? p.a : p.b;
    const m = mutate();
    p.a.clock.t += 1; // 100 s of fake time in all: load comes and goes
    sent.set(target, sent.get(target)! + 1);
    target.device.onDatagram(m, sources[r.below(sources.length)]);
    if (i % 1000 === 0) { p.a.outbox.length = 0; p.b.outbox.length = 0; }
  }
  const elapsed = Date.now() - t0;
  p.a.outbox.length = 0;
  p.b.outbox.length = 0;

  for (const [n, before] of [[p.a, start.a], [p.b, start.b]] as const) {
    const s = n.device.status();
    const dropped = Object.values(s.drops).reduce((x, y) => x + y, 0) - Object.values(before.drops).reduce((x, y) => x + y, 0);
    const accepted = s.datagramsAccepted - before.datagramsAccepted;
    assert.equal(s.datagramsIn - before.datagramsIn, sent.get(n));
    assert.equal(dropped + accepted, sent.get(n), `every datagram accounted for: ${JSON.stringify(s.drops)}`);
    assert.equal(s.drops["internal-error"] ?? 0, 0, "no exception inside onDatagram");
  }
  // The tunnel still works in both directions (the endpoint may have roamed to a fuzz source only
  // through an authenticated packet, so restore the real addresses by talking).
  establishAgainIfNeeded(p);
  const pkt = ipv4Packet(INNER_A, INNER_B, 300);
  p.a.device.onTunnelPacket(pkt);
  p.pump();
  assert.deepEqual(p.b.delivered[p.b.delivered.length - 1], pkt);
  const back = ipv4Packet(INNER_B, INNER_A, 30);
  p.b.device.onTunnelPacket(back);
  p.pump();
  assert.deepEqual(p.a.delivered[p.a.delivered.length - 1], back);
  console.log(`fuzz: ${TOTAL} datagrams in ${elapsed} ms; B drops ${JSON.stringify(p.b.device.status().drops)}`);
});

function establishAgainIfNeeded(p: ReturnType<typeof makePair>): void {
  if (p.a.device.status().state !== "established") establish(p);
  assert.deepEqual(p.b.device.status().endpoint, ADDRESS_A, "no unauthenticated datagram moved the endpoint");
}

test("fuzz: 3000 mutated handshake messages with a valid mac1 (past the cheap checks, into the DH)", () => {
  const p = makePair();
  establish(p);
  const r = new SeededRandom(777);
  // A fresh initiation from A (B has not seen it) and B's response to it (A has not seen it).
  p.a.clock.t = 10000;
  p.a.device.connect();
  const initiation = p.a.outbox.splice(0)[0].bytes;
  const macsForB = new CookieGenerator(c, p.keys.publicB);
  const macsForA = new CookieGenerator(c, p.keys.publicA);
  const mutateBody = (m: Uint8Array): Uint8Array => {
    const out = m.slice();
    const kind = r.below(4);
    const bodyEnd = out.length - 32;
    if (kind === 0) { const bit = r.below(bodyEnd * 8); out[bit >> 3] ^= 1 << (bit & 7); }
    else if (kind === 1) out.set(r.randomBytes(32), out[0] === 1 ? 8 : 12); // ephemeral
    else if (kind === 2) out.fill(0, out[0] === 1 ? 8 : 12, out[0] === 1 ? 40 : 44); // low-order ephemeral
    else out.set(r.randomBytes(bodyEnd - 4), 4); // everything
    return out;
  };
  const before = { a: p.a.device.status(), b: p.b.device.status() };
  let toA = 0;
  let toB = 0;
  for (let i = 0; i < 3000; i++) {
    p.a.clock.t += 250; // 4 per second: below the load threshold, so every one reaches the Noise code
    if (i % 2 === 0) {
      const m = mutateBody(initiation);
      macsForB.addMacs(m, p.a.clock.t);
      p.b.device.onDatagram(m, ADDRESS_A);
      toB++;
    } else {
      const resp = new Uint8Array(92);
      resp[0] = 2;
      resp.set(r.randomBytes(56), 4);
      resp.set(initiation.subarray(4, 8), 8); // addressed to A's handshake in flight
      macsForA.addMacs(resp, p.a.clock.t);
      p.a.device.onDatagram(resp, ADDRESS_B);
      toA++;
    }
    p.a.outbox.length = 0;
    p.b.outbox.length = 0;
  }
  for (const [n, b0, sent] of [[p.a, before.a, toA], [p.b, before.b, toB]] as const) {
    const s = n.device.status();
    const dropped = Object.values(s.drops).reduce((x, y) => x + y, 0) - Object.values(b0.drops).reduce((x, y) => x + y, 0);
    assert.equal(dropped + s.datagramsAccepted - b0.datagramsAccepted, sent);
    assert.equal(s.drops["internal-error"] ?? 0, 0);
    assert.equal(s.drops["bad-mac1"] ?? 0, 0, "every message passed mac1");
  }
  assert.ok((p.b.device.status().drops["handshake-failed"] ?? 0) > 500);
  assert.ok((p.b.device.status().drops["low-order-point"] ?? 0) > 100);
  assert.ok((p.a.device.status().drops["handshake-failed"] ?? 0) > 500);
  // Still working: a new handshake and data.
  p.a.clock.t += 1000;
  (p.a.device as unknown as { timers: { stopAll(): void } }).timers.stopAll();
  establish(p);
  const pkt = ipv4Packet(INNER_A, INNER_B, 50);
  p.a.device.onTunnelPacket(pkt);
  p.pump();
  assert.deepEqual(p.b.delivered[p.b.delivered.length - 1], pkt);
  console.log(`fuzz (handshakes): A drops ${JSON.stringify(p.a.device.status().drops)} B drops ${JSON.stringify(p.b.device.status().drops)}`);
});

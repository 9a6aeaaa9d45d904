// Datagrams into onDatagram, seeded so any failure reproduces: `make test` runs 2 * 10^4,
// `make fuzz` 10^6 (HOMEWIRE_FUZZ_DATAGRAMS) with coverage of ts/wireguard.
//
// Most datagrams are mutations of valid messages that get past the cheap checks: handshake
// messages captured in this very exchange, mutated and then given a correct mac1 (and, under
// load, a correct mac2 from a cookie the target itself handed out), so they reach the Noise
// code and its DH; cookie replies that answer the target's last message; transport messages
// sealed with live keys around mutated inner packets, so they reach the replay window, the
// inner parser and the source filter. The rest are plain mutations, replays and noise.
//
// Every datagram is checked on its own: no exception escapes, and the target's status moves by
// exactly one (accepted, or one inbound drop reason). Each epoch of EPOCH datagrams starts with
// a reboot of both devices (fresh Devices on the same Stores, the clock running on) and real
// handshakes both ways, which capture the next seeds; the pair must still work at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nobleCrypto as c } from "../platform/node/crypto.ts";
import { MemoryStore } from "../platform/node/store.ts";
import type { Address } from "../platform/platform.ts";
import {
  makeKeys, makeNode, ipv4Packet, ipv6Packet, v6, FakeClock, SeededRandom,
  INNER_A, INNER_B, ADDRESS_A, ADDRESS_B, type Node,
} from "./harness.test.ts";
import type { DeviceConfig } from "./device.ts";
import { CookieChecker, CookieGenerator } from "./cookie.ts";
import { Handshake } from "./noise.ts";
import { serializeTransport } from "./messages.ts";
import { encodeTai64n, type Tai64nClock } from "./tai64n.ts";
import type { Keypair, Keypairs } from "./keypair.ts";
import { DROP_REASONS } from "./status.ts";
import { REKEY_TIMEOUT } from "./constants.ts";

export const FUZZ_DATAGRAMS = Number(process.env.HOMEWIRE_FUZZ_DATAGRAMS ?? 20000);
const EPOCH = 2000;
const EMPTY = new Uint8Array(0);
const INBOUND = DROP_REASONS.filter((r) => !r.startsWith("tx-") && r !== "staging-overflow");

const keypairsOf = (n: Node) => (n.device as unknown as { keypairs: Keypairs }).keypairs;

/** Where the fuzzer's datagrams claim to come from: the real peer, strangers on both families
 *  (one IPv6 /64 with many hosts, an IPv4-mapped one), so load, cookies and the rate limiter see
 *  several sources. */
const SOURCES: Address[] = [
  ADDRESS_A, ADDRESS_B, { host: "203.0.113.1", port: 1 }, { host: "203.0.113.2", port: 40000 },
  { host: "2001:db8::7", port: 51820 }, { host: "2001:db8::8", port: 51820 }, { host: "::ffff:198.51.100.9", port: 9 },
];

export interface FuzzResult {
  datagrams: number;
  accepted: number;
  exceptions: number;
  epochs: number;
  /** Outcomes over both devices: "accepted" or the drop reason. */
  outcomes: Record<string, number>;
  /** How many datagrams of each kind were generated, and their outcomes. */
  kinds: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  /** Cookie replies the targets sent the fuzzer and it then used for mac2. */
  cookiesTaken: number;
  ms: number;
}

interface Seeds {
  initA: Uint8Array; // A's initiation, consumed by B
  initB: Uint8Array; // B's initiation, consumed by A
  initA2: Uint8Array; // A's initiation still in flight (its last handshake message)
  respB: Uint8Array; // B's response to it, held back (B's last handshake message)
  respA: Uint8Array; // A's response to B's initiation, consumed by B
  stranger: Uint8Array; // an initiation from a key neither device knows, valid mac1 for B
  transportAB: Uint8Array[];
  transportBA: Uint8Array[];
}

/** Mutation helpers over a seeded generator. */
class Mutator {
  constructor(readonly r: SeededRandom) {}
  flip(m: Uint8Array, from = 0, to = m.length, flips = 1 + this.r.below(3)): Uint8Array {
    const out = m.slice();
    if (to <= from) return out;
    for (let i = 0; i < flips; i++) {
      const bit = from * 8 + this.r.below((to - from) * 8);
      out[bit >> 3] ^= 1 << (bit & 7);
    }
    return out;
  }
  pick<T>(list: T[]): T {
    return list[this.r.below(list.length)];
  }
}

/** A fresh pair on a running clock and persistent stores: a reboot of both ends. */
function bootPair(clock: FakeClock, storeA: MemoryStore, storeB: MemoryStore, epoch: number) {
  const keys = makeKeys();
  const configA: DeviceConfig = { privateKey: keys.privateA, peer: { publicKey: keys.publicB, endpoint: ADDRESS_B, allowedIps: [INNER_B + "/32", "fd77::1/128"] } };
  const configB: DeviceConfig = { privateKey: keys.privateB, peer: { publicKey: keys.publicA, endpoint: ADDRESS_A, allowedIps: [INNER_A + "/32", "fd77::2/128"] } };
  const a = makeNode(configA, ADDRESS_A, { clock, store: storeA, seed: 1000 + epoch });
  const b = makeNode(configB, ADDRESS_B, { clock, store: storeB, seed: 5000 + epoch });
  return { a, b, keys };
}

/** Delivers the outbox of `from` to `to` (only datagrams addressed to it), returning them. */
function deliver(from: Node, to: Node): Uint8Array[] {
  const out = from.outbox.splice(0).filter((s) => s.to.host === to.address.host && s.to.port === to.address.port).map((s) => s.bytes);
  for (const m of out) to.device.onDatagram(m, from.address);
  return out;
}

/** Inner packets for transport messages: valid ones both families, a source the peer does not
 *  allow, broken headers, lengths that disagree, keepalives, noise. */
function innerPacket(m: Mutator, src: string, dst: string, src6: number, dst6: number): Uint8Array {
  const r = m.r;
  switch (r.below(8)) {
    case 0: return ipv4Packet(src, dst, r.below(200));
    case 1: return ipv6Packet(v6(src6), v6(dst6), r.below(200));
    case 2: return ipv4Packet("10.99.0." + (1 + r.below(250)), dst, r.below(60)); // source not allowed
    case 3: return m.flip(ipv4Packet(src, dst, 20 + r.below(60)), 0, 20); // header bits
    case 4: { const p = ipv4Packet(src, dst, 40); return p.slice(0, r.below(p.length)); } // truncated
    case 5: return EMPTY; // keepalive
    case 6: { const p = ipv6Packet(v6(src6), v6(dst6), 30); p[4] = r.below(256); p[5] = r.below(256); return p; } // payload length
    default: return r.randomBytes(1 + r.below(80));
  }
}

function seal(kp: Keypair, plain: Uint8Array, counter?: number): Uint8Array {
  const ctr = counter ?? kp.sendCounter++;
  return serializeTransport(kp.remoteIndex, ctr, c.aeadSeal(kp.sendKey, ctr, plain, EMPTY));
}

export function fuzzCore(total: number, seed: number): FuzzResult {
  const r = new SeededRandom(seed);
  const m = new Mutator(r);
  const clock = new FakeClock();
  clock.t = 1000;
  const storeA = new MemoryStore();
  const storeB = new MemoryStore();
  const result: FuzzResult = { datagrams: 0, accepted: 0, exceptions: 0, epochs: 0, outcomes: {}, kinds: {}, byKind: {}, cookiesTaken: 0, ms: 0 };
  const t0 = Date.now();
  const strangerKey = r.randomBytes(32);

  let pair!: ReturnType<typeof bootPair>;
  let seeds!: Seeds;
  // The fuzzer's own mac stampers (keyed by the target's public key) and the cookies it was given.
  let macsForA!: CookieGenerator, macsForB!: CookieGenerator;

  const startEpoch = (): void => {
    result.epochs++;
    clock.t += REKEY_TIMEOUT + 1000;
    pair = bootPair(clock, storeA, storeB, result.epochs);
    const { a, b, keys } = pair;
    macsForA = new CookieGenerator(c, keys.publicA);
    macsForB = new CookieGenerator(c, keys.publicB);
    // A initiates (B responds, A confirms), then B initiates (A responds, B confirms).
    a.device.connect();
    const [initA] = deliver(a, b);
    deliver(b, a);
    deliver(a, b);
    clock.t += REKEY_TIMEOUT + 1;
    b.device.connect();
    const [initB] = deliver(b, a);
    const [respA] = deliver(a, b);
    deliver(b, a);
    assert.equal(a.device.status().state, "established", "epoch setup: A established");
    assert.equal(b.device.status().state, "established", "epoch setup: B established");
    // A third handshake left half done: A's initiation reached B, B's response is held back, so
    // A has an initiation in flight for fuzzed responses to aim at.
    clock.t += REKEY_TIMEOUT + 1;
    a.device.connect();
    const [initA2] = deliver(a, b);
    const respB = b.outbox.splice(0)[0].bytes;
    // A stranger's initiation to B, from a key B does not know.
    const strangerPublic = c.x25519Base(strangerKey);
    const hs = new Handshake(c, strangerKey, strangerPublic, keys.publicB, new Uint8Array(32), c.x25519(strangerKey, keys.publicB));
    const stranger = hs.createInitiation(r.randomBytes(32), encodeTai64n(1700000000 + result.epochs, 0), r.nextU32())!;
    macsForB.addMacs(stranger, clock.t);
    seeds = { initA, initB, respA, initA2, respB, stranger, transportAB: [], transportBA: [] };
    const ka = keypairsOf(a).current!, kb = keypairsOf(b).current!;
    for (let i = 0; i < 8; i++) {
      seeds.transportAB.push(seal(ka, innerPacket(m, INNER_A, INNER_B, 2, 1)));
      seeds.transportBA.push(seal(kb, innerPacket(m, INNER_B, INNER_A, 1, 2)));
    }
  };
  startEpoch();

  /** A handshake seed mutated in its body, then given a valid mac1 (and mac2 when the fuzzer
   *  holds the target's cookie) so it gets past the cookie checks into the Noise code. */
  const handshakeMutant = (seedMsg: Uint8Array, macs: CookieGenerator): Uint8Array => {
    const bodyEnd = seedMsg.length - 32;
    const eph = seedMsg[0] === 1 ? 8 : 12;
    let out: Uint8Array;
    // A genuine response completes the handshake it answers (after which responses stop reaching
    // the DH): sent unmodified rarely; replayed initiations are merely stale.
    const unmodified = seedMsg[0] === 1 ? 7 : 200;
    switch (r.below(unmodified)) {
      case 0: out = m.flip(seedMsg, 0, bodyEnd); break;
      case 1: out = seedMsg.slice(); out.set(r.randomBytes(32), eph); break; // ephemeral
      case 2: out = seedMsg.slice(); out.fill(0, eph, eph + 32); break; // low-order ephemeral
      case 3: out = seedMsg.slice(); out.set(r.randomBytes(4), 4); break; // sender index
      case 4: out = m.flip(seedMsg, eph + 32, bodyEnd); break; // encrypted parts only
      case 5: out = seedMsg.slice(); out.set(r.randomBytes(bodyEnd - 4), 4); break; // all of it
      case 6: out = seedMsg.slice(); break; // the very message, re-stamped
      default: out = m.flip(seedMsg, eph, bodyEnd); break;
    }
    macs.addMacs(out, clock.t);
    return out;
  };

  /** A fresh, valid initiation made with A's key (a peer that initiates too often, or a new
   *  session): it goes all the way through the responder path, or meets the flood limit. */
  const freshInitiation = (): Uint8Array => {
    const { a, keys } = pair;
    const hs = new Handshake(c, keys.privateA, keys.publicA, keys.publicB, new Uint8Array(32), c.x25519(keys.privateA, keys.publicB));
    // A's own timestamp source (and its Store reservation), so A's later initiations stay fresh.
    const stamp = (a.device as unknown as { tai64n: Tai64nClock }).tai64n.next();
    const msg = hs.createInitiation(r.randomBytes(32), stamp, r.nextU32())!;
    macsForB.addMacs(msg, clock.t);
    return msg;
  };

  /** B's response to an initiation of A's, made by a Handshake of its own (device B untouched). */
  const respondAsB = (initiation: Uint8Array): Uint8Array => {
    const { keys } = pair;
    const hs = new Handshake(c, keys.privateB, keys.publicB, keys.publicA, new Uint8Array(32), c.x25519(keys.privateB, keys.publicA));
    assert.equal(hs.consumeInitiation(initiation, clock.t), null, "A's retransmission is a valid initiation");
    const resp = hs.createResponse(r.randomBytes(32), r.nextU32())!;
    macsForA.addMacs(resp, clock.t);
    return resp;
  };

  const cookieReply = (target: Node): Uint8Array => {
    // A reply to the target's last handshake message, as its peer would make it; sometimes mutated.
    const { a, keys } = pair;
    const lastSent = target === a ? seeds.initA2 : seeds.respB;
    const checker = new CookieChecker(c, r, target === a ? keys.publicB : keys.publicA);
    const reply = checker.createCookieReply(lastSent, target === a ? ADDRESS_B : ADDRESS_A, clock.t);
    switch (r.below(4)) {
      case 0: return reply;
      case 1: return m.flip(reply, 8);
      case 2: { const out = reply.slice(); out.set(r.randomBytes(4), 4); return out; }
      default: return m.flip(reply, 8, 32); // nonce
    }
  };

  const rawMutant = (): Uint8Array => {
    const all = [seeds.initA, seeds.initB, seeds.respA, seeds.respB, ...seeds.transportAB, ...seeds.transportBA];
    const base = m.pick(all);
    switch (r.below(6)) {
      case 0: return r.randomBytes(r.below(200));
      case 1: return base.slice(0, r.below(base.length + 1)); // truncated
      case 2: { const ext = new Uint8Array(base.length + 1 + r.below(64)); ext.set(base); ext.set(r.randomBytes(ext.length - base.length), base.length); return ext; }
      case 3: { const out = base.slice(); out[r.below(4)] = r.below(6); return out; } // type and reserved bytes
      case 4: return m.flip(base); // mac1 now wrong for handshakes
      default: { const out = base.slice(); if (out.length >= 16) { out[12] = r.below(256); out[15] = r.below(4) === 0 ? 0xff : 0; } return out; } // huge counters
    }
  };

  const snapshot = (n: Node) => {
    const s = n.device.status();
    const counts: Record<string, number> = { accepted: s.datagramsAccepted };
    for (const reason of INBOUND) counts[reason] = s.drops[reason] ?? 0;
    for (const reason of Object.keys(s.drops)) if (!(reason in counts) && !reason.startsWith("tx-") && reason !== "staging-overflow") counts[reason] = s.drops[reason];
    return counts;
  };

  /** A keypair of `from` that `to` can still open (fuzzed handshakes may have rotated `to`'s),
   *  or now and then any, so unknown receivers are fuzzed too. */
  const sendKeypair = (from: Node, to: Node): Keypair | null => {
    const own = keypairsOf(from);
    const candidates = [own.current, own.previous, own.next].filter((kp): kp is Keypair => kp !== null);
    const known = candidates.filter((kp) => keypairsOf(to).usesIndex(kp.remoteIndex));
    return (r.below(10) === 0 || known.length === 0 ? candidates[0] : m.pick(known)) ?? null;
  };

  /** Each device's counters after its last datagram (only onDatagram moves them). */
  const last = new Map<Node, Record<string, number>>();
  let burst = 0;
  const schedule = new SeededRandom(seed + 1); // its own stream: the load bursts
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % EPOCH === 0) {
      startEpoch();
      last.clear();
    }
    const { a, b } = pair;
    let target: Node;
    let bytes: Uint8Array;
    let kind: string;
    // Time: 40 ms a datagram keeps handshake messages under the load threshold (then they reach
    // the DH); now and then a burst of handshake messages 1 ms apart from the real peer's address
    // puts the target under load (cookie replies, then mac2 from the cookie, the rate limiter).
    if (burst > 0) { burst--; clock.t += 1; }
    else { clock.t += 40; if (schedule.below(1000) === 0) burst = 30 + schedule.below(40); }
    const k = burst > 0 ? r.below(23) : r.below(100);
    if (k < 10) { kind = "initiation-mac1"; target = b; bytes = handshakeMutant(seeds.initA, macsForB); }
    else if (k < 14) { kind = "initiation-mac1"; target = a; bytes = handshakeMutant(seeds.initB, macsForA); }
    else if (k < 15) { kind = "initiation-stranger"; target = b; bytes = seeds.stranger.slice(); if (r.below(2)) bytes = handshakeMutant(bytes, macsForB); }
    else if (k < 21) { kind = "response-mac1"; target = a; bytes = handshakeMutant(seeds.respB, macsForA); }
    else if (k < 22) { kind = "response-mac1"; target = b; bytes = handshakeMutant(seeds.respA, macsForB); } // none in flight: unknown-receiver
    else if (k < 23 && r.below(4) === 0) { kind = "initiation-fresh"; target = b; bytes = freshInitiation(); }
    else if (k < 23) { kind = "initiation-mac1"; target = b; bytes = handshakeMutant(seeds.initA, macsForB); }
    else if (k < 28) { kind = "cookie-reply"; target = r.below(2) ? a : b; bytes = cookieReply(target); }
    else if (k < 48) { kind = "transport-sealed"; target = b; const kp = sendKeypair(a, b); bytes = kp ? seal(kp, innerPacket(m, INNER_A, INNER_B, 2, 1)) : rawMutant(); }
    else if (k < 62) { kind = "transport-sealed"; target = a; const kp = sendKeypair(b, a); bytes = kp ? seal(kp, innerPacket(m, INNER_B, INNER_A, 1, 2)) : rawMutant(); }
    else if (k < 66) { kind = "transport-replayed"; target = b; const kp = sendKeypair(a, b); bytes = kp ? seal(kp, innerPacket(m, INNER_A, INNER_B, 2, 1), Math.max(0, kp.sendCounter - 1 - r.below(3000))) : rawMutant(); }
    else if (k < 76) { kind = "transport-mutated"; target = r.below(2) ? a : b; bytes = m.flip(m.pick(target === b ? seeds.transportAB : seeds.transportBA), r.below(3) ? 16 : 4); }
    else if (k < 86) { kind = "replay"; target = r.below(2) ? a : b; bytes = m.pick(target === b ? [seeds.initA, seeds.respA, ...seeds.transportAB] : [seeds.initB, ...seeds.transportBA]); }
    else { kind = "raw"; target = r.below(4) === 0 ? a : b; bytes = rawMutant(); }
    result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;

    const from = burst === 0 && r.below(3) === 0 ? m.pick(SOURCES) : (target === b ? ADDRESS_A : ADDRESS_B);
    const before = last.get(target) ?? snapshot(target);
    try {
      target.device.onDatagram(bytes, from);
    } catch (e) {
      result.exceptions++;
      throw new Error(`datagram ${i} (${kind}) threw: ${(e as Error).stack}`);
    }
    const after = snapshot(target);
    last.set(target, after);
    const moved = Object.keys(after).filter((key) => after[key] !== (before[key] ?? 0));
    if (moved.length !== 1 || after[moved[0]] - (before[moved[0]] ?? 0) !== 1) {
      throw new Error(`datagram ${i} (${kind}) not counted exactly once: ${JSON.stringify(moved.map((key) => [key, before[key] ?? 0, after[key]]))}`);
    }
    const outcome = moved[0];
    result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
    const byKind = (result.byKind[kind] ??= {});
    byKind[outcome] = (byKind[outcome] ?? 0) + 1;
    if (outcome === "accepted") result.accepted++;
    result.datagrams++;

    // The timers run on whatever state the fuzz left (retransmissions, keepalives, expiry).
    if (i % 50 === 49) {
      a.device.tick();
      b.device.tick();
    }

    // Cookie replies sent to the fuzzer's source: keep them, so later messages carry a valid mac2.
    for (const n of [a, b]) {
      for (const s of n.outbox.splice(0)) {
        // A retransmitted its initiation (the timers run): aim cookie replies and responses at
        // the new one, with a response made from B's keys outside device B.
        if (n === a && s.bytes[0] === 1) {
          seeds.initA2 = s.bytes;
          seeds.respB = respondAsB(s.bytes);
        }
        if (s.bytes[0] === 3 && s.to.host === from.host && s.to.port === from.port) {
          if ((n === a ? macsForA : macsForB).consumeCookieReply(s.bytes, clock.t)) result.cookiesTaken++;
        }
      }
    }
  }

  // The last epoch's pair still works both ways after all that: a fresh handshake and data.
  startEpoch();
  const { a, b } = pair;
  const pkt = ipv4Packet(INNER_A, INNER_B, 300);
  a.device.onTunnelPacket(pkt);
  deliver(a, b);
  assert.deepEqual(b.delivered[b.delivered.length - 1], pkt, "A -> B data after the fuzz");
  const back = ipv4Packet(INNER_B, INNER_A, 30);
  b.device.onTunnelPacket(back);
  deliver(b, a);
  assert.deepEqual(a.delivered[a.delivered.length - 1], back, "B -> A data after the fuzz");
  result.ms = Date.now() - t0;
  return result;
}

test(`fuzz: ${FUZZ_DATAGRAMS} datagrams, mostly mutations of valid messages that reach the Noise, cookie and decrypt paths`, () => {
  const res = fuzzCore(FUZZ_DATAGRAMS, 20260101);
  assert.equal(res.datagrams, FUZZ_DATAGRAMS);
  assert.equal(res.exceptions, 0);
  assert.equal(res.outcomes["internal-error"] ?? 0, 0, "no exception inside onDatagram");
  const o = (k: string) => res.outcomes[k] ?? 0;
  const n = FUZZ_DATAGRAMS;
  // Every deep path was reached, each by a real share of the datagrams (not once by luck).
  for (const [outcome, share] of [
    ["accepted", 0.05], ["handshake-failed", 0.05], ["low-order-point", 0.01], ["stale-timestamp", 0.02], ["unknown-peer", 0.001],
    ["decrypt-failed", 0.05], ["replay", 0.05], ["source-not-allowed", 0.02], ["bad-inner-packet", 0.05], ["bad-cookie", 0.005],
    ["cookie-sent", 0.001], ["rate-limited", 0.005], ["bad-counter", 0.0005], ["unknown-receiver", 0.01], ["bad-mac1", 0.001],
    ["bad-type", 0.01], ["bad-length", 0.01],
  ] as const) {
    assert.ok(o(outcome) >= n * share, `${outcome}: ${o(outcome)} of ${n}, expected at least ${share * 100} %`);
  }
  assert.ok(res.byKind["response-mac1"]?.["handshake-failed"] > n * 0.01, "mutated responses reach consumeResponse's DH");
  assert.ok(res.byKind["initiation-fresh"]?.accepted > 0 && res.cookiesTaken > 0, "fresh initiations and mac2 from cookies the targets gave out");
  const deep = n - (res.kinds.raw ?? 0) - (res.kinds.replay ?? 0);
  assert.ok(deep > n * 0.7, `most datagrams are mutations of valid messages (${deep})`);
  console.log(`fuzz: ${res.datagrams} datagrams in ${res.ms} ms, ${res.epochs} epochs, 0 exceptions, each counted once; ` +
    `${res.cookiesTaken} cookies used for mac2; kinds ${JSON.stringify(res.kinds)}; outcomes ${JSON.stringify(res.outcomes)}; ` +
    `outcomes by kind ${JSON.stringify(res.byKind)}`);
});

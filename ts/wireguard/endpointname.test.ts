// The peer's endpoint by DNS name (NamedEndpoint beside a Device), on a fake clock with a fake
// resolver: first lookup, home moving to a new address, failures (errors, garbage, no answer,
// a throwing resolver) with backoff, the periodic lookup, roaming kept, a name refused by the
// Device itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Address, Resolver } from "../platform/platform.ts";
import { makePair, makeNode, ipv4Packet, type Pair, INNER_A, INNER_B, ADDRESS_A, ADDRESS_B } from "./harness.test.ts";
import { Device } from "./device.ts";
import { SensorDevice } from "./sensordevice.ts";
import {
  EndpointName, NamedEndpoint, RESOLVE_BACKOFF_MAX, RESOLVE_BACKOFF_MIN, RESOLVE_INTERVAL, RESOLVE_TIMEOUT,
} from "./endpointname.ts";
import { isHostName } from "../app/config.ts";
import { KEEPALIVE_TIMEOUT, REKEY_TIMEOUT, REKEY_TIMEOUT_JITTER_MAX } from "./constants.ts";

const HOME = "home.example.org";

/** A resolver the test drives: answers from a table at once, or holds the callbacks. */
class FakeResolver implements Resolver {
  table = new Map<string, string[] | string>(); // addresses, or an error text
  hold = false;
  throws = false;
  held: ((a: string[] | null, e: string | null) => void)[] = [];
  asked: { name: string; at: number }[] = [];
  constructor(private readonly now: () => number) {}
  resolve(name: string, done: (a: string[] | null, e: string | null) => void): void {
    this.asked.push({ name, at: this.now() });
    if (this.throws) throw new Error("resolver broke");
    if (this.hold) { this.held.push(done); return; }
    const v = this.table.get(name);
    if (v === undefined) done(null, "NXDOMAIN");
    else if (typeof v === "string") done(null, v);
    else done(v, null);
  }
}

/** A = the sensor, its endpoint the name HOME (the Device itself starts without one, the
 *  NamedEndpoint beside it looks the name up); B = home at ADDRESS_B. */
function namedPair(): { p: Pair; dns: FakeResolver; named: NamedEndpoint; tick: () => void } {
  const p = makePair();
  const dns = new FakeResolver(() => p.a.clock.t);
  dns.table.set(HOME, [ADDRESS_B.host]);
  p.configA.peer.endpoint = null;
  p.a = makeNode(p.configA, ADDRESS_A, { clock: p.a.clock, seed: 11, make: (c, pl) => new SensorDevice(c, pl) });
  const named = new NamedEndpoint(p.a.device as SensorDevice, { host: HOME, port: ADDRESS_B.port }, 300, dns, p.a.clock, (_l, m) => p.a.logs.push(m));
  const tick = () => {
    p.a.device.tick();
    named.tick();
  };
  return { p, dns, named, tick };
}

function run(n: ReturnType<typeof namedPair>, ms: number, step = 100): void {
  const { p } = n;
  const until = p.a.clock.t + ms;
  while (p.a.clock.t < until) {
    p.a.clock.t += step;
    n.tick();
    p.b.device.tick();
    p.pump();
  }
}

test("isHostName: RFC 1123 names, not addresses", () => {
  for (const ok of ["home.example.org", "a", "x-1.lan", "HOME.example.org.", "1a.example"]) assert.ok(isHostName(ok), ok);
  for (const bad of ["", "192.0.2.1", "::1", "1.2.3.999", "-x.org", "x-.org", "a..b", "a b", "x".repeat(64) + ".org", "under_score.org"]) assert.ok(!isHostName(bad), bad);
});

test("named endpoint: nothing goes out before the name resolves; then the staged reading and the handshake do", () => {
  const n = namedPair();
  const { p, dns, named } = n;
  dns.hold = true;
  assert.equal(p.a.device.status().endpoint, null);
  p.a.device.onTunnelPacket(ipv4Packet(INNER_A, INNER_B, 20));
  n.tick();
  assert.deepEqual(dns.asked.map((x) => x.name), [HOME]);
  assert.equal(p.a.outbox.length, 0, "no address yet");
  assert.equal(named.status().state, "resolving");
  dns.held.shift()!([ADDRESS_B.host], null);
  assert.deepEqual(p.a.device.status().endpoint, ADDRESS_B);
  p.pump();
  assert.equal(p.a.device.status().state, "established");
  assert.equal(p.b.delivered.length, 1, "the staged reading arrived");
  const st = named.status();
  assert.deepEqual([st.state, st.address, st.failures, st.lookups], ["resolved", ADDRESS_B.host, 0, 1]);
});

test("named endpoint: connect() before the name resolved initiates once it has", () => {
  const n = namedPair();
  const { p, dns, named } = n;
  dns.hold = true;
  n.tick();
  p.a.device.connect();
  assert.equal(p.a.outbox.length, 0);
  dns.held.shift()!([ADDRESS_B.host], null);
  p.pump();
  assert.equal(p.a.device.status().state, "established");
});

test("home moves: its record with it; unanswered handshakes look the name up again and the tunnel comes back within ~25 s", () => {
  const n = namedPair();
  const { p, dns, named } = n;
  n.tick();
  p.a.device.connect();
  p.pump();
  assert.equal(p.a.device.status().state, "established");
  // Home moves to a new address; the old one goes silent; the record follows.
  const moved: Address = { host: "198.51.100.77", port: ADDRESS_B.port };
  p.b.address = moved;
  dns.table.set(HOME, [moved.host]);
  const movedAt = p.a.clock.t;
  const lookupsBefore = dns.asked.length;
  // The sensor keeps sending readings; nothing comes back from the old address.
  let backAt = -1;
  for (let t = 0; t < 60000 && backAt < 0; t += 1000) {
    p.a.device.onTunnelPacket(ipv4Packet(INNER_A, INNER_B, 20));
    run(n, 1000);
    if (p.b.device.status().handshakes >= 2 && p.a.device.status().state === "established") backAt = p.a.clock.t;
  }
  assert.ok(backAt > 0, "the tunnel came back");
  assert.deepEqual(p.a.device.status().endpoint, moved);
  // Data sent, nothing back: the new-handshake timer (15 s + jitter) sends an initiation to the
  // old address; its first retransmission (5 s later) asks DNS and an initiation goes to the new
  // address at once. Bound: KEEPALIVE_TIMEOUT + 2 REKEY_TIMEOUT + jitter + a tick or two.
  const bound = KEEPALIVE_TIMEOUT + 2 * REKEY_TIMEOUT + 2 * REKEY_TIMEOUT_JITTER_MAX + 2000;
  assert.ok(backAt - movedAt <= bound, `back after ${backAt - movedAt} ms (bound ${bound})`);
  assert.equal(dns.asked.length - lookupsBefore, 1, "one lookup, asked for by the unanswered handshake");
  const pkt = ipv4Packet(INNER_A, INNER_B, 30);
  p.a.device.onTunnelPacket(pkt);
  p.pump();
  assert.deepEqual(p.b.delivered[p.b.delivered.length - 1], pkt);
});

test("periodic lookups every resolve interval; an unchanged answer leaves an endpoint learned by roaming alone", () => {
  const n = namedPair();
  const { p, dns, named } = n;
  n.tick();
  p.a.device.connect();
  p.pump();
  // B roams to another address (NAT rebinding); authenticated packets move A's endpoint there.
  const roamed: Address = { host: "198.51.100.9", port: 40000 };
  p.b.address = roamed;
  p.b.device.onTunnelPacket(ipv4Packet(INNER_B, INNER_A, 10));
  p.pump();
  assert.deepEqual(p.a.device.status().endpoint, roamed);
  const before = dns.asked.length;
  // 15 minutes of a reading every 10 s (rekeys included, all answered from the roamed address).
  for (let t = 0; t < 3 * RESOLVE_INTERVAL; t += 10000) {
    p.a.device.onTunnelPacket(ipv4Packet(INNER_A, INNER_B, 10));
    run(n, 10000, 500);
  }
  assert.equal(dns.asked.length - before, 3, "one lookup per interval");
  assert.deepEqual(p.a.device.status().endpoint, roamed, "the same answer does not undo roaming");
  assert.ok(p.b.device.status().handshakes >= 6, "rekeys went to the roamed address");
});

test("lookups that fail (error, garbage, no answer, a throwing resolver) are reported and retried with backoff; nothing blocks or throws", () => {
  const n = namedPair();
  const { p, dns, named } = n;
  dns.table.set(HOME, "SERVFAIL");
  const times: number[] = [];
  for (let t = 0; t < 300000; t += 500) {
    p.a.clock.t += 500;
    const asked = dns.asked.length;
    n.tick();
    if (dns.asked.length > asked) times.push(p.a.clock.t);
  }
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.deepEqual(gaps.slice(0, 7), [2000, 4000, 8000, 16000, 32000, 64000, 64000].map((g) => g), `backoff ${gaps}`);
  assert.ok(gaps.every((g) => g >= RESOLVE_BACKOFF_MIN && g <= RESOLVE_BACKOFF_MAX));
  let st = named.status();
  assert.equal(st.state, "failed");
  assert.equal(st.error, "SERVFAIL");
  assert.equal(st.failures, times.length);
  // Meanwhile the tunnel waits without blocking: packets are staged (bounded), nothing is sent.
  for (let i = 0; i < 20; i++) p.a.device.onTunnelPacket(ipv4Packet(INNER_A, INNER_B, 10));
  assert.equal(p.a.outbox.length, 0);
  assert.equal(p.a.device.status().drops["staging-overflow"], 4);
  // Garbage in the answer.
  dns.table.set(HOME, ["not-an-address", "300.1.1.1"]);
  p.a.clock.t += RESOLVE_BACKOFF_MAX;
  n.tick();
  st = named.status();
  assert.match(st.error!, /^answer holds no usable address/);
  // Addresses no peer can be at (unspecified, broadcast, multicast) are garbage too.
  dns.table.set(HOME, ["0.0.0.0", "255.255.255.255", "224.0.0.1", "::", "ff02::1"]);
  p.a.clock.t += RESOLVE_BACKOFF_MAX;
  n.tick();
  st = named.status();
  assert.match(st.error!, /^answer holds no usable address: \["0\.0\.0\.0"/);
  assert.equal(p.a.device.status().endpoint, null);
  // No answer at all: given up after RESOLVE_TIMEOUT; the late answer is ignored.
  dns.hold = true;
  p.a.clock.t += RESOLVE_BACKOFF_MAX;
  n.tick();
  assert.equal(named.status().state, "resolving");
  p.a.clock.t += RESOLVE_TIMEOUT;
  n.tick();
  st = named.status();
  assert.equal(st.error, "no answer within 10 s");
  dns.held.shift()!([ADDRESS_B.host], null);
  assert.equal(p.a.device.status().endpoint, null, "an abandoned lookup's answer is ignored");
  // A resolver that throws.
  dns.hold = false;
  dns.throws = true;
  p.a.clock.t += RESOLVE_BACKOFF_MAX;
  n.tick();
  assert.equal(named.status().error, "resolver threw: resolver broke");
  // It answers again: the staged packets go out.
  dns.throws = false;
  dns.table.set(HOME, [ADDRESS_B.host]);
  p.a.clock.t += RESOLVE_BACKOFF_MAX;
  n.tick();
  p.pump();
  assert.equal(p.a.device.status().state, "established");
  assert.equal(p.b.delivered.length, 16, "the 16 staged packets");
  assert.equal(named.status().failures, 0);
  assert.ok(p.a.logs.some((l) => /endpoint home\.example\.org: SERVFAIL \(attempt 1\)/.test(l)));
  assert.equal(p.a.device.status().drops["internal-error"] ?? 0, 0);
});

test("a name given to the Device itself, or to setPeerEndpoint, is refused naming the field: the device takes addresses", () => {
  const p = makePair();
  const config = { ...p.configA, peer: { ...p.configA.peer, endpoint: { host: HOME, port: 51820 } } };
  assert.throws(() => new Device(config, p.a.platform), /^TypeError: peer\.endpoint\.host: expected an IP address \(look names up with NamedEndpoint\)$/);
  const sensor = new SensorDevice(p.configA, p.a.platform);
  assert.throws(() => sensor.setPeerEndpoint({ host: HOME, port: 1 }), /^TypeError: endpoint\.host: expected an IP address$/);
  assert.throws(() => sensor.setPeerEndpoint({ host: "192.0.2.1", port: 0 }), /^TypeError: endpoint\.port: expected an integer in 1\.\.65535$/);
});

test("EndpointName: a retransmission asks for a lookup at most every 15 s, never during a failure backoff", () => {
  const n = new EndpointName(HOME, 1, 300000);
  assert.ok(n.due(0));
  const g = n.begin(0);
  assert.ok(n.finish(g, ["192.0.2.1"], null, 0)!.changed, "the first answer sets the endpoint");
  n.unanswered(5000);
  assert.ok(!n.due(5000), "15 s since the last lookup have not passed");
  n.unanswered(15000);
  assert.ok(n.due(15000));
  const g2 = n.begin(15000);
  const a = n.finish(g2, ["192.0.2.1"], null, 15000)!;
  assert.deepEqual([a.changed, a.forced], [false, true]);
  const g3 = n.begin(400000);
  n.finish(g3, null, "timeout", 400000);
  n.unanswered(400000 + 20000);
  assert.ok(!n.due(400000 + 1000), "the backoff stands");
});

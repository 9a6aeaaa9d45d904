import { test } from "node:test";
import assert from "node:assert/strict";
import { internetChecksum } from "./checksum.ts";
import { buildIpv4, parseIpv4, PROTO_ICMP, PROTO_UDP } from "./ipv4.ts";
import { buildIcmpEcho, parseIcmpEcho, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "./icmp.ts";
import { buildUdp, parseUdp } from "./udp.ts";
import { InnerStack } from "./stack.ts";

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

test("internetChecksum: RFC 1071 section 3 example and a real IPv4 header", () => {
  // RFC 1071: words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
  assert.equal(internetChecksum(hex("0001f203f4f5f6f7")), 0x220d);
  // A well-known IPv4 header (192.168.0.1 -> 192.168.0.199, UDP) with checksum b861.
  const header = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
  assert.equal(internetChecksum(header), 0xb861);
  header[10] = 0xb8;
  header[11] = 0x61;
  assert.equal(internetChecksum(header), 0);
  assert.equal(internetChecksum(hex("01")), 0xfeff, "odd length pads with zero");
});

test("ipv4: build/parse round trip, and every malformed header is refused", () => {
  const p = buildIpv4("10.77.0.2", "10.77.0.1", PROTO_UDP, 0x1234, new Uint8Array([9, 8, 7]));
  assert.equal(p.length, 23);
  const parsed = parseIpv4(p);
  assert.ok(typeof parsed !== "string");
  assert.equal(parsed.src, "10.77.0.2");
  assert.equal(parsed.dst, "10.77.0.1");
  assert.equal(parsed.protocol, PROTO_UDP);
  assert.equal(parsed.id, 0x1234);
  assert.deepEqual(Array.from(parsed.payload), [9, 8, 7]);
  // WireGuard pads inner packets to 16 bytes: the total length field trims it.
  const padded = new Uint8Array(32);
  padded.set(p);
  assert.equal((parseIpv4(padded) as { payload: Uint8Array }).payload.length, 3);

  const corrupt = p.slice();
  corrupt[15] ^= 1;
  assert.equal(parseIpv4(corrupt), "bad-checksum");
  assert.equal(parseIpv4(p.subarray(0, 19)), "bad-header");
  assert.equal(parseIpv4(p.subarray(0, 22)), "bad-header", "total length beyond the packet");
  const v6 = p.slice();
  v6[0] = 0x65;
  assert.equal(parseIpv4(v6), "bad-header");
  const frag = buildIpv4("10.0.0.1", "10.0.0.2", PROTO_UDP, 1, new Uint8Array(8));
  frag[6] = 0x20; // more fragments
  const sum = (frag[10] = frag[11] = 0, internetChecksum(frag.subarray(0, 20)));
  frag[10] = sum >> 8;
  frag[11] = sum & 0xff;
  assert.equal(parseIpv4(frag), "fragment");
  assert.throws(() => buildIpv4("10.0.0.256", "10.0.0.1", 1, 0, new Uint8Array(0)), TypeError);
});

test("icmp: echo round trip and checksum verification", () => {
  const m = buildIcmpEcho(ICMP_ECHO_REQUEST, 0xbeef, 7, new Uint8Array([1, 2, 3]));
  assert.equal(internetChecksum(m), 0);
  assert.deepEqual(parseIcmpEcho(m), { type: ICMP_ECHO_REQUEST, id: 0xbeef, seq: 7, data: m.subarray(8) });
  m[9] ^= 0xff;
  assert.equal(parseIcmpEcho(m), "bad-checksum");
  assert.equal(parseIcmpEcho(new Uint8Array(7)), "bad-length");
});

test("udp: pseudo-header checksum round trip; zero checksum accepted; corruption refused", () => {
  const s = buildUdp("10.77.0.2", "10.77.0.1", 40000, 5555, new TextEncoder().encode("hello"));
  assert.deepEqual(parseUdp(s, "10.77.0.2", "10.77.0.1"), { srcPort: 40000, dstPort: 5555, data: s.subarray(8) });
  assert.equal(parseUdp(s, "10.77.0.3", "10.77.0.1"), "bad-checksum", "the pseudo-header covers the addresses");
  const noSum = s.slice();
  noSum[6] = noSum[7] = 0;
  noSum[8] ^= 0xff;
  assert.ok(typeof parseUdp(noSum, "10.77.0.2", "10.77.0.1") !== "string");
  assert.equal(parseUdp(s.subarray(0, 7), "10.77.0.2", "10.77.0.1"), "bad-length");
});

function pair(): { a: InnerStack; b: InnerStack; wire: Uint8Array[] } {
  const wire: Uint8Array[] = [];
  // Deliver asynchronously, like a tunnel would.
  let a: InnerStack, b: InnerStack;
  a = new InnerStack({ address: "10.77.0.2", send: (p) => { wire.push(p); setImmediate(() => b.receive(p)); } });
  b = new InnerStack({ address: "10.77.0.1", send: (p) => { wire.push(p); setImmediate(() => a.receive(p)); } });
  return { a, b, wire };
}

test("InnerStack: answers an echo request and resolves its own ping", async () => {
  const { a, b, wire } = pair();
  const rtt = await a.ping("10.77.0.1", 1000, 24);
  assert.ok(rtt >= 0);
  assert.equal(b.stats.echoRequestsAnswered, 1);
  assert.equal(a.stats.echoRepliesReceived, 1);
  assert.equal(wire.length, 2);
  const reply = parseIpv4(wire[1]);
  assert.ok(typeof reply !== "string");
  assert.equal(reply.src, "10.77.0.1");
  assert.equal(reply.protocol, PROTO_ICMP);
  assert.equal((parseIcmpEcho(reply.payload) as { type: number }).type, ICMP_ECHO_REPLY);
});

test("InnerStack: UDP to a bound port reaches the handler with the sender; unbound is dropped", async () => {
  const { a, b } = pair();
  const got: Array<{ text: string; host: string; port: number }> = [];
  b.bindUdp(5555, (data, from) => got.push({ text: new TextDecoder().decode(data), ...from }));
  a.sendUdp(40000, "10.77.0.1", 5555, new TextEncoder().encode("reading"));
  a.sendUdp(40000, "10.77.0.1", 6666, new TextEncoder().encode("nobody"));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(got, [{ text: "reading", host: "10.77.0.2", port: 40000 }]);
  assert.equal(b.stats.drops["udp-no-listener"], 1);
  assert.throws(() => b.bindUdp(5555, () => {}), /already bound/);
});

test("InnerStack: ping times out when nothing answers; foreign and bad packets are counted", async () => {
  const s = new InnerStack({ address: "10.77.0.2", send: () => {} });
  await assert.rejects(s.ping("10.77.0.1", 30), /no echo reply/);
  s.receive(buildIpv4("10.77.0.1", "10.77.0.9", PROTO_UDP, 1, buildUdp("10.77.0.1", "10.77.0.9", 1, 2, new Uint8Array(0))));
  s.receive(new Uint8Array([0x45, 0, 0]));
  s.receive(buildIpv4("10.77.0.1", "10.77.0.2", 6, 1, new Uint8Array(20)));
  s.receive(buildIpv4("10.77.0.1", "10.77.0.2", PROTO_ICMP, 1, buildIcmpEcho(ICMP_ECHO_REPLY, 1, 1, new Uint8Array(0))));
  assert.deepEqual(s.stats.drops, { "not-for-us": 1, "ip-bad-header": 1, "protocol-6": 1, "icmp-unexpected-reply": 1 });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { AllowedIps, NOT_ALLOWED, NOT_AN_IP_PACKET, formatCidr, formatIp, ipPacketLength, parseCidr, parseIp } from "./allowedips.ts";

function ipv4Packet(src: number[], dst: number[], total = 28): Uint8Array {
  const p = new Uint8Array(total);
  p[0] = 0x45;
  p[2] = total >> 8;
  p[3] = total & 0xff;
  p[8] = 64;
  p[9] = 17;
  p.set(src, 12);
  p.set(dst, 16);
  return p;
}

function ipv6Packet(src: string, dst: string, payload = 8): Uint8Array {
  const p = new Uint8Array(40 + payload);
  p[0] = 0x60;
  p[4] = payload >> 8;
  p[5] = payload & 0xff;
  p[6] = 17;
  p[7] = 64;
  p.set(parseIp(src)!, 8);
  p.set(parseIp(dst)!, 24);
  return p;
}

test("parseIp: IPv4 dotted quads", () => {
  assert.deepEqual(parseIp("10.77.0.2"), new Uint8Array([10, 77, 0, 2]));
  assert.deepEqual(parseIp("0.0.0.0"), new Uint8Array(4));
  assert.deepEqual(parseIp("255.255.255.255"), new Uint8Array([255, 255, 255, 255]));
  for (const bad of ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4", "1.2..4", "", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/32", "0x1.2.3.4"]) {
    assert.equal(parseIp(bad), null, JSON.stringify(bad));
  }
});

test("parseIp: IPv6 full, compressed and with an IPv4 tail", () => {
  const hex = (s: string) => Buffer.from(parseIp(s)!).toString("hex");
  assert.equal(hex("::"), "00".repeat(16));
  assert.equal(hex("::1"), "00".repeat(15) + "01");
  assert.equal(hex("1::"), "0001" + "00".repeat(14));
  assert.equal(hex("fd00:77::2"), "fd000077" + "00".repeat(10) + "0002");
  assert.equal(hex("2001:db8:0:0:1:0:0:1"), "20010db8000000000001000000000001");
  assert.equal(hex("FD00::ABCD"), "fd00" + "00".repeat(12) + "abcd");
  assert.equal(hex("::ffff:192.0.2.1"), "00".repeat(10) + "ffffc0000201");
  assert.equal(hex("1:2:3:4:5:6:7::"), "0001000200030004000500060007" + "0000");
  assert.equal(hex("::2:3:4:5:6:7:8"), "0000" + "0002000300040005000600070008");
  assert.equal(hex("1:2:3:4:5:6:1.2.3.4"), "000100020003000400050006" + "01020304");
  for (const bad of [":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::", ":1::", "1::2:", "1:2:3:4:5:6:7:8::",
    "::1.2.3", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "1.2.3.4::"]) {
    assert.equal(parseIp(bad), null, JSON.stringify(bad));
  }
});

test("parseCidr: prefixes, bare host addresses and host-bit masking", () => {
  assert.deepEqual(parseCidr("10.77.0.2/32"), { version: 4, bytes: new Uint8Array([10, 77, 0, 2]), prefix: 32 });
  assert.deepEqual(parseCidr("10.77.0.2"), { version: 4, bytes: new Uint8Array([10, 77, 0, 2]), prefix: 32 });
  assert.deepEqual(parseCidr("10.77.1.130/25"), { version: 4, bytes: new Uint8Array([10, 77, 1, 128]), prefix: 25 });
  assert.deepEqual(parseCidr("1.2.3.4/0").bytes, new Uint8Array(4));
  assert.equal(formatCidr(parseCidr("fd00:77::1234/64")), "fd00:77::/64");
  assert.equal(formatCidr(parseCidr("::/0")), "::/0");
  assert.equal(parseCidr("::1").prefix, 128);
  assert.equal(formatCidr(parseCidr("fd00::ff/121")), "fd00::80/121");
});

test("parseCidr: errors are TypeErrors quoting the text", () => {
  for (const [bad, msg] of [["10.0.0.0/33", /out of range 0\.\.32.*10\.0\.0\.0\/33/], ["fd00::/129", /0\.\.128/], ["10.0.0.0/", /bad prefix/],
    ["10.0.0.0/08", /bad prefix/], ["10.0.0.0/-1", /bad prefix/], ["10.0.0/8", /not an IP address: "10\.0\.0\/8"/], ["", /not an IP/], ["10.0.0.0/8/8", /bad prefix/]] as const) {
    assert.throws(() => parseCidr(bad), (e: unknown) => e instanceof TypeError && msg.test(e.message), bad);
  }
});

test("formatIp: RFC 5952 compression picks the longest zero run", () => {
  assert.equal(formatIp(parseIp("2001:db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
  assert.equal(formatIp(parseIp("2001:db8:0:1:0:0:0:1")!), "2001:db8:0:1::1");
  assert.equal(formatIp(parseIp("1:2:3:4:5:6:7:8")!), "1:2:3:4:5:6:7:8");
  assert.equal(formatIp(parseIp("1:0:3:4:5:6:7:8")!), "1:0:3:4:5:6:7:8");
  assert.equal(formatIp(parseIp("192.0.2.1")!), "192.0.2.1");
});

test("AllowedIps.allowsSource filters IPv4 by source address", () => {
  const a = new AllowedIps(["10.77.0.0/24", "192.168.1.7/32"]);
  assert.ok(a.allowsSource(ipv4Packet([10, 77, 0, 9], [1, 1, 1, 1])));
  assert.ok(a.allowsSource(ipv4Packet([10, 77, 0, 255], [1, 1, 1, 1])));
  assert.ok(a.allowsSource(ipv4Packet([192, 168, 1, 7], [10, 77, 0, 9])));
  assert.equal(a.allowsSource(ipv4Packet([10, 77, 1, 9], [10, 77, 0, 9])), false, "outside the /24");
  assert.equal(a.allowsSource(ipv4Packet([192, 168, 1, 8], [10, 77, 0, 9])), false);
  assert.equal(a.allowsSource(ipv4Packet([1, 1, 1, 1], [10, 77, 0, 9])), false, "destination in range does not count");
  assert.ok(a.allowsDestination(ipv4Packet([1, 1, 1, 1], [10, 77, 0, 9])));
});

test("AllowedIps.allowsSource filters IPv6 by source address, never across versions", () => {
  const a = new AllowedIps(["fd00:77::/64", "0.0.0.0/0"]);
  assert.ok(a.allowsSource(ipv6Packet("fd00:77::5", "fd00:1::1")));
  assert.ok(a.allowsSource(ipv6Packet("fd00:77::ffff:ffff:ffff:ffff", "::1")));
  assert.equal(a.allowsSource(ipv6Packet("fd00:78::5", "fd00:77::1")), false);
  assert.equal(a.allowsSource(ipv6Packet("::ffff:10.0.0.1", "fd00:77::1")), false, "0.0.0.0/0 does not admit IPv6");
  assert.ok(a.allowsSource(ipv4Packet([8, 8, 8, 8], [1, 2, 3, 4])), "0.0.0.0/0 admits every IPv4");
  const odd = new AllowedIps(["fd00:77::80/121"]);
  assert.ok(odd.allowsSource(ipv6Packet("fd00:77::ff", "::1")));
  assert.equal(odd.allowsSource(ipv6Packet("fd00:77::7f", "::1")), false);
});

test("AllowedIps: empty list, truncated or non-IP packets are refused", () => {
  assert.equal(new AllowedIps([]).allowsSource(ipv4Packet([10, 0, 0, 1], [10, 0, 0, 2])), false);
  const a = new AllowedIps(["0.0.0.0/0", "::/0"]);
  assert.equal(a.allowsSource(new Uint8Array(0)), false);
  assert.equal(a.allowsSource(ipv4Packet([10, 0, 0, 1], [10, 0, 0, 2]).subarray(0, 19)), false);
  assert.equal(a.allowsSource(ipv6Packet("::1", "::2").subarray(0, 39)), false);
  const v5 = ipv4Packet([10, 0, 0, 1], [10, 0, 0, 2]);
  v5[0] = 0x55;
  assert.equal(a.allowsSource(v5), false);
  assert.throws(() => new AllowedIps(["10.0.0.0/8", "nonsense"]), /nonsense/);
});

test("ipPacketLength reads the header's length and rejects lies", () => {
  const v4 = ipv4Packet([10, 0, 0, 1], [10, 0, 0, 2], 28);
  const padded = new Uint8Array(32);
  padded.set(v4);
  assert.equal(ipPacketLength(padded), 28, "WireGuard padding trimmed");
  assert.equal(ipPacketLength(v4), 28);
  assert.equal(ipPacketLength(v4.subarray(0, 27)), -1, "claims more than present");
  const shortHeader = new Uint8Array(v4);
  shortHeader[0] = 0x44;
  assert.equal(ipPacketLength(shortHeader), -1, "IHL below 5");
  const tinyTotal = new Uint8Array(v4);
  tinyTotal[3] = 19;
  assert.equal(ipPacketLength(tinyTotal), -1, "total below the header");
  const v6 = ipv6Packet("::1", "::2", 8);
  const padded6 = new Uint8Array(64);
  padded6.set(v6);
  assert.equal(ipPacketLength(padded6), 48);
  assert.equal(ipPacketLength(v6.subarray(0, 47)), -1);
  assert.equal(ipPacketLength(ipv6Packet("::1", "::2", 0)), 40);
  assert.equal(ipPacketLength(new Uint8Array(0)), -1);
  assert.equal(ipPacketLength(new Uint8Array(16)), -1, "version 0 (all zero padding, e.g. a keepalive)");
  assert.equal(ipPacketLength(v4.subarray(0, 19)), -1);
});

/** Reference for the word-wise filter: the first `prefix` bits of the address equal the network's. */
function inRange(address: Uint8Array, cidr: string): boolean {
  const c = parseCidr(cidr);
  if (c.bytes.length !== address.length) return false;
  for (let bit = 0; bit < c.prefix; bit++) {
    const shift = 7 - (bit & 7);
    if (((address[bit >> 3] >> shift) & 1) !== ((c.bytes[bit >> 3] >> shift) & 1)) return false;
  }
  return true;
}

test("filteredLength: the length when the checked address is allowed, NOT_ALLOWED or NOT_AN_IP_PACKET otherwise", () => {
  const a = new AllowedIps(["10.77.0.0/24", "192.168.1.7/32", "fd00:77::/64"]);
  const v4 = ipv4Packet([10, 77, 0, 9], [200, 1, 1, 1], 28);
  const padded = new Uint8Array(32);
  padded.set(v4);
  assert.equal(a.filteredLength(padded, padded.length, true), 28, "source allowed; padding trimmed");
  assert.equal(a.filteredLength(padded, padded.length, false), NOT_ALLOWED, "destination 200.1.1.1 not routed");
  assert.equal(a.filteredLength(ipv4Packet([200, 1, 1, 1], [192, 168, 1, 7]), 28, false), 28);
  assert.equal(a.filteredLength(v4.subarray(0, 27), 27, true), NOT_AN_IP_PACKET, "claims more than present");
  assert.equal(a.filteredLength(v4, 27, true), NOT_AN_IP_PACKET, "claims more than n, however long the array");
  const shortHeader = new Uint8Array(v4);
  shortHeader[0] = 0x44;
  assert.equal(a.filteredLength(shortHeader, shortHeader.length, true), NOT_AN_IP_PACKET, "IHL below 5");
  const tinyTotal = new Uint8Array(v4);
  tinyTotal[3] = 19;
  assert.equal(a.filteredLength(tinyTotal, tinyTotal.length, true), NOT_AN_IP_PACKET, "total below the header");
  assert.equal(a.filteredLength(new Uint8Array(0), 0, true), NOT_AN_IP_PACKET);
  assert.equal(a.filteredLength(padded, 0, true), NOT_AN_IP_PACKET, "n = 0: nothing is read");
  assert.equal(a.filteredLength(new Uint8Array(16), 16, true), NOT_AN_IP_PACKET, "version 0");
  const v6 = ipv6Packet("fd00:77::5", "fd00:1::1", 8);
  const padded6 = new Uint8Array(64);
  padded6.set(v6);
  assert.equal(a.filteredLength(padded6, padded6.length, true), 48);
  assert.equal(a.filteredLength(padded6, padded6.length, false), NOT_ALLOWED);
  assert.equal(a.filteredLength(v6.subarray(0, 47), 47, true), NOT_AN_IP_PACKET);
  assert.equal(new AllowedIps(["10.0.0.0/8"]).filteredLength(padded6, padded6.length, true), NOT_ALLOWED, "no IPv6 range at all");
});

test("the halfword-wise filter agrees with a bit-by-bit reference on random addresses and prefixes", () => {
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => rand(256));
  let allowed = 0, refused = 0;
  for (let round = 0; round < 400; round++) {
    // A few ranges of either family; addresses drawn near them (a random host in a random range
    // with some bits flipped) so that both outcomes occur often, across the sign bit (>= 128.x).
    const cidrs: string[] = [];
    const count = 1 + rand(3);
    for (let i = 0; i < count; i++) {
      const six = rand(2) === 1;
      cidrs.push(`${formatIp(bytes(six ? 16 : 4))}/${rand(six ? 129 : 33)}`);
    }
    const a = new AllowedIps(cidrs);
    for (let j = 0; j < 20; j++) {
      const base = parseCidr(cidrs[rand(cidrs.length)]).bytes;
      const addr = new Uint8Array(base);
      const flips = rand(3);
      for (let f = 0; f < flips; f++) addr[rand(addr.length)] ^= 1 << rand(8);
      if (rand(4) === 0) addr[addr.length - 1] = rand(256);
      const packet = addr.length === 4 ? ipv4Packet([...addr], [1, 2, 3, 4]) : ipv6Packet(formatIp(addr), "::1");
      const want = cidrs.some((c) => inRange(addr, c));
      assert.equal(a.allowsSource(packet), want, `${formatIp(addr)} in ${cidrs.join(", ")}`);
      assert.equal(a.filteredLength(packet, packet.length, true), want ? packet.length : NOT_ALLOWED);
      if (want) allowed++; else refused++;
    }
  }
  assert.ok(allowed > 1000 && refused > 1000, `both outcomes (allowed ${allowed}, refused ${refused})`);
});

// firmwarePlatform over a fake `hw`: each Platform member reaches the matching native with its
// arguments unchanged (most members are the natives themselves), the optional per-packet members
// exist exactly when the natives do, and a refused outer send is a lost packet (logged,
// rate-limited), not a throw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { firmwarePlatform } from "./firmware.ts";

type Call = [string, unknown[]];

function installFakeNatives(udpSend: (bytes: Uint8Array, host: string, port: number) => boolean, perPacket = false) {
  const calls: Call[] = [];
  const rec = (name: string, result: unknown = undefined) => (...args: unknown[]) => {
    calls.push([name, args]);
    return typeof result === "function" ? (result as (...a: unknown[]) => unknown)(...args) : result;
  };
  (globalThis as any).hw = {
    x25519: rec("x25519", new Uint8Array(32)), x25519Base: rec("x25519Base", new Uint8Array(32)),
    aeadSeal: rec("aeadSeal", new Uint8Array(16)), aeadOpen: rec("aeadOpen", null),
    xaeadSeal: rec("xaeadSeal", new Uint8Array(16)), xaeadOpen: rec("xaeadOpen", null),
    blake2s: rec("blake2s", new Uint8Array(32)), hmacBlake2s: rec("hmacBlake2s", new Uint8Array(32)), randomBytes: rec("randomBytes", new Uint8Array(4)),
    nowMs: rec("nowMs", 42), wallClockMs: rec("wallClockMs", null),
    storeGet: rec("storeGet", "v"), storePut: rec("storePut"),
    udpSend: rec("udpSend", udpSend), tunnelDeliver: rec("tunnelDeliver", true), log: rec("log"),
    ...(perPacket ? {
      openTransport: rec("openTransport", -4), sendTransport: rec("sendTransport", true),
      tunnelDeliverPrefix: rec("tunnelDeliverPrefix", true),
    } : {}),
  };
  return calls;
}

test("firmwarePlatform: every member calls its native with the same arguments", () => {
  const calls = installFakeNatives(() => true);
  const p = firmwarePlatform();
  const k = new Uint8Array(32), d = new Uint8Array(3), n = new Uint8Array(24);
  p.crypto.x25519(k, d);
  p.crypto.x25519Base(k);
  p.crypto.aeadSeal(k, 7, d, n);
  assert.equal(p.crypto.aeadOpen(k, 8, d, n), null);
  p.crypto.xaeadSeal(k, n, d, d);
  p.crypto.xaeadOpen(k, n, d, d);
  p.crypto.blake2s(16, d, k);
  p.crypto.hmacBlake2s(k, d);
  assert.equal(p.random.randomBytes(4).length, 4);
  assert.equal(p.clock.nowMs(), 42);
  assert.equal(p.clock.wallClockMs(), null);
  assert.equal(p.store.get("a"), "v");
  p.store.put("a", "b");
  p.io.sendDatagram(d, { host: "192.0.2.1", port: 51820 });
  p.io.deliverToTunnel(d);
  p.io.log(2, "hi");
  assert.deepEqual(calls.map((c) => c[0]), ["x25519", "x25519Base", "aeadSeal", "aeadOpen", "xaeadSeal", "xaeadOpen", "blake2s",
    "hmacBlake2s", "randomBytes", "nowMs", "wallClockMs", "storeGet", "storePut", "udpSend", "tunnelDeliver", "log"]);
  assert.deepEqual(calls[2][1], [k, 7, d, n]);
  assert.deepEqual(calls[6][1], [16, d, k]);
  assert.deepEqual(calls[7][1], [k, d]);
  assert.deepEqual(calls[13][1], [d, "192.0.2.1", 51820]);
  assert.deepEqual(calls[15][1], [2, "hi"]);
});

test("firmwarePlatform: a send the board refuses or cannot make is dropped, logged once per 100", () => {
  const calls = installFakeNatives((_b, host) => {
    if (host.includes(":")) throw new RangeError("udpSend: host must be a dotted IPv4 address");
    return false;
  });
  const p = firmwarePlatform();
  p.io.sendDatagram(new Uint8Array(1), { host: "192.0.2.1", port: 1 }); // false: silently lost
  for (let i = 0; i < 150; i++) p.io.sendDatagram(new Uint8Array(1), { host: "fd00::1", port: 1 });
  const logs = calls.filter((c) => c[0] === "log");
  assert.equal(logs.length, 2, "the 1st and 101st failure are logged");
  assert.match(String(logs[0][1][1]), /fd00::1:1 failed: udpSend: host must be a dotted IPv4/);
});

test("firmwarePlatform: members with the native's signature are the natives (no JS closure per call)", () => {
  installFakeNatives(() => true, true);
  const hw = (globalThis as any).hw;
  const p = firmwarePlatform();
  const c = p.crypto as unknown as Record<string, unknown>;
  for (const name of ["x25519", "x25519Base", "aeadSeal", "aeadOpen", "xaeadSeal", "xaeadOpen", "blake2s", "openTransport"]) {
    assert.equal(c[name], hw[name], `crypto.${name}`);
  }
  assert.equal(p.random.randomBytes, hw.randomBytes);
  assert.equal(p.clock.nowMs, hw.nowMs);
  assert.equal(p.clock.wallClockMs, hw.wallClockMs);
  assert.equal(p.store.get, hw.storeGet);
  assert.equal(p.store.put, hw.storePut);
  assert.equal(p.io.deliverToTunnel, hw.tunnelDeliver);
  assert.equal(p.io.deliverPrefixToTunnel, hw.tunnelDeliverPrefix);
  assert.equal(p.io.sendTransport, hw.sendTransport);
  assert.equal(p.io.log, hw.log);
  assert.notEqual(p.io.sendDatagram, hw.udpSend, "sendDatagram adapts (bytes, address) and drops refused sends");
});

test("firmwarePlatform: the optional per-packet members reach their natives, and exist only when the natives do", () => {
  const calls = installFakeNatives(() => true, true);
  const p = firmwarePlatform();
  const k = new Uint8Array(32), h = new Uint8Array(16), d = new Uint8Array(20), m = new Uint8Array(48), out = new Uint8Array(16);
  assert.equal(p.io.sendTransport!(k, 3, h, d, 32, "192.0.2.1", 51820), true);
  assert.equal(p.crypto.openTransport!(k, 7, m, out), -4);
  p.io.deliverPrefixToTunnel!(m, 20);
  assert.deepEqual(calls, [["sendTransport", [k, 3, h, d, 32, "192.0.2.1", 51820]], ["openTransport", [k, 7, m, out]],
    ["tunnelDeliverPrefix", [m, 20]]]);

  installFakeNatives(() => true, false);
  const plain = firmwarePlatform();
  assert.equal("openTransport" in plain.crypto, false);
  assert.equal("sendTransport" in plain.io, false);
  assert.equal("deliverPrefixToTunnel" in plain.io, false);
});

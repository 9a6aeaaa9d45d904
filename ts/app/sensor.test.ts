import { test } from "node:test";
import assert from "node:assert/strict";
import { Sensor, parseSensorOptions } from "./sensor.ts";
import type { Address } from "../platform/platform.ts";
import type { DeviceStatus } from "../wireguard/status.ts";

function fakeStatus(): DeviceStatus {
  return { state: "established", lastHandshakeMs: 5, endpoint: { host: "192.0.2.1", port: 51820 }, rxBytes: 1, txBytes: 2, rxPackets: 3, txPackets: 4, handshakes: 1, keypairs: 1, datagramsIn: 7, datagramsAccepted: 6, drops: { "bad-mac1": 1 } };
}

function rig(opts = '{"collector":"10.77.0.1:9999","readingIntervalMs":1000,"statusIntervalMs":3000}', accept = true) {
  const clock = { t: 100, nowMs() { return this.t; }, wallClockMs() { return null; } };
  const sent: { text: string; to: Address }[] = [];
  const logs: string[] = [];
  const sensor = new Sensor(parseSensorOptions(opts), clock, {
    send(bytes, to) { sent.push({ text: new TextDecoder().decode(bytes), to }); return accept; },
    log(_level, message) { logs.push(message); },
    status: fakeStatus,
  });
  return { clock, sent, logs, sensor };
}

test("sensor: first reading at boot, then one per interval, in sequence, to the collector", () => {
  const r = rig();
  r.sensor.tick();
  assert.equal(r.sent.length, 1);
  assert.deepEqual(r.sent[0].to, { host: "10.77.0.1", port: 9999 });
  r.clock.t += 999;
  r.sensor.tick();
  assert.equal(r.sent.length, 1, "not before the interval");
  r.clock.t += 1;
  r.sensor.tick();
  assert.equal(r.sent.length, 2);
  const readings = r.sent.map((s) => JSON.parse(s.text));
  assert.deepEqual(readings.map((x) => x.seq), [0, 1]);
  assert.equal(readings[1].device, "sensor");
  assert.equal(readings[1].uptimeMs, 1100);
  assert.ok(readings[1].celsius > 18 && readings[1].celsius < 24);
});

test("sensor: status line every statusIntervalMs, JSON, no key material fields", () => {
  const r = rig();
  r.sensor.tick();
  assert.equal(r.logs.length, 0);
  r.clock.t += 3000;
  r.sensor.tick();
  assert.equal(r.logs.length, 1);
  assert.match(r.logs[0], /^status \{/);
  const s = JSON.parse(r.logs[0].slice(7));
  assert.equal(s.state, "established");
  assert.equal(s.endpoint, "192.0.2.1:51820");
  assert.equal(s.readingsSent, 2);
  assert.equal(s.datagramsAccepted, 6);
  assert.ok(!/key/i.test(r.logs[0]), "no key fields");
});

test("sensor: refused sends are counted and reported (not every time)", () => {
  const r = rig(undefined, false);
  for (let i = 0; i < 12; i++) {
    r.sensor.tick();
    r.clock.t += 1000;
  }
  assert.equal(r.logs.filter((l) => l.includes("refused")).length, 2, "reported on the 1st and 11th refusal");
  assert.match(r.sensor.statusLine(), /"readingsRefused":12/);
  assert.equal(JSON.parse(r.sensor.statusLine()).nowMs, r.clock.t, "the clock lastHandshakeMs is on, for its age");
});

test("sensor options: defaults and errors naming the field", () => {
  const o = parseSensorOptions('{"collector":"10.0.0.1:1"}');
  assert.equal(o.readingIntervalMs, 5000);
  assert.equal(o.statusIntervalMs, 10000);
  assert.throws(() => parseSensorOptions('{"collector":"10.0.0.1"}'), /app\.collector/);
  assert.throws(() => parseSensorOptions('{"collector":"10.0.0.1:70000"}'), /app\.collector/);
  assert.throws(() => parseSensorOptions('{"collector":"10.0.0.1:1","name":"a b"}'), /app\.name/);
  assert.throws(() => parseSensorOptions('{"collector":"10.0.0.1:1","readingIntervalMs":50}'), /readingIntervalMs/);
  assert.throws(() => parseSensorOptions('{"collector":"10.0.0.1:1","statusIntervalMs":-1}'), /statusIntervalMs/);
  assert.throws(() => parseSensorOptions("[1]"), TypeError);
});

test("sensor: an IPv6 collector; an IPv6 endpoint in brackets and the DNS lookups in the status line", () => {
  const o = parseSensorOptions('{"collector":"[FD77:0::1]:9999"}');
  assert.deepEqual(o.collector, { host: "fd77::1", port: 9999 }, "normalized as the core writes addresses");
  for (const bad of ["[fd77::1]", "fd77::1:9999", "[fd77::1::2]:9999", "[10.77.0.1]:9999x", "10.77.0.300:9999", "[fd77::1]:0"]) {
    assert.throws(() => parseSensorOptions(JSON.stringify({ collector: bad })), /app\.collector: expected "A\.B\.C\.D:port" or "\[IPv6\]:port"/, bad);
  }
  const clock = { nowMs: () => 0, wallClockMs: () => null };
  const s = new Sensor(o, clock, {
    send: () => true,
    log: () => {},
    status: () => ({ ...fakeStatus(), endpoint: { host: "fd00:77::1", port: 51820 } }),
    dns: () => ({ name: "home.homewire.test", state: "resolved" }),
  });
  const line = JSON.parse(s.statusLine());
  assert.equal(line.endpoint, "[fd00:77::1]:51820");
  assert.deepEqual(line.dns, { name: "home.homewire.test", state: "resolved" });
  assert.ok(!("dns" in JSON.parse(rig().sensor.statusLine())), "no dns field when home is an address");
});

// The TypeScript endpoint (ts/wireguard Device on the Node platform) against Debian's
// wireguard-go in network namespaces. Every check is its own test on a fresh bench; each asserts
// on both sides: the device's status and wireguard-go's `wg show dump` (or the Linux kernel's ping).
import { test } from "node:test";
import assert from "node:assert/strict";
import { nsPing, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER } from "./netns.ts";
import { Bench, DEV_ECHO_PORT, DEV_PORT, HOME_ECHO_PORT, HOME_PORT, benchRunner } from "./fixture.ts";
import { run, sleep, waitFor } from "./proc.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { b64 } from "./netns.ts";

const withBench = benchRunner("interop device tests");

async function initiatorHandshake(b: Bench): Promise<void> {
  await b.startAgent();
  assert.equal((await b.wg.dump()).latestHandshake, 0);
  await b.agent!.request("connect");
  const s = await b.waitHandshakes(1);
  assert.equal(s.device.state, "established");
  const d = await b.waitHomeHandshake(0);
  assert.equal(d.endpoint, `${DEV_OUTER}:${DEV_PORT}`, "wireguard-go learned the device's endpoint");
  // The keys are only proven right when data decrypts on both sides.
  const p = await b.ping(HOME_INNER, 2);
  assert.deepEqual(p.errors, []);
}

async function responderHandshake(b: Bench): Promise<void> {
  await b.startAgent();
  // The device has no endpoint: only wireguard-go can start. A kernel ping from home makes it.
  const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3);
  assert.ok(ping.ok, `ping home -> device failed:\n${ping.output}`);
  const s = await b.waitHandshakes(1);
  assert.deepEqual(s.device.endpoint, { host: HOME_OUTER, port: HOME_PORT }, "device learned home's endpoint from the initiation");
  assert.ok(s.inner.echoRequestsAnswered >= 1);
  assert.ok((await b.wg.dump()).latestHandshake > 0);
}

test("handshake: TS device as initiator, no PSK", (t) => withBench(t, {}, initiatorHandshake));

test("handshake: TS device as initiator, with PSK", (t) => withBench(t, { psk: true }, async (b) => {
  assert.ok((await b.wg.dump()).presharedKey);
  await initiatorHandshake(b);
}));

test("handshake: TS device as responder, no PSK", (t) => withBench(t, { deviceKnowsHome: false, homeKnowsDevice: true }, responderHandshake));

test("handshake: TS device as responder, with PSK", (t) => withBench(t, { deviceKnowsHome: false, homeKnowsDevice: true, psk: true }, responderHandshake));

test("handshake: a mismatched PSK never completes (the PSK is really mixed in)", (t) => withBench(t, { pskMismatch: true }, async (b) => {
  await b.startAgent();
  await b.agent!.request("connect");
  await sleep(2500);
  const s = await b.status();
  assert.equal(s.device.handshakes, 0);
  assert.notEqual(s.device.state, "established");
  const p = await b.ping(HOME_INNER, 1, 1000);
  assert.equal(p.rtts.length, 0, "no data may flow");
  // wireguard-go answered, but the response must fail to authenticate at the device.
  const dropped = Object.values(s.device.drops).reduce((a, n) => a + n, 0);
  assert.ok(dropped >= 1, `device counted the bad response as a drop: ${JSON.stringify(s.device.drops)}`);
}));

test("ICMP echo: device pings home through the tunnel (Linux answers behind wireguard-go)", (t) => withBench(t, {}, async (b) => {
  await b.startAgent();
  const p = await b.ping(HOME_INNER, 5);
  assert.deepEqual(p.errors, []);
  assert.equal(p.rtts.length, 5);
  const s = await b.status();
  assert.equal(s.inner.echoRepliesReceived, 5);
  assert.ok(s.device.rxPackets >= 5 && s.device.txPackets >= 5);
  const d = await b.wg.dump();
  assert.ok(d.rxBytes >= 5 * (32 + 84), `wireguard-go rx ${d.rxBytes}`);
}));

test("ICMP echo: home pings the device (the inner responder answers)", (t) => withBench(t, {}, async (b) => {
  await b.startAgent();
  await b.agent!.request("connect");
  await b.waitHandshakes(1);
  const before = await b.status();
  const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 5);
  assert.ok(ping.ok, ping.output);
  assert.match(ping.output, /5 packets transmitted, 5 received/);
  const after = await b.status();
  assert.equal(after.inner.echoRequestsAnswered - before.inner.echoRequestsAnswered, 5);
}));

test("UDP: device -> home and home -> device, each echoed back", (t) => withBench(t, {}, async (b) => {
  const home = await b.startUdpAgent();
  const dev = await b.startAgent();
  // Device to home: the home socket sees it from 10.77.0.2:7000, its echo comes back to the device.
  await dev.request("udp", { srcPort: DEV_ECHO_PORT, dst: HOME_INNER, dstPort: HOME_ECHO_PORT, text: "reading-1" });
  const atHome = await home.waitForEvent((e) => e.event === "udp" && e.text === "reading-1", 8000);
  assert.deepEqual(atHome.from, { host: DEV_INNER, port: DEV_ECHO_PORT });
  await dev.waitForEvent((e) => e.event === "udp" && e.text === "echo:reading-1", 5000);
  // Home to device.
  await home.request("send", { fromPort: HOME_ECHO_PORT, host: DEV_INNER, port: DEV_ECHO_PORT, text: "command-1" });
  const atDev = await dev.waitForEvent((e) => e.event === "udp" && e.text === "command-1", 5000);
  assert.deepEqual(atDev.from, { host: HOME_INNER, port: HOME_ECHO_PORT });
  await home.waitForEvent((e) => e.event === "udp" && e.text === "echo:command-1", 5000);
}));

test("wireguard-go restart: the device re-handshakes and traffic flows again", (t) => withBench(t, {}, async (b) => {
  await b.startAgent();
  assert.deepEqual((await b.ping(HOME_INNER, 1)).errors, []);
  const before = await b.status();
  await b.wg.restart();
  assert.equal((await b.wg.dump()).latestHandshake, 0, "the new wireguard-go knows no session");
  // wireguard-go was told no endpoint for the device, so only the device can re-establish:
  // data sent into the void arms its new-handshake timer (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT).
  await b.ping(HOME_INNER, 1, 500);
  await b.agent!.request("advance", { ms: 15500 });
  await b.waitHandshakes(before.device.handshakes + 1);
  await b.waitHomeHandshake(0);
  const p = await b.ping(HOME_INNER, 3);
  assert.deepEqual(p.errors, []);
}));

test("rekey: a new handshake after REKEY_AFTER_TIME on the device clock", (t) => withBench(t, {}, async (b) => {
  await b.startAgent();
  assert.deepEqual((await b.ping(HOME_INNER, 1)).errors, []);
  const first = await b.wg.dump();
  const before = await b.status();
  assert.equal(before.device.handshakes, 1);
  await sleep(1100); // wg reports latest-handshake in whole seconds
  await b.agent!.request("advance", { ms: 121000 });
  // Sending on a keypair older than REKEY_AFTER_TIME makes the initiator rekey.
  await b.ping(HOME_INNER, 1);
  const after = await b.waitHandshakes(2);
  assert.ok(after.device.lastHandshakeMs! >= before.device.lastHandshakeMs! + 121000);
  await b.waitHomeHandshake(first.latestHandshake);
  const p = await b.ping(HOME_INNER, 3);
  assert.deepEqual(p.errors, []);
}));

test("persistent keepalive: the idle device keeps sending, wireguard-go keeps receiving", (t) => withBench(t, { deviceKeepalive: 1 }, async (b) => {
  await b.startAgent();
  await b.agent!.request("connect");
  await b.waitHandshakes(1);
  const s0 = await b.status();
  const d0 = await b.wg.dump();
  await sleep(3500);
  const s1 = await b.status();
  const d1 = await b.wg.dump();
  assert.equal(s1.inner.sent, s0.inner.sent, "no application traffic in the window");
  // txPackets counts inner packets only; txBytes counts every datagram, keepalives included.
  assert.equal(s1.device.txPackets, s0.device.txPackets, "keepalives are not data");
  assert.ok(s1.device.txBytes - s0.device.txBytes >= 64, `device sent ${s1.device.txBytes - s0.device.txBytes} bytes of keepalives`);
  // A keepalive is an empty transport message: 32 bytes at wireguard-go.
  assert.ok(d1.rxBytes - d0.rxBytes >= 64, `wireguard-go rx grew by ${d1.rxBytes - d0.rxBytes}`);
}));

/** First boot without a wall clock, handshake after 60 s of uptime (so its TAI64N is well
 *  above what a fresh boot would produce), then a reboot: clock at zero, store as given. */
async function rebootWithoutClock(b: Bench, secondStore: string): Promise<{ firstHome: number }> {
  await b.startAgent({ wallClock: false });
  await b.agent!.request("advance", { ms: 60000 });
  await b.agent!.request("connect");
  await b.waitHandshakes(1);
  const first = await b.waitHomeHandshake(0);
  await b.stopAgent();
  await sleep(1100); // wg reports latest-handshake in whole seconds
  await b.startAgent({ wallClock: false, storePath: secondStore });
  const s0 = await b.status();
  assert.ok(s0.nowMs < 5000, `clock restarted near zero (${s0.nowMs})`);
  assert.equal(s0.device.handshakes, 0);
  await b.agent!.request("connect");
  return { firstHome: first.latestHandshake };
}

test("device restart: clock back at zero, no wall clock, same Store -> handshake accepted", (t) => withBench(t, {}, async (b) => {
  const { firstHome } = await rebootWithoutClock(b, b.storePath);
  await b.waitHandshakes(1);
  await b.waitHomeHandshake(firstHome);
  const p = await b.ping(HOME_INNER, 2);
  assert.deepEqual(p.errors, []);
}));

test("device restart control: same reboot with a wiped Store is refused by wireguard-go (stale TAI64N)", (t) => withBench(t, {}, async (b) => {
  // Proves the test above depends on the Store: without it the rebooted device's timestamps
  // restart near zero, below what wireguard-go already saw, and every initiation is dropped.
  const { firstHome } = await rebootWithoutClock(b, b.storePath + ".wiped");
  await sleep(3000);
  const s = await b.status();
  assert.equal(s.device.handshakes, 0, "no handshake may complete");
  assert.equal((await b.wg.dump()).latestHandshake, firstHome, "wireguard-go accepted no new initiation");
}));

test("tshark: an independent dissector decrypts every device initiation (right static key, TAI64N rising across the reboot)", (t) => withBench(t, {}, async (b) => {
  // Wireshark's WireGuard dissector is a third implementation: given home's static private key
  // it opens each initiation's encrypted static and timestamp.
  const pcap = join(b.topo.dir, "home.pcap");
  const capture = b.topo.spawn("tshark", b.topo.home, ["tshark", "-q", "-i", "veth0", "-f", `udp port ${HOME_PORT}`, "-w", pcap]);
  await waitFor("tshark to start capturing", () => capture.tail.includes("Capture started") || (!capture.running && Promise.reject(new Error(capture.tail))), 10000);
  const { firstHome } = await rebootWithoutClock(b, b.storePath);
  await b.waitHomeHandshake(firstHome);
  await sleep(300);
  await capture.stop();
  const keylog = join(b.topo.dir, "home.keylog");
  writeFileSync(keylog, `LOCAL_STATIC_PRIVATE_KEY = ${b64(b.home.privateKey)}\n`, { mode: 0o600 });
  const r = await run(["tshark", "-r", pcap, "-o", `wg.keylog_file:${keylog}`, "-Y", "wg.type == 1", "-T", "fields",
    "-e", "wg.static", "-e", "wg.timestamp.tai64_label", "-e", "wg.timestamp.nanoseconds"], { timeoutMs: 20000 });
  const initiations = r.stdout.trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
  assert.ok(initiations.length >= 2, `expected initiations from both boots, got:\n${r.stdout}`);
  let previous = -1n;
  for (const [staticKey, label, ns] of initiations) {
    assert.equal(staticKey, b64(b.dev.publicKey), "decrypted static key is the device's");
    const stamp = BigInt(label) * 1000000000n + BigInt(ns);
    assert.ok(stamp > previous, `TAI64N not rising: ${label}.${ns}`);
    previous = stamp;
  }
}));

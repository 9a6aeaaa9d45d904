// The firmware on the host board (ENGINE=duktape by default) against Debian's wireguard-go:
// handshakes in both roles, pings answered by lwIP, readings at the collector, a wireguard-go
// restart, 10^4 malformed datagrams, and a firmware restart with its store. Needs root.
// Run by `make test-firmware`, which builds the firmware and image first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { interopUnavailable, nsPing, removeStaleNamespaces, DEV_INNER, DEV_OUTER } from "../interop/netns.ts";
import { run, sleep, waitFor } from "../interop/proc.ts";
import { FirmwareBench, ENGINE, FIRMWARE_BIN, FIRMWARE_IMAGE, FLOOD, DEV_PORT, type ExitReport } from "./bench.ts";

let unavailable: string | null = null;
const peaks: number[] = [];

before(async () => {
  unavailable = await interopUnavailable();
  if (!unavailable && !existsSync(FIRMWARE_BIN)) unavailable = `${FIRMWARE_BIN} not built (make firmware-image ENGINE=${ENGINE})`;
  if (!unavailable && !existsSync(FIRMWARE_IMAGE)) unavailable = `${FIRMWARE_IMAGE} not built`;
  if (unavailable) console.log(`\n*** SKIPPED firmware host-board tests (${ENGINE}): ${unavailable} ***\n`);
  else await removeStaleNamespaces();
});

after(() => {
  if (peaks.length) console.log(`# firmware ${ENGINE}: JS heap peak over ${peaks.length} runs: max ${Math.max(...peaks)} bytes`);
});

function record(r: ExitReport): void {
  if (r.heapPeak !== null) peaks.push(r.heapPeak);
}

async function withBench(opts: ConstructorParameters<typeof Object>[0], body: (b: FirmwareBench) => Promise<void>): Promise<void> {
  const b = await FirmwareBench.create(opts as any);
  try {
    await body(b);
  } catch (e) {
    (e as Error).message += `\n${b.diagnostics()}`;
    throw e;
  } finally {
    if (b.running) record(await b.stopFirmware());
    await b.destroy();
  }
}

test("device initiates: handshake, readings reach the collector, home pings the device (lwIP answers)", async (t) => {
  if (unavailable) return t.skip(unavailable);
  await withBench({}, async (b) => {
    await b.startFirmware();
    await b.waitReadings(3, 15000);
    const d = await b.wg.dump();
    assert.ok(d.latestHandshake > 0, "wireguard-go saw a handshake");
    assert.equal(d.endpoint, `${DEV_OUTER}:${DEV_PORT}`, "wireguard-go learned the device's outer endpoint");
    const r = b.readings();
    assert.equal(r[0].device, "fwtest");
    assert.ok(r.every((x, i) => i === 0 || x.seq > r[i - 1].seq), "readings arrive in order, no duplicates");
    const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3);
    assert.ok(ping.ok, `ping ${DEV_INNER} through the tunnel: ${ping.output}`);
    // The app's status line (printed every second) counts the three echo requests it received.
    const s = await waitFor("app status with the pings counted", () => {
      const st = b.appStatus();
      return st && st.state === "established" && st.rxPackets >= 3 ? st : null;
    }, 5000);
    assert.ok(s.handshakes >= 1 && s.txPackets >= 3, `device counters: ${JSON.stringify(s)}`);
    // lwIP answers ARP/ICMP on the outer side too: the board's NIC is really there.
    const outer = await nsPing(b.topo, b.topo.home, DEV_OUTER, 1);
    assert.ok(outer.ok, `outer ping ${DEV_OUTER}: ${outer.output}`);
    const exit = await b.stopFirmware();
    record(exit);
    const heapAt = (tag: string) => /heap-current=(\d+)/.exec(exit.lines.filter((l) => l.startsWith(tag)).pop() ?? "")?.[1];
    console.log(`# heap (${ENGINE}): after start ${heapAt("[started]")}, running ${heapAt("[status]")}, peak ${exit.heapPeak} bytes`);
    assert.equal(exit.code, 0, "clean exit on SIGTERM");
    assert.ok(exit.heapPeak !== null && exit.heapPeak > 0 && exit.heapPeak <= (exit.heapLimit ?? Infinity), `heap peak reported within the limit: ${exit.heapPeak}`);
  });
});

test("device responds: wireguard-go initiates (home pings first), then readings flow", async (t) => {
  if (unavailable) return t.skip(unavailable);
  await withBench({ deviceKnowsHome: false, homeKnowsDevice: true, psk: true }, async (b) => {
    await b.startFirmware();
    await sleep(1500);
    assert.equal(b.readings().length, 0, "no readings before the peer is known");
    assert.equal((await b.wg.dump()).latestHandshake, 0, "no handshake yet");
    const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3, 3);
    assert.ok(ping.ok, `ping answered after wireguard-go's initiation: ${ping.output}`);
    assert.ok((await b.wg.dump()).latestHandshake > 0);
    await b.waitReadings(2, 10000);
  });
});

test("a wireguard-go restart is survived: the device handshakes again and readings resume", async (t) => {
  if (unavailable) return t.skip(unavailable);
  await withBench({}, async (b) => {
    await b.startFirmware();
    await b.waitReadings(2, 15000);
    const before = (await b.wg.dump()).latestHandshake;
    await b.wg.restart();
    const n = b.readings().length;
    // wireguard-go forgot the session: the device notices no replies (KEEPALIVE + REKEY_TIMEOUT
    // = 15 s after its data went unanswered) and starts a new handshake.
    await b.waitReadings(n + 2, 40000);
    const d = await b.wg.dump();
    assert.ok(d.latestHandshake >= before && d.latestHandshake > 0, "a new handshake after the restart");
    assert.ok((await nsPing(b.topo, b.topo.home, DEV_INNER, 2)).ok, "ping after the restart");
  });
});

test("10^4 malformed datagrams at the outer port: the firmware keeps running and the tunnel works", async (t) => {
  if (unavailable) return t.skip(unavailable);
  await withBench({}, async (b) => {
    await b.startFirmware();
    await b.waitReadings(2, 15000);
    const flood = await run(b.topo.exec(b.topo.home, [process.execPath, "--import", "tsx", FLOOD, DEV_OUTER, String(DEV_PORT), "10000", "7"]), { timeoutMs: 60000 });
    const summary = JSON.parse(flood.stdout.trim().split("\n").pop()!);
    assert.equal(summary.sent, 10000);
    assert.ok(b.running, "firmware still running after the flood");
    await sleep(2500); // a status line after the flood
    const s = b.appStatus();
    const dropped = Object.entries(s.drops as Record<string, number>).filter(([k]) => !k.startsWith("tx-")).reduce((a, [, v]) => a + v, 0);
    const rt = b.lines.filter((l) => l.startsWith("[status]")).pop() ?? "";
    console.log(`# flood: ${summary.sent} sent, device saw ${s.datagramsIn} datagrams, dropped ${dropped}: ${JSON.stringify(s.drops)}\n# runtime: ${rt}`);
    // The TAP driver leaves frames in the kernel queue while lwIP's pool is busy, so at this
    // pace (5000/s) nearly all junk reaches the JS core, and each lands in exactly one counter.
    assert.ok(s.datagramsIn >= 9000, `the junk reached the core (${s.datagramsIn} of 10000)`);
    const junkSeen = s.datagramsIn - s.datagramsAccepted;
    assert.equal(dropped, junkSeen, "every datagram the core did not accept is counted under one drop reason");
    const n = b.readings().length;
    await b.waitReadings(n + 2, 10000);
    assert.ok((await nsPing(b.topo, b.topo.home, DEV_INNER, 2)).ok, "ping after the flood");
  });
});

test("the firmware restarts with its store and handshakes again", async (t) => {
  if (unavailable) return t.skip(unavailable);
  await withBench({}, async (b) => {
    await b.startFirmware();
    await b.waitReadings(2, 15000);
    const first = await b.stopFirmware();
    record(first);
    assert.equal(first.code, 0);
    const stored = b.storeText();
    assert.ok(stored.length > 0, "the store file was written");
    assert.doesNotMatch(stored, new RegExp(Buffer.from(b.dev.privateKey).toString("base64").slice(0, 20).replace(/[+/]/g, "\\$&")), "no key in the store");
    const hs = (await b.wg.dump()).latestHandshake;
    await sleep(1100); // wg(8) reports handshakes in whole seconds
    await b.startFirmware();
    const n = b.readings().length;
    await b.waitReadings(n + 2, 15000);
    assert.ok(b.readings().slice(n).some((r) => r.seq === 0), "a fresh boot (sequence restarted)");
    assert.ok((await b.wg.dump()).latestHandshake > hs, "a new handshake accepted by wireguard-go (timestamp moved forward)");
  });
});

test("make demo (the firmware demo): DEMO_SECONDS=8 prints readings at the collector, then removes everything", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const namespaces = async () => (await run(["ip", "netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0]).filter(Boolean).sort();
  const before = await namespaces();
  const demo = await run(["env", "DEMO_SECONDS=8", process.execPath, "--import", "tsx", new URL("./demo.ts", import.meta.url).pathname], {
    timeoutMs: 60000,
    allowFail: true,
  });
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  const readings = demo.stdout.split("\n").filter((l) => /^\s*collector\| \{.*"celsius"/.test(l));
  assert.ok(readings.length >= 2, `expected >= 2 readings in 8 s:\n${demo.stdout}`);
  assert.match(demo.stdout, /demo-firmware: clean/);
  assert.deepEqual(await namespaces(), before, "the demo leaves no namespace behind");
});

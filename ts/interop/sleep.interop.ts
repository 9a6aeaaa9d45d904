// Deep sleep with the Node endpoint against wireguard-go: the device process stops between
// wakes (RAM off), its session kept in a retained-region file, its clock moved on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOME_INNER } from "./netns.ts";
import { COLLECTOR_PORT, benchRunner, readingsAt } from "./fixture.ts";
import { sleep, waitFor } from "./proc.ts";

const withBench = benchRunner("deep-sleep interop tests");

test("deep sleep: 20 wakes 5 s apart (process restarted, clock +5 s, session in a retained-region file) -> 20 readings, one handshake at wireguard-go; a wake after REJECT_AFTER_TIME handshakes again", (t) => withBench(t, {}, async (b) => {
  const collector = await b.startCollector();
  const retainedPath = join(b.topo.dir, "retained.bin");
  let clock = 1000;
  let firstHandshake = 0;
  const send = async (seq: number) => {
    await b.agent!.request("udp", { srcPort: 40000, dst: HOME_INNER, dstPort: COLLECTOR_PORT, text: JSON.stringify({ seq }) });
    await waitFor(`reading ${seq} at the collector`, () => readingsAt(collector).includes(seq), 15000, 50);
  };
  for (let wake = 0; wake < 20; wake++) {
    await b.startAgent({ offsetMs: clock, retainedPath, wallClock: false });
    const { reason } = await b.agent!.request<{ reason: string | null }>("resume");
    assert.equal(reason, wake === 0 ? "empty" : null, `wake ${wake}: ${reason}`);
    await send(wake);
    if (wake === 0) firstHandshake = (await b.waitHomeHandshake(0)).latestHandshake;
    const s = await b.status();
    assert.equal(s.device.handshakes, wake === 0 ? 1 : 0, `wake ${wake}: no handshake after resuming`);
    const { bytes } = await b.agent!.request<{ bytes: number }>("suspend");
    assert.equal(bytes, 172);
    clock = (await b.status()).nowMs + 5000; // asleep for 5 s: the clock keeps counting
    await b.stopAgent();
  }
  assert.deepEqual(readingsAt(collector), Array.from({ length: 20 }, (_, i) => i), "20 readings, in order");
  assert.equal((await b.wg.dump()).latestHandshake, firstHandshake, "wireguard-go saw no second handshake");
  // A wake after REJECT_AFTER_TIME: the record is refused and the reading costs a handshake.
  await sleep(1100); // wg reports latest-handshake in whole seconds
  clock += 180000;
  await b.startAgent({ offsetMs: clock, retainedPath });
  assert.equal((await b.agent!.request<{ reason: string | null }>("resume")).reason, "expired");
  await send(20);
  await b.waitHomeHandshake(firstHandshake);
  assert.equal((await b.status()).device.handshakes, 1);
}));

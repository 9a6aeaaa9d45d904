// An initiation from wireguard-go, captured on the way by the relay and replayed from another
// port after the device rebooted, against the Node endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nsPing, DEV_INNER, HOME_INNER, HOME_OUTER } from "./netns.ts";
import { RELAY_PORT, benchRunner, type BenchOptions } from "./fixture.ts";
import { waitFor } from "./proc.ts";

const withBench = benchRunner("replay interop tests");
const RELAYED: BenchOptions = { deviceEndpoint: { host: HOME_OUTER, port: RELAY_PORT } };

test("replay after reboot: wireguard-go's initiation, captured and replayed by an off-path host after the device rebooted, is refused; the endpoint and the handshake in flight stay", (t) => withBench(t, RELAYED, async (b) => {
  await b.startRelay({ seed: 1 });
  await b.startAgent({ wallClock: false });
  await b.agent!.request("connect");
  await b.waitHandshakes(1);
  // Make wireguard-go the initiator: restarted and told the device's endpoint (the relay's
  // upstream socket), it initiates when home pings the device. The relay keeps that initiation.
  const { upstream } = await b.relay!.request<{ upstream: { port: number } }>("addresses");
  await b.wg.restart();
  await b.wg.setPeerEndpoint(`${HOME_OUTER}:${upstream.port}`);
  const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3);
  assert.ok(ping.ok, ping.output);
  assert.equal((await b.status()).device.handshakes, 2, "the device also completed wireguard-go's handshake, as responder");
  // Reboot the device (clock at zero, no wall clock, same Store) while wireguard-go is away, so
  // the device's own initiation stays in flight.
  await b.stopAgent();
  await b.wg.stop();
  await b.startAgent({ wallClock: false });
  await b.agent!.request("connect");
  assert.equal((await b.status()).device.state, "handshake-sent");
  const { from } = await b.relay!.request<{ from: { host: string; port: number } }>("inject", { type: 1, fromElsewhere: true });
  assert.notEqual(from.port, RELAY_PORT, "the replay comes from another address");
  const after = await waitFor("the replay to be counted", async () => {
    const s = await b.status();
    return (s.device.drops["stale-timestamp"] ?? 0) > 0 ? s : null;
  }, 5000);
  assert.equal(after.device.drops["stale-timestamp"], 1, `the replay is stale: ${JSON.stringify(after.device.drops)}`);
  assert.equal(after.device.state, "handshake-sent", "our handshake still in flight");
  assert.deepEqual(after.device.endpoint, { host: HOME_OUTER, port: RELAY_PORT }, "endpoint not moved");
  // wireguard-go comes back; the device's retransmission completes the handshake it had in flight.
  await b.wg.start();
  await b.waitHandshakes(1, 15000);
  const p = await b.ping(HOME_INNER, 2);
  assert.deepEqual(p.errors, []);
  assert.equal((await b.status()).device.drops["stale-timestamp"], 1);
}));

// Home by DNS name: dnsmasq in the home namespace answers the Node endpoint's lookups
// (NamedEndpoint beside a SensorDevice); home moves to a new address and its record with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HOME_INNER, HOME_OUTER } from "./netns.ts";
import { Bench, HOME_PORT, benchRunner } from "./fixture.ts";
import { waitFor } from "./proc.ts";
import { DNS_SERVER, HOME_MOVED, HOME_NAME, moveHome, startDnsmasq } from "./dnsmasq.ts";

const withBench = benchRunner("DNS interop tests");

test("DNS: home by name, looked up with dnsmasq in the home namespace; home moves to a new address and its record with it; the tunnel comes back within KEEPALIVE_TIMEOUT + 2 REKEY_TIMEOUT + jitter", (t) => withBench(t, { deviceEndpoint: { host: HOME_NAME, port: HOME_PORT }, dnsServers: [DNS_SERVER] }, async (b) => {
  const dns = await startDnsmasq(b.topo, `${HOME_OUTER} ${HOME_NAME}\n`);
  await b.startAgent();
  await b.agent!.request("connect");
  const s0 = await b.waitHandshakes(1);
  assert.deepEqual(s0.device.endpoint, { host: HOME_OUTER, port: HOME_PORT });
  assert.equal(s0.dns?.state, "resolved");
  assert.deepEqual((await b.ping(HOME_INNER, 1)).errors, []);
  // Home moves: a new address, its record with it, the old address gone.
  await moveHome(b.topo, dns, HOME_OUTER, HOME_MOVED);
  const movedAt = (await b.status()).nowMs;
  // A reading goes unanswered; the device's clock is moved on rather than waited for: the
  // new-handshake timer, then the first retransmission, which looks the name up again.
  await b.ping(HOME_INNER, 1, 300);
  await b.agent!.request("advance", { ms: 15400 });
  await b.agent!.request("advance", { ms: 5400 });
  const back = await b.waitHandshakes(2, 15000);
  assert.deepEqual(back.device.endpoint, { host: HOME_MOVED, port: HOME_PORT });
  assert.equal(back.dns?.address, HOME_MOVED);
  assert.ok(back.dns!.lookups >= 2);
  assert.ok(!b.wg.log.includes("Sending handshake initiation"), "wireguard-go did not initiate: the device found home again by its name");
  const bound = 10000 + 2 * 5000 + 2 * 333 + 2000;
  assert.ok(back.device.lastHandshakeMs! - movedAt <= bound, `tunnel back ${back.device.lastHandshakeMs! - movedAt} ms (device clock) after the move; bound ${bound}`);
  assert.deepEqual((await b.ping(HOME_INNER, 2)).errors, []);
  assert.equal((await b.wg.dump()).endpoint?.split(":")[0], "192.168.77.2");
}));

test("DNS: a name dnsmasq does not know is reported in the status and retried with backoff; nothing is sent", (t) => withBench(t, { deviceEndpoint: { host: "nowhere.homewire.test", port: HOME_PORT }, dnsServers: [DNS_SERVER] }, async (b) => {
  await startDnsmasq(b.topo, `${HOME_OUTER} ${HOME_NAME}\n`);
  await b.startAgent();
  await b.agent!.request("connect");
  const failed = await waitFor("the lookup to fail", async () => {
    const s = await b.status();
    return s.dns?.state === "failed" ? s : null;
  }, 10000);
  assert.equal(failed.dns!.error, "ENOTFOUND", "NXDOMAIN");
  assert.equal(failed.device.endpoint, null);
  assert.equal(failed.device.txBytes, 0, "nothing sent anywhere");
  for (const ms of [2000, 4000]) {
    const before = (await b.status()).dns!.failures;
    await b.agent!.request("advance", { ms });
    await waitFor(`failure ${before + 1}`, async () => (await b.status()).dns!.failures === before + 1, 8000);
  }
  assert.equal((await b.status()).tickErrors, 0);
}));

// Networks as they are, with the Node endpoint against wireguard-go in namespaces: a bad link
// (loss, duplication, reordering through the bad-link relay), deep sleep (the session kept in a
// retained-region file across process restarts), and an initiation replayed after a reboot.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { interopUnavailable, nsPing, removeStaleNamespaces, DEV_INNER, HOME_INNER, HOME_OUTER } from "./netns.ts";
import { Bench, COLLECTOR_PORT, HOME_PORT, RELAY_PORT, badLinkRun, readingsAt, type BenchOptions } from "./fixture.ts";
import { run, sleep, waitFor } from "./proc.ts";

let unavailable: string | null = null;
before(async () => {
  unavailable = await interopUnavailable();
  if (unavailable) console.error(`\n*** SKIPPED interop network tests: ${unavailable} ***\n`);
  else await removeStaleNamespaces();
});

async function withBench(t: { skip(msg: string): void }, options: BenchOptions, body: (b: Bench) => Promise<void>): Promise<void> {
  if (unavailable) return t.skip(unavailable);
  const b = await Bench.create(options);
  try {
    await body(b);
    if (b.agent?.child.running) assert.equal((await b.status()).tickErrors, 0, "device.tick() threw");
  } catch (e) {
    const err = e as Error;
    err.message += `\n${b.diagnostics()}`;
    throw err;
  } finally {
    await b.destroy();
  }
  assert.equal(await b.topo.namespacesExist(), false, "namespaces removed");
}

const RELAYED: BenchOptions = { deviceEndpoint: { host: HOME_OUTER, port: RELAY_PORT } };
const LINK = (loss: number) => ({ loss, duplicate: 0.05, reorder: 0.1, reorderMs: 30, duplicateGapMs: 1 });

for (const [loss, seed] of [[0.1, 11], [0.3, 12]] as const) {
  test(`bad link, ${loss * 100} % loss, 5 % duplication, 10 % reordering: the tunnel comes up, readings arrive in order without duplicates, duplicates count as replays`, { timeout: 180000 }, (t) => withBench(t, RELAYED, async (b) => {
    const r = await badLinkRun(b, LINK(loss), seed, 200);
    const { seqs, sent, relay } = r;
    console.log(`bad link ${loss * 100} %: tunnel up in ${r.tunnelUpMs} ms; ${seqs.length} of ${sent} readings at the collector; relay to home ${JSON.stringify(relay.toHome)} to device ${JSON.stringify(relay.toDevice)}; device replays ${r.replays}`);
    assert.ok(seqs.length > 0);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `in order, no duplicates: ${seqs[i - 1]} then ${seqs[i]}`);
    // The link lost them, not the tunnel: the binomial's 4 standard deviations below (1 - loss).
    const sd = Math.sqrt(sent * loss * (1 - loss));
    assert.ok(seqs.length >= sent * (1 - loss) - 4 * sd, `${seqs.length} of ${sent} arrived at ${loss * 100} % loss`);
    // The relay really duplicated transport messages both ways; wireguard-go dropped the ones to
    // home (no duplicate reading), the device counted every one to it as a replay.
    assert.ok(relay.toHome.byType[4].duplicated > 0, "duplicates toward home");
    assert.ok(relay.toDevice.byType[4].duplicated > 0, "duplicates toward the device");
    assert.equal(r.replays, relay.toDevice.byType[4].duplicated, "each duplicated transport message to the device is one replay");
    assert.ok(relay.toHome.reordered > 0 && relay.toHome.dropped > 0 && relay.toDevice.dropped > 0);
    assert.ok((await b.wg.dump()).latestHandshake > 0);
  }));
}

test("deep sleep: 20 wakes 5 s apart (process restarted, clock +5 s, session in a retained-region file) -> 20 readings, one handshake at wireguard-go; a wake after REJECT_AFTER_TIME handshakes again", { timeout: 240000 }, (t) => withBench(t, {}, async (b) => {
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

test("replay after reboot: wireguard-go's initiation, captured and replayed by an off-path host after the device rebooted, is refused; the endpoint and the handshake in flight stay", { timeout: 120000 }, (t) => withBench(t, RELAYED, async (b) => {
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

const DNS_SERVER = "192.168.77.53";
const HOME_NAME = "home.homewire.test";
const HOME_MOVED = "192.168.77.10";

/** dnsmasq (Debian's dnsmasq-base) in the home namespace on its own address, answering for
 *  homewire.test from a hosts file we rewrite (SIGHUP reloads it): other names there are
 *  NXDOMAIN, nothing is forwarded. */
async function startDnsmasq(b: Bench, records: string): Promise<{ update(records: string): Promise<void> }> {
  // The server's address must survive home's address being removed (the primary of the subnet).
  await run(b.topo.exec(b.topo.home, ["sysctl", "-q", "-w", "net.ipv4.conf.veth0.promote_secondaries=1"]));
  await run(["ip", "-n", b.topo.home, "addr", "add", `${DNS_SERVER}/24`, "dev", "veth0"]);
  const hosts = join(b.topo.dir, "dns-hosts");
  writeFileSync(hosts, records);
  const d = b.topo.spawn("dnsmasq", b.topo.home, ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
    "--local=/homewire.test/", `--addn-hosts=${hosts}`, `--listen-address=${DNS_SERVER}`, "--bind-interfaces", "--port=53", "--user=root", "--pid-file=",
    "--log-queries", "--log-facility=-"]);
  await waitFor("dnsmasq to start", () => d.tail.includes("started") || (!d.running && Promise.reject(new Error(d.tail))), 10000);
  return {
    async update(next: string) {
      writeFileSync(hosts, next);
      d.process.kill("SIGHUP");
      await waitFor("dnsmasq to reload its hosts", () => d.tail.includes(`read ${hosts}`) && d.tail.split(`read ${hosts}`).length > 2, 5000);
    },
  };
}

test("DNS: home by name, looked up with dnsmasq in the home namespace; home moves to a new address and its record with it; the tunnel comes back within KEEPALIVE_TIMEOUT + 2 REKEY_TIMEOUT + jitter", { timeout: 120000 }, (t) => withBench(t, { deviceEndpoint: { host: HOME_NAME, port: HOME_PORT }, dnsServers: [DNS_SERVER] }, async (b) => {
  const dns = await startDnsmasq(b, `${HOME_OUTER} ${HOME_NAME}\n`);
  await b.startAgent();
  await b.agent!.request("connect");
  const s0 = await b.waitHandshakes(1);
  assert.deepEqual(s0.device.endpoint, { host: HOME_OUTER, port: HOME_PORT });
  assert.equal(s0.dns?.state, "resolved");
  assert.deepEqual((await b.ping(HOME_INNER, 1)).errors, []);
  // Home moves: a new address, its record with it, the old address gone.
  await run(["ip", "-n", b.topo.home, "addr", "add", `${HOME_MOVED}/24`, "dev", "veth0"]);
  await dns.update(`${HOME_MOVED} ${HOME_NAME}\n`);
  await run(["ip", "-n", b.topo.home, "addr", "del", `${HOME_OUTER}/24`, "dev", "veth0"]);
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

test("DNS: a name dnsmasq does not know is reported in the status and retried with backoff; nothing is sent", { timeout: 60000 }, (t) => withBench(t, { deviceEndpoint: { host: "nowhere.homewire.test", port: HOME_PORT }, dnsServers: [DNS_SERVER] }, async (b) => {
  await startDnsmasq(b, `${HOME_OUTER} ${HOME_NAME}\n`);
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

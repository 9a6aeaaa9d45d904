// test-hil's networks-ip suite (issue 11: networks as they are): IPv6 outside and inside the
// tunnel, and home by DNS name, on the boards, against wireguard-go in IPv6 namespaces, dnsmasq
// and a DNS server that answers badly on purpose. `make test-networks-ip` runs it on the host and
// QEMU boards (part of `make test-networks`).
//
// Targets: the namespaced boards (host, QEMU) only. A serial board sits on the user's LAN, where
// the bench can give it no IPv6 link and cannot move home's address; ESP-IDF's linux target
// (idf-linux) gets no IPv6 address on its TAP netif from its environment (boards/esp32), so
// make test-esp-idf runs the boards suite there. Home by name does not fit the QEMU board's
// Duktape heap (NOT_ON_QEMU_DUKTAPE): on QEMU it runs on the JerryScript build.
import assert from "node:assert/strict";
import { DEV_INNER, DEV_INNER6, DEV_OUTER, DEV_OUTER6, HOME_OUTER, nsPing } from "../ts/interop/netns.ts";
import { JsonAgent, run } from "../ts/interop/proc.ts";
import { DNS_SERVER, HOME_MOVED, HOME_NAME, moveHome, startDnsmasq } from "../ts/interop/dnsmasq.ts";
import { DEV_PORT, HOME_PORT, hostPort, type Bench } from "./bench.ts";
import { pollUntil, runtimeLine, type TargetName } from "./target.ts";
import type { Scenario } from "./scenarios.ts";

const NAMESPACED: TargetName[] = ["host", "qemu"];
/** Home by name needs the DNS modules in the engine heap: Duktape compiles them into the QEMU
 *  board's 256 KiB arena, which they fill (measured: the app's heap 210 kB after start with an
 *  address endpoint, and with a name the arena refuses allocations once running). JerryScript runs
 *  them from flash there; the host board's Duktape runs them too. */
const NOT_ON_QEMU_DUKTAPE = [{ target: "qemu" as TargetName, engine: "duktape",
  why: "the DNS modules do not fit the QEMU board's Duktape arena (256 KiB, full once they are compiled); they run on its JerryScript build" }];
/** The badly answering DNS server (ts/interop/dns-junk-agent.ts), on an address of its own at home. */
const JUNK_DNS = "192.168.77.54";
const JUNK_AGENT = new URL("../ts/interop/dns-junk-agent.ts", import.meta.url).pathname;

async function waitHandshakeAfter(b: Bench, after: number, hostMs: number): Promise<number> {
  return pollUntil(`a handshake at wireguard-go newer than ${after}`, async () => {
    if (!b.target.running) throw new Error("the board is not running");
    const t = (await b.wg.dump()).latestHandshake;
    return t > after ? t : null;
  }, b.ms(hostMs), 200);
}

/** n readings more at the collector, in order and without duplicates. */
async function readingsFlow(b: Bench, n: number): Promise<void> {
  const from = b.readings().length;
  await b.waitReadings(from + n, 15000);
  const r = b.readings().slice(from);
  assert.ok(r.every((x, i) => i === 0 || x.seq > r[i - 1].seq), `readings in order, no duplicates: ${r.map((x) => x.seq)}`);
}

async function pingFromHome(b: Bench, dst: string, count = 3): Promise<number> {
  const ping = await nsPing(b.topo, b.topo.home, dst, count, Math.ceil(2 * b.target.slowdown));
  assert.ok(ping.ok, `ping ${dst} from home: ${ping.output}`);
  return Number(/(\d+) received/.exec(ping.output)?.[1] ?? 0);
}

/** The app's status line (every second) once check accepts it. */
function statusWhere(b: Bench, what: string, check: (s: any) => boolean, hostMs: number): Promise<any> {
  return pollUntil(what, () => {
    if (!b.target.running) throw new Error("the board is not running");
    const s = b.appStatus();
    return s && check(s) ? s : null;
  }, b.ms(hostMs), 100);
}

/** Engine errors or runtime failures the board printed since line `from` (none expected). */
function troubles(b: Bench, from = 0): string[] {
  return b.target.lines.slice(from).filter((l) => l.startsWith("[js-error]") || l.startsWith("[runtime]"));
}

export const IP_SCENARIOS: Scenario[] = [
  {
    name: "ipv6-outer",
    title: "IPv6 outer link, IPv4 inside: the board handshakes with wireguard-go over IPv6, readings arrive, lwIP answers pings outside (ND) and inside",
    bench: { outer6: true },
    fresh: true,
    targets: NAMESPACED,
    budgetMs: 60000,
    async run({ bench: b }) {
      await b.startDevice();
      await waitHandshakeAfter(b, 0, 15000);
      assert.equal((await b.wg.dump()).endpoint, hostPort(DEV_OUTER6, DEV_PORT), "wireguard-go learned the board's IPv6 endpoint");
      await readingsFlow(b, 3);
      const s = await statusWhere(b, "app status: established over IPv6", (st) => st.state === "established", 5000);
      assert.equal(s.endpoint, hostPort(b.homeOuter, HOME_PORT), "the board sends to home's IPv6 address");
      await pingFromHome(b, DEV_OUTER6); // lwIP's neighbour discovery and ICMPv6 on the NIC
      await pingFromHome(b, DEV_INNER); // IPv4 inside the IPv6 tunnel
    },
  },
  {
    name: "ipv6-inner",
    title: "IPv6 inside, IPv4 outer link: readings reach an IPv6 collector, lwIP answers an IPv6 ping through the tunnel, a source outside the peer's AllowedIPs is dropped",
    bench: { inner: "6" },
    fresh: true,
    targets: NAMESPACED,
    budgetMs: 60000,
    async run({ bench: b }) {
      await b.startDevice();
      await waitHandshakeAfter(b, 0, 15000);
      assert.equal((await b.wg.dump()).endpoint, hostPort(DEV_OUTER, DEV_PORT), "over the IPv4 outer link");
      await readingsFlow(b, 3);
      const udp = b.collector!.events.filter((e) => e.event === "udp");
      assert.equal((udp[udp.length - 1].from as { host: string }).host, DEV_INNER6, "readings come from the board's IPv6 tunnel address");
      const before = b.appStatus();
      const replies = await pingFromHome(b, DEV_INNER6);
      const s = await statusWhere(b, "the pings counted", (st) => st.rxPackets >= before.rxPackets + 3, 5000);
      assert.ok(s.txPackets >= before.txPackets + replies, `lwIP's echo replies went back through the tunnel: ${JSON.stringify(s)}`);
      // The inner source filter: wireguard-go sends home's packet from fd77::99 (its AllowedIPs
      // route by destination), the board's core refuses it (the peer's AllowedIPs: fd77::1/128).
      const drops = (st: any) => st.drops["source-not-allowed"] ?? 0;
      const dropped = drops(b.appStatus());
      await run(["ip", "-n", b.topo.home, "addr", "add", "fd77::99/64", "dev", b.wg.ifname, "nodad"]);
      const spoofed = await run(b.topo.exec(b.topo.home, ["ping", "-n", "-c", "2", "-W", "2", "-i", "0.2", "-I", "fd77::99", DEV_INNER6]), { allowFail: true, timeoutMs: 10000 });
      assert.notEqual(spoofed.code, 0, `no reply to a source outside the AllowedIPs: ${spoofed.stdout}`);
      await statusWhere(b, "the spoofed source counted as source-not-allowed", (st) => drops(st) >= dropped + 2, 5000);
    },
  },
  {
    name: "ipv6-dual",
    title: "IPv6 outer link, an IPv4 and an IPv6 tunnel address: both inner families answered, readings flow",
    bench: { outer6: true, inner: "46" },
    fresh: true,
    targets: NAMESPACED,
    budgetMs: 60000,
    async run({ bench: b }) {
      await b.startDevice();
      await waitHandshakeAfter(b, 0, 15000);
      assert.equal((await b.wg.dump()).endpoint, hostPort(DEV_OUTER6, DEV_PORT));
      await readingsFlow(b, 2);
      await pingFromHome(b, DEV_INNER);
      await pingFromHome(b, DEV_INNER6);
      assert.ok(b.target.lines.some((l) => l.includes(`homewire up: tunnel ${DEV_INNER}/24, ${DEV_INNER6}/64`)), "the app configured both tunnel addresses");
    },
  },
  {
    name: "dns-home-moves",
    title: "home by DNS name (dnsmasq at home): the board resolves it with lwIP's DNS client; home moves to a new address and its record with it; the tunnel is back within the stated bound",
    bench: { homeByName: { dns: [DNS_SERVER] } },
    fresh: true,
    targets: NAMESPACED,
    notOn: NOT_ON_QEMU_DUKTAPE,
    budgetMs: 110000,
    async run({ bench: b, note }) {
      const dns = await startDnsmasq(b.topo, `${HOME_OUTER} ${HOME_NAME}\n`);
      await b.startDevice();
      await waitHandshakeAfter(b, 0, 15000);
      await readingsFlow(b, 2);
      note(`heap after start ${runtimeLine(b.target.lines, ["started"])?.["heap-current"]} bytes (the DNS modules loaded)`);
      const s0 = await statusWhere(b, "the name resolved", (st) => st.dns?.state === "resolved", 5000);
      assert.equal(s0.dns.address, HOME_OUTER);
      assert.equal(s0.endpoint, hostPort(HOME_OUTER, HOME_PORT));
      const handshakesBefore = s0.handshakes;
      const mark = b.target.lines.length;
      // Home moves; from here the board's packets go nowhere until it asks the name again.
      await moveHome(b.topo, dns, HOME_OUTER, HOME_MOVED);
      const movedAt = Date.now();
      // The bound, from the move: the board notices nothing comes back after KEEPALIVE_TIMEOUT +
      // REKEY_TIMEOUT (10 + 5 s, counted from its first packet after the last one it received,
      // which is at most the move) plus up to 333 ms of jitter; its first initiation goes
      // unanswered, the retransmission REKEY_TIMEOUT (5 s, + jitter) later makes NamedEndpoint
      // look the name up again (dnsmasq answers at once), and the initiation to the new address
      // completes: 10 + 5 + 5 + 2 x 0.333 s, plus the lookup and a handshake on the board and the
      // console line reaching us (2 s on the host board, scaled by the target's slowdown).
      const bound = 10000 + 5000 + 5000 + 2 * 333 + b.ms(2000);
      await pollUntil("a handshake after the move", () => {
        if (!b.target.running) throw new Error("the board is not running");
        return b.target.lines.slice(mark).some((l) => l.includes("handshake complete"));
      }, bound + b.ms(10000), 50);
      const back = Date.now() - movedAt;
      note(`tunnel back ${back} ms after home moved (bound ${bound} ms)`);
      assert.ok(back <= bound, `the tunnel came back ${back} ms after the move; bound ${bound} ms`);
      const s = await statusWhere(b, "the board at home's new address", (st) => st.endpoint === hostPort(HOME_MOVED, HOME_PORT) && st.handshakes > handshakesBefore, 5000);
      assert.equal(s.dns.address, HOME_MOVED);
      assert.ok(s.dns.lookups >= 2, "looked up again");
      assert.ok(!b.wg.log.includes("Sending handshake initiation"), "wireguard-go did not initiate: the board found home by its name");
      await readingsFlow(b, 2);
      assert.deepEqual(troubles(b), []);
    },
  },
  {
    name: "dns-failures",
    title: "names that do not resolve, time out or answer garbage: reported in the status, retried with backoff; the board keeps answering through the tunnel meanwhile and finds home once the answer is good",
    bench: { homeByName: { dns: [JUNK_DNS] }, homeKnowsDevice: true },
    fresh: true,
    targets: NAMESPACED,
    notOn: NOT_ON_QEMU_DUKTAPE,
    budgetMs: 150000,
    async run({ bench: b, note }) {
      await run(["ip", "-n", b.topo.home, "addr", "add", `${JUNK_DNS}/24`, "dev", "veth0"]);
      const junk = b.topo.adopt(new JsonAgent("dns-junk", b.topo.exec(b.topo.home, [process.execPath, "--import", "tsx", JUNK_AGENT])));
      await junk.request("listen", { host: JUNK_DNS, port: 53 }, 20000);
      const queries = () => junk.events.filter((e) => e.event === "query").map((e) => e.atMs as number);
      const failure = (what: string, error: RegExp) => statusWhere(b, `a failed lookup: ${what}`, (st) => st.dns?.state === "failed" && error.test(st.dns.error), 15000);

      // No such name: lwIP's quick failure, retried after 2 s, 4 s, 8 s (each lookup asks once:
      // lwIP does not retry a negative answer).
      await junk.request("mode", { mode: "nxdomain" });
      await b.startDevice();
      const s1 = await failure("NXDOMAIN", /^the DNS server answered with no usable address/);
      assert.equal(s1.endpoint, null, "no endpoint, nothing sent home");
      await statusWhere(b, "three failed lookups", (st) => st.dns?.failures >= 3, 20000);
      const q = queries();
      const gaps = q.slice(1, 3).map((t, i) => t - q[i]);
      note(`NXDOMAIN lookups ${gaps.join(" ms, ")} ms apart`);
      // 2 s and 4 s of backoff on the board's clock (real time on both boards); the board looks
      // at its timers every 100 ms and the answer takes a round trip: 250 ms of margin on the
      // host board, scaled for a slower target but never as wide as the 2 s between the two.
      const margin = Math.min(b.ms(250), 900);
      for (const [i, want] of [2000, 4000].entries()) assert.ok(Math.abs(gaps[i] - want) <= margin, `backoff ${i + 1}: ${gaps[i]} ms, want ${want} ± ${margin} ms`);

      // Garbage: an address record of the wrong length (lwIP takes nothing from it).
      await junk.request("mode", { mode: "malformed" });
      let mark = b.target.lines.length;
      await b.resetDevice();
      await failure("a malformed record", /^the DNS server answered with no usable address/);
      assert.deepEqual(troubles(b, mark), []);

      // Garbage a resolver passes on: 0.0.0.0 is an address, but no peer is there.
      await junk.request("mode", { mode: "zero" });
      mark = b.target.lines.length;
      await b.resetDevice();
      const s3 = await failure("0.0.0.0", /^answer holds no usable address: \["0\.0\.0\.0"\]/);
      assert.equal(s3.endpoint, null);

      // No answer at all: lwIP asks three times and gives up (the board's lookups take seconds).
      await junk.request("mode", { mode: "silent" });
      mark = b.target.lines.length;
      await b.resetDevice();
      const asked = queries().length;
      await failure("no answer", /^no usable answer from the DNS server\(s\) in \d+ ms/);
      assert.ok(queries().length >= asked + 3, "lwIP asked again before it gave up");
      // Meanwhile the packet path is not held up: home reaches the board (wireguard-go initiates,
      // the board answers as responder) while its lookups keep failing.
      await pingFromHome(b, DEV_INNER);
      const during = await statusWhere(b, "the tunnel up while the name fails", (st) => st.state === "established" && st.dns?.state !== "resolved", 5000);
      note(`while failing: ${JSON.stringify(during.dns)}`);
      assert.deepEqual(troubles(b, mark), []);

      // The answer is good again: found at the next retry, the readings go to the answer.
      await junk.request("mode", { mode: "answer", address: HOME_OUTER });
      const s5 = await statusWhere(b, "resolved again", (st) => st.dns?.state === "resolved" && st.dns.address === HOME_OUTER, 80000);
      assert.equal(s5.dns.failures, 0);
      await readingsFlow(b, 2);
      assert.ok(b.readings().every((r) => r.device === "hiltest"));
      assert.ok(b.target.running, "the board never stopped");
    },
  },
];

// The scenarios, written once for every target. Each one names what it proves and asserts it
// on the other side too: wireguard-go's `wg show dump`, the Linux kernel answering pings, the
// collector receiving readings. Timeouts are host numbers scaled by the target's slowdown.
//
// Scenarios with the same bench options share one booted board while they pass (QEMU boots are
// slow); after a failure, or for a scenario marked fresh, the runner builds a new bench.
import assert from "node:assert/strict";
import { DEV_INNER, nsPing } from "../ts/interop/netns.ts";
import { run, sleep } from "../ts/interop/proc.ts";
import { DEV_PORT, type Bench, type BenchOptions } from "./bench.ts";
import { runtimeLine, type ExitReport, type TargetName, pollUntil } from "./target.ts";
import { nobleCrypto } from "../ts/platform/node/crypto.ts";

const x25519Base = (k: Uint8Array) => nobleCrypto.x25519Base(k);

export const FLOOD = new URL("./flood.ts", import.meta.url).pathname;
export const DEMO = new URL("./demo.ts", import.meta.url).pathname;
export const FLOOD_COUNT = 10000;

export interface Context {
  bench: Bench;
  /** Boots the board if it is not running and waits for a reading at the collector (so the
   *  tunnel is up). */
  up(): Promise<void>;
  /** Keeps an exit report for the heap summary. */
  record(r: ExitReport): void;
  /** A line for the run's log (numbers worth keeping). */
  note(text: string): void;
  /** The scenario leaves the bench in a state the next one must not inherit. */
  spoil(): void;
  /** The board the run is on (standalone scenarios build their own bench for it). */
  target: TargetName;
}

export interface Scenario {
  name: string;
  /** What it proves, for --list and the JUnit file. */
  title: string;
  bench?: BenchOptions;
  /** Build a new bench (fresh keys, namespaces, store) before this scenario. */
  fresh?: boolean;
  /** Runs without a bench (it builds its own). */
  standalone?: boolean;
  /** Only on these targets (default: all). */
  targets?: TargetName[];
  /** Not on these target builds, each with the reason (printed, never counted as a pass). */
  notOn?: { target: TargetName; engine: string; why: string }[];
  /** Upper bound on the scenario, host milliseconds (scaled by the target's slowdown). */
  budgetMs: number;
  run(ctx: Context): Promise<void>;
}

async function latestHandshake(b: Bench): Promise<number> {
  return (await b.wg.dump()).latestHandshake;
}

async function waitHandshakeAfter(b: Bench, after: number, hostMs: number): Promise<number> {
  return pollUntil(`a handshake at wireguard-go newer than ${after}`, async () => {
    if (!b.target.running) throw new Error("the board is not running");
    const t = await latestHandshake(b);
    return t > after ? t : null;
  }, b.ms(hostMs), 200);
}

/** Inbound drops only (reasons starting "tx-" count outbound packets). */
function inboundDrops(s: any): number {
  return Object.entries(s.drops as Record<string, number>).filter(([k]) => !k.startsWith("tx-")).reduce((a, [, v]) => a + v, 0);
}

export const SCENARIOS: Scenario[] = [
  {
    name: "boot-handshake",
    title: "boot -> handshake: the board starts, initiates, wireguard-go accepts and learns its endpoint",
    fresh: true,
    budgetMs: 40000,
    async run({ bench: b, note }) {
      await b.startDevice();
      const started = runtimeLine(b.target.lines, ["started"]);
      assert.ok(started && started["heap-current"] > 0, "the runtime reports its heap after start");
      await waitHandshakeAfter(b, 0, 15000);
      const d = await b.wg.dump();
      assert.equal(d.endpoint, `${b.outer.board}:${DEV_PORT}`, "wireguard-go learned the board's outer endpoint");
      const s = await pollUntil("app status: established", () => {
        const st = b.appStatus();
        return st && st.state === "established" && st.handshakes >= 1 ? st : null;
      }, b.ms(5000));
      assert.equal(s.handshakes, 1, "one handshake on a fresh boot");
      // lwIP answers ARP/ICMP on the outer side too: the board's NIC is really there.
      const outer = await nsPing(b.topo, b.topo.home, b.outer.board, 1, Math.ceil(2 * b.target.slowdown));
      assert.ok(outer.ok, `outer ping ${b.outer.board}: ${outer.output}`);
      note(`heap after start ${started!["heap-current"]} bytes`);
    },
  },
  {
    name: "readings-reach-collector",
    title: "device readings reach the collector through the tunnel, in order, without duplicates",
    budgetMs: 30000,
    async run({ bench: b, up }) {
      await up();
      const n = b.readings().length;
      await b.waitReadings(n + 3, 15000);
      const r = b.readings().slice(n);
      assert.equal(r[0].device, "hiltest");
      assert.ok(r.every((x, i) => i === 0 || x.seq > r[i - 1].seq), `readings arrive in order, no duplicates: ${r.map((x) => x.seq)}`);
    },
  },
  {
    name: "home-pings-device",
    title: "home pings the device's tunnel address: lwIP answers, the app counts the packets",
    budgetMs: 30000,
    async run({ bench: b, up }) {
      await up();
      const before = b.appStatus() ?? { rxPackets: 0, txPackets: 0 };
      const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3, Math.ceil(2 * b.target.slowdown));
      assert.ok(ping.ok, `ping ${DEV_INNER} through the tunnel: ${ping.output}`);
      const replies = Number(/(\d+) received/.exec(ping.output)?.[1] ?? 0);
      assert.ok(replies >= 1, `replies: ${ping.output}`);
      // The app's status line (printed every second) counts the echo requests it received.
      const s = await pollUntil("app status with the pings counted", () => {
        const st = b.appStatus();
        return st && st.state === "established" && st.rxPackets >= before.rxPackets + 3 ? st : null;
      }, b.ms(5000));
      assert.ok(s.txPackets >= before.txPackets + replies, `device counters: ${JSON.stringify(s)}`);
    },
  },
  {
    name: "home-peer-restart",
    title: "home peer restart: wireguard-go forgets the session, the device handshakes again, readings resume",
    budgetMs: 70000,
    async run({ bench: b, up }) {
      await up();
      const n0 = b.readings().length;
      await b.waitReadings(n0 + 2, 15000);
      await b.wg.restart();
      const n = b.readings().length;
      // No replies for KEEPALIVE + REKEY_TIMEOUT (15 s) after its data: the device initiates.
      await b.waitReadings(n + 2, 40000);
      assert.ok((await latestHandshake(b)) > 0, "a new handshake after the restart");
      const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 2, Math.ceil(2 * b.target.slowdown));
      assert.ok(ping.ok, `ping after the restart: ${ping.output}`);
    },
  },
  {
    name: "malformed-flood",
    title: "10^4 malformed datagrams at the outer port: counted once each by reason, the tunnel keeps working",
    budgetMs: 90000,
    async run({ bench: b, up, note }) {
      await up();
      await b.waitReadings(b.readings().length + 1, 15000);
      const pace = b.target.floodPace;
      const flood = await run(b.topo.exec(b.topo.home, [process.execPath, "--import", "tsx", FLOOD, b.outer.board, String(DEV_PORT),
        String(FLOOD_COUNT), "7", String(pace.burst), String(pace.intervalMs)]), { timeoutMs: 60000 });
      const summary = JSON.parse(flood.stdout.trim().split("\n").pop()!);
      assert.equal(summary.sent, FLOOD_COUNT);
      assert.ok(b.target.running, "the board still runs after the flood");
      // Until the queue is drained: two status lines in a row with the same datagram count.
      let last = -1;
      const s = await pollUntil("the board to finish the flood (datagram count settles)", async () => {
        const st = b.appStatus();
        if (st && st.datagramsIn === last) return st;
        last = st ? st.datagramsIn : -1;
        await sleep(1100);
        return null;
      }, b.ms(15000), 0);
      const dropped = inboundDrops(s);
      note(`flood: ${summary.sent} sent, device saw ${s.datagramsIn} datagrams, dropped ${dropped}: ${JSON.stringify(s.drops)}`);
      note(`runtime: ${b.target.lines.filter((l) => l.startsWith("[status]")).pop() ?? "(no status line)"}`);
      const min = Math.ceil(FLOOD_COUNT * b.target.floodMinShare);
      assert.ok(s.datagramsIn >= min, `the junk reached the core (${s.datagramsIn} of ${FLOOD_COUNT}, want >= ${min})`);
      assert.equal(dropped, s.datagramsIn - s.datagramsAccepted, "every datagram the core did not accept is counted under one drop reason");
      const n = b.readings().length;
      await b.waitReadings(n + 2, 10000);
      assert.ok((await nsPing(b.topo, b.topo.home, DEV_INNER, 2, Math.ceil(2 * b.target.slowdown))).ok, "ping after the flood");
    },
  },
  {
    name: "power-off-report",
    title: "power off: the runtime reports its engine heap peak, within the limit (clean exit where the board can stop)",
    budgetMs: 30000,
    async run({ bench: b, up, record, note, spoil }) {
      await up();
      spoil(); // the board is off afterwards
      const exit = await b.stopDevice();
      record(exit);
      const heapAt = (tag: string) => runtimeLine(exit.lines, [tag])?.["heap-current"];
      note(`heap: after start ${heapAt("started")}, running ${heapAt("status")}, peak ${exit.heapPeak} of ${exit.heapLimit} bytes`);
      if (b.target.cleanShutdown) {
        assert.equal(exit.code, 0, "clean exit on a stop request");
        assert.ok(exit.lines.some((l) => l.startsWith("[exit]")), "an [exit] line");
      }
      assert.ok(exit.heapPeak !== null && exit.heapPeak > 0 && exit.heapPeak <= (exit.heapLimit ?? Infinity), `heap peak reported within the limit: ${exit.heapPeak}`);
    },
  },
  {
    name: "reboot-clock-zero",
    title: "device reboot with the clock at zero and no wall clock: the stored TAI64N floor makes the new initiation fresh",
    fresh: true,
    budgetMs: 90000,
    async run({ bench: b, record, note, spoil }) {
      spoil(); // ends with a board wireguard-go refuses
      await b.startDevice({}, false);
      await b.waitReadings(2, 15000);
      const first = await b.stopDevice();
      record(first);
      if (b.target.cleanShutdown) assert.equal(first.code, 0, "clean exit on a stop request");
      const stored = b.target.storeText();
      if (stored !== null) {
        assert.match(stored, /tai64n\.reserved=\d+/, "the timestamp reservation is in the store");
        const id = b.storedIdentity();
        assert.ok(id && id.config, "the identity (key + enrolled config) is in the store");
        assert.deepEqual(x25519Base(id.privateKey), b.devicePublicKey, "the stored key is the one whose public key the board told");
      } else note("store not readable on this target: only its effect (the accepted handshake) is checked");
      const hs = await latestHandshake(b);
      await sleep(1100); // wg(8) reports handshakes in whole seconds
      const n = b.readings().length;
      await b.startDevice({}, false);
      await b.waitReadings(n + 2, 15000);
      const fresh = b.readings().slice(n);
      const boot = fresh.find((r) => r.seq === 0);
      assert.ok(boot, `a fresh boot (sequence restarted): ${fresh.map((r) => r.seq)}`);
      assert.ok(boot.uptimeMs < b.ms(15000), `the clock restarted at zero (first reading at ${boot.uptimeMs} ms)`);
      assert.ok((await latestHandshake(b)) > hs, "a new handshake accepted by wireguard-go (timestamp moved forward)");

      // The control: without the reservation the same reboot must fail, or the check above
      // proves nothing. Only the reservation goes: the device keeps its key and config.
      const forget = b.target.forgetStoreKey;
      if (!forget) {
        note("control SKIPPED: this target cannot edit its store");
        return;
      }
      record(await b.stopDevice());
      await forget("tai64n.reserved");
      const hs2 = await latestHandshake(b);
      const refusedBefore = (b.wg.log.match(/invalid initiation/gi) ?? []).length;
      await b.startDevice({}, false);
      // The device initiates at once (and again every REKEY_TIMEOUT): wireguard-go must refuse.
      await pollUntil("wireguard-go to refuse an initiation", () => (b.wg.log.match(/invalid initiation/gi) ?? []).length > refusedBefore, b.ms(8000), 200);
      await sleep(b.ms(1000)); // a status line after the refusal
      assert.equal(await latestHandshake(b), hs2, "wireguard-go refused the initiation with a timestamp from zero");
      const st = b.appStatus();
      assert.ok(st && st.handshakes === 0 && st.state !== "established", `no session without the store: ${JSON.stringify(st)}`);
    },
  },
  {
    name: "device-responds",
    title: "device as responder (pre-shared key): wireguard-go initiates when home pings first, then readings flow",
    bench: { deviceKnowsHome: false, homeKnowsDevice: true, psk: true },
    fresh: true,
    budgetMs: 40000,
    async run({ bench: b }) {
      await b.startDevice();
      await sleep(b.ms(1500));
      assert.equal(b.readings().length, 0, "no readings before the peer is known");
      assert.equal(await latestHandshake(b), 0, "no handshake yet");
      const ping = await nsPing(b.topo, b.topo.home, DEV_INNER, 3, Math.ceil(3 * b.target.slowdown));
      assert.ok(ping.ok, `ping answered after wireguard-go's initiation: ${ping.output}`);
      assert.ok((await latestHandshake(b)) > 0);
      assert.ok((await b.wg.dump()).presharedKey, "wireguard-go has the pre-shared key");
      await b.waitReadings(2, 10000);
    },
  },
  {
    name: "make-demo",
    title: "the firmware demo (make demo on QEMU, make demo-firmware on the host board, make demo-esp-idf on IDF's linux target): DEMO_SECONDS prints readings at the collector, then removes everything",
    standalone: true,
    targets: ["host", "qemu", "idf-linux"],
    budgetMs: 60000,
    async run({ target }) {
      const demo = await run(["env", "DEMO_SECONDS=10", process.execPath, "--import", "tsx", DEMO, "--target", target], { timeoutMs: 90000, allowFail: true });
      assert.equal(demo.code, 0, demo.stdout + demo.stderr);
      const readings = demo.stdout.split("\n").filter((l) => /^\s*collector\| \{.*"celsius"/.test(l));
      assert.ok(readings.length >= 2, `expected >= 2 readings in 10 s:\n${demo.stdout}`);
      assert.match(demo.stdout, /demo-firmware: clean/);
      // Its own namespaces (named in its shutdown line), not the machine's: others may run too.
      const own = /removing namespaces (\S+) (\S+)/.exec(demo.stdout);
      assert.ok(own, `the demo names the namespaces it removes:\n${demo.stdout}`);
      const left = (await run(["ip", "netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0]);
      assert.deepEqual(left.filter((n) => n === own[1] || n === own[2]), [], "the demo leaves no namespace behind");
    },
  },
];

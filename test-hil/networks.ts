// The board scenarios of issue 11 (make test-networks): deep sleep, long life, bad links, written
// once for the host and QEMU boards (run.ts --suite networks). Like scenarios.ts, each asserts
// on the other side too: wireguard-go's latest handshake, the collector's readings, the relay.
import assert from "node:assert/strict";
import { sleep } from "../ts/interop/proc.ts";
import { REJECT_AFTER_TIME } from "../ts/wireguard/constants.ts";
import type { Bench } from "./bench.ts";
import type { Scenario } from "./scenarios.ts";
import { appStatus, pollUntil, runtimeLine } from "./target.ts";

/** The sensor app's "[info] wake {...}" lines (ts/app/sleep.ts), every boot of the bench. */
export function wakeLines(b: Bench): { seq: number; resume: string | null; sent: boolean; handshakes: number; replays: number; awakeMs: number; kept: number }[] {
  return b.transcript().map((l) => /^\[info\] wake (\{.*\})$/.exec(l)).filter((m) => m !== null).map((m) => JSON.parse(m![1]));
}

async function latestHandshake(b: Bench): Promise<number> {
  return (await b.wg.dump()).latestHandshake;
}

function seqs(b: Bench): number[] {
  return b.readings().map((r) => r.seq);
}

const SLEEP_MS = 5000;

/** At loss p with 5 % duplication and 10 % reordering (ts/interop/badlink.interop.ts's link). */
const LOSSY = (loss: number) => ({ loss, duplicate: 0.05, reorder: 0.1, reorderMs: 30, duplicateGapMs: 1 });

function badLink(loss: number, seed: number): Scenario {
  const pct = loss * 100;
  return {
    name: `bad-link-${pct}`,
    title: `bad link, ${pct} % loss, 5 % duplication, 10 % reordering (relay at home): the tunnel comes up, readings reach the collector in order without duplicates, duplicates to the board count as replays`,
    bench: { relay: { link: LOSSY(loss), seed }, echo: true },
    fresh: true,
    budgetMs: 120000,
    async run({ bench: b, note }) {
      const t0 = Date.now();
      // 250 ms apart: more than the relay's reordering displacement (30 ms), so readings keep their order.
      await b.startDevice({ readingIntervalMs: 250, statusIntervalMs: 1000 });
      await pollUntil("a handshake at wireguard-go", async () => (await latestHandshake(b)) > 0, b.ms(60000), 200);
      const upMs = Date.now() - t0;
      await b.waitReadings(40, 40000);
      await sleep(1500); // the last echoes and their duplicates
      const s = await pollUntil("a fresh app status", () => b.appStatus(), b.ms(5000));
      const r = seqs(b);
      const relay = await b.relayStats();
      note(`bad link ${pct} %: tunnel up ${upMs} ms after power-on; ${r.length} readings of ${s.readingsSent} sent; relay to home ${JSON.stringify(relay.toHome)} to board ${JSON.stringify(relay.toDevice)}; board replays ${s.drops.replay ?? 0}`);
      for (let i = 1; i < r.length; i++) assert.ok(r[i] > r[i - 1], `in order, no duplicates: ${r[i - 1]} then ${r[i]}`);
      const sent = s.readingsSent;
      const sd = Math.sqrt(sent * loss * (1 - loss));
      assert.ok(r.length >= sent * (1 - loss) - 4 * sd - 2, `${r.length} of ${sent} readings arrived at ${pct} % loss`);
      assert.ok(relay.toHome.byType[4]?.duplicated > 0 && relay.toDevice.byType[4]?.duplicated > 0, "the relay duplicated transport messages both ways");
      // Every duplicated transport message the board received again is one replay; the status
      // line may be up to a second old, so compare with a fresh one.
      const fresh = await pollUntil("the board's replay count to settle", async () => {
        const st = b.appStatus();
        await sleep(1100);
        const st2 = b.appStatus();
        return st && st2 && st.drops.replay === st2.drops.replay ? st2 : null;
      }, b.ms(10000), 0);
      assert.equal(fresh.drops.replay ?? 0, relay.toDevice.byType[4].duplicated, "each duplicate to the board counted as a replay");
      assert.equal(relay.nonceReuse, 0, "no nonce used twice by the board");
    },
  };
}

export const NETWORK_SCENARIOS: Scenario[] = [
  {
    name: "deep-sleep-resume",
    title: "deep sleep: 20 wakes 5 s apart, RAM off, the session in the retained region -> 20 readings at the collector in order on one handshake (wireguard-go's latest handshake unchanged), no nonce used twice",
    bench: { relay: { link: {}, seed: 1 } },
    fresh: true,
    budgetMs: 240000,
    async run({ bench: b, note }) {
      await b.startDevice({ sleepMs: SLEEP_MS, statusIntervalMs: 0 });
      await b.waitReadings(1, 30000);
      const first = await pollUntil("wireguard-go's handshake", async () => (await latestHandshake(b)) || null, b.ms(5000), 200);
      await b.waitReadings(20, 20 * (SLEEP_MS + 2000));
      // Each wake's line comes once its reading has gone out, just before it sleeps.
      await pollUntil("20 wake lines", () => wakeLines(b).length >= 20, b.ms(5000), 100);
      const r = b.readings().slice(0, 20);
      assert.deepEqual(r.map((x) => x.seq), Array.from({ length: 20 }, (_, i) => i), "20 readings numbered across the wakes, in order");
      for (let i = 1; i < 20; i++) {
        assert.ok(r[i].uptimeMs - r[i - 1].uptimeMs >= SLEEP_MS, `the clock kept counting across the sleep: ${r[i - 1].uptimeMs} -> ${r[i].uptimeMs} ms`);
      }
      assert.equal(await latestHandshake(b), first, "wireguard-go saw one handshake");
      const w = wakeLines(b).slice(0, 20);
      assert.equal(w[0].resume, "empty", "the first boot had no session");
      assert.equal(w[0].handshakes, 1);
      for (let i = 1; i < 20; i++) {
        assert.equal(w[i].resume, null, `wake ${i} resumed the session`);
        assert.equal(w[i].handshakes, 0, `wake ${i} made no handshake`);
        assert.equal(w[i].kept, 172, `wake ${i} handed the session back`);
      }
      const stats = await b.relayStats();
      assert.equal(stats.nonceReuse, 0, "no (receiver, counter) sent twice");
      const resumed = w.slice(1).map((x) => x.awakeMs).sort((a, c) => a - c);
      note(`awake per wake: with the handshake ${w[0].awakeMs} ms, resumed median ${resumed[Math.floor(resumed.length / 2)]} ms (board clock)`);
      const sleeps = b.transcript().filter((l) => l.startsWith("[sleep]")).map((l) => runtimeLine([l], ["sleep"])!);
      if (sleeps.length) note(`heap at sleep: current ${sleeps[sleeps.length - 1]["heap-current"]}, peak max ${Math.max(...sleeps.map((x) => x["heap-peak"]))} bytes`);
    },
  },
  {
    name: "deep-sleep-crash",
    title: "deep sleep: a watchdog-like reset right after a wake resumed the session (the record erased, nothing sent yet): the next boot finds no record and handshakes; no nonce used twice, no reading number twice",
    bench: { relay: { link: {}, seed: 2 } },
    fresh: true,
    budgetMs: 120000,
    async run({ bench: b }) {
      // Retained writes since power-on: 1 = the first boot reserves reading 0's number, 2 = it
      // hands the session back; 3 = the next wake erases the record to resume it -> the fault.
      await b.startDevice({ sleepMs: SLEEP_MS, statusIntervalMs: 0 }, true, { crashAfterRetainedWrites: 3 });
      await b.waitReadings(1, 30000);
      const first = await pollUntil("wireguard-go's handshake", async () => (await latestHandshake(b)) || null, b.ms(5000), 200);
      await pollUntil("the test fault", () => b.transcript().some((l) => l.startsWith("[board] test fault: reset after retained write 3")), b.ms(30000), 200);
      await sleep(1100); // wg(8) reports handshakes in whole seconds
      await b.waitReadings(3, 40000);
      await pollUntil("3 wake lines", () => wakeLines(b).length >= 3, b.ms(5000), 100);
      const w = wakeLines(b);
      assert.equal(w[1].resume, "empty", `the boot after the fault found no record: ${JSON.stringify(w[1])}`);
      assert.equal(w[1].handshakes, 1, "and made a new handshake");
      assert.ok((await latestHandshake(b)) > first, "wireguard-go accepted a second handshake");
      assert.deepEqual(seqs(b).slice(0, 3), [0, 2, 3], "reading 1's number was reserved before the fault: skipped, never sent twice");
      assert.equal((await b.relayStats()).nonceReuse, 0, "no (receiver, counter) sent twice");
    },
  },
  {
    name: "deep-sleep-expired",
    title: "deep sleep past REJECT_AFTER_TIME (test clock x10): the wake refuses the kept record (expired) and handshakes again",
    fresh: true,
    budgetMs: 120000,
    async run({ bench: b }) {
      const rate = 10;
      // Without a wall clock: a board whose clock runs x10 beside a real wall clock would have its
      // record refused as clock-mismatch (session.ts) before its age is looked at.
      await b.startDevice({ sleepMs: REJECT_AFTER_TIME + 10000, statusIntervalMs: 0 }, false, { clockRate: rate });
      await b.waitReadings(1, 30000);
      const first = await pollUntil("wireguard-go's handshake", async () => (await latestHandshake(b)) || null, b.ms(5000), 200);
      await sleep(1100);
      await b.waitReadings(2, 60000);
      await pollUntil("2 wake lines", () => wakeLines(b).length >= 2, b.ms(5000), 100);
      const w = wakeLines(b);
      assert.equal(w[1].resume, "expired", `the record was refused: ${JSON.stringify(w[1])}`);
      assert.equal(w[1].handshakes, 1, "a new handshake");
      assert.ok((await latestHandshake(b)) > first, "wireguard-go accepted the new handshake");
    },
  },
  {
    name: "long-life",
    title: "long life (host, test clock x400): 300 rekeys against wireguard-go; the engine's heap after the last within 1 % of after the first",
    targets: ["host"],
    bench: { echo: true },
    fresh: true,
    budgetMs: 400000,
    async run({ bench: b, note }) {
      const rate = 400;
      // A reading every 10 s of board time, echoed: the board rekeys on REKEY_AFTER_TIME (it sends
      // on an old keypair) and never on silence (the echo answers every reading).
      await b.startDevice({ readingIntervalMs: 10000, statusIntervalMs: 400000 }, true, { clockRate: rate });
      const heapAt = async (handshakes: number) => {
        await pollUntil(`${handshakes} handshakes`, () => {
          const st = b.appStatus();
          return st && st.handshakes >= handshakes;
        }, b.ms(400000), 100);
        const mark = b.target.lines.length;
        const answer = await b.console.request("status", 10000);
        assert.ok(answer.ok);
        const line = await pollUntil("the status line", () => runtimeLine(b.target.lines.slice(mark), ["status"]), 5000, 20);
        const st = await pollUntil("the app status", () => appStatus(b.target.lines.slice(mark)), 5000, 20);
        return { heap: line["heap-current"], handshakes: st.handshakes as number };
      };
      const t0 = Date.now();
      const after1 = await heapAt(2); // the first rekey (the second handshake)
      const last = await heapAt(301);
      const secs = (Date.now() - t0) / 1000;
      const drift = (last.heap - after1.heap) / after1.heap;
      note(`long life: ${last.handshakes - 1} rekeys in ${secs.toFixed(0)} s; heap-current after the first ${after1.heap}, after the last ${last.heap} bytes (${(drift * 100).toFixed(2)} %)`);
      assert.ok(last.handshakes - 1 >= 300, `${last.handshakes - 1} rekeys`);
      assert.ok(Math.abs(drift) <= 0.01, `heap after the last rekey within 1 % of after the first: ${after1.heap} -> ${last.heap}`);
    },
  },
  {
    name: "keys-zeroed",
    title: "keys zeroed (test clock x20): one handshake, then no traffic: the keypair is gone after REJECT_AFTER_TIME and every key is zeroed at 3 x REJECT_AFTER_TIME after the handshake, not before and not later (the board's status and log; no key printed)",
    // The reading is echoed: under a x20 clock the board would take wireguard-go's passive
    // keepalive (10 s of real time) for an unanswered peer and handshake again.
    bench: { echo: true },
    fresh: true,
    budgetMs: 120000,
    async run({ bench: b, note }) {
      const rate = 20;
      const every = 10000; // board ms between app status lines (0.5 s here)
      // One reading at start (it makes the handshake), the next a day later: no traffic after it.
      await b.startDevice({ readingIntervalMs: 86400000, statusIntervalMs: every }, true, { clockRate: rate });
      await b.waitReadings(1, 30000);
      const ZEROED = /^\[info\] keys zeroed after \d+ s without a new session$/;
      await pollUntil("the keys zeroed line", () => b.target.lines.some((l) => ZEROED.test(l)), b.ms(Math.ceil((3 * REJECT_AFTER_TIME) / rate) + 30000), 100);
      await sleep(Math.ceil((2 * every) / rate)); // a status line or two after it
      const lines = b.target.lines;
      const z = lines.findIndex((l) => ZEROED.test(l));
      assert.equal(lines.filter((l) => ZEROED.test(l)).length, 1, "zeroed once");
      // Every app status line with its place in the transcript.
      const st = lines.map((l, i) => ({ i, s: appStatus([l]) })).filter((x) => x.s !== null);
      const hs = st.find((x) => x.s.handshakes === 1)!.s.lastHandshakeMs as number;
      assert.ok(st.every((x) => x.s.handshakes <= 1), `one handshake, no traffic made another: ${JSON.stringify(st.map((x) => [x.s.nowMs, x.s.handshakes, x.s.sessions]))}`);
      const deadline = hs + 3 * REJECT_AFTER_TIME;
      const before = st.filter((x) => x.i < z), after = st.filter((x) => x.i > z);
      const held = before.filter((x) => x.s.nowMs >= hs && x.s.nowMs < hs + REJECT_AFTER_TIME - every);
      assert.ok(held.length > 0 && held.every((x) => x.s.sessions >= 1), "the keypair is held while it may be used");
      assert.ok(st.filter((x) => x.s.nowMs >= hs + REJECT_AFTER_TIME).every((x) => x.s.sessions === 0), "no keypair once REJECT_AFTER_TIME passed");
      // The zeroing happened between the last status before its line and the first after it.
      const lastBefore = before[before.length - 1].s.nowMs, firstAfter = after[0]?.s.nowMs;
      assert.ok(firstAfter !== undefined, "a status line after the zeroing");
      note(`keys zeroed between board ${lastBefore} and ${firstAfter} ms; deadline (handshake + 3 x REJECT_AFTER_TIME) ${Math.floor(deadline)} ms`);
      assert.ok(lastBefore < deadline, `not before 3 x REJECT_AFTER_TIME: a status at ${lastBefore} ms precedes it`);
      assert.ok(firstAfter >= Math.floor(deadline), `zeroed at the deadline: the first status after it is at ${firstAfter} ms`);
      assert.ok(deadline - lastBefore <= 2 * every && firstAfter - deadline <= 2 * every, "the status lines bracket the deadline closely");
      assert.equal(after[0].s.sessions, 0);
      assert.equal(after[0].s.state, "idle");
    },
  },
  badLink(0.1, 11),
  badLink(0.3, 13),
];

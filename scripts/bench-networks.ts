// make bench-networks: time to tunnel up and reading delivery over a bad link (the bad-link
// relay between the device and wireguard-go in namespaces) at 0 / 10 / 30 % loss, with 5 %
// duplication and 10 % reordering when lossy. Board "node" = the TypeScript endpoint on Node.
// Board "qemu": the deep-sleep wake's instructions against a handshake's and the retained
// region (scripts/bench-networks-wake.ts, run on the JerryScript sleep image given by
// --qemu-wake IMAGE; --qemu-wake-not-run REASON prints NOT RUN rows instead).
// Prints a table and writes JSON rows {board, measure, value, unit, goal, met, note} to
// build/bench/networks.json. Wall-clock times (the link and the protocol's timeouts dominate,
// not CPU): each row is the median over BENCH_NETWORKS_TRIALS seeds (default 5). Root.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { interopUnavailable, removeStaleNamespaces, HOME_OUTER } from "../ts/interop/netns.ts";
import { Bench, RELAY_PORT, badLinkRun, type BadLinkRun } from "../ts/interop/fixture.ts";
import { REKEY_TIMEOUT } from "../ts/wireguard/constants.ts";

const TRIALS = Number(process.env.BENCH_NETWORKS_TRIALS ?? 5);
const READINGS = 100;

/** goal and met null: a measurement without a goal; value null: not run (note says why). */
interface Row { board: string; measure: string; value: number | null; unit: string; goal: string | null; met: boolean | null; note: string }

const { values: opt } = parseArgs({ options: { "qemu-wake": { type: "string" }, "qemu-wake-not-run": { type: "string" } } });

/** The QEMU board's deep-sleep rows (a child: test-hil takes the board's build from the environment). */
function qemuWakeRows(): { rows: Row[]; failed: boolean } {
  const notRun = (why: string): Row[] => [{ board: "qemu", measure: "resumed wake against a handshake's instructions", value: null, unit: "%", goal: "<= 5 %", met: null, note: `NOT RUN: ${why}` }];
  if (!opt["qemu-wake"]) {
    const why = opt["qemu-wake-not-run"] ?? "no --qemu-wake IMAGE";
    console.log(`\n*** NOT RUN: make bench-networks' deep-sleep rows on the QEMU board: ${why} ***\n`);
    return { rows: notRun(why), failed: false };
  }
  const out = "build/bench/networks-qemu-wake.json";
  const r = spawnSync("node_modules/.bin/tsx", ["scripts/bench-networks-wake.ts", "--out", out], {
    stdio: "inherit", env: { ...process.env, ENGINE: "jerryscript", HW_QEMU_IMAGE: opt["qemu-wake"] },
  });
  if (r.status !== 0) return { rows: notRun(`scripts/bench-networks-wake.ts failed (exit ${r.status ?? r.signal})`).map((x) => ({ ...x, met: false })), failed: true };
  return { rows: JSON.parse(readFileSync(out, "utf8")) as Row[], failed: false };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const why = await interopUnavailable();
  if (why) {
    console.error(`*** SKIPPED: make bench-networks did not run: ${why} ***`);
    process.exit(process.env.HOMEWIRE_ALLOW_SKIP === "1" && process.env.CI !== "true" ? 0 : 1);
  }
  await removeStaleNamespaces();
  const rows: Row[] = [];
  for (const loss of [0, 0.1, 0.3]) {
    const link = loss === 0 ? {} : { loss, duplicate: 0.05, reorder: 0.1, reorderMs: 30, duplicateGapMs: 1 };
    const runs: BadLinkRun[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const b = await Bench.create({ deviceEndpoint: { host: HOME_OUTER, port: RELAY_PORT } });
      try {
        runs.push(await badLinkRun(b, link, 100 + trial, READINGS));
      } finally {
        await b.destroy();
      }
      const r = runs[runs.length - 1];
      console.error(`bench-networks: loss ${loss * 100} % seed ${100 + trial}: tunnel up ${r.tunnelUpMs} ms, ${r.seqs.length}/${r.sent} readings, ${r.replays} replays`);
    }
    const pct = `${loss * 100} %`;
    const up = runs.map((r) => r.tunnelUpMs);
    // One round trip when nothing is lost; each lost initiation or response costs a REKEY_TIMEOUT
    // (plus up to 333 ms jitter). Goal: the median within the attempts the loss makes likely.
    const attempts = loss === 0 ? 1 : loss <= 0.1 ? 2 : 3;
    const upGoal = (attempts - 1) * (REKEY_TIMEOUT + 333) + 1000;
    rows.push({ board: "node", measure: `tunnel up, median of ${TRIALS} (loss ${pct})`, value: median(up), unit: "ms", goal: `<= ${upGoal}`, met: median(up) <= upGoal,
      note: `min ${Math.min(...up)}, max ${Math.max(...up)}; goal = ${attempts} attempt(s): P(initiation and response both arrive) = ${((1 - loss) ** 2).toFixed(2)}` });
    const delivered = runs.map((r) => r.seqs.length / r.sent);
    const ordered = runs.every((r) => r.seqs.every((s, i) => i === 0 || s > r.seqs[i - 1]));
    const deliveryGoal = Math.max(0, 1 - loss - 0.03);
    rows.push({ board: "node", measure: `readings delivered, median of ${TRIALS} (loss ${pct})`, value: Math.round(median(delivered) * 1000) / 10, unit: "%", goal: `>= ${(deliveryGoal * 100).toFixed(0)} %, in order, no duplicate`,
      met: median(delivered) >= deliveryGoal && ordered, note: `${READINGS} readings 100 ms apart after the tunnel is up; the link alone loses ${pct}; in order and unique: ${ordered ? "yes" : "NO"}` });
    const dups = runs.reduce((n, r) => n + r.relay.toDevice.byType[4]?.duplicated, 0);
    const replays = runs.reduce((n, r) => n + r.replays, 0);
    rows.push({ board: "node", measure: `duplicates to the device counted as replays (loss ${pct})`, value: replays, unit: "datagrams", goal: `= ${dups} (duplicated by the relay)`, met: replays === dups, note: "" });
  }
  mkdirSync("build/bench", { recursive: true });
  const board = qemuWakeRows();
  rows.push(...board.rows);
  writeFileSync("build/bench/networks.json", JSON.stringify(rows, null, 2) + "\n");
  const w = Math.max(...rows.map((r) => r.measure.length));
  const value = (r: Row) => r.value === null ? "-" : r.unit === "instructions" ? `${(r.value / 1e6).toFixed(2)} M insns` : `${r.value} ${r.unit}`;
  const verdict = (r: Row) => r.value === null ? "NOT RUN" : r.met === null ? "" : r.met ? "met" : "MISSED";
  console.log(`bench-networks: the Node endpoint against wireguard-go through the bad-link relay (${TRIALS} seeds each); the QEMU board's deep-sleep wakes (-icount)`);
  console.log(`${"board".padEnd(6)} ${"measure".padEnd(w)} ${"value".padStart(14)}  goal`);
  for (const r of rows) console.log(`${r.board.padEnd(6)} ${r.measure.padEnd(w)} ${value(r).padStart(14)}  ${r.goal ?? ""} ${verdict(r)}${r.note ? `  (${r.note})` : ""}`);
  if (board.failed) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// make bench-networks, one board's rows (scripts/bench-networks.ts runs this once per board, with
// that board's build in the environment as test-hil takes it: ENGINE, HW_FIRMWARE_IMAGE or
// HW_QEMU_IMAGE). Writes the rows ({board, measure, value, unit, goal, met, note}) as JSON to --out.
//
//   --board host|qemu --out FILE [--trials N] [--part badlink,wake]
//
// badlink: test-hil's Bench with the seeded relay (ts/interop/badlink-agent.ts) at home between the
//   board and wireguard-go, the collector echoing; per loss (0/10/30 %, with 5 % duplication and
//   10 % reordering when lossy) and seed: tunnel up (host ms from the board's "[started]" to its
//   "handshake complete"), readings delivered (100 readings 100 ms apart sent after the tunnel
//   was up), duplicates to the board against its replay count.
// wake (QEMU only): the deep-sleep mode under -icount (CCOUNT counts instructions): the board's
//   busy cycles from boot to "[board] deep sleep" for the wake that handshook and for the wakes
//   that resumed the kept session; and the retained region's size.
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { Bench } from "../test-hil/bench.ts";
import { appStatus, pollUntil, type Target } from "../test-hil/target.ts";
import { HostTarget } from "../test-hil/targets/host.ts";
import { QemuTarget } from "../test-hil/targets/qemu.ts";
import { wakeLines } from "../test-hil/networks.ts";
import { sleep } from "../ts/interop/proc.ts";
import { REKEY_TIMEOUT } from "../ts/wireguard/constants.ts";
import { SESSION_SIZE } from "../ts/wireguard/session.ts";

export interface Row { board: string; measure: string; value: number; unit: string; goal: string; met: boolean; note: string }

const { values: opt } = parseArgs({
  options: {
    board: { type: "string" },
    out: { type: "string" },
    trials: { type: "string", default: "5" },
    part: { type: "string", default: "badlink,wake" },
  },
});
if (opt.board !== "host" && opt.board !== "qemu") throw new Error(`--board must be host or qemu, not "${opt.board}"`);
if (!opt.out) throw new Error("--out FILE is required");
const BOARD = opt.board;
const TRIALS = Number(opt.trials);
const PARTS = opt.part!.split(",");
const READINGS = 100;
const INTERVAL_MS = 100;
// -icount shift=4: 16 ns of board time per instruction, CCOUNT (25 ns cycles at 40 MHz) counts
// 16/25 cycles per instruction (as scripts/qemu-bench.ts).
const SHIFT = 4;
const PER_INSN = 2 ** SHIFT / 25;
const WAKES = 8;
const SLEEP_MS = 5000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function newTarget(icount = false): Target {
  return BOARD === "host" ? new HostTarget() : new QemuTarget(icount ? { icountShift: SHIFT } : {});
}

interface LinkRun { tunnelUpMs: number; sent: number; delivered: number; ordered: boolean; duplicated: number; replays: number }

async function linkRun(loss: number, seed: number): Promise<LinkRun> {
  const link = loss === 0 ? {} : { loss, duplicate: 0.05, reorder: 0.1, reorderMs: 30, duplicateGapMs: 1 };
  const b = await Bench.create(newTarget(), { relay: { link, seed }, echo: true });
  try {
    await b.startDevice({ readingIntervalMs: INTERVAL_MS, statusIntervalMs: 1000 });
    const t0 = Date.now(); // within 50 ms of the "[started]" line
    const mark = b.target.lines.length;
    await pollUntil("the board's handshake", () => b.target.lines.slice(mark).some((l) => l === "[info] handshake complete"), b.ms(120000), 20);
    const tunnelUpMs = Date.now() - t0;
    // The first status after the tunnel is up: every reading numbered from here on was sent on it.
    const upAt = b.target.lines.length;
    const first = await pollUntil("a status after the handshake", () => appStatus(b.target.lines.slice(upAt)), b.ms(5000), 20);
    const from = first.readingsSent + first.readingsRefused;
    await pollUntil(`${READINGS} readings sent`, () => {
      const s = b.appStatus();
      return s && s.readingsSent + s.readingsRefused >= from + READINGS;
    }, b.ms(READINGS * INTERVAL_MS + 20000), 50);
    const endMark = b.target.lines.length;
    const answer = await b.console.request("status", b.ms(10000));
    if (!answer.ok) throw new Error(`status: ${answer.reason}`);
    const end = await pollUntil("the status line", () => appStatus(b.target.lines.slice(endMark)), b.ms(5000), 20);
    const to = end.readingsSent + end.readingsRefused;
    await sleep(1500); // the last readings, their echoes and duplicates
    const relay = await b.relayStats();
    const replayMark = b.target.lines.length;
    await b.console.request("status", b.ms(10000));
    const settled = await pollUntil("the status line", () => appStatus(b.target.lines.slice(replayMark)), b.ms(5000), 20);
    const seqs = b.readings().map((r) => r.seq).filter((s) => s >= from && s < to);
    return {
      tunnelUpMs, sent: to - from, delivered: new Set(seqs).size, ordered: seqs.every((s, i) => i === 0 || s > seqs[i - 1]),
      duplicated: relay.toDevice.byType[4]?.duplicated ?? 0, replays: settled.drops.replay ?? 0,
    };
  } finally {
    await b.destroy();
  }
}

async function badLinkRows(rows: Row[]): Promise<void> {
  for (const loss of [0, 0.1, 0.3]) {
    const runs: LinkRun[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const r = await linkRun(loss, 100 + trial);
      runs.push(r);
      console.error(`bench-networks ${BOARD}: loss ${loss * 100} % seed ${100 + trial}: tunnel up ${r.tunnelUpMs} ms, ${r.delivered}/${r.sent} readings, ${r.replays} replays of ${r.duplicated} duplicates`);
    }
    const pct = `${loss * 100} %`;
    const up = runs.map((r) => r.tunnelUpMs);
    // As the Node rows: one round trip when nothing is lost; each lost initiation or response
    // costs a REKEY_TIMEOUT (plus up to 333 ms jitter).
    const attempts = loss === 0 ? 1 : loss <= 0.1 ? 2 : 3;
    const upGoal = (attempts - 1) * (REKEY_TIMEOUT + 333) + 1000;
    rows.push({ board: BOARD, measure: `tunnel up, median of ${TRIALS} (loss ${pct})`, value: median(up), unit: "ms", goal: `<= ${upGoal}`, met: median(up) <= upGoal,
      note: `min ${Math.min(...up)}, max ${Math.max(...up)}; from the board's [started] to its handshake complete; goal = ${attempts} attempt(s)` });
    const share = runs.map((r) => r.delivered / r.sent);
    const ordered = runs.every((r) => r.ordered);
    const goal = Math.max(0, 1 - loss - 0.03);
    rows.push({ board: BOARD, measure: `readings delivered, median of ${TRIALS} (loss ${pct})`, value: Math.round(median(share) * 1000) / 10, unit: "%",
      goal: `>= ${(goal * 100).toFixed(0)} %, in order, no duplicate`, met: median(share) >= goal && ordered,
      note: `${READINGS} readings ${INTERVAL_MS} ms apart after the tunnel was up; in order and unique: ${ordered ? "yes" : "NO"}` });
    const dups = runs.reduce((n, r) => n + r.duplicated, 0), replays = runs.reduce((n, r) => n + r.replays, 0);
    rows.push({ board: BOARD, measure: `duplicates to the board counted as replays (loss ${pct})`, value: replays, unit: "datagrams", goal: `= ${dups} (duplicated by the relay)`, met: replays === dups, note: "" });
  }
}

async function wakeRows(rows: Row[]): Promise<void> {
  const b = await Bench.create(newTarget(true), {});
  try {
    await b.startDevice({ sleepMs: SLEEP_MS, statusIntervalMs: 0 });
    await pollUntil(`${WAKES} wakes`, () => wakeLines(b).length >= WAKES, b.ms(WAKES * 30000), 200);
    // Each wake's "[info] wake {...}" line is followed by its "[board] … at deep sleep" stamp.
    const lines = b.transcript();
    const wakes: { resume: string | null; handshakes: number; busy: number; enrolled: number }[] = [];
    let enrolled = NaN;
    for (let i = 0; i < lines.length; i++) {
      const e = /^\[board\] cycles=\d+ busy=(\d+) at enrolled$/.exec(lines[i]);
      if (e) enrolled = Number(e[1]) / PER_INSN;
      const m = /^\[info\] wake (\{.*\})$/.exec(lines[i]);
      if (!m) continue;
      const stamp = lines.slice(i + 1).map((l) => /^\[board\] cycles=\d+ busy=(\d+) at deep sleep$/.exec(l)).find((x) => x);
      if (!stamp) continue;
      const w = JSON.parse(m[1]);
      wakes.push({ resume: w.resume, handshakes: w.handshakes, busy: Number(stamp[1]) / PER_INSN, enrolled });
    }
    const hs = wakes.filter((w) => w.handshakes === 1);
    const resumed = wakes.filter((w) => w.resume === null && w.handshakes === 0);
    if (hs.length === 0 || resumed.length < 3) throw new Error(`wakes: ${JSON.stringify(wakes)}`);
    const H = median(hs.map((w) => w.busy)), R = median(resumed.map((w) => w.busy));
    const handshake = H - R;
    const M = (n: number) => `${(n / 1e6).toFixed(2)} M`;
    console.error(`bench-networks ${BOARD}: wakes ${JSON.stringify(wakes.map((w) => [w.resume, w.handshakes, Math.round(w.enrolled), Math.round(w.busy)]))}`);
    rows.push({ board: BOARD, measure: "wake that handshakes: boot to sleep", value: Math.round(H), unit: "instructions", goal: "", met: true,
      note: `${M(H)}; ${hs.length} wake(s): boot, identity, handshake, the reading, the session handed back` });
    rows.push({ board: BOARD, measure: "wake that resumes the session: boot to sleep", value: Math.round(R), unit: "instructions", goal: "", met: true,
      note: `${M(R)}, median of ${resumed.length} wakes (boot to "[board] enrolled" ${M(median(resumed.map((w) => w.enrolled)))}); from the wake to the reading sent and the session handed back` });
    const ratio = (100 * R) / handshake;
    rows.push({ board: BOARD, measure: "resumed wake against a handshake's instructions", value: Math.round(ratio * 10) / 10, unit: "%", goal: "<= 5 %", met: ratio <= 5,
      note: `${M(R)} / ${M(handshake)} (a handshaking wake minus a resumed one); against the whole handshaking wake ${(100 * R / H).toFixed(1)} %` });
  } finally {
    await b.destroy();
  }
  // What the region holds: the app's length byte, the core's session record, the next reading's
  // number (ts/app/sleep.ts); the board keeps two slots of the capacity (firmware/runtime/retained_ram.h).
  rows.push({ board: BOARD, measure: "retained region: bytes kept across a sleep", value: 1 + SESSION_SIZE + 4, unit: "bytes", goal: "<= 256 (HW_RETAINED_CAPACITY)", met: 1 + SESSION_SIZE + 4 <= 256,
    note: `1 length byte + the ${SESSION_SIZE}-byte session record + the next reading's number (4)` });
}

const rows: Row[] = [];
if (PARTS.includes("wake") && BOARD === "qemu") await wakeRows(rows);
if (PARTS.includes("badlink")) await badLinkRows(rows);
writeFileSync(opt.out, JSON.stringify(rows, null, 2) + "\n");
process.exit(0);

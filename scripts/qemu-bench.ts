// `make bench-qemu`: the firmware on the QEMU Xtensa board against wireguard-go, each engine in
// turn (Duktape; JerryScript when its build is there, else NOT RUN), side by side in one table.
// Instructions are counted under `-icount` (CCOUNT then counts instructions, see SHIFT below):
// the board counts the cycles it spends idle in its NIC poll; the rest ("busy") is the
// firmware's work: JS, crypto natives, lwIP. ENQ (0x05) on the console makes it print the
// counters at once, which brackets each burst. RAM and flash come from the ELF and the app image.
// Writes build/bench/qemu-xtensa.json: one row per engine and measure, with its goal. Root.
//
// Rows: RAM (data / bss / heap arena / stack, the JS heap), the JS heap after start and its peak
// (this run, and the test-hil run's if build/test-hil has it), boot to "[started]", boot to
// tunnel up, start to tunnel up (initiation + response, JS + crypto, against one X25519), per
// ping of a 1420- and a 64-byte inner packet (one transport packet in, one out) after
// subtracting the idle-time work (ticks) measured in a quiet window of the same length, the JS
// and runtime share of one 64-byte transport packet, and flash (firmware + app image).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { interopUnavailable, removeStaleNamespaces, Topology, DEV_INNER, DEV_OUTER } from "../ts/interop/netns.ts";
import { startBoardSession } from "./qemu-session.ts";
import { run, sleep, waitFor } from "../ts/interop/proc.ts";
import { QEMU_BUILDS } from "../test-hil/targets/qemu.ts";

// 2^SHIFT ns of board time per instruction. A small shift keeps board time from racing far
// ahead of host time while the host side is slow, so few ticks fall inside a burst (at
// shift=7 tick work swamped the packets). align=on would pin it to host time but then the
// console byte that brackets a burst is not always delivered (QEMU 7.2), so it is not used.
const SHIFT = 4;
const PER_INSN = 2 ** SHIFT / 25; // CCOUNT cycles (25 ns at 40 MHz) per instruction
const PINGS = 40;
const ENGINES = ["duktape", "jerryscript"] as const;
type Engine = (typeof ENGINES)[number];
// HW_BENCH_ENGINES=jerryscript measures one engine only (while working on it); make bench-qemu runs both.
const CHOSEN = (process.env.HW_BENCH_ENGINES ?? ENGINES.join(",")).split(",") as Engine[];
for (const e of CHOSEN) if (!ENGINES.includes(e)) throw new Error(`HW_BENCH_ENGINES: no engine "${e}"`);

/** The goals (issue 9). Each engine's row says whether it is met. */
const GOALS: Record<string, { goal: number; text: string; engines: readonly Engine[] }> = {
  ram_writable_bytes: { goal: 160 * 1024, text: "<= 160 KiB (JerryScript build)", engines: ["jerryscript"] },
  js_heap_peak_testhil_bytes: { goal: 48 * 1024, text: "<= 48 KiB (JerryScript)", engines: ["jerryscript"] },
  per_packet_js_runtime_insns: { goal: 30000, text: "<= 30 k", engines: ENGINES },
  start_to_tunnel_up_x25519: { goal: 3.5, text: "<= 3.5 x X25519", engines: ENGINES },
};

const reason = await interopUnavailable();
if (reason) {
  console.log(`\n*** SKIPPED: make bench-qemu: ${reason} ***\n`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}
await removeStaleNamespaces();

const crypto = JSON.parse(readFileSync("build/bench/crypto.json", "utf8")) as any[];
const lx = (p: string, n: number) => crypto.find((r) => r.isa === "xtensa-lx106" && r.implementation === "homewire" && r.primitive === p && r.bytes === n)?.instructions_os as number | undefined;
const X25519 = lx("x25519", 32), X25519_BASE = lx("x25519_base", 32), AEAD_64 = lx("aead_seal", 64), AEAD_1420 = lx("aead_seal", 1420);
if (!X25519 || !X25519_BASE || !AEAD_64 || !AEAD_1420) throw new Error("build/bench/crypto.json has no lx106 X25519/AEAD rows (make bench-crypto)");

/** Writable RAM and flash of a board image, from its sections (boards/qemu-xtensa/board.ld). */
function memory(elf: string) {
  const sec = new Map(execFileSync("xtensa-lx106-elf-size", ["-A", elf], { encoding: "utf8" }).split("\n")
    .map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 2 && /^\d+$/.test(p[1])).map((p) => [p[0], Number(p[1])]));
  const size = (s: string) => (sec.get(s) as number | undefined) ?? 0;
  // JerryScript's heap is a static array in .bss; Duktape's lives in the malloc arena.
  const nm = execFileSync("xtensa-lx106-elf-nm", ["-S", elf], { encoding: "utf8" });
  const jerryHeap = /^[0-9a-f]+ ([0-9a-f]+) [bB] jerry_global_heap$/m.exec(nm);
  const r = { data: size(".data"), bss: size(".noinit") + size(".bss"), arena: size(".heap"), stack: size(".stack"), unused: size(".reserve"),
    staticJsHeap: jerryHeap ? parseInt(jerryHeap[1], 16) : 0, flash: size(".text") + size(".rodata") + size(".data") };
  return { ...r, writable: r.data + r.bss + r.arena + r.stack };
}

type Counters = { cycles: number; busy: number; line: string };
const parse = (l: string): Counters => ({ cycles: Number(/cycles=(\d+)/.exec(l)![1]), busy: Number(/busy=(\d+)/.exec(l)![1]), line: l });
const field = (line: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(line)?.[1] ?? NaN);

/** One engine's firmware on the board: boot, handshake, ping bursts. */
async function measureSession(engine: Engine, elf: string, image: string) {
  const lines: string[] = [];
  const boardLines = () => lines.filter((l) => /^\[board\] cycles=\d+ busy=\d+ polls=/.test(l));
  const topo = await Topology.create();
  try {
    const { qemu } = await startBoardSession(topo, { name: `bench-${engine}`, elf, image, icountShift: SHIFT, onLine: (l) => lines.push(l) });
    const snapshot = async (): Promise<Counters> => {
      const n = boardLines().length;
      let asked = 0;
      await waitFor("the board's counters", () => {
        if (asked++ % 200 === 0) qemu.process.stdin!.write("\x05"); // ENQ: the board prints its counters; again every 2 s if a byte was missed
        return boardLines().length > n;
      }, 30000, 10);
      return parse(boardLines().pop()!);
    };
    await waitFor("[started]", () => lines.some((l) => l.startsWith("[started]")), 60000, 20);
    await waitFor("board line", () => boardLines().length > 0, 10000, 20);
    const started = parse(boardLines()[0]);
    const startedLine = lines.find((l) => l.startsWith("[started]"))!;
    await waitFor("handshake complete", () => lines.some((l) => l.includes("at handshake complete")), 20000, 20);
    const hs = parse(lines.find((l) => l.includes("at handshake complete"))!);

    // Work that happens anyway (ticks) per cycle of virtual time, from a quiet window.
    async function quietRate(): Promise<number> {
      const a = await snapshot();
      await sleep(1500);
      const b = await snapshot();
      return (b.busy - a.busy) / (b.cycles - a.cycles);
    }
    async function perPing(payload: number, dst: string): Promise<{ insns: number; ok: boolean }> {
      const rate = await quietRate();
      const a = await snapshot();
      const r = await run(topo.exec(topo.home, ["ping", "-n", "-q", "-c", String(PINGS), "-i", "0.02", "-W", "2", "-s", String(payload), dst]), { allowFail: true, timeoutMs: 30000 });
      const b = await snapshot();
      const received = Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
      const extra = (b.busy - a.busy) - rate * (b.cycles - a.cycles);
      return { insns: extra / Math.max(received, 1) / PER_INSN, ok: received === PINGS };
    }
    // Best and median of five bursts: a burst that includes a garbage collection (or a
    // quiet window that does) is an outlier, not the packet's cost.
    async function bursts(payload: number, dst: string): Promise<{ best: number; median: number; ok: boolean }> {
      const runs: { insns: number; ok: boolean }[] = [];
      for (let i = 0; i < 5; i++) runs.push(await perPing(payload, dst));
      const sorted = runs.map((r) => r.insns).sort((x, y) => x - y);
      return { best: sorted[0], median: sorted[2], ok: runs.every((r) => r.ok) };
    }
    // HW_BENCH_QUICK=1 (while working on the per-packet path): the 64-byte rows only.
    const quick = process.env.HW_BENCH_QUICK === "1";
    const none = { best: NaN, median: NaN, ok: true };
    const big = quick ? none : await bursts(1420 - 28, DEV_INNER);
    const small = await bursts(64 - 28, DEV_INNER);
    // The same pings at the board's outer address: lwIP and the NIC alone, no tunnel, no JS.
    // The tunnel's outer datagrams are 32 + 28 bytes longer than its inner packets.
    const bigOuter = quick ? none : await bursts(1420 + 32 - 28, DEV_OUTER);
    const smallOuter = await bursts(64 + 32 - 28, DEV_OUTER);
    const status = await snapshot();
    await qemu.stop();
    const runtimeLines = lines.filter((l) => /^\[(started|status|exit)\] engine=/.test(l));
    return {
      bootToStarted: started.busy / PER_INSN,
      bootToTunnelUp: hs.busy / PER_INSN,
      // everything the board did from start to "handshake complete": the first reading, the
      // initiation, the response, ARP, and the ticks while wireguard-go answered (an upper bound)
      startToTunnelUp: (hs.busy - started.busy) / PER_INSN,
      big, small, bigOuter, smallOuter,
      heapStarted: field(startedLine, "heap-current"),
      heapPeak: Math.max(...runtimeLines.map((l) => field(l, "heap-peak")).filter((n) => !Number.isNaN(n)), field(startedLine, "heap-peak")),
      heapLimit: field(startedLine, "heap-limit"),
      stackPeak: field(status.line, "stack-peak"),
      arenaPeak: field(status.line, "large-peak") + field(status.line, "slabs"),
      board: status.line,
    };
  } catch (e) {
    throw new Error(`${engine}: ${(e as Error).message}\n--- board console (tail) ---\n${lines.slice(-15).join("\n")}`);
  } finally {
    await topo.destroy();
  }
}

/** The JS heap peak over the last test-hil run on this board (test-hil/run.ts writes it). */
function testHilPeak(engine: Engine): number | null {
  const f = `build/test-hil/${engine === "duktape" ? "qemu" : "qemu-jerryscript"}.heap.json`;
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as { heapPeak: number }).heapPeak : null;
}

interface Row { engine: Engine; measure: string; value: number | null; unit: string; goal: string | null; met: boolean | null; note?: string; reason?: string }

/** make profile-qemu's summary for this engine's firmware, if it was made from the same ELF. */
function profileOf(engine: Engine, elf: string): { total: number; engine: number; groups: Record<string, number> }[] | null {
  const f = `build/profile/qemu-profile${engine === "duktape" ? "" : "-" + engine}.json`;
  if (!existsSync(f) || statSync(f).mtimeMs < statSync(elf).mtimeMs) return null;
  const w = (JSON.parse(readFileSync(f, "utf8")) as { windows: Record<string, { total: number; engine: number; groups: Record<string, number> }> }).windows;
  return [w.startToTunnelUp, w.ping64];
}

/** Why a goal was missed, from what was measured (this run, make bench-crypto, make profile-qemu). */
function reasonFor(row: Row, elf: string): string {
  const prof = profileOf(row.engine, elf);
  const share = (w: { total: number; engine: number; groups: Record<string, number> }) =>
    `${row.engine}'s own code is ${Math.round((100 * w.engine) / w.total)}% of it (make profile-qemu; largest: ${Object.entries(w.groups).slice(0, 3).map(([g, v]) => `${g} ${v >= 1e6 ? (v / 1e6).toFixed(2) + " M" : (v / 1000).toFixed(1) + " k"}`).join(", ")})`;
  if (row.measure === "start_to_tunnel_up_x25519") {
    const floor = (3 * X25519! + X25519_BASE!) / X25519!;
    return `X25519 alone is ${floor.toFixed(2)} x (the initiator's 3 DH and its ephemeral's base point, make bench-crypto); the rest of the window ` +
      `(Noise/KDF in JS, BLAKE2s/HMAC/AEAD, the first reading, the TAI64N store write) is ${(row.value! - floor).toFixed(2)} x where the goal leaves ${(3.5 - floor).toFixed(2)} x` +
      (prof ? `; ${share(prof[0])}` : "");
  }
  if (row.measure === "per_packet_js_runtime_insns") {
    return prof ? `per 64-byte ping (ticks included) ${share(prof[1])}` : `run make profile-qemu ENGINE=${row.engine} for where the instructions go`;
  }
  return "";
}
const rows: Row[] = [];
const results = new Map<Engine, { mem: ReturnType<typeof memory>; s: Awaited<ReturnType<typeof measureSession>>; imageBytes: number } | string>();
let failed = false;
for (const engine of ENGINES) {
  if (!CHOSEN.includes(engine)) {
    results.set(engine, "not chosen (HW_BENCH_ENGINES)");
    continue;
  }
  const elf = resolve(QEMU_BUILDS[engine].elf), image = resolve(QEMU_BUILDS[engine].image);
  if (!existsSync(elf) || !existsSync(image)) {
    const why = engine === "jerryscript" ? `no JerryScript build (${elf}; make qemu-board-jerryscript needs a tree at JERRYSCRIPT_PATH)` : `${elf} not built (make qemu-board)`;
    results.set(engine, why);
    if (engine === "duktape") failed = true;
    continue;
  }
  console.log(`bench-qemu: ${engine} ...`);
  try {
    results.set(engine, { mem: memory(elf), s: await measureSession(engine, elf, image), imageBytes: statSync(image).size });
  } catch (e) {
    console.error((e as Error).message);
    results.set(engine, `failed: ${(e as Error).message.split("\n")[0]}`);
    failed = true;
  }
}

function add(engine: Engine, measure: string, value: number | null, unit: string, note?: string): void {
  const g = GOALS[measure];
  const applies = g && g.engines.includes(engine);
  rows.push({ engine, measure, value: value === null ? null : Math.round(value * 100) / 100, unit, goal: applies ? g.text : null,
    met: applies && value !== null ? value <= g.goal : null, ...(note ? { note } : {}) });
}
for (const [engine, r] of results) {
  if (typeof r === "string") {
    rows.push({ engine, measure: "not_run", value: null, unit: "", goal: null, met: null, note: r });
    continue;
  }
  const { mem, s } = r;
  add(engine, "ram_writable_bytes", mem.writable, "bytes", `data ${mem.data} + bss ${mem.bss} + heap arena ${mem.arena} + stack ${mem.stack}; dram left unused ${mem.unused}`);
  add(engine, "ram_data_bytes", mem.data, "bytes");
  add(engine, "ram_bss_bytes", mem.bss, "bytes", mem.staticJsHeap ? `of which the JS heap ${mem.staticJsHeap}` : undefined);
  add(engine, "ram_heap_arena_bytes", mem.arena, "bytes", `malloc arena; peak use ${s.arenaPeak}`);
  add(engine, "ram_stack_bytes", mem.stack, "bytes", `peak use ${s.stackPeak}`);
  add(engine, "js_heap_capacity_bytes", s.heapLimit, "bytes", mem.staticJsHeap ? "static array in .bss" : "limit inside the malloc arena");
  add(engine, "js_heap_after_start_bytes", s.heapStarted, "bytes");
  add(engine, "js_heap_peak_bench_bytes", s.heapPeak, "bytes");
  const hil = testHilPeak(engine);
  add(engine, "js_heap_peak_testhil_bytes", hil, "bytes", hil === null ? "not measured: run make test-qemu first" : "max over every boot of the last test-hil run on this board");
  add(engine, "boot_to_started_insns", s.bootToStarted, "instructions");
  add(engine, "boot_to_tunnel_up_insns", s.bootToTunnelUp, "instructions");
  add(engine, "start_to_tunnel_up_insns", s.startToTunnelUp, "instructions");
  add(engine, "start_to_tunnel_up_x25519", s.startToTunnelUp / X25519!, "x X25519", `one X25519 = ${X25519} (make bench-crypto)`);
  add(engine, "ping_1420_insns", s.big.best, "instructions", `best of 5; median ${Math.round(s.big.median)}`);
  add(engine, "ping_64_insns", s.small.best, "instructions", `best of 5; median ${Math.round(s.small.median)}`);
  // The outer rows are small differences of large counts: their median, since a burst whose
  // quiet window caught extra work (a rekey, a collection) comes out far below the truth.
  add(engine, "outer_ping_96_insns", s.smallOuter.median, "instructions", "lwIP + NIC only; median of 5");
  // What remains once AEAD and the plain lwIP/NIC work of an outer ping are taken out: the JS
  // core plus the runtime's copies and the tunnel netif, per transport packet.
  add(engine, "per_packet_js_runtime_insns", (s.small.best - 2 * AEAD_64! - s.smallOuter.median) / 2, "instructions", "(64-byte ping - 2 AEAD - outer ping) / 2");
  add(engine, "per_packet_js_runtime_1420_insns", (s.big.best - 2 * AEAD_1420! - s.bigOuter.median) / 2, "instructions");
  add(engine, "flash_firmware_bytes", mem.flash, "bytes", "text + rodata + data image");
  add(engine, "flash_app_image_bytes", r.imageBytes, "bytes");
  add(engine, "flash_total_bytes", mem.flash + r.imageBytes, "bytes");
  add(engine, "all_pings_answered", s.big.ok && s.small.ok && s.bigOuter.ok && s.smallOuter.ok ? 1 : 0, "bool");
  for (const row of rows) if (row.engine === engine && row.met === false) row.reason = reasonFor(row, resolve(QEMU_BUILDS[engine].elf));
}
mkdirSync("build/bench", { recursive: true });
writeFileSync("build/bench/qemu-xtensa.json", JSON.stringify(rows, null, 2) + "\n");

// The table: one column per engine.
const K = (n: number) => `${(n / 1024).toFixed(1)} KiB`, k = (n: number) => `${(n / 1000).toFixed(1)} k`, M = (n: number) => `${(n / 1e6).toFixed(2)} M`;
const show: [string, string, (v: number) => string][] = [
  ["ram_writable_bytes", "writable RAM: data+bss+arena+stack", K],
  ["ram_data_bytes", "  .data", String],
  ["ram_bss_bytes", "  .bss (lwIP pools, statics; JerryScript's JS heap)", K],
  ["ram_heap_arena_bytes", "  heap arena (malloc)", K],
  ["ram_stack_bytes", "  stack", K],
  ["js_heap_capacity_bytes", "JS heap capacity", K],
  ["js_heap_after_start_bytes", "JS heap after start", K],
  ["js_heap_peak_bench_bytes", "JS heap peak, this run", K],
  ["js_heap_peak_testhil_bytes", "JS heap peak, test-hil run", K],
  ["boot_to_started_insns", "boot to [started]", M],
  ["boot_to_tunnel_up_insns", "boot to tunnel up", M],
  ["start_to_tunnel_up_insns", "start to tunnel up (handshake)", M],
  ["start_to_tunnel_up_x25519", "  = x one X25519", (v) => v.toFixed(2)],
  ["ping_1420_insns", "ping 1420 B (1 in + 1 out), best of 5", k],
  ["ping_64_insns", "ping 64 B (1 in + 1 out), best of 5", k],
  ["outer_ping_96_insns", "  outer ping, lwIP + NIC only (median)", k],
  ["per_packet_js_runtime_insns", "JS + runtime per transport packet (64 B)", k],
  ["flash_firmware_bytes", "flash: firmware", K],
  ["flash_app_image_bytes", "flash: app image", K],
  ["flash_total_bytes", "flash: engine + app", K],
];
const cell = (e: Engine, m: string, f: (v: number) => string) => {
  const r = results.get(e);
  if (typeof r === "string") return "NOT RUN";
  const row = rows.find((x) => x.engine === e && x.measure === m);
  if (!row || row.value === null) return "-";
  return f(row.value) + (row.met === false ? " MISSED" : row.met ? " ok" : "");
};
console.log(`\nqemu-xtensa (lx106, -icount shift=${SHIFT}); instructions, bytes`);
console.log(`${"".padEnd(52)}${"duktape".padEnd(20)}${"jerryscript".padEnd(20)}goal`);
for (const [m, label, f] of show) {
  const g = GOALS[m];
  console.log(`${label.padEnd(52)}${cell("duktape", m, f).padEnd(20)}${cell("jerryscript", m, f).padEnd(20)}${g ? g.text : ""}`);
}
for (const [e, r] of results) {
  if (typeof r === "string") console.log(`\n*** NOT RUN: bench-qemu ${e}: ${r} ***`);
  else if (!rows.find((x) => x.engine === e && x.measure === "all_pings_answered")?.value) console.log(`${e}: SOME PINGS LOST: per-ping figures are per answered ping`);
}
const missed = rows.filter((r) => r.met === false);
if (missed.length) console.log("\nmissed goals, and why (measured):");
for (const r of missed) console.log(`  ${r.engine} ${r.measure} = ${r.value} (goal ${r.goal}): ${r.reason}`);
console.log("wrote build/bench/qemu-xtensa.json");
if (failed) process.exitCode = 1;

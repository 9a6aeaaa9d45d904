// `make profile-qemu`: where the QEMU board's instructions go, per function, in two windows:
// start to tunnel up (the initiator handshake and all else the board does meanwhile) and a
// burst of 64-byte pings through the tunnel (plus a quiet window of the same host length, so
// tick work can be told apart). Runs the firmware like `make bench-qemu` (same -icount) with
// the tbcount plugin (scripts/qemu-profile/tbcount.c), which dumps per-block execution counts
// whenever the board runs board_status (the console byte "m", "[started]") or
// hw_board_console (every console line). Blocks are mapped to the ELF's symbols; the idle
// NIC poll is listed but left out of the totals. Writes build/profile/qemu-profile.txt (Duktape)
// or qemu-profile-jerryscript.txt (ENGINE=jerryscript), and a summary beside it (.json: each
// window's total, the engine's share, its largest files and functions) that make bench-qemu
// quotes. HW_PROFILE_WINDOW=wake (make profile-qemu-wake): the deep-sleep wakes instead (below),
// build/profile/qemu-profile-wake-jerryscript.{txt,json}, which make bench-networks quotes. Root.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { interopUnavailable, removeStaleNamespaces, Topology, DEV_INNER } from "../ts/interop/netns.ts";
import { startBoardSession } from "./qemu-session.ts";
import { run, sleep, waitFor } from "../ts/interop/proc.ts";
import { QEMU_ELF, QEMU_ENGINE, QEMU_IMAGE } from "../test-hil/targets/qemu.ts";

// ENGINE=duktape|jerryscript picks the build (test-hil/targets/qemu.ts); HW_QEMU_ELF/IMAGE override.
const ELF = QEMU_ELF;
const IMAGE = QEMU_IMAGE;
const PLUGIN = resolve("build/profile/tbcount.so");
const OUT = resolve("build/profile");
// HW_PROFILE_WINDOW=wake (make profile-qemu-wake): the deep-sleep mode on its image instead: the
// windows are whole wakes, from the reset (_start) to hw_board_deep_sleep, the first one with a
// handshake and the later ones resuming the kept session.
const WAKE = process.env.HW_PROFILE_WINDOW === "wake";
const WAKES = 4;
const OUT_FILE = `qemu-profile${WAKE ? "-wake" : ""}${QEMU_ENGINE === "duktape" ? "" : "-" + QEMU_ENGINE}.txt`;
const PINGS = 40;
const TOP = Number(process.env.HW_PROFILE_TOP ?? 25);

const reason = await interopUnavailable() ?? ([ELF, IMAGE, PLUGIN].every(existsSync) ? null : `${ELF}, ${IMAGE} or ${PLUGIN} not built`);
if (reason) {
  console.log(`\n*** SKIPPED: make profile-qemu: ${reason} ***\n`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}
await removeStaleNamespaces();

// Function symbols, sorted, for mapping block addresses.
// With -l, nm adds each symbol's source file (from the debug info) after a tab.
const syms = execFileSync("xtensa-lx106-elf-nm", ["-n", "-l", "--defined-only", ELF], { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n")
  .map((l) => { const [sym, where] = l.split("\t"); return { p: sym.split(" "), where }; })
  .filter(({ p }) => p.length === 3 && /^[tTwW]$/.test(p[1]))
  .map(({ p, where }) => ({ addr: parseInt(p[0], 16), name: p[2], file: where ? basename(where.replace(/:\d+$/, "")) : "" }));
const fileOf = new Map(syms.map((s) => [s.name, s.file]));
function symbolOf(addr: number): string {
  let lo = 0, hi = syms.length - 1, best = -1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (syms[mid].addr <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1; }
  return best < 0 ? `?${addr.toString(16)}` : syms[best].name;
}
const addrOf = (name: string) => { const s = syms.find((x) => x.name === name); if (!s) throw new Error(`no symbol ${name}`); return s.addr; };

const dumpDir = join(OUT, "dumps");
rmSync(dumpDir, { recursive: true, force: true });
mkdirSync(dumpDir, { recursive: true });
const prefix = join(dumpDir, "d");
const pluginArg = `${PLUGIN},out=${prefix},trig=0x${addrOf("board_status").toString(16)}:A,trig=0x${addrOf("hw_board_console").toString(16)}:B` +
  (WAKE ? `,trig=0x${addrOf("_start").toString(16)}:S,trig=0x${addrOf("hw_board_deep_sleep").toString(16)}:Z` : "");

const lines: string[] = [];
const topo = await Topology.create();
try {
  const { qemu } = await startBoardSession(topo, { name: "profile", elf: ELF, image: IMAGE, icountShift: 4, qemuArgs: ["-plugin", pluginArg], onLine: (l) => lines.push(l),
    ...(WAKE ? { app: { sleepMs: 5000 } } : {}) });
  const dumpsOf = (tag: string) => readdirSync(dumpDir).filter((f) => f.endsWith("." + tag)).sort();
  /** The windows to profile: [title, [from, to] dump pairs (summed, then divided by their count), summary key]. */
  const windows: { title: string; pairs: [string, string][]; per: number; key: string }[] = [];
  if (WAKE) {
    await waitFor(`${WAKES} wakes`, () => dumpsOf("Z").length >= WAKES, 120000, 50);
    await sleep(300);
    await qemu.stop();
    // Each sleep (Z) with the reset that started its wake (the last S before it).
    const all = readdirSync(dumpDir).sort();
    const wakes = dumpsOf("Z").map((z) => [all.filter((f) => f.endsWith(".S") && f < z).pop()!, z] as [string, string]);
    const kinds = lines.filter((l) => l.startsWith("[info] wake ")).map((l) => JSON.parse(l.slice(12)) as { resume: string | null; handshakes: number });
    if (kinds.length < wakes.length) throw new Error(`${wakes.length} sleeps but ${kinds.length} wake lines`);
    const handshaking = wakes.filter((_, i) => kinds[i].handshakes > 0);
    const resumed = wakes.filter((_, i) => kinds[i].handshakes === 0 && kinds[i].resume === null);
    if (!handshaking.length || !resumed.length) throw new Error(`wakes: ${JSON.stringify(kinds)}`);
    windows.push({ title: "wake that handshakes (reset to deep sleep)", pairs: handshaking, per: handshaking.length, key: "wakeHandshake" });
    windows.push({ title: `wake that resumes the session (reset to deep sleep; mean of ${resumed.length})`, pairs: resumed, per: resumed.length, key: "wakeResumed" });
  } else {
    // One "m" -> one board_status dump; returns its file.
    const mark = async (): Promise<string> => {
      const n = dumpsOf("A").length;
      let asked = 0;
      await waitFor("a board_status dump", () => {
        if (asked++ % 200 === 0) qemu.process.stdin!.write("\x05"); // ENQ: the board prints its counters
        return dumpsOf("A").length > n;
      }, 30000, 10);
      await sleep(200); // the plugin has written the file by the time the console shows the line; be generous
      return dumpsOf("A")[n];
    };
    await waitFor("[started]", () => lines.some((l) => l.startsWith("[started]")), 90000, 20);
    await waitFor("handshake complete", () => lines.some((l) => l.includes("at handshake complete")), 30000, 20);
    await sleep(300);
    // The handshake window ends at the hw_board_console call for "[info] handshake complete":
    // count the console lines (other than the board's own) printed after "[started]" up to it.
    const s = lines.findIndex((l) => l.startsWith("[started]"));
    const h = lines.findIndex((l) => l.startsWith("[info] handshake complete"));
    const k = lines.slice(s + 1, h + 1).filter((l) => !l.startsWith("[board]")).length;
    const all = readdirSync(dumpDir).sort();
    const startA = all.findIndex((f) => f.endsWith(".A"));
    const hsB = all.slice(startA + 1).filter((f) => f.endsWith(".B"))[k - 1];

    const p0 = await mark();
    const r = await run(topo.exec(topo.home, ["ping", "-n", "-q", "-c", String(PINGS), "-i", "0.02", "-W", "2", "-s", String(64 - 28), DEV_INNER]), { allowFail: true, timeoutMs: 30000 });
    const p1 = await mark();
    const received = Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
    const t0 = Date.now();
    const q0 = await mark();
    await sleep(Math.max(500, (Date.now() - t0) + 40 * 20));
    const q1 = await mark();
    await qemu.stop();
    windows.push({ title: "start to tunnel up", pairs: [[all[startA], hsB]], per: 1, key: "startToTunnelUp" });
    windows.push({ title: `64-byte ping window (${received}/${PINGS} answered), per ping`, pairs: [[p0, p1]], per: Math.max(received, 1), key: "ping64" });
    windows.push({ title: "quiet window after it (ticks), per ping-window unit", pairs: [[q0, q1]], per: Math.max(received, 1), key: "quiet" });
  }
  type Dump = Map<string, number>; // block key -> instructions executed so far
  const read = (f: string): Dump => {
    const m: Dump = new Map();
    for (const l of readFileSync(join(dumpDir, f), "utf8").split("\n")) {
      if (!l) continue;
      const [a, n, c] = l.split(" ");
      m.set(`${a}/${n}`, Number(n) * Number(c));
    }
    return m;
  };
  // The wait loop and what it polls (uart_take: the console's UART, read on every turn).
  const IDLE = new Set(["hw_board_poll", "qb_ethoc_poll", "qb_uart_getc", "uart_take", "qb_cycles"]);
  function profile(from: string, to: string) {
    const a = read(from), b = read(to);
    const bySym = new Map<string, number>();
    for (const [key, v] of b) {
      const d = v - (a.get(key) ?? 0);
      if (d <= 0) continue;
      const name = symbolOf(parseInt(key.split("/")[0], 16));
      bySym.set(name, (bySym.get(name) ?? 0) + d);
    }
    return bySym;
  }
  // By source file where the debug info names one (Duktape's own file names survive in its
  // single-file build), else by name for the toolchain's libraries.
  const group = (name: string): string => fileOf.get(name) || (
    /^(fe_|x25519|hw_x25519|ge_|scalarmult|mul_|sqr)/i.test(name) ? "x25519" :
    /blake2s|hmac/i.test(name) ? "blake2s/hmac" :
    /chacha|poly1305|aead/i.test(name) ? "chacha20poly1305" :
    /^(__(add|sub|mul|div)df3|__(fix|float|trunc|extend)|__(eq|ne|lt|le|gt|ge|un)df2|qb_sd_|softd|fmod|floor|ceil|trunc|__ashldi3|__lshrdi3)/.test(name) ? "soft double / libm" :
    /^duk_|^duk[A-Z]/.test(name) ? "duktape" :
    /^(ecma_|opfunc_|jmem_|lit_|jerry_|jcontext_|cbc_|re_|parser_|scanner_|lexer_|vm_loop|vm_run|vm_init)/.test(name) ? "jerryscript" :
    /^(memcpy|memset|memmove|memcmp|strlen|strcmp|__mul|__div|__udiv|__mod|__umod)/.test(name) ? "libc/libgcc" :
    /^(qb_alloc|__wrap_|malloc|free|realloc|calloc|slab)/.test(name) ? "allocator" :
    /^(qb_store|store_|hw_board_store|cfi)/.test(name) ? "store (CFI flash)" :
    /^(hw_vm|vm_)/.test(name) ? "vm adapter" :
    /^(hw_natives|hw_bind|bind_|native_)/.test(name) ? "bindings" :
    /^(lwip|netif|ip4|ip_|udp|etharp|ethernet|pbuf|mem_|memp|icmp|inet|sys_|tcp)/.test(name) ? "lwIP" :
    /^qb_ethoc|^ethoc/.test(name) ? "NIC driver" : "other (no debug info)");
  const out: string[] = [`# make profile-qemu, ${QEMU_ENGINE}: ${ELF}`];
  // The summary bench-qemu reads (the engine's share of each window, its largest files).
  const summary: Record<string, { total: number; engine: number; groups: Record<string, number>; functions: Record<string, number> }> = {};
  const isEngine = (g: string) => /^duk_|^duktape$|^jerryscript(\.c)?$/.test(g);
  function table(title: string, bySym: Map<string, number>, per: number, key: string) {
    const busy = [...bySym].filter(([n]) => !IDLE.has(n));
    const total = busy.reduce((t, [, v]) => t + v, 0);
    const idle = [...bySym].filter(([n]) => IDLE.has(n)).reduce((t, [, v]) => t + v, 0);
    out.push(`\n## ${title}: ${(total / per).toFixed(0)} instructions${per > 1 ? ` per unit (/${per})` : ""} (idle poll ${(idle / per).toFixed(0)} left out)`);
    const groups = new Map<string, number>();
    for (const [n, v] of busy) groups.set(group(n), (groups.get(group(n)) ?? 0) + v);
    const sorted = [...groups].sort((x, y) => y[1] - x[1]);
    summary[key] = { total: Math.round(total / per), engine: Math.round(sorted.filter(([g]) => isEngine(g)).reduce((t, [, v]) => t + v, 0) / per),
      groups: Object.fromEntries(sorted.slice(0, 8).map(([g, v]) => [g, Math.round(v / per)])),
      functions: Object.fromEntries([...busy].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([n, v]) => [n, Math.round(v / per)])) };
    out.push("| source file | instructions | share |", "|---|---:|---:|");
    for (const [g, v] of [...groups].sort((x, y) => y[1] - x[1]).slice(0, TOP)) out.push(`| ${g} | ${(v / per).toFixed(0)} | ${(100 * v / total).toFixed(1)}% |`);
    out.push("", "| function | instructions | share |", "|---|---:|---:|");
    for (const [n, v] of busy.sort((x, y) => y[1] - x[1]).slice(0, TOP)) out.push(`| ${n} | ${(v / per).toFixed(0)} | ${(100 * v / total).toFixed(1)}% |`);
  }
  for (const w of windows) {
    const sum = new Map<string, number>();
    for (const [from, to] of w.pairs) for (const [n, v] of profile(from, to)) sum.set(n, (sum.get(n) ?? 0) + v);
    table(w.title, sum, w.per, w.key);
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, OUT_FILE), out.join("\n") + "\n");
  writeFileSync(join(OUT, OUT_FILE.replace(/\.txt$/, ".json")), JSON.stringify({ engine: QEMU_ENGINE, elf: ELF, windows: summary }, null, 2) + "\n");
  console.log(out.join("\n"));
} catch (e) {
  console.error(`${(e as Error).message}\n--- board console (tail) ---\n${lines.slice(-15).join("\n")}`);
  process.exitCode = 1;
} finally {
  await topo.destroy();
}

// `make bench-qemu`: instruction counts of the firmware on the QEMU Xtensa board against
// wireguard-go, under `-icount` (CCOUNT then counts instructions, see SHIFT below). The board
// counts the cycles it spends idle in its NIC poll; the rest ("busy") is the firmware's work:
// JS, crypto natives, lwIP. ENQ (0x05) on the console makes it print the counters at once, which
// brackets each burst. Writes build/bench/qemu-xtensa.json. Needs root (namespaces, TAP).
//
// Rows: boot to "[started]" (compiling the app bundle from source included); start to tunnel
// up (initiation + response, JS + crypto); per ping of a 1420- and a 64-byte inner packet
// (one transport packet in, one out, JS + AEAD + lwIP) after subtracting the idle-time work
// (ticks) measured in a quiet window of the same length.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { interopUnavailable, removeStaleNamespaces, Topology, DEV_INNER, DEV_OUTER } from "../ts/interop/netns.ts";
import { startBoardSession } from "./qemu-session.ts";
import { run, sleep, waitFor } from "../ts/interop/proc.ts";

const ELF = resolve(process.env.HW_QEMU_ELF ?? "build/qemu-xtensa/homewire.elf");
const IMAGE = resolve(process.env.HW_QEMU_IMAGE ?? "build/firmware/homewire-fw.js");
// 2^SHIFT ns of board time per instruction. A small shift keeps board time from racing far
// ahead of host time while the host side is slow, so few ticks fall inside a burst (at
// shift=7 tick work swamped the packets). align=on would pin it to host time but then the
// console byte that brackets a burst is not always delivered (QEMU 7.2), so it is not used.
const SHIFT = 4;
const PER_INSN = 2 ** SHIFT / 25; // CCOUNT cycles (25 ns at 40 MHz) per instruction
const PINGS = 40;

const reason = await interopUnavailable() ?? (existsSync(ELF) && existsSync(IMAGE) ? null : `${ELF} or ${IMAGE} not built`);
if (reason) {
  console.log(`\n*** SKIPPED: make bench-qemu: ${reason} ***\n`);
  process.exit(process.env.CI === "true" ? 1 : 0);
}
await removeStaleNamespaces();

type Counters = { cycles: number; busy: number; line: string };
const lines: string[] = [];
const boardLines = () => lines.filter((l) => /^\[board\] cycles=\d+ busy=\d+ polls=/.test(l));
const parse = (l: string): Counters => ({ cycles: Number(/cycles=(\d+)/.exec(l)![1]), busy: Number(/busy=(\d+)/.exec(l)![1]), line: l });

const topo = await Topology.create();
try {
  const { qemu } = await startBoardSession(topo, { name: "bench", elf: ELF, image: IMAGE, icountShift: SHIFT, onLine: (l) => lines.push(l) });
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
  const startedHeap = lines.find((l) => l.startsWith("[started]"))!;
  await waitFor("handshake complete", () => lines.some((l) => l.includes("at handshake complete")), 20000, 20);
  const hs = parse(lines.find((l) => l.includes("at handshake complete"))!);

  // Work that happens anyway (ticks) per cycle of virtual time, from a quiet window.
  async function quietRate(): Promise<number> {
    const a = await snapshot();
    await sleep(1500);
    const b = await snapshot();
    return (b.busy - a.busy) / (b.cycles - a.cycles);
  }
  async function perPing(payload: number, dst = DEV_INNER): Promise<{ insns: number; ok: boolean }> {
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
  async function bursts(payload: number, dst = DEV_INNER): Promise<{ insns: number; median: number; ok: boolean }> {
    const runs: { insns: number; ok: boolean }[] = [];
    for (let i = 0; i < 5; i++) runs.push(await perPing(payload, dst));
    const sorted = runs.map((r) => r.insns).sort((x, y) => x - y);
    return { insns: sorted[0], median: sorted[2], ok: runs.every((r) => r.ok) };
  }
  const big = await bursts(1420 - 28);
  const small = await bursts(64 - 28);
  // The same pings at the board's outer address: lwIP and the NIC alone, no tunnel, no JS.
  // The tunnel's outer datagrams are 32 + 28 bytes longer than its inner packets.
  const bigOuter = await bursts(1420 + 32 - 28, DEV_OUTER);
  const smallOuter = await bursts(64 + 32 - 28, DEV_OUTER);
  const status = await snapshot();
  await qemu.stop();

  const aead = JSON.parse(readFileSync("build/bench/crypto.json", "utf8").toString()) as any[];
  const lx = (p: string, n: number) => aead.find((r) => r.isa === "xtensa-lx106" && r.implementation === "homewire" && r.primitive === p && r.bytes === n)?.instructions_os as number | undefined;
  const x25519 = lx("x25519", 32);
  const rows = {
    boot_to_started_insns: Math.round(started.busy / PER_INSN),
    // everything the board did from start to "handshake complete": the first reading, the
    // initiation, the response, ARP, and the ticks while wireguard-go answered (an upper bound)
    start_to_tunnel_up_insns: Math.round((hs.busy - started.busy) / PER_INSN),
    ping_1420_insns: Math.round(big.insns),
    ping_1420_insns_median: Math.round(big.median),
    ping_64_insns: Math.round(small.insns),
    ping_64_insns_median: Math.round(small.median),
    outer_ping_1452_insns: Math.round(bigOuter.insns),
    outer_ping_96_insns: Math.round(smallOuter.insns),
    all_pings_answered: big.ok && small.ok && bigOuter.ok && smallOuter.ok,
    x25519_insns_lx106: x25519 ?? null,
    aead_1420_insns_lx106: lx("aead_seal", 1420) ?? null,
    aead_64_insns_lx106: lx("aead_seal", 64) ?? null,
    heap_started: startedHeap,
    board: status.line,
  };
  mkdirSync("build/bench", { recursive: true });
  writeFileSync("build/bench/qemu-xtensa.json", JSON.stringify(rows, null, 2) + "\n");
  const M = (n: number) => (n / 1e6).toFixed(2) + " M";
  console.log(`qemu-xtensa (lx106, -icount shift=${SHIFT}), instructions:`);
  console.log(`  boot to [started] (app compiled from source)   ${M(rows.boot_to_started_insns)}`);
  console.log(`  start to tunnel up (initiator handshake + all else) ${M(rows.start_to_tunnel_up_insns)}${x25519 ? `  = ${(rows.start_to_tunnel_up_insns / x25519).toFixed(2)} x X25519 (${M(x25519)}); goal <= 4.5` : ""}`);
  const k = (n: number) => (n / 1000).toFixed(1) + " k";
  for (const [name, v, med, a, outer] of [["1420", rows.ping_1420_insns, rows.ping_1420_insns_median, rows.aead_1420_insns_lx106, rows.outer_ping_1452_insns],
    ["64", rows.ping_64_insns, rows.ping_64_insns_median, rows.aead_64_insns_lx106, rows.outer_ping_96_insns]] as const) {
    console.log(`  ping through the tunnel, ${name}-byte packets (1 in + 1 out), best of 5: ${k(v)} (median ${k(med)})`);
    console.log(`    outer ping of the same size (lwIP + NIC only): ${k(outer)}`);
    if (a) {
      // what remains once AEAD and the plain lwIP/NIC work of an outer ping are taken out:
      // the JS core plus the runtime's copies and the tunnel netif, per transport packet
      const js = (v - 2 * a - outer) / 2;
      console.log(`    per transport packet: JS + runtime ~${k(js)} (total - 2 AEAD ${k(a)} - outer ping, / 2); goal JS <= 30 k`);
    }
  }
  console.log(`  ${rows.all_pings_answered ? "all pings answered" : "SOME PINGS LOST: per-ping figures are per answered ping"}`);
  console.log(`  ${status.line}`);
} catch (e) {
  console.error(`${(e as Error).message}\n--- board console (tail) ---\n${lines.slice(-15).join("\n")}`);
  process.exitCode = 1;
} finally {
  await topo.destroy();
}

// `make bench-crypto`: builds the harness (scripts/bench/bench.c) against homewire's C crypto
// and against libsodium's portable C from Debian's source package, for each target, runs every
// image, checks every result against @noble, and prints/writes the instruction counts and code
// sizes. Counts are retired instructions: rdinstret under qemu -icount (RV32), CCOUNT/5.12
// under qemu -icount shift=7 (Xtensa lx106), callgrind Ir (x86-64 host).
//
// Options: --isa=rv32imc,rv32imc_zbb,xtensa-lx106,x86-64 (default: all)  --out=FILE  --hw-dir=DIR
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { x25519 } from "@noble/curves/ed25519.js";
import { chacha20, chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { blake2s } from "@noble/hashes/blake2.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BENCH = join(ROOT, "scripts/bench");
const OUT_DIR = join(ROOT, "build/bench");
// --hw-dir=DIR measures another copy of firmware/crypto (to try a change before making it)
const HW_DIR = resolve(process.argv.find((a) => a.startsWith("--hw-dir="))?.slice(9) ?? join(ROOT, "firmware/crypto"));

type Impl = "homewire" | "libsodium";
type Group = "X25519" | "X25519_BASE" | "AEAD_SEAL" | "AEAD_OPEN" | "PARTS" | "BLAKE2S";
// PARTS: ChaCha20 and Poly1305 alone at 1420 bytes, to show where the AEAD's cost lies
const GROUPS: Group[] = ["X25519", "X25519_BASE", "AEAD_SEAL", "AEAD_OPEN", "PARTS", "BLAKE2S"];

/** One row of build/bench/crypto.json (the issue's fields first, extras after). */
interface Row {
  primitive: string;
  bytes: number;
  isa: string;
  implementation: Impl;
  instructions: number;
  code_bytes: number;
  instructions_per_byte: number | null;
  text_bytes: number;
  rodata_bytes: number;
  /** Deepest stack use of one call (bare-metal targets only, within a few words). */
  stack_bytes?: number;
  opt: string;
  /** What was measured: the git state of firmware/crypto, or the libsodium package version. */
  source: string;
  /** The same code built with -Os. */
  code_bytes_os?: number;
  instructions_os?: number;
}

interface Target {
  isa: string;
  cc: string;
  cflags: string[];
  ldflags: string[];
  portSources: string[];
  /** Runs the image; returns raw harness output plus, on the host, per-label counts. */
  run(elf: string, workDir: string): { stdout: string; labels?: Map<string, number> };
  /** Raw counter units per retired instruction. */
  divisor: number;
}

// -O2 is the compared build; an -Os build of the same code adds code_bytes_os/instructions_os.
const OPTS = ["-O2", "-Os"] as const;
type Opt = (typeof OPTS)[number];
const COMMON = ["-std=c99", "-ffunction-sections", "-fdata-sections", "-Wall"];

function sh(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${basename(cmd)} exited ${r.status}: ${(r.stderr || r.stdout).slice(-2000)}`);
  return r.stdout;
}

function qemuRiscv(cpu: string) {
  return (elf: string) => {
    // picolibc's semihosted stdout reaches QEMU's stderr, so both streams are read
    const r = spawnSync(
      "timeout",
      ["120", "qemu-system-riscv32", "-M", "virt", "-cpu", cpu, "-bios", "none", "-kernel", elf, "-nographic",
        "-monitor", "none", "-serial", "none", "-semihosting-config", "enable=on,target=native", "-icount", "shift=0"],
      { encoding: "utf8", timeout: 130_000, stdio: ["ignore", "pipe", "pipe"] },
    );
    if (r.status !== 0) throw new Error(`qemu-system-riscv32 ${elf} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return { stdout: r.stdout + r.stderr };
  };
}

const RV_LINK = [
  "--oslib=semihost", "--crt0=semihost",
  // QEMU virt RAM starts at 0x80000000; 1 MiB of "flash" for code, 1 MiB of RAM, 32 KiB stack.
  "-Wl,--defsym=__flash=0x80000000,--defsym=__flash_size=0x100000",
  "-Wl,--defsym=__ram=0x80100000,--defsym=__ram_size=0x100000,--defsym=__stack_size=0x8000",
  "-Wl,--gc-sections",
];

const TARGETS: Record<string, Target> = {
  rv32imc: {
    isa: "rv32imc",
    cc: "riscv64-unknown-elf-gcc",
    cflags: [...COMMON, "-march=rv32imc", "-mabi=ilp32", "--specs=picolibc.specs"],
    ldflags: RV_LINK,
    portSources: ["port_stdio.c"],
    run: qemuRiscv("rv32"),
    divisor: 1,
  },
  // The same core with Zbb (rotate, andn, ...): what a rotate instruction is worth.
  rv32imc_zbb: {
    isa: "rv32imc_zbb",
    cc: "riscv64-unknown-elf-gcc",
    cflags: [...COMMON, "-march=rv32imc_zbb", "-mabi=ilp32", "--specs=picolibc.specs"],
    // picolibc ships no Zbb multilib: link against the rv32im one (same ABI)
    ldflags: [...RV_LINK, "-march=rv32imc"],
    portSources: ["port_stdio.c"],
    run: qemuRiscv("rv32,zbb=true"),
    divisor: 1,
  },
  "xtensa-lx106": {
    isa: "xtensa-lx106",
    cc: "xtensa-lx106-elf-gcc",
    // literals beside each function: one image spans more than L32R's 256 KiB reach otherwise
    cflags: [...COMMON, "-mlongcalls", "-mtext-section-literals"],
    ldflags: ["-nostdlib", "-nostartfiles", "-T", join(BENCH, "xtensa/lx60.ld"), "-Wl,--gc-sections", "-lgcc"],
    portSources: ["xtensa/start.S", "xtensa/port_uart.c", "../../boards/qemu-xtensa/libgcc_int.c", "xtensa/mem.c"],
    run: (elf: string) => runXtensa(elf),
    divisor: 5.12,
  },
  "x86-64": {
    isa: "x86-64",
    cc: "gcc",
    cflags: [...COMMON],
    // static: no lazy PLT binding or ifunc resolution inside a measured call
    ldflags: ["-static", "-Wl,--gc-sections"],
    portSources: ["port_stdio.c"],
    run: (elf: string, workDir: string) => runCallgrind(elf, workDir),
    divisor: 1,
  },
};

function runXtensa(elf: string): { stdout: string } {
  // The board has no poweroff: the harness ends with a semihosting exit (simcall); timeout
  // bounds it if that ever fails.
  const r = spawnSync(
    "timeout",
    ["120", "qemu-system-xtensa", "-M", "lx60-nommu", "-cpu", "lx106", "-kernel", elf,
      "-nographic", "-monitor", "none", "-serial", "stdio", "-semihosting", "-icount", "shift=7"],
    { encoding: "utf8", timeout: 130_000 },
  );
  if (!r.stdout.includes("DONE")) throw new Error(`xtensa run did not finish (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout };
}

function runCallgrind(elf: string, workDir: string): { stdout: string; labels: Map<string, number> } {
  const cgDir = join(workDir, "callgrind-" + basename(elf));
  rmSync(cgDir, { recursive: true, force: true });
  mkdirSync(cgDir, { recursive: true });
  const stdout = sh("valgrind", ["--tool=callgrind", "-q", `--callgrind-out-file=${cgDir}/cg.out`, elf], { timeoutMs: 300_000 });
  const labels = new Map<string, number>();
  for (const f of readdirSync(cgDir)) {
    const text = readFileSync(join(cgDir, f), "utf8");
    const desc = /^desc: Trigger: Client Request: (\S+)$/m.exec(text);
    const total = /^(?:summary|totals):\s+(\d+)/m.exec(text);
    if (desc && total) labels.set(desc[1], Number(total[1]));
  }
  return { stdout, labels };
}

// ---- sources ------------------------------------------------------------------------------

function libsodiumRoot(): string {
  const out = sh(join(BENCH, "fetch-libsodium.sh"), [], { timeoutMs: 600_000 }).trim().split("\n");
  return join(out[out.length - 1], "src/libsodium");
}

/** libsodium's portable code paths only: ref10 X25519 (fe_25_5, no 128-bit type), ref
 * ChaCha20, Poly1305 donna32, and the dispatch files that pick them by default. */
const SODIUM_FILES = [
  "crypto_scalarmult/curve25519/scalarmult_curve25519.c",
  "crypto_scalarmult/curve25519/ref10/x25519_ref10.c",
  "crypto_core/ed25519/ref10/ed25519_ref10.c",
  "crypto_aead/chacha20poly1305/sodium/aead_chacha20poly1305.c",
  "crypto_stream/chacha20/stream_chacha20.c",
  "crypto_stream/chacha20/ref/chacha20_ref.c",
  "crypto_onetimeauth/poly1305/onetimeauth_poly1305.c",
  "crypto_onetimeauth/poly1305/donna/poly1305_donna.c",
  "crypto_verify/sodium/verify.c",
];

function homewireSources(): string[] {
  if (!existsSync(HW_DIR)) return [];
  return readdirSync(HW_DIR)
    .filter((f) => f.endsWith(".c") && !/test|fuzz|main/.test(f))
    .sort()
    .map((f) => join(HW_DIR, f));
}

let hwSourceMemo: string | undefined;
function homewireSource(): string {
  return (hwSourceMemo ??= homewireSourceNow());
}
function homewireSourceNow(): string {
  const git = (args: string[]) => spawnSync("git", args, { cwd: HW_DIR, encoding: "utf8" }).stdout?.trim() ?? "";
  const commit = git(["log", "-1", "--format=%h", "--", "."]);
  if (!commit) return HW_DIR;
  const dirty = git(["status", "--porcelain", "--", "."]) !== "";
  return `firmware/crypto@${commit}${dirty ? "+uncommitted" : ""}`;
}

function sodiumSource(): string {
  const dir = join(ROOT, ".deps/src");
  const dsc = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".dsc")) : undefined;
  return dsc ? dsc.replace(/\.dsc$/, "") : "libsodium";
}

// ---- build --------------------------------------------------------------------------------

function compileAll(t: Target, opt: Opt, sources: string[], flags: string[], objDir: string): string[] {
  mkdirSync(objDir, { recursive: true });
  return sources.map((src) => {
    const obj = join(objDir, basename(src).replace(/\.[cS]$/, ".o"));
    sh(t.cc, [opt, ...t.cflags, ...flags, "-c", src, "-o", obj]);
    return obj;
  });
}

interface Sizes {
  text: number;
  rodata: number;
}

/** Sums the input sections the linker kept from the crypto objects, read from the map file. */
function cryptoSizes(mapFile: string, cryptoObjs: string[]): Sizes {
  const names = new Set(cryptoObjs.map((o) => basename(o)));
  const lines = readFileSync(mapFile, "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith("Linker script and memory map"));
  const sizes: Sizes = { text: 0, rodata: 0 };
  let pending: string | undefined;
  for (const line of lines.slice(start)) {
    const only = /^ (\.\S+)$/.exec(line);
    if (only) {
      pending = only[1];
      continue;
    }
    const m = /^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$/.exec(line);
    const section = m ? (m[1] ?? pending) : undefined;
    pending = undefined;
    if (!m || !section) continue;
    const file = basename(m[4].replace(/\(.*\)$/, ""));
    if (!names.has(file)) continue;
    const size = parseInt(m[3], 16);
    if (/^\.(text|literal)/.test(section)) sizes.text += size;
    else if (/^\.(s?rodata|s?data)/.test(section)) sizes.rodata += size;
  }
  return sizes;
}

// ---- the reference results ----------------------------------------------------------------

function pattern(len: number, mul: number, add: number): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = (i * mul + add) & 0xff;
  return p;
}

function fnvHex(p: Uint8Array): string {
  let h = 2166136261;
  for (const b of p) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}

const hex = (p: Uint8Array) => Buffer.from(p).toString("hex");

/** What each OUT line must say, computed by @noble from the harness's input patterns. */
function expectedOutputs(): Map<string, string> {
  const key = pattern(32, 7, 1);
  const scalar = pattern(32, 13, 5);
  const point = pattern(32, 29, 9);
  point[31] &= 0x7f;
  const msg = pattern(1420, 31, 7);
  const nonce = new Uint8Array(12);
  for (let i = 0; i < 8; i++) nonce[4 + i] = i; // counter 0x0706050403020100, little-endian
  const e = new Map<string, string>();
  e.set("x25519 32", hex(x25519.scalarMult(scalar, point)));
  e.set("x25519_rc 32", "00");
  e.set("x25519_base 32", hex(x25519.getPublicKey(scalar)));
  for (const n of [64, 1420]) {
    const m = msg.subarray(0, n);
    e.set(`aead_seal ${n}`, fnvHex(chacha20poly1305(key, nonce).encrypt(m)));
    e.set(`aead_open ${n}`, fnvHex(m));
    e.set(`aead_open_rc ${n}`, "00");
    e.set(`blake2s ${n}`, hex(blake2s(m, { dkLen: 32 })));
  }
  const partNonce = Uint8Array.from([0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
  e.set("chacha20 1420", fnvHex(chacha20(key, partNonce, msg, undefined, 1)));
  e.set("poly1305 1420", hex(poly1305(msg, key)));
  return e;
}

// ---- run ----------------------------------------------------------------------------------

interface Parsed {
  overhead: number;
  rows: { primitive: string; bytes: number; raw: number[] }[];
  outs: Map<string, string>;
  stack: Map<string, number>;
}

function parseOutput(stdout: string): Parsed {
  const p: Parsed = { overhead: NaN, rows: [], outs: new Map(), stack: new Map() };
  let done = false;
  for (const line of stdout.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f[0] === "OVERHEAD") p.overhead = Number(f[1]);
    else if (f[0] === "ROW") p.rows.push({ primitive: f[1], bytes: Number(f[2]), raw: f.slice(3).map(Number) });
    else if (f[0] === "OUT") p.outs.set(`${f[1]} ${f[2]}`, f[3]);
    else if (f[0] === "STACK") p.stack.set(`${f[1]} ${f[2]}`, Number(f[3]));
    else if (f[0] === "DONE") done = true;
  }
  if (!done || Number.isNaN(p.overhead)) throw new Error(`harness output incomplete:\n${stdout}`);
  return p;
}

const failures: string[] = [];
const skipped: string[] = [];

function skip(msg: string) {
  skipped.push(msg);
  console.log(`SKIPPED: ${msg}`);
}

function benchTarget(t: Target, opt: Opt, impl: Impl, sources: string[], incFlags: string[], expected: Map<string, string>): Row[] {
  const dir = join(OUT_DIR, t.isa + (opt === "-O2" ? "" : opt), impl);
  rmSync(dir, { recursive: true, force: true });
  let cryptoObjs: string[];
  try {
    cryptoObjs = compileAll(t, opt, sources, incFlags, join(dir, "obj"));
  } catch (e) {
    skip(`${impl} on ${t.isa}: the crypto sources do not compile: ${(e as Error).message.split("\n").slice(0, 12).join("\n  ")}`);
    return [];
  }
  const portObjs = compileAll(t, "-O2", t.portSources.map((s) => join(BENCH, s)), [`-I${BENCH}`], join(dir, "port"));
  const rows: Row[] = [];
  for (const g of GROUPS) {
    if (g === "BLAKE2S" && impl === "libsodium") continue; // libsodium has no BLAKE2s
    const implFlag = impl === "homewire" ? "-DBENCH_HOMEWIRE" : "-DBENCH_LIBSODIUM";
    const harness = join(dir, `bench_${g}.o`);
    const elf = join(dir, `${g}.elf`);
    try {
      sh(t.cc, ["-O2", ...t.cflags, implFlag, `-DBENCH_GROUP_${g}`, ...incFlags, `-I${BENCH}`, "-c", join(BENCH, "bench.c"), "-o", harness]);
      sh(t.cc, ["-O2", ...t.cflags, `-Wl,-Map=${elf}.map`, "-o", elf, harness, ...portObjs, ...cryptoObjs, ...t.ldflags]);
    } catch (e) {
      const undef = [...new Set((e as Error).message.match(/undefined reference to `[^']+'/g) ?? [])].join(", ");
      skip(`${impl} ${g} on ${t.isa} ${opt}: does not link${undef ? ` (${undef})` : `: ${(e as Error).message.slice(0, 600)}`}`);
      continue;
    }
    const { stdout, labels } = t.run(elf, dir);
    const parsed = parseOutput(stdout);
    for (const [k, v] of parsed.outs) {
      const want = expected.get(k);
      if (want !== v) failures.push(`${impl} ${t.isa} ${k}: got ${v}, expected ${want ?? "(no reference)"}`);
    }
    const size = cryptoSizes(`${elf}.map`, cryptoObjs);
    for (const r of parsed.rows) {
      let counts: number[];
      let overhead: number;
      const stack = parsed.stack.get(`${r.primitive} ${r.bytes}`);
      if (labels) {
        counts = r.raw.map((_, i) => labels.get(`${r.primitive}:${r.bytes}:${i}`) ?? NaN);
        overhead = Math.min(...[0, 1, 2].map((i) => labels.get(`empty:0:${i}`) ?? NaN));
      } else {
        counts = r.raw;
        overhead = parsed.overhead;
      }
      if (counts.some((c) => !Number.isFinite(c)) || !Number.isFinite(overhead)) {
        failures.push(`${impl} ${t.isa} ${r.primitive} ${r.bytes}: missing counts`);
        continue;
      }
      // constant-time code retires the same count every time; a spread means a broken measure
      const best = Math.min(...counts);
      if (Math.max(...counts) - best > Math.max(4, best * 0.001)) {
        failures.push(`${impl} ${t.isa} ${r.primitive} ${r.bytes}: counts vary between runs: ${counts.join(" ")}`);
      }
      const instructions = Math.round((best - overhead) / t.divisor);
      rows.push({
        primitive: r.primitive,
        bytes: r.bytes,
        isa: t.isa,
        implementation: impl,
        instructions,
        code_bytes: size.text + size.rodata,
        // per byte only where cost grows with length; an X25519 "per byte" means nothing
        instructions_per_byte: r.primitive.startsWith("x25519") ? null : Math.round((instructions / r.bytes) * 100) / 100,
        text_bytes: size.text,
        rodata_bytes: size.rodata,
        ...(stack !== undefined ? { stack_bytes: stack } : {}),
        opt,
        source: impl === "homewire" ? homewireSource() : sodiumSource(),
      });
    }
  }
  return rows;
}

function table(rows: Row[]): string {
  const head = ["primitive", "bytes", "isa", "homewire instr", "libsodium instr", "ratio", "hw instr/byte", "ls instr/byte",
    "hw code B", "ls code B", "hw code -Os", "ls code -Os", "hw stack", "ls stack"];
  const keyOf = (r: Row) => `${r.isa}|${r.primitive}|${r.bytes}`;
  const byKey = new Map<string, { hw?: Row; ls?: Row }>();
  for (const r of rows) {
    const e = byKey.get(keyOf(r)) ?? {};
    if (r.implementation === "homewire") e.hw = r;
    else e.ls = r;
    byKey.set(keyOf(r), e);
  }
  const body = [...byKey.values()].map(({ hw, ls }) => {
    const any = (hw ?? ls)!;
    return [
      any.primitive, String(any.bytes), any.isa,
      hw ? String(hw.instructions) : "-",
      ls ? String(ls.instructions) : "-",
      hw && ls ? (hw.instructions / ls.instructions).toFixed(2) : "-",
      hw?.instructions_per_byte != null ? hw.instructions_per_byte.toFixed(1) : "-",
      ls?.instructions_per_byte != null ? ls.instructions_per_byte.toFixed(1) : "-",
      hw ? String(hw.code_bytes) : "-",
      ls ? String(ls.code_bytes) : "-",
      hw?.code_bytes_os !== undefined ? String(hw.code_bytes_os) : "-",
      ls?.code_bytes_os !== undefined ? String(ls.code_bytes_os) : "-",
      hw?.stack_bytes !== undefined ? String(hw.stack_bytes) : "-",
      ls?.stack_bytes !== undefined ? String(ls.stack_bytes) : "-",
    ];
  });
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => "| " + r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ") + " |").join("\n");
}

/** The issue's goals on RV32 (ESP32-C3-like). Reported, never enforced: a benchmark informs. */
function verdicts(rows: Row[]): string[] {
  const find = (impl: Impl, primitive: string, bytes: number) =>
    rows.find((r) => r.isa === "rv32imc" && r.implementation === impl && r.primitive === primitive && r.bytes === bytes);
  const out: string[] = [];
  const say = (name: string, value: number | undefined, limit: number, unit: string): void => {
    if (value === undefined) {
      out.push(`  ${name}: no measurement`);
      return;
    }
    const ok = value <= limit;
    out.push(`  ${name}: ${value.toFixed(2)}${unit} (goal <= ${limit}${unit}) ${ok ? "MET" : `MISSED by ${(value - limit).toFixed(2)}${unit} (${((value / limit - 1) * 100).toFixed(0)}%)`}`);
  };
  const ratio = (p: string, n: number) => {
    const hw = find("homewire", p, n), ls = find("libsodium", p, n);
    return hw && ls ? hw.instructions / ls.instructions : undefined;
  };
  say("X25519 vs libsodium", ratio("x25519", 32), 1, "x");
  say("X25519 base vs libsodium", ratio("x25519_base", 32), 1, "x");
  for (const p of ["aead_seal", "aead_open"]) {
    for (const n of [64, 1420]) say(`${p} ${n} B vs libsodium`, ratio(p, n), 1, "x");
    say(`${p} 1420 B per byte`, find("homewire", p, 1420)?.instructions_per_byte ?? undefined, 35, " instr/B");
  }
  say("BLAKE2s 1420 B per byte", find("homewire", "blake2s", 1420)?.instructions_per_byte ?? undefined, 32, " instr/B");
  return out;
}

function main() {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const isas = (arg("isa") ?? "rv32imc,rv32imc_zbb,x86-64,xtensa-lx106").split(",");
  const outFile = arg("out") ?? join(OUT_DIR, "crypto.json");
  mkdirSync(OUT_DIR, { recursive: true });

  let sodium: string | undefined;
  try {
    sodium = libsodiumRoot();
  } catch (e) {
    skip(`libsodium: Debian's source package could not be fetched, homewire is measured alone: ${(e as Error).message.slice(0, 400)}`);
  }
  const sodiumSrcs = sodium ? SODIUM_FILES.map((f) => join(sodium!, f)) : [];
  const sodiumInc = ["-DNATIVE_LITTLE_ENDIAN", "-DCONFIGURED", `-I${sodium}/include/sodium`, `-I${sodium}/include`, "-w"];
  const hwSrcs = homewireSources();
  if (hwSrcs.length === 0) skip("homewire: no C sources in firmware/crypto yet");
  const expected = expectedOutputs();

  const rows: Row[] = [];
  for (const isa of isas) {
    const t = TARGETS[isa];
    if (!t) throw new Error(`unknown isa ${isa} (known: ${Object.keys(TARGETS).join(", ")})`);
    console.error(`bench-crypto: ${isa}`);
    for (const opt of OPTS) {
      const got: Row[] = [];
      if (hwSrcs.length > 0) got.push(...benchTarget(t, opt, "homewire", hwSrcs, [`-I${HW_DIR}`], expected));
      // the shim (libsodium's memzero & co.) is libsodium's code size too
      if (sodium) got.push(...benchTarget(t, opt, "libsodium", [...sodiumSrcs, join(BENCH, "sodium_shim.c")], sodiumInc, expected));
      if (opt === "-O2") {
        rows.push(...got);
        continue;
      }
      for (const os of got) {
        const main = rows.find((r) => r.isa === os.isa && r.implementation === os.implementation && r.primitive === os.primitive && r.bytes === os.bytes);
        if (main) {
          main.code_bytes_os = os.code_bytes;
          main.instructions_os = os.instructions;
        }
      }
    }
  }

  writeFileSync(outFile, JSON.stringify(rows, null, 2) + "\n");
  console.log(table(rows));
  if (isas.includes("rv32imc")) console.log(["\nGoals on rv32imc (homewire):", ...verdicts(rows)].join("\n"));
  console.log(`\nwrote ${rows.length} rows to ${outFile.replace(ROOT + "/", "")}`);
  if (skipped.length) console.log(`SKIPPED ${skipped.length} item(s): see the SKIPPED lines above`);
  if (failures.length) {
    console.error(`bench-crypto: ${failures.length} wrong result(s):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
}

main();

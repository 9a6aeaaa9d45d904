// The hardware-in-the-loop runner: the scenarios (scenarios.ts) on one target.
//   npx tsx test-hil/run.ts --target host|qemu|serial|idf-linux [--suite boards|networks|networks-ip] [--only a,b] [--junit file] [--list]
//     serial: --port /dev/ttyUSB0 [--baud 115200] --lan-if eth1 --home-ip 192.168.1.77/24 --board-ip 192.168.1.50 [--slowdown 2]
//     serial on the QEMU board's UART (a pty; network through the bench's namespaces): --qemu-pty
// Writes JUnit XML (default build/test-hil/<target>.xml) and ends with "N passed, N failed".
// Exit status: 0 all passed; 1 a failure, or a skip (unless HOMEWIRE_ALLOW_SKIP=1 outside CI); 2 usage.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { removeStaleNamespaces } from "../ts/interop/netns.ts";
import { Bench, DEFAULT_OUTER, type OuterAddresses } from "./bench.ts";
import { junitXml, summaryLine, type CaseResult } from "./junit.ts";
import { SCENARIOS, type Context, type Scenario } from "./scenarios.ts";
import { NETWORK_SCENARIOS } from "./networks.ts";
import { IP_SCENARIOS } from "./networks-ip.ts";
import type { ExitReport, Target } from "./target.ts";
import { HostTarget, ENGINE } from "./targets/host.ts";
import { QemuTarget, qemuPtyPower } from "./targets/qemu.ts";
import { SerialTarget } from "./targets/serial.ts";
import { IdfLinuxTarget, IDF_ENGINE } from "./targets/idf-linux.ts";

function usage(why: string): never {
  console.error(`test-hil: ${why}\nusage: npx tsx test-hil/run.ts --target host|qemu|serial|idf-linux [--suite boards|networks|networks-ip] [--only name[,name]] [--junit file] [--list]\n` +
    "  serial: --port DEV [--baud 115200] --lan-if IF --home-ip A.B.C.D/P --board-ip A.B.C.D [--slowdown 2]");
  process.exit(2);
}

const { values: opt } = parseArgs({
  options: {
    target: { type: "string" },
    only: { type: "string" },
    junit: { type: "string" },
    list: { type: "boolean", default: false },
    port: { type: "string" },
    baud: { type: "string", default: "115200" },
    "lan-if": { type: "string" },
    "home-ip": { type: "string" },
    "board-ip": { type: "string" },
    slowdown: { type: "string" },
    "qemu-pty": { type: "boolean", default: false },
    suite: { type: "string", default: "boards" },
  },
});

// boards: scenarios.ts (make test-firmware, test-qemu); networks: networks.ts (deep sleep, long
// life, bad links); networks-ip: networks-ip.ts (IPv6, home by name). Both: make test-networks.
const SUITES: Record<string, Scenario[]> = { boards: SCENARIOS, networks: NETWORK_SCENARIOS, "networks-ip": IP_SCENARIOS };
const SUITE = SUITES[opt.suite!];
if (!SUITE) usage(`--suite must be one of ${Object.keys(SUITES).join(", ")}, not "${opt.suite}"`);

let target: Target;
let outer: OuterAddresses = DEFAULT_OUTER;
switch (opt.target) {
  case "host":
    target = new HostTarget();
    break;
  case "qemu":
    target = new QemuTarget();
    break;
  case "idf-linux":
    target = new IdfLinuxTarget();
    break;
  case "serial": {
    if (opt["qemu-pty"]) {
      // The serial target against the QEMU board's UART on a pty: the same console code a real
      // board gets, with the board powered by the runner and its NIC in the bench's namespaces.
      const power = qemuPtyPower();
      target = new SerialTarget({ port: "(QEMU pty)", baud: Number(opt.baud), lanIf: "", homeCidr: "", boardIp: "", slowdown: Number(opt.slowdown ?? 4) }, undefined, power);
      const unavailable = target.unavailable.bind(target);
      target.unavailable = async () => (await power.unavailable()) ?? unavailable();
      break;
    }
    const home = opt["home-ip"] ?? "";
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(home);
    if (!opt.port || !opt["lan-if"] || !m || !opt["board-ip"]) usage("--target serial needs --port, --lan-if, --home-ip A.B.C.D/P and --board-ip (or --qemu-pty)");
    target = new SerialTarget({ port: opt.port, baud: Number(opt.baud), lanIf: opt["lan-if"], homeCidr: home, boardIp: opt["board-ip"], slowdown: Number(opt.slowdown ?? 2) });
    outer = { home: m[1], board: opt["board-ip"], prefix: Number(m[2]) };
    break;
  }
  default:
    usage(`--target must be host, qemu, serial or idf-linux${opt.target ? `, not "${opt.target}"` : ""}`);
}

const engine = target.name === "host" || target.name === "qemu" ? ENGINE : target.name === "idf-linux" ? IDF_ENGINE : "";
const notHere = (s: Scenario) => s.notOn?.find((n) => n.target === target.name && n.engine === engine);
const applicable = SUITE.filter((s) => (!s.targets || s.targets.includes(target.name)) && !notHere(s));
for (const s of SUITE) {
  const n = notHere(s);
  if (n && !opt.list) console.log(`# ${s.name}: not on ${target.name} with ${engine}: ${n.why}`);
}
let chosen = applicable;
if (opt.only) {
  const names = opt.only.split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!applicable.some((s) => s.name === n)) usage(`no scenario "${n}" for ${target.name} (have: ${applicable.map((s) => s.name).join(", ")})`);
  chosen = applicable.filter((s) => names.includes(s.name));
}
if (opt.list) {
  for (const s of SUITE) {
    const not = s.notOn?.length ? `[not ${s.notOn.map((n) => `${n.target}/${n.engine}`).join(",")}] ` : "";
    console.log(`${s.name.padEnd(26)} ${s.targets ? `[${s.targets.join(",")} only] ` : ""}${not}${s.title}`);
  }
  process.exit(0);
}

const junitPath = opt.junit ?? `build/test-hil/${target.name}.xml`;
const suite = `test-hil${opt.suite === "boards" ? "" : `.${opt.suite}`}.${target.name}${target.name === "host" || target.name === "qemu" ? `.${ENGINE}` : target.name === "idf-linux" ? `.${IDF_ENGINE}` : ""}`;
const results: CaseResult[] = [];
const peaks: number[] = [];
const started = Date.now();

function finish(): never {
  mkdirSync(dirname(junitPath), { recursive: true });
  writeFileSync(junitPath, junitXml(suite, results));
  if (peaks.length) {
    console.log(`# ${suite}: engine heap peak over ${peaks.length} boots: max ${Math.max(...peaks)} bytes`);
    // For the benchmarks (make bench-qemu reports the JS heap peak over the test-hil run).
    writeFileSync(junitPath.replace(/(\.xml)?$/, ".heap.json"), JSON.stringify({ suite, boots: peaks.length, heapPeak: Math.max(...peaks) }) + "\n");
  }
  console.log(`# JUnit: ${junitPath}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`test-hil ${target.name}: ${summaryLine(results)}`);
  const failed = results.some((r) => r.status === "failed");
  const skipped = results.some((r) => r.status === "skipped");
  const allowSkip = process.env.HOMEWIRE_ALLOW_SKIP === "1" && process.env.CI !== "true";
  if (skipped && !allowSkip) console.error("a skipped scenario fails the run (HOMEWIRE_ALLOW_SKIP=1 accepts skips outside CI)");
  process.exit(failed || (skipped && !allowSkip) ? 1 : 0);
}

const why = await target.unavailable();
if (why) {
  console.log(`\n*** SKIPPED: test-hil on ${target.name}: ${why} ***\n`);
  for (const s of chosen) results.push({ name: s.name, status: "skipped", durationMs: 0, message: why });
  finish();
}
await removeStaleNamespaces();

let bench: Bench | null = null;
let benchKey = "";
let spoiled = false;
async function dropBench(): Promise<void> {
  const b = bench;
  bench = null;
  if (b) await b.destroy().catch((e) => console.error(`test-hil: bench teardown: ${(e as Error).message}`));
}
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`test-hil: ${sig}: removing the bench`);
    void dropBench().then(() => process.exit(130));
  });
}

function timeout(ms: number, what: string): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout>;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over its budget of ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function runScenario(s: Scenario): Promise<CaseResult> {
  const t0 = Date.now();
  const notes: string[] = [];
  const key = JSON.stringify(s.bench ?? {});
  try {
    if (s.standalone || s.fresh || spoiled || key !== benchKey) await dropBench();
    spoiled = false;
    if (!s.standalone && !bench) {
      bench = await Bench.create(target, s.bench ?? {}, outer);
      benchKey = key;
    }
    const b = bench;
    const ctx: Context = {
      get bench(): Bench {
        if (!b) throw new Error(`${s.name} is standalone: it has no bench`);
        return b;
      },
      up: async () => {
        if (!b!.target.running) await b!.startDevice();
        await b!.waitReadings(b!.readings().length + 1, 15000);
      },
      record: (r: ExitReport) => {
        if (r.heapPeak !== null) peaks.push(r.heapPeak);
      },
      note: (text) => {
        notes.push(text);
        console.log(`#   ${text}`);
      },
      spoil: () => {
        spoiled = true;
      },
      target: target.name,
    };
    const budget = Math.round(s.budgetMs * target.slowdown);
    const limit = timeout(budget, s.name);
    try {
      await Promise.race([s.run(ctx), limit.promise]);
    } finally {
      limit.cancel();
    }
    // Whatever the scenario did, no secret may have crossed the console (the device key as the
    // board stored it, the PSK).
    bench?.checkNoSecrets();
    return { name: s.name, status: "passed", durationMs: Date.now() - t0, details: notes.join("\n") };
  } catch (e) {
    spoiled = true; // never hand a failed board to the next scenario
    const err = e as Error;
    const details = [notes.join("\n"), bench ? bench.diagnostics() : ""].filter(Boolean).join("\n");
    return { name: s.name, status: "failed", durationMs: Date.now() - t0, message: err.message, details };
  }
}

console.log(`# test-hil on ${target.name}: ${chosen.length} scenarios`);
for (const [i, s] of chosen.entries()) {
  console.log(`# ${s.name}: ${s.title}`);
  const r = await runScenario(s);
  results.push(r);
  if (interrupted) break;
  const secs = (r.durationMs / 1000).toFixed(1);
  if (r.status === "passed") console.log(`ok ${i + 1} - ${s.name} (${secs} s)`);
  else console.log(`not ok ${i + 1} - ${s.name} (${secs} s)\n${r.message}\n${r.details ?? ""}`.replace(/\n/g, "\n    "));
}
// A board that is still running records its heap too.
if (bench && (bench as Bench).target.running) {
  const r = await (bench as Bench).stopDevice().catch(() => null);
  if (r && r.heapPeak !== null) peaks.push(r.heapPeak);
}
await dropBench();
if (target instanceof SerialTarget) target.close();
finish();

// flash: write an ESP-IDF build to a board, as `idf.py flash` would, with the checks a person
// needs before a board is touched. The build says what goes where (flasher_args.json: the files,
// their offsets, the chip, the flash settings); its partition table says how much room each has.
// Everything that can be checked on the host is, before the port is opened; then
// esptool_driver.py (esptool as a library, from the project venv) connects, refuses a chip that
// is not the build's, writes each image, reads back every image's MD5 and resets the board.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./errors.ts";
import { decodePartitionTable, TABLE_BYTES, TYPE_APP, type Partition } from "./partition-table.ts";
import { portHolders } from "./ports.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_BUILD = join(ROOT, "boards/esp32/build");
const DRIVER = fileURLToPath(new URL("./esptool_driver.py", import.meta.url));
/** The project venv's Python (scripts/setup.sh python); HOMEWIRE_PYTHON overrides it. */
export const VENV_PYTHON = process.env.HOMEWIRE_PYTHON ?? join(ROOT, ".venv/bin/python");

export interface FlashImage {
  name: string;
  offset: number;
  path: string;
  size: number;
  /** An ESP app/bootloader image (esptool checks its header against the chip). */
  espImage: boolean;
  bootloader: boolean;
  /** What bounds it, for messages: "partition factory (1 MiB at 0x10000)". */
  room: string;
}

export interface FlashPlan {
  dir: string;
  chip: string;
  flashSettings: { mode: string; size: string; freq: string };
  before: string;
  after: string;
  stub: boolean;
  images: FlashImage[];
  partitions: Partition[];
  /** End of the last partition: the flash the table needs. */
  tableEnd: number;
}

const hex = (n: number) => "0x" + n.toString(16);

export function kib(n: number): string {
  return n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MiB` : `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
}

function field(obj: unknown, path: string[], where: string): unknown {
  let v = obj;
  for (const k of path) {
    if (typeof v !== "object" || v === null || !(k in v)) throw new CliError(`${where}: ${path.join(".")}: missing`);
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function str(obj: unknown, path: string[], where: string): string {
  const v = field(obj, path, where);
  if (typeof v !== "string" || v === "") throw new CliError(`${where}: ${path.join(".")}: expected a string`);
  return v;
}

function offsetOf(text: string, what: string): number {
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(text)) throw new CliError(`${what}: expected a hex offset like 0x10000, got "${text}"`);
  return parseInt(text, 16);
}

/** Reads DIR/flasher_args.json and the partition table; checks that every image fits. */
export function readBuild(dir: string): FlashPlan {
  const argsPath = join(dir, "flasher_args.json");
  if (!existsSync(argsPath)) {
    throw new CliError(`--build: ${argsPath} not found; build the firmware first (make esp32, or idf.py -C boards/esp32 build)`);
  }
  const where = argsPath;
  let args: unknown;
  try {
    args = JSON.parse(readFileSync(argsPath, "utf8"));
  } catch (e) {
    throw new CliError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const chip = str(args, ["extra_esptool_args", "chip"], where);
  const flashSettings = { mode: str(args, ["flash_settings", "flash_mode"], where), size: str(args, ["flash_settings", "flash_size"], where), freq: str(args, ["flash_settings", "flash_freq"], where) };
  const extra = field(args, ["extra_esptool_args"], where) as Record<string, unknown>;
  // ESP-IDF before v5 spelled these with underscores; esptool 5 takes hyphens.
  const before = typeof extra.before === "string" ? extra.before.replace(/_/g, "-") : "default-reset";
  const after = typeof extra.after === "string" ? extra.after.replace(/_/g, "-") : "hard-reset";
  const stub = extra.stub !== false;

  // The named entries ("bootloader", "partition-table", "app", ...) give each file its role.
  const files = field(args, ["flash_files"], where);
  if (typeof files !== "object" || files === null || Object.keys(files).length === 0) throw new CliError(`${where}: flash_files: expected offsets and files`);
  const roles = new Map<string, string>();
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    if (typeof v === "object" && v !== null && typeof (v as { file?: unknown }).file === "string" && typeof (v as { offset?: unknown }).offset === "string") {
      const e = v as { file: string; offset: string; encrypted?: string };
      if (e.encrypted === "true") throw new CliError(`${where}: ${k}: flash encryption is on; homewire flash writes plaintext only (use idf.py flash)`);
      roles.set(`${offsetOf(e.offset, `${where}: ${k}.offset`)}:${e.file}`, k);
    }
  }

  const table = [...roles.entries()].find(([, role]) => role === "partition-table");
  if (!table) throw new CliError(`${where}: partition-table: missing (the build must have a partition table)`);
  const tableOffset = Number(table[0].split(":")[0]);
  const tablePath = join(dir, table[0].slice(table[0].indexOf(":") + 1));
  let partitions: Partition[];
  try {
    partitions = decodePartitionTable(readFileSync(tablePath));
  } catch (e) {
    throw new CliError(`${tablePath}: ${(e as Error).message}`);
  }

  const images: FlashImage[] = Object.entries(files as Record<string, unknown>).map(([offsetText, file]) => {
    if (typeof file !== "string") throw new CliError(`${where}: flash_files.${offsetText}: expected a file name`);
    const offset = offsetOf(offsetText, `${where}: flash_files`);
    const name = roles.get(`${offset}:${file}`) ?? basename(file, ".bin");
    const path = join(dir, file);
    if (!existsSync(path)) throw new CliError(`${name}: ${path} not found; build the firmware again`);
    const size = statSync(path).size;
    if (size === 0) throw new CliError(`${name}: ${path} is empty`);
    const bootloader = name === "bootloader";
    let room: string;
    let limit: number;
    if (offset === tableOffset) {
      limit = TABLE_BYTES;
      room = `the partition table's ${kib(TABLE_BYTES)} at ${hex(offset)}`;
    } else if (offset < tableOffset) {
      limit = tableOffset - offset;
      room = `the ${kib(limit)} before the partition table at ${hex(tableOffset)}`;
    } else {
      const p = partitions.find((q) => q.offset === offset);
      if (!p) throw new CliError(`${name}: offset ${hex(offset)} is not the start of any partition in ${tablePath} (${partitions.map((q) => `${q.label}@${hex(q.offset)}`).join(", ")})`);
      limit = p.size;
      room = `partition ${p.label} (${kib(p.size)} at ${hex(p.offset)})`;
    }
    if (size > limit) throw new CliError(`${name}: ${basename(path)} is ${size} bytes (${kib(size)}), larger than ${room} by ${size - limit} bytes; nothing was written`);
    const isApp = partitions.some((q) => q.offset === offset && q.type === TYPE_APP);
    const head = readFileSync(path).subarray(0, 1);
    if ((bootloader || isApp) && head[0] !== 0xe9) throw new CliError(`${name}: ${path} is not an ESP image (first byte 0x${head[0].toString(16)}, expected 0xe9): the .bin, not the .elf`);
    return { name, offset, path, size, espImage: bootloader || isApp, bootloader, room };
  });
  images.sort((a, b) => a.offset - b.offset);
  const tableEnd = Math.max(...partitions.map((p) => p.offset + p.size));
  return { dir, chip, flashSettings, before, after, stub, images, partitions, tableEnd };
}

export interface FlashIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Redraw progress bars in place (a terminal), else print milestones. */
  terminal: boolean;
  verbose: boolean;
}

function bar(image: FlashImage, done: number, total: number): string {
  const width = 24;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
  return `  ${image.name.padEnd(16)} ${hex(image.offset).padStart(8)}  [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(pct).padStart(3)}%  ${kib(image.size)}`;
}

interface DriverEvent {
  event: string;
  image?: string | null;
  done?: number;
  total?: number;
  kind?: string;
  message?: string;
  text?: string;
  chip?: string;
  description?: string;
  mac?: string;
  md5?: string;
  warnings?: string[];
  how?: string;
}

const BOOT_HINT =
  "put the board in download mode: hold BOOT (GPIO0) down, press and release EN (RST), release BOOT, then run flash again " +
  "(boards with auto-reset circuitry do this through DTR/RTS; a bare UART adapter cannot)";

export async function flash(port: string, baud: number, buildDir: string, io: FlashIo): Promise<void> {
  const plan = readBuild(resolve(buildDir));
  const isUrl = /^[a-z0-9]+:\/\//.test(port); // esptool also takes socket:// and rfc2217:// ports
  if (!isUrl && !existsSync(port)) throw new CliError(`--port: ${port}: no such port; is the board plugged in? (ls /dev/ttyUSB* /dev/ttyACM*)`);
  if (!existsSync(VENV_PYTHON)) throw new CliError(`esptool is not installed: ${VENV_PYTHON} not found; run make setup (it makes .venv with esptool from scripts/requirements.txt)`);
  io.out(`flash: ${plan.chip} build in ${plan.dir}: ${plan.images.map((i) => `${i.name} ${kib(i.size)} at ${hex(i.offset)}`).join(", ")}\n`);

  const job = {
    port, baud, chip: plan.chip, before: plan.before, after: plan.after, stub: plan.stub, flashSettings: plan.flashSettings, tableEnd: plan.tableEnd,
    images: plan.images.map((i) => ({ name: i.name, offset: i.offset, path: i.path, espImage: i.espImage, bootloader: i.bootloader })),
  };
  const byName = new Map(plan.images.map((i) => [i.name, i]));
  const written: string[] = [];
  const progress = new Map<string, number>();
  let started: string | null = null;
  let failure: DriverEvent | null = null;
  let lastMilestone = -1;

  const child = spawn(VENV_PYTHON, [DRIVER], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(JSON.stringify(job));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let buffer = "";
  const onEvent = (e: DriverEvent) => {
    const image = e.image ? byName.get(e.image) : undefined;
    switch (e.event) {
      case "connected":
        io.out(`flash: connected to ${e.description} (MAC ${e.mac}) on ${port}\n`);
        break;
      case "start":
        started = e.image!;
        lastMilestone = -1;
        if (io.terminal) io.out(bar(image!, 0, 1));
        break;
      case "progress": {
        progress.set(e.image!, (e.done! * 100) / e.total!);
        if (io.terminal) io.out("\r" + bar(image!, e.done!, e.total!));
        else {
          const milestone = Math.floor((e.done! * 4) / e.total!); // every 25%
          if (milestone !== lastMilestone && milestone < 4) {
            lastMilestone = milestone;
            io.out(bar(image!, e.done!, e.total!) + "\n");
          }
        }
        break;
      }
      case "written":
        written.push(e.image!);
        started = null;
        io.out((io.terminal ? "\r" : "") + bar(image!, 1, 1) + "  written\n");
        break;
      case "verified":
        io.out(`  ${e.image!.padEnd(16)} MD5 ${e.md5} verified\n`);
        break;
      case "reset":
        // esptool cannot tell whether the RTS pulse reached EN (a pty or a bare adapter has no line).
        io.out(`flash: done, every image verified; reset the board (${e.how}${e.warnings && e.warnings.length ? `: ${e.warnings.join("; ")}` : ""}); ` +
          "if it does not restart, press EN/RST. homewire monitor shows its console\n");
        break;
      case "error":
        failure = e;
        break;
      case "log":
        if (io.verbose) io.err(`esptool: ${e.text}\n`);
        break;
    }
  };
  child.stdout.on("data", (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        onEvent(JSON.parse(line) as DriverEvent);
      } catch {
        if (io.verbose) io.err(`esptool: ${line}\n`);
      }
    }
  });
  const code = await new Promise<number | null>((resolveExit) => child.on("close", (c) => resolveExit(c)));
  if (io.terminal && started) io.out("\n");
  if (code === 0 && failure === null) return;

  const f = failure as DriverEvent | null;
  if (!f) throw new CliError(`esptool driver exited with status ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ") || "no message"}`);
  const nothing = "nothing was written";
  switch (f.kind) {
    case "build":
      throw new CliError(`${f.message}; ${nothing}`);
    case "no-port":
      throw new CliError(`--port: ${port}: no such port; is the board plugged in? (${f.message})`);
    case "port-busy": {
      const holders = isUrl ? [] : portHolders(port);
      throw new CliError(`--port: ${port} is busy: ${holders.length ? `held by ${holders.join(", ")}` : "another program has it open"}; close it (a monitor?) and try again; ${nothing} (esptool: ${(f.message ?? "").split("\n").join(" ")})`);
    }
    case "port-denied":
      throw new CliError(`--port: ${port}: permission denied; add yourself to the dialout group (then log in again)`);
    case "no-bootloader":
      throw new CliError(`no bootloader answered on ${port} (esptool: ${(f.message ?? "").split("\n")[0]}); ${BOOT_HINT}; ${nothing}`);
    case "wrong-chip":
      throw new CliError(`wrong chip: ${f.message}; ${nothing}. Build for this chip (idf.py set-target <chip>) or connect a ${plan.chip} board`);
    case "flash-size":
      throw new CliError(`${f.message}; ${nothing}. Rebuild with the board's flash size (idf.py menuconfig: Serial flasher config)`);
    case "verify-failed":
      throw new CliError(`flash failed verification: ${f.message}; every image was written but the board does not hold this one as built. Run flash again`);
    default: {
      // Say exactly what the board now holds: whole and verified, cut short, or untouched.
      const cut = f.image ?? started;
      const parts = [`flash failed: ${f.message}.`];
      if (cut) parts.push(`${cut} at ${hex(byName.get(cut)!.offset)} is INCOMPLETE on the board (${Math.floor(progress.get(cut) ?? 0)}% sent); the board will not boot it.`);
      const whole = written.filter((n) => n !== cut);
      if (whole.length) parts.push(`Written whole (esptool checked their MD5): ${whole.join(", ")}.`);
      const untouched = plan.images.map((i) => i.name).filter((n) => n !== cut && !written.includes(n));
      if (untouched.length) parts.push(`Not written: ${untouched.join(", ")}.`);
      parts.push("Run flash again to write every image.");
      throw new CliError(parts.join(" "));
    }
  }
}

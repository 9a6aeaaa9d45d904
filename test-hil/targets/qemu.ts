// The QEMU board (boards/qemu-xtensa): `qemu-system-xtensa -M lx60-nommu -cpu lx106` inside the
// dev namespace, its OpenCores NIC on the bench's TAP, its UART on QEMU's stdio (the console).
// Per power-on the runner writes the boot page (boards/qemu-xtensa/boot.h: the hardware, no
// device identity) and loads the app image beside it; the store is the board's CFI flash, a
// 4 MiB file that survives QEMU restarts (boards/qemu-xtensa/store.c has its format).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { LineFeed } from "../../ts/console/link.ts";
import { Child, run } from "../../ts/interop/proc.ts";
import type { SerialPower } from "./serial.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { bridgeTap } from "../bench.ts";
import { crc32 } from "../../ts/console/protocol.ts";
import { exitReport, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, pollUntil, waitBooted } from "../target.ts";

/** The board's firmware per engine (ENGINE=duktape|jerryscript, as for the host board) and the
 *  app image it runs: Duktape compiles the ES5 bundle at boot; JerryScript runs a static
 *  snapshot in place (scripts/jerry-image.ts). HW_QEMU_ELF / HW_QEMU_IMAGE override either. */
export const QEMU_BUILDS: Record<string, { elf: string; image: string }> = {
  duktape: { elf: "build/qemu-xtensa/homewire.elf", image: "build/firmware/homewire-fw.js" },
  jerryscript: { elf: "build/qemu-xtensa/jerryscript/homewire.elf", image: "build/firmware/jerryscript/homewire.image" },
};
export const QEMU_ENGINE = process.env.ENGINE ?? "duktape";
if (!QEMU_BUILDS[QEMU_ENGINE]) throw new Error(`ENGINE must be ${Object.keys(QEMU_BUILDS).join(" or ")}, not "${QEMU_ENGINE}"`);
export const QEMU_ELF = resolve(process.env.HW_QEMU_ELF ?? QEMU_BUILDS[QEMU_ENGINE].elf);
export const QEMU_IMAGE = resolve(process.env.HW_QEMU_IMAGE ?? QEMU_BUILDS[QEMU_ENGINE].image);
export const QEMU_BIN = "qemu-system-xtensa";

/** What the boot page says the image is: precompiled images announce themselves (Duktape
 *  bytecode starts 0xbf, a JerryScript snapshot "JRRY"); anything else is source. */
export function imageKindOf(image: Uint8Array): "source" | "bytecode" {
  const jerry = image.length >= 4 && Buffer.from(image.subarray(0, 4)).toString("latin1") === "JRRY";
  return image.length > 0 && (image[0] === 0xbf || jerry) ? "bytecode" : "source";
}

// The board's memory map (boards/qemu-xtensa/board.ld, qemu_board.h).
export const BOOT_PAGE_ADDR = 0x60500000;
export const BOOT_PAGE_SIZE = 16 * 1024;
export const IMAGE_ADDR = 0x60600000;
export const IMAGE_MAX = 1024 * 1024;
export const FLASH_SIZE = 4 * 1024 * 1024;
export const FLASH_SECTOR = 64 * 1024;
export const BOARD_MAC = "02:68:77:00:00:02";

export interface BootPageFields {
  seed: Uint8Array;
  mac: string;
  ip: string;
  ip6?: string;
  gw?: string;
  imageLength: number;
  imageKind: "source" | "bytecode";
  statusMs: number;
  /** Test-only keys (boards/qemu-xtensa/sleep.c): a faster clock, a watchdog-like reset after the Nth retained write. */
  clockRate?: number;
  crashAfterRetainedWrites?: number;
}

/** The boot page text (NUL-terminated): one key=value per line after the header. */
export function bootPage(f: BootPageFields): Buffer {
  if (f.seed.length !== 32) throw new RangeError("boot page: seed must be 32 bytes");
  const lines = [
    "homewire-boot 1",
    `seed=${Buffer.from(f.seed).toString("hex")}`,
    `mac=${f.mac}`,
    `ip=${f.ip}`,
    ...(f.ip6 ? [`ip6=${f.ip6}`] : []),
    ...(f.gw ? [`gw=${f.gw}`] : []),
    `image=${f.imageLength}`,
    `image-kind=${f.imageKind}`,
    `status-ms=${f.statusMs}`,
    ...(f.clockRate && f.clockRate !== 1 ? [`clock-rate=${f.clockRate}`] : []),
    ...(f.crashAfterRetainedWrites ? [`test-crash-after-retained-write=${f.crashAfterRetainedWrites}`] : []),
  ];
  for (const l of lines) if (/[\n\0]/.test(l)) throw new RangeError(`boot page: a value must be one line (${l.split("=")[0]})`);
  const page = Buffer.from(lines.join("\n") + "\n\0", "utf8");
  if (page.length > BOOT_PAGE_SIZE) throw new RangeError(`boot page: ${page.length} bytes, the page holds ${BOOT_PAGE_SIZE}`);
  return page;
}

// ---- the store's flash format (boards/qemu-xtensa/store.c), for tests that inspect it ----------
const STORE_HEADER = "#homewire-store 2 gen=";
const STORE_HEADER_LEN = 32;

function sectorGeneration(flash: Buffer, base: number): number {
  const h = flash.subarray(base, base + STORE_HEADER_LEN).toString("latin1");
  const m = /^#homewire-store 2 gen=([0-9a-f]{8})\n\n/.exec(h);
  return m ? parseInt(m[1], 16) : 0;
}

/** The store's live records (the latest valid record of each key in the active sector). */
export function flashRecords(flash: Buffer): Map<string, string> {
  const g0 = sectorGeneration(flash, 0), g1 = sectorGeneration(flash, FLASH_SECTOR);
  const out = new Map<string, string>();
  if (!g0 && !g1) return out;
  const base = g1 > g0 ? FLASH_SECTOR : 0;
  const sector = flash.subarray(base + STORE_HEADER_LEN, base + FLASH_SECTOR);
  const end = sector.indexOf(0xff);
  for (const line of sector.subarray(0, end < 0 ? sector.length : end).toString("utf8").split("\n")) {
    const m = /^([0-9a-f]{8}) ([^=]{1,32})=(.*)$/.exec(line);
    if (m && crc32(Buffer.from(`${m[2]}=${m[3]}`, "utf8")) === parseInt(m[1], 16)) out.set(m[2], m[3]);
  }
  return out;
}

/** A flash image holding exactly these records (generation 1 in sector 0), as store.c writes it. */
export function flashImage(records: Map<string, string>): Buffer {
  const flash = Buffer.alloc(FLASH_SIZE, 0xff);
  let at = flash.write(`${STORE_HEADER}00000001\n\n`, 0, "latin1");
  if (at !== STORE_HEADER_LEN) throw new Error("store header length");
  for (const [k, v] of records) {
    const body = `${k}=${v}`;
    let rec = `${crc32(Buffer.from(body, "utf8")).toString(16).padStart(8, "0")} ${body}\n`;
    if (Buffer.byteLength(rec) % 2) rec += "\n";
    at += flash.write(rec, at, "utf8");
    if (at > FLASH_SECTOR) throw new RangeError("flashImage: the records do not fit a sector");
  }
  return flash;
}

export class QemuTarget implements Target {
  readonly name = "qemu" as const;
  // The lx106 runs the engine and the crypto under TCG: generous, but finite (handshake <= 60 s).
  readonly slowdown = 4;
  readonly cleanShutdown = false; // QEMU is switched off; the board never sees a stop request
  // A polled NIC with 9 receive descriptors drops frames QEMU cannot place: at a fifth of the
  // host's pace (1000/s) 96.8-99.4% reach the core (3 runs), so the host's 90% holds here too.
  readonly floodMinShare = 0.9;
  readonly floodPace = { burst: 5, intervalMs: 5 };
  lines: string[] = [];
  readonly console = new LineFeed((line) => this.send(line));
  private net: BoardNet | null = null;
  private child: Child | null = null;

  /** icountShift (measurements, make bench-networks): QEMU runs with -icount shift=N, so CCOUNT
   *  counts instructions and the board's "[board] cycles=… busy=…" stamps count its work. */
  constructor(private readonly options: { icountShift?: number } = {}) {}

  async unavailable(): Promise<string | null> {
    const why = await interopUnavailable();
    if (why) return why;
    const which = await run(["sh", "-c", `command -v ${QEMU_BIN}`], { allowFail: true });
    if (which.code !== 0) return `${QEMU_BIN} missing (apt-get install qemu-system-misc)`;
    const make = QEMU_ENGINE === "jerryscript" ? "make qemu-board-jerryscript" : "make qemu-board";
    if (!existsSync(QEMU_ELF)) return `${QEMU_ELF} not built (${make})`;
    if (!existsSync(QEMU_IMAGE)) return `${QEMU_IMAGE} not built (${make})`;
    return null;
  }

  async attach(net: BoardNet): Promise<void> {
    await bridgeTap(net.topo, net.tap);
    this.net = net;
    // Private copies: a rebuild while the run goes on (make qemu-board) must not change what boots.
    copyFileSync(QEMU_ELF, this.elfPath);
    copyFileSync(QEMU_IMAGE, this.imagePath);
    // Erased flash reads 0xff: a new board has an empty store.
    writeFileSync(this.flashPath, Buffer.alloc(FLASH_SIZE, 0xff), { mode: 0o600 });
  }

  private get flashPath(): string {
    return join(this.net!.dir, "qemu-flash.bin");
  }

  private get elfPath(): string {
    return join(this.net!.dir, "homewire.elf");
  }

  private get imagePath(): string {
    return join(this.net!.dir, "homewire-app.image");
  }

  async start(boot: BootConfig): Promise<void> {
    const child = this.launch(boot, "stdio");
    await waitBooted(this, 0, 120000).catch((e: Error) => {
      throw new Error(child.running ? e.message : `QEMU exited:\n${child.tail.split("\n").slice(-20).join("\n")}`);
    });
  }

  /** Powers the board on with its UART on a pty instead of stdio (the serial target's board);
   *  resolves to the pty's path, as QEMU announces it. */
  async powerOnPty(boot: BootConfig): Promise<string> {
    // QEMU's pty drops what the UART writes while nobody has it open: the board waits, stopped
    // (-S), until the console is open and resumePty() lets it run.
    const child = this.launch(boot, "pty");
    const path = await pollUntil("QEMU's pty for the board's UART", () => {
      if (!child.running) throw new Error(`QEMU exited:\n${child.tail}`);
      return /char device redirected to (\/dev\/pts\/\d+)/.exec(child.tail)?.[1] ?? null;
    }, 20000, 20);
    return path;
  }

  /** Starts the board powered on by powerOnPty (its monitor is on QEMU's stdin). */
  resumePty(): void {
    if (!this.child?.running) throw new Error("qemu target: not running");
    this.child.process.stdin!.write("cont\n");
  }

  private launch(boot: BootConfig, serial: "stdio" | "pty"): Child {
    const net = this.net;
    if (!net) throw new Error("qemu target: attach() first");
    if (this.running) throw new Error("qemu target: already running");
    this.lines = [];
    const image = readFileSync(this.imagePath);
    const imageLength = image.length;
    if (imageLength > IMAGE_MAX) throw new RangeError(`app image ${imageLength} bytes, the board's image area holds ${IMAGE_MAX}`);
    // boot.wallClock is moot: the lx60 has no RTC, every boot starts without a wall clock.
    const pagePath = join(net.dir, "qemu-boot.txt");
    // A fresh seed every power-on: QEMU has no hardware RNG (boards/qemu-xtensa/rng.c). The page
    // stays in the bench's private directory (0600) until the bench is removed.
    writeFileSync(pagePath, bootPage({ seed: randomBytes(32), mac: BOARD_MAC, ip: boot.outerCidr, ip6: boot.outerCidr6, imageLength,
      imageKind: imageKindOf(image), statusMs: 2000 * (boot.clockRate ?? 1), clockRate: boot.clockRate,
      crashAfterRetainedWrites: boot.crashAfterRetainedWrites }), { mode: 0o600 });
    this.child = net.topo.spawn("qemu", net.ns, [QEMU_BIN, "-M", "lx60-nommu", "-cpu", "lx106", "-nographic",
      ...(serial === "pty" ? ["-S", "-monitor", "stdio"] : ["-monitor", "none"]), "-serial", serial, "-semihosting", "-kernel", this.elfPath,
      ...(this.options.icountShift !== undefined ? ["-icount", `shift=${this.options.icountShift}`] : []),
      "-nic", `tap,ifname=${net.tap},script=no,downscript=no,model=open_eth,mac=${BOARD_MAC}`,
      "-device", `loader,file=${pagePath},addr=0x${BOOT_PAGE_ADDR.toString(16)},force-raw=on`,
      "-device", `loader,file=${this.imagePath},addr=0x${IMAGE_ADDR.toString(16)},force-raw=on`,
      "-drive", `if=pflash,format=raw,file=${this.flashPath}`], {
      onLine: (line) => {
        if (serial !== "stdio") return;
        const clean = line.replace(/\r$/, "");
        if (this.lines.length < MAX_LINES) this.lines.push(clean);
        this.console.feed(clean);
      },
    });
    return this.child;
  }

  /** Bytes to the console as they are, no line end (a test cutting a line short). */
  sendRaw(text: string): void {
    if (!this.child?.running) throw new Error("qemu target: not running");
    this.child.process.stdin!.write(text);
  }

  send(line: string): void {
    if (!this.child?.running) throw new Error("qemu target: not running");
    this.child.process.stdin!.write(line + "\n");
  }

  async stop(): Promise<ExitReport> {
    const c = this.child;
    if (!c) throw new Error("qemu target: not started");
    await c.stop(5000);
    this.child = null;
    return exitReport(null, this.lines);
  }

  forgetStoreKey = async (key: string): Promise<void> => {
    if (this.running) throw new Error("qemu target: edit the store only while stopped");
    const records = flashRecords(readFileSync(this.flashPath));
    records.delete(key);
    writeFileSync(this.flashPath, flashImage(records));
  };

  storeText(): string | null {
    if (!existsSync(this.flashPath)) return null;
    return [...flashRecords(readFileSync(this.flashPath))].map(([k, v]) => `${k}=${v}\n`).join("");
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  diagnostics(): string {
    return `--- QEMU board console (last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

/** The QEMU board as the serial target's board: the runner powers it, its UART is a pty. */
export function qemuPtyPower(): SerialPower & { unavailable(): Promise<string | null> } {
  const q = new QemuTarget();
  return {
    unavailable: () => q.unavailable(),
    attach: (net) => q.attach(net),
    powerOn: (boot) => q.powerOnPty(boot),
    resume: async () => q.resumePty(),
    powerOff: async () => void (await q.stop()),
    get on() { return q.running; },
    forgetStoreKey: q.forgetStoreKey,
    storeText: () => q.storeText(),
  };
}

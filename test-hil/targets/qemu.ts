// The QEMU board (boards/qemu-xtensa): `qemu-system-xtensa -M lx60-nommu -cpu lx106` inside the
// dev namespace, its OpenCores NIC on the bench's TAP, its UART on QEMU's stdio. Per boot the
// runner writes the boot page (boards/qemu-xtensa/boot.h) and loads the app image beside it;
// the store is the board's CFI flash, a 4 MiB file that survives QEMU restarts.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { Child, run } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { bridgeTap } from "../bench.ts";
import { exitReport, fatalLine, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, pollUntil } from "../target.ts";

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
  gw?: string;
  imageLength: number;
  imageKind: "source" | "bytecode";
  statusMs: number;
  configJson: string;
  appJson: string;
}

/** The boot page text (NUL-terminated): one key=value per line after the header. */
export function bootPage(f: BootPageFields): Buffer {
  if (f.seed.length !== 32) throw new RangeError("boot page: seed must be 32 bytes");
  for (const [k, v] of [["config", f.configJson], ["app", f.appJson]] as const) {
    if (/[\n\0]/.test(v)) throw new RangeError(`boot page: ${k} must be one line`);
  }
  const lines = [
    "homewire-boot 1",
    `seed=${Buffer.from(f.seed).toString("hex")}`,
    `mac=${f.mac}`,
    `ip=${f.ip}`,
    ...(f.gw ? [`gw=${f.gw}`] : []),
    `image=${f.imageLength}`,
    `image-kind=${f.imageKind}`,
    `status-ms=${f.statusMs}`,
    `config=${f.configJson}`,
    `app=${f.appJson}`,
  ];
  const page = Buffer.from(lines.join("\n") + "\n\0", "utf8");
  if (page.length > BOOT_PAGE_SIZE) throw new RangeError(`boot page: ${page.length} bytes, the page holds ${BOOT_PAGE_SIZE}`);
  return page;
}

/** The log in flash sector 0 as text: records up to the first erased (0xff) byte. */
export function flashLogText(flash: Buffer): string {
  const sector = flash.subarray(0, Math.min(flash.length, FLASH_SECTOR));
  const end = sector.indexOf(0xff);
  return sector.subarray(0, end < 0 ? sector.length : end).toString("utf8");
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
  private net: BoardNet | null = null;
  private child: Child | null = null;

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
    const net = this.net;
    if (!net) throw new Error("qemu target: attach() first");
    if (this.running) throw new Error("qemu target: already running");
    this.lines = [];
    const image = readFileSync(this.imagePath);
    const imageLength = image.length;
    if (imageLength > IMAGE_MAX) throw new RangeError(`app image ${imageLength} bytes, the board's image area holds ${IMAGE_MAX}`);
    // boot.wallClock is moot: the lx60 has no RTC, every boot starts without a wall clock.
    const pagePath = join(net.dir, "qemu-boot.txt");
    // A fresh seed every boot: QEMU has no hardware RNG (boards/qemu-xtensa/rng.c).
    writeFileSync(pagePath, bootPage({ seed: randomBytes(32), mac: BOARD_MAC, ip: boot.outerCidr, imageLength, imageKind: imageKindOf(image),
      statusMs: 2000, configJson: boot.configJson, appJson: boot.appJson }), { mode: 0o600 });
    this.child = net.topo.spawn("qemu", net.ns, [QEMU_BIN, "-M", "lx60-nommu", "-cpu", "lx106", "-nographic", "-monitor", "none",
      "-serial", "stdio", "-semihosting", "-kernel", this.elfPath,
      "-nic", `tap,ifname=${net.tap},script=no,downscript=no,model=open_eth,mac=${BOARD_MAC}`,
      "-device", `loader,file=${pagePath},addr=0x${BOOT_PAGE_ADDR.toString(16)},force-raw=on`,
      "-device", `loader,file=${this.imagePath},addr=0x${IMAGE_ADDR.toString(16)},force-raw=on`,
      "-drive", `if=pflash,format=raw,file=${this.flashPath}`], {
      onLine: (line) => {
        if (this.lines.length < MAX_LINES) this.lines.push(line.replace(/\r$/, ""));
      },
    });
    const child = this.child;
    try {
      await pollUntil("the board's [started] line", () => {
        if (!child.running) throw new Error(`QEMU exited:\n${child.tail.split("\n").slice(-20).join("\n")}`);
        const bad = fatalLine(this.lines);
        if (bad) throw new Error(`the board failed to start: ${bad}`);
        return this.lines.some((l) => l.startsWith("[started]"));
      }, 120000, 200);
    } finally {
      // QEMU read the page at start-up; the key need not stay on disk.
      rmSync(pagePath, { force: true });
    }
  }

  async stop(): Promise<ExitReport> {
    const c = this.child;
    if (!c) throw new Error("qemu target: not started");
    await c.stop(5000);
    this.child = null;
    return exitReport(null, this.lines);
  }

  wipeStore = async (): Promise<void> => {
    if (this.running) throw new Error("qemu target: wipe the store only while stopped");
    writeFileSync(this.flashPath, Buffer.alloc(FLASH_SIZE, 0xff));
  };

  storeText(): string | null {
    return existsSync(this.flashPath) ? flashLogText(readFileSync(this.flashPath)) : null;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  diagnostics(): string {
    return `--- QEMU board console (last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

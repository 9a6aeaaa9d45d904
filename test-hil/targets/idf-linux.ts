// boards/esp32 on ESP-IDF's linux target: the same IDF app a chip runs, as a Linux process
// (FreeRTOS POSIX port, ESP-IDF's lwIP on a TAP in the dev namespace, NVS in a flash file).
// Its console is the process's stdin/stdout (console protocol 2, as a chip's UART); its
// "hardware" comes from its environment (boards/esp32/components/homewire/linux_*.c):
// HOMEWIRE_TAP/IP (the NIC), HOMEWIRE_FLASH (the flash chip, kept per bench so a restart with
// the same file is a reboot with NVS kept), HOMEWIRE_WALL_CLOCK=off (no RTC). Nothing
// device-specific: the Bench enrols the board through its console.
//
// IDF's esp_restart ends a linux process, so a console `reset` is followed here by powering the
// board on again, as a chip's reset would bring it back.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LineFeed } from "../../ts/console/link.ts";
import { Child } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { bridgeTap } from "../bench.ts";
import { exitReport, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, waitBooted } from "../target.ts";

export const IDF_ENGINE = process.env.IDF_ENGINE ?? "jerryscript";
export const IDF_ELF = resolve(process.env.HW_IDF_ELF ?? `build/esp32/linux-${IDF_ENGINE}/homewire.elf`);
const IDF_PATH = process.env.IDF_PATH ?? join(process.env.HOME ?? "/root", "esp/esp-idf");
/** boards/esp32/partitions.csv: the nvs partition. */
const NVS_OFFSET = 0x9000;
const NVS_SIZE = 0x6000;

export class IdfLinuxTarget implements Target {
  readonly name = "idf-linux" as const;
  // FreeRTOS's POSIX port runs one task at a time on signals; the TAP is read once per 1 ms tick.
  readonly slowdown = 1;
  readonly cleanShutdown = true;
  readonly floodMinShare = 0.9;
  readonly floodPace = { burst: 20, intervalMs: 4 };
  lines: string[] = [];
  readonly console = new LineFeed((line) => this.send(line));
  private net: BoardNet | null = null;
  private child: Child | null = null;
  private env: NodeJS.ProcessEnv = {};
  /** A `reset` was sent: the process's exit is a reboot, not a power-off. */
  private resetting = false;
  private stopping = false;
  /** forgetStoreKey's key, taken away at the next power-on. */
  private forget: string | null = null;

  async unavailable(): Promise<string | null> {
    const why = await interopUnavailable();
    if (why) return why;
    if (!existsSync(IDF_ELF)) return `${IDF_ELF} not built (make esp32-linux IDF_ENGINE=${IDF_ENGINE})`;
    return null;
  }

  async attach(net: BoardNet): Promise<void> {
    await bridgeTap(net.topo, net.tap);
    this.net = net;
  }

  private get flashPath(): string {
    return join(this.net!.dir, "idf-flash.bin");
  }

  private powerOn(): void {
    const net = this.net!;
    this.child = net.topo.spawn("idf-linux", net.ns, [IDF_ELF], {
      env: this.env,
      onLine: (line) => {
        if (this.lines.length < MAX_LINES) this.lines.push(line);
        this.console.feed(line);
      },
    });
    const child = this.child;
    void child.exited.then(() => {
      if (this.child !== child || this.stopping || !this.resetting) return;
      this.resetting = false; // the board comes back, clock at zero, NVS kept
      const { HOMEWIRE_FORGET: _once, ...env } = this.env;
      this.env = env;
      this.powerOn();
    });
  }

  async start(boot: BootConfig): Promise<void> {
    const net = this.net;
    if (!net) throw new Error("idf-linux target: attach() first");
    if (this.running) throw new Error("idf-linux target: already running");
    this.lines = [];
    this.stopping = false;
    this.resetting = false;
    this.env = { ...process.env, HOMEWIRE_TAP: net.tap, HOMEWIRE_IP: boot.outerCidr, HOMEWIRE_FLASH: this.flashPath,
      HOMEWIRE_WALL_CLOCK: boot.wallClock ? "on" : "off", ...(this.forget ? { HOMEWIRE_FORGET: this.forget } : {}) };
    this.forget = null;
    this.powerOn();
    const child = this.child!;
    await waitBooted(this, 0, 15000).catch((e: Error) => {
      throw new Error(child.running ? e.message : `the IDF process exited:\n${child.tail}`);
    });
  }

  /** Bytes to the console as they are, no line end (a test cutting a line short). */
  sendRaw(text: string): void {
    if (!this.child?.running) throw new Error("idf-linux target: not running");
    this.child.process.stdin!.write(text);
  }

  send(line: string): void {
    if (!this.child?.running) throw new Error("idf-linux target: not running");
    if (line === "reset") this.resetting = true;
    this.child.process.stdin!.write(line + "\n");
  }

  async stop(): Promise<ExitReport> {
    const c = this.child;
    if (!c) throw new Error("idf-linux target: not started");
    this.stopping = true;
    await c.stop(5000); // SIGTERM: the board sets its stop flag; the runtime prints [exit]
    const { code } = await c.exited;
    this.child = null;
    return exitReport(code, this.lines);
  }

  forgetStoreKey = async (key: string): Promise<void> => {
    if (this.running) throw new Error("idf-linux target: edit the store only while stopped");
    this.forget = key;
  };

  /** The NVS partition's homewire keys, read with ESP-IDF's own NVS parser (nvs_tool.py). */
  storeText(): string | null {
    const tool = join(IDF_PATH, "components/nvs_flash/nvs_partition_tool/nvs_tool.py");
    if (!this.net || !existsSync(this.flashPath) || !existsSync(tool)) return null;
    const part = join(this.net.dir, "idf-nvs.bin");
    const buf = Buffer.alloc(NVS_SIZE);
    const fd = openSync(this.flashPath, "r");
    try {
      readSync(fd, buf, 0, NVS_SIZE, NVS_OFFSET);
    } finally {
      closeSync(fd);
    }
    writeFileSync(part, buf, { mode: 0o600 });
    const python = existsSync(".venv/bin/python") ? ".venv/bin/python" : "python3";
    const r = spawnSync(python, [tool, part, "-d", "minimal", "-f", "json"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`nvs_tool.py: ${r.stderr.trim()}`);
    // Blobs (how board.c stores every value) come base64-encoded; a later entry of a key wins.
    const entries = JSON.parse(r.stdout) as { namespace: string; key: string; encoding: string; data: string; state: string }[];
    const store = new Map<string, string>();
    for (const e of entries) {
      if (e.namespace !== "homewire" || e.state !== "Written") continue;
      store.set(e.key, e.encoding === "blob_data" ? Buffer.from(e.data, "base64").toString("utf8") : String(e.data));
    }
    return [...store].map(([k, v]) => `${k}=${v}\n`).join("");
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  diagnostics(): string {
    return `--- idf-linux (${IDF_ENGINE}, last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

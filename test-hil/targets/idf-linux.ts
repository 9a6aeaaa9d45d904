// boards/esp32 on ESP-IDF's linux target: the same IDF app a chip runs, as a Linux process
// (FreeRTOS POSIX port, ESP-IDF's lwIP on a TAP in the dev namespace, NVS in a flash file).
// Its "hardware" comes from its environment (boards/esp32/components/homewire/linux_*.c):
// HOMEWIRE_TAP/IP (the NIC), HOMEWIRE_FLASH (the flash chip, kept per bench so a restart with
// the same file is a reboot with NVS kept), HOMEWIRE_WALL_CLOCK=off (no RTC). Until enrolment
// through the console lands, the device config is a 0600 file (HOMEWIRE_CONFIG), never argv.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Child } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { bridgeTap } from "../bench.ts";
import { exitReport, fatalLine, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, pollUntil } from "../target.ts";

export const IDF_ENGINE = process.env.IDF_ENGINE ?? "jerryscript";
export const IDF_ELF = resolve(process.env.HW_IDF_ELF ?? `build/esp32/linux-${IDF_ENGINE}/homewire.elf`);

export class IdfLinuxTarget implements Target {
  readonly name = "idf-linux" as const;
  // FreeRTOS's POSIX port runs one task at a time on signals; the TAP is read once per 1 ms tick.
  readonly slowdown = 1;
  readonly cleanShutdown = true;
  readonly floodMinShare = 0.9;
  readonly floodPace = { burst: 20, intervalMs: 4 };
  lines: string[] = [];
  private net: BoardNet | null = null;
  private child: Child | null = null;

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

  async start(boot: BootConfig): Promise<void> {
    const net = this.net;
    if (!net) throw new Error("idf-linux target: attach() first");
    if (this.running) throw new Error("idf-linux target: already running");
    this.lines = [];
    const configPath = join(net.dir, "device.json");
    writeFileSync(configPath, boot.configJson, { mode: 0o600 });
    const env = { ...process.env, HOMEWIRE_TAP: net.tap, HOMEWIRE_IP: boot.outerCidr, HOMEWIRE_FLASH: this.flashPath,
      HOMEWIRE_CONFIG: configPath, HOMEWIRE_APP: boot.appJson, HOMEWIRE_WALL_CLOCK: boot.wallClock ? "on" : "off" };
    this.child = net.topo.spawn("idf-linux", net.ns, [IDF_ELF], {
      env,
      onLine: (line) => {
        if (this.lines.length < MAX_LINES) this.lines.push(line);
      },
    });
    const child = this.child;
    await pollUntil("the IDF app's start ([started])", () => {
      if (!child.running) throw new Error(`the IDF process exited:\n${child.tail}`);
      const bad = fatalLine(this.lines);
      if (bad) throw new Error(`the IDF app failed to start: ${bad}`);
      return this.lines.some((l) => l.startsWith("[started]"));
    }, 15000, 50);
  }

  async stop(): Promise<ExitReport> {
    const c = this.child;
    if (!c) throw new Error("idf-linux target: not started");
    await c.stop(5000); // SIGTERM: the board sets its stop flag; the runtime prints [exit]
    const { code } = await c.exited;
    this.child = null;
    return exitReport(code, this.lines);
  }

  wipeStore = async (): Promise<void> => {
    if (this.running) throw new Error("idf-linux target: wipe the store only while stopped");
    rmSync(this.flashPath, { force: true }); // the next boot makes a new, erased flash
  };

  storeText(): string | null {
    return null; // NVS pages in the flash file: only the store's behaviour is checked
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  diagnostics(): string {
    return `--- idf-linux (${IDF_ENGINE}, last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

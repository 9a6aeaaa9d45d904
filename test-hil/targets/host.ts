// The host board (boards/host): the firmware as a Linux process on a TAP in the dev namespace.
// Its console is the process's stdin/stdout; its store a file in the bench directory, so a
// restart with the same file is a reboot (and so is the console's `reset`: the process re-execs).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LineFeed } from "../../ts/console/link.ts";
import { Child } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { bridgeTap } from "../bench.ts";
import { exitReport, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, waitBooted } from "../target.ts";

export const ENGINE = process.env.ENGINE ?? "duktape";
export const FIRMWARE_BIN = resolve(process.env.HW_FIRMWARE_BIN ?? `build/firmware/${ENGINE}/homewire-host`);
export const FIRMWARE_IMAGE = resolve(process.env.HW_FIRMWARE_IMAGE ?? `build/firmware/${ENGINE}/homewire.image`);
/** Engine heap ceiling given to the firmware (bytes). */
export const HEAP_LIMIT = Number(process.env.HW_FIRMWARE_HEAP ?? 512 * 1024);

export class HostTarget implements Target {
  readonly name = "host" as const;
  readonly slowdown = 1;
  readonly cleanShutdown = true;
  // The TAP driver leaves frames in the kernel queue while lwIP's pool is busy, so nearly all
  // of the flood reaches the JS core at 5000/s.
  readonly floodMinShare = 0.9;
  readonly floodPace = { burst: 20, intervalMs: 4 };
  lines: string[] = [];
  readonly console = new LineFeed((line) => this.send(line));
  private net: BoardNet | null = null;
  private child: Child | null = null;

  async unavailable(): Promise<string | null> {
    const why = await interopUnavailable();
    if (why) return why;
    if (!existsSync(FIRMWARE_BIN)) return `${FIRMWARE_BIN} not built (make firmware-image ENGINE=${ENGINE})`;
    if (!existsSync(FIRMWARE_IMAGE)) return `${FIRMWARE_IMAGE} not built (make firmware-image ENGINE=${ENGINE})`;
    return null;
  }

  async attach(net: BoardNet): Promise<void> {
    await bridgeTap(net.topo, net.tap);
    this.net = net;
  }

  private get storePath(): string {
    return join(this.net!.dir, "host-store.txt");
  }

  async start(boot: BootConfig): Promise<void> {
    const net = this.net;
    if (!net) throw new Error("host target: attach() first");
    if (this.running) throw new Error("host target: already running");
    this.lines = [];
    // Under a faster test clock the runtime's periods (board ms) stretch with it, so the host
    // still ticks every 100 ms and prints a status every 2 s of its own time.
    const rate = boot.clockRate ?? 1;
    const tests = [...(rate !== 1 ? ["--clock-rate", String(rate), "--tick-ms", String(Math.min(100 * rate, 1000))] : []),
      ...(boot.crashAfterRetainedWrites ? ["--test-crash-after-retained-write", String(boot.crashAfterRetainedWrites)] : [])];
    this.child = net.topo.spawn("firmware", net.ns, [FIRMWARE_BIN, "--tap", net.tap, "--ip", boot.outerCidr,
      "--store", this.storePath, "--retained", join(net.dir, "host-retained.bin"), "--bundle", FIRMWARE_IMAGE,
      "--status-ms", String(2000 * rate), "--heap", String(HEAP_LIMIT), "--wall-clock", boot.wallClock ? "on" : "off",
      ...(boot.outerCidr6 ? ["--ip6", boot.outerCidr6] : []), ...tests], {
      onLine: (line) => {
        if (this.lines.length < MAX_LINES) this.lines.push(line);
        this.console.feed(line);
      },
    });
    const child = this.child;
    await waitBooted(this, 0, 10000).catch((e: Error) => {
      throw new Error(child.running ? e.message : `firmware exited:\n${child.tail}`);
    });
  }

  /** Bytes to the console as they are, no line end (a test cutting a line short). */
  sendRaw(text: string): void {
    if (!this.child?.running) throw new Error("host target: not running");
    this.child.process.stdin!.write(text);
  }

  send(line: string): void {
    if (!this.child?.running) throw new Error("host target: not running");
    this.child.process.stdin!.write(line + "\n");
  }

  async stop(): Promise<ExitReport> {
    const c = this.child;
    if (!c) throw new Error("host target: not started");
    await c.stop(5000); // SIGTERM: the runtime leaves its loop and prints [exit]
    const { code } = await c.exited;
    this.child = null;
    return exitReport(code, this.lines);
  }

  forgetStoreKey = async (key: string): Promise<void> => {
    if (this.running) throw new Error("host target: edit the store only while stopped");
    if (!existsSync(this.storePath)) return;
    const kept = readFileSync(this.storePath, "utf8").split("\n").filter((l) => l && !l.startsWith(`${key}=`));
    writeFileSync(this.storePath, kept.map((l) => l + "\n").join(""), { mode: 0o600 });
  };

  storeText(): string | null {
    return existsSync(this.storePath) ? readFileSync(this.storePath, "utf8") : "";
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  diagnostics(): string {
    return `--- host firmware (last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

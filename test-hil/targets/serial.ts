// A real board on a serial port. Flashing comes later: the board must already run a homewire
// build whose boot console speaks the protocol below. Not exercised in CI (there is no board);
// serial.test.ts drives this file against a fake board over an in-memory stream.
//
// Console protocol "homewire-console 1" (lines end in \n; a \r before it is ignored):
//   board, after reset:       [board] homewire-console 1 ready
//   runner:                   the boot page lines (as boards/qemu-xtensa/boot.h, without seed=:
//                             a real board uses its hardware RNG), then an empty line
//   board:                    [board] boot-page ok            then boots; the runtime prints [started]
//                        or:  [board] boot-page error <why>   and prints the ready line again
//   runner, any time:         reset        the board restarts (clock at zero, store kept)
//   runner, while running:    stop         the runtime ends, prints [exit], board waits for reset
//   runner, at the prompt:    wipe-store   the board erases its store, answers [board] store wiped
//
// The network: the board's Ethernet/Wi-Fi is on a LAN the user names. The runner puts home
// (wireguard-go, collector) in a namespace with a macvlan on --lan-if at --home-ip, and tells
// the board its static --board-ip on the boot page. Wi-Fi credentials are the board's own.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { openSerialLink } from "../../ts/console/link.ts";
import { run } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { exitReport, fatalLine, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, pollUntil } from "../target.ts";

export const READY = "[board] homewire-console 1 ready";
export const PAGE_OK = "[board] boot-page ok";
export const PAGE_ERROR = "[board] boot-page error";
export const STORE_WIPED = "[board] store wiped";

/** A line-oriented console: bytes in both directions, lines out to the listener. */
export interface SerialLink {
  write(line: string): void;
  onLine(listener: (line: string) => void): void;
  close(): void;
}

export function streamLink(input: Readable, output: Writable): SerialLink {
  const listeners: ((line: string) => void)[] = [];
  const rl = createInterface({ input, crlfDelay: Infinity });
  rl.on("line", (line) => {
    const clean = line.replace(/\r$/, "");
    for (const l of listeners) l(clean);
  });
  return {
    write: (line) => void output.write(line + "\n"),
    onLine: (l) => void listeners.push(l),
    close: () => {
      rl.close();
      output.end();
      input.destroy();
    },
  };
}

/** Opens a serial device raw at the given speed, locked (the `serialport` package, through
 *  ts/console/link.ts). The port opens in the background: a failure is printed, and the
 *  protocol waits below then time out naming what they waited for. */
export function openSerialPort(path: string, baud: number): SerialLink {
  const link = openSerialLink(path, baud);
  link.onClose((e) => {
    if (e) console.error(`serial target: ${e.message}`);
  });
  return link;
}

/** The boot page a real board receives over the console (no seed: it has a hardware RNG). */
export function serialBootPage(boot: BootConfig): string[] {
  for (const [k, v] of [["config", boot.configJson], ["app", boot.appJson]] as const) {
    if (/[\n\r\0]/.test(v)) throw new RangeError(`boot page: ${k} must be one line`);
  }
  return ["homewire-boot 1", `ip=${boot.outerCidr}`, `wall-clock=${boot.wallClock ? "on" : "off"}`, "status-ms=2000",
    `config=${boot.configJson}`, `app=${boot.appJson}`];
}

export interface SerialOptions {
  port: string;
  baud: number;
  /** Host interface on the board's LAN; home gets a macvlan on it. */
  lanIf: string;
  /** Home's address on the LAN with prefix, e.g. 192.168.1.77/24. */
  homeCidr: string;
  /** The board's static address on the LAN (no prefix). */
  boardIp: string;
  slowdown: number;
}

export class SerialTarget implements Target {
  readonly name = "serial" as const;
  readonly slowdown: number;
  readonly cleanShutdown = true;
  readonly floodMinShare = 0.5; // a radio drops what it drops; the counting check still holds
  readonly floodPace = { burst: 5, intervalMs: 5 };
  lines: string[] = [];
  private link: SerialLink | null = null;
  private state: "unknown" | "prompt" | "running" | "stopped" = "unknown";
  private net: BoardNet | null = null;
  /** Everything the board printed since the link opened (bounded), for protocol waits. */
  private console: string[] = [];

  constructor(readonly options: SerialOptions, private readonly openLink: () => SerialLink = () => openSerialPort(options.port, options.baud)) {
    this.slowdown = options.slowdown;
  }

  async unavailable(): Promise<string | null> {
    if (!existsSync(this.options.port)) return `serial port ${this.options.port} does not exist (--port)`;
    if (!this.options.lanIf || !this.options.boardIp || !this.options.homeCidr) return "the serial target needs --lan-if, --home-ip and --board-ip";
    return interopUnavailable();
  }

  /** Home leaves the veth for a macvlan on the user's LAN; the dev namespace stays unused. */
  async attach(net: BoardNet): Promise<void> {
    const ns = net.topo.home;
    await run(["ip", "-n", ns, "link", "del", "veth0"]);
    await run(["ip", "link", "add", "link", this.options.lanIf, "name", "hwlan0", "netns", ns, "type", "macvlan", "mode", "bridge"]);
    await run(["ip", "-n", ns, "addr", "add", this.options.homeCidr, "dev", "hwlan0"]);
    await run(["ip", "-n", ns, "link", "set", "hwlan0", "up"]);
    this.net = net;
    this.connect();
  }

  /** Opens the console (once). Exposed for tests that attach no network. */
  connect(): void {
    if (this.link) return;
    this.link = this.openLink();
    this.link.onLine((line) => {
      if (this.console.length >= MAX_LINES) this.console.splice(0, 1000);
      this.console.push(line);
      if (this.lines.length < MAX_LINES) this.lines.push(line);
      if (line === READY) this.state = "prompt";
      else if (line.startsWith("[exit]")) this.state = "stopped";
    });
  }

  /** Waits for a console line after position `from` that matches. */
  private async expectLine(what: string, from: number, match: (l: string) => boolean, ms: number): Promise<string> {
    return pollUntil(what, () => this.console.slice(from).find(match) ?? null, Math.round(ms * this.slowdown), 20);
  }

  private send(line: string): void {
    if (!this.link) throw new Error("serial target: console not open");
    this.link.write(line);
  }

  async start(boot: BootConfig): Promise<void> {
    if (this.state === "running") throw new Error("serial target: already running");
    const mark = this.console.length;
    this.send("reset"); // from any state: the board comes back to the prompt with its clock at zero
    await this.expectLine("the board's ready prompt after reset", mark, (l) => l === READY, 15000);
    this.lines = [];
    const sent = this.console.length;
    for (const line of serialBootPage(boot)) this.send(line);
    this.send("");
    const answer = await this.expectLine("the boot page answer", sent, (l) => l === PAGE_OK || l.startsWith(PAGE_ERROR), 10000);
    if (answer !== PAGE_OK) throw new Error(`the board refused the boot page: ${answer}`);
    this.state = "running";
    await pollUntil("the board's [started] line", () => {
      const bad = fatalLine(this.lines);
      if (bad) throw new Error(`the board failed to start: ${bad}`);
      return this.lines.some((l) => l.startsWith("[started]"));
    }, Math.round(60000 * this.slowdown), 50);
  }

  async stop(): Promise<ExitReport> {
    if (this.state !== "running") throw new Error("serial target: not running");
    const mark = this.console.length;
    this.send("stop");
    await this.expectLine("[exit] after stop", mark, (l) => l.startsWith("[exit]"), 10000);
    this.state = "stopped";
    return exitReport(0, this.lines);
  }

  wipeStore = async (): Promise<void> => {
    if (this.state === "running") throw new Error("serial target: wipe the store only while stopped");
    const mark = this.console.length;
    this.send("wipe-store");
    await this.expectLine("the store-wiped answer", mark, (l) => l === STORE_WIPED, 10000);
  };

  storeText(): string | null {
    return null; // the store lives in the board's flash; only its behaviour is observable
  }

  get running(): boolean {
    return this.state === "running";
  }

  /** Closes the console (the Bench calls stop first). */
  close(): void {
    this.link?.close();
    this.link = null;
  }

  diagnostics(): string {
    return `--- serial console ${this.options.port} (last 40 lines) ---\n${this.lines.slice(-40).join("\n")}`;
  }
}

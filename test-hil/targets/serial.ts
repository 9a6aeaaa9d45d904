// A board on a serial port, speaking console protocol 2 (firmware/runtime/console.h) on its
// console. It runs a homewire build already (`npx homewire flash`). serial.test.ts drives this
// file against a fake board; `make test-hil-serial-qemu` runs every scenario against the QEMU
// board's UART on a pty (QEMU powered by the runner, its NIC in the bench's namespaces).
//
//   the runner:  reset                  -> the board reboots: "[board] homewire-console 2 ready",
//                                          "[board] public-key <b64>", "[board] enrolled" and
//                                          "[started] ...", or "[board] not enrolled"
//                enroll <crc32> <json>   -> "[console] ok enroll public-key=<b64>" (the Bench)
//                stop                    -> "[exit] ...", "[console] ok stop"
//
// The network of a real board: its Ethernet/Wi-Fi is on a LAN the user names. The runner puts
// home (wireguard-go, collector) in a namespace with a macvlan on --lan-if at --home-ip; the
// board's address (--board-ip) is what its network gave it. The wall clock is the board's own.
import { existsSync } from "node:fs";
import { LineFeed, openSerialLink, type ConsoleLink, type SerialPortLink } from "../../ts/console/link.ts";
import { run } from "../../ts/interop/proc.ts";
import { interopUnavailable } from "../../ts/interop/netns.ts";
import { READY } from "../../ts/console/protocol.ts";
import { exitReport, MAX_LINES, type BoardNet, type BootConfig, type ExitReport, type Target, pollUntil, waitBooted } from "../target.ts";

export { READY };

/** Opens a serial device raw at the given speed, locked (the `serialport` package, through
 *  ts/console/link.ts). The port opens in the background: a failure is printed, and the
 *  protocol waits then time out naming what they waited for. */
export function openSerialPort(path: string, baud: number): ConsoleLink {
  const link = openSerialLink(path, baud);
  link.onClose((e) => {
    if (e) console.error(`serial target: ${e.message}`);
  });
  return link;
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

/** A board the runner powers itself (the QEMU board on a pty): its NIC joins the bench, its
 *  console is a serial port that exists while it is on. */
export interface SerialPower {
  attach(net: BoardNet): Promise<void>;
  /** Powers on; resolves to the console's device path. */
  powerOn(boot: BootConfig): Promise<string>;
  /** Lets a board that waits for its console run, once the console is open (a pty drops what
   *  is written before). Absent: the board runs from powerOn. */
  resume?(): Promise<void>;
  powerOff(): Promise<void>;
  readonly on: boolean;
  forgetStoreKey: ((key: string) => Promise<void>) | null;
  storeText(): string | null;
}

export class SerialTarget implements Target {
  readonly name = "serial" as const;
  readonly slowdown: number;
  readonly cleanShutdown = true;
  readonly floodMinShare: number;
  readonly floodPace: { burst: number; intervalMs: number };
  lines: string[] = [];
  readonly console = new LineFeed((line) => this.send(line));
  private link: ConsoleLink | null = null;
  private state: "unknown" | "running" | "stopped" = "unknown";
  private net: BoardNet | null = null;

  constructor(readonly options: SerialOptions, private readonly openLink: (port: string) => ConsoleLink = (port) => openSerialPort(port, options.baud),
    private readonly power: SerialPower | null = null) {
    this.slowdown = options.slowdown;
    // A radio drops what it drops (the counting check still holds); the QEMU board's NIC is the
    // QEMU target's, and so are its numbers (targets/qemu.ts).
    this.floodMinShare = power ? 0.9 : 0.5;
    this.floodPace = power ? { burst: 5, intervalMs: 5 } : { burst: 5, intervalMs: 5 };
  }

  async unavailable(): Promise<string | null> {
    if (!this.power) {
      if (!existsSync(this.options.port)) return `serial port ${this.options.port} does not exist (--port)`;
      if (!this.options.lanIf || !this.options.boardIp || !this.options.homeCidr) return "the serial target needs --lan-if, --home-ip and --board-ip";
    }
    return interopUnavailable();
  }

  /** A powered board joins the bench's namespaces; a real one: home gets a macvlan on the LAN. */
  async attach(net: BoardNet): Promise<void> {
    this.net = net;
    if (this.power) return this.power.attach(net);
    const ns = net.topo.home;
    await run(["ip", "-n", ns, "link", "del", "veth0"]);
    await run(["ip", "link", "add", "link", this.options.lanIf, "name", "hwlan0", "netns", ns, "type", "macvlan", "mode", "bridge"]);
    await run(["ip", "-n", ns, "addr", "add", this.options.homeCidr, "dev", "hwlan0"]);
    await run(["ip", "-n", ns, "link", "set", "hwlan0", "up"]);
    this.connect(this.options.port);
  }

  /** Opens the console (once per power-on). Exposed for tests that attach no network. */
  connect(port = this.options.port): void {
    if (this.link) return;
    this.link = this.openLink(port);
    this.link.onLine((line) => {
      if (this.lines.length < MAX_LINES) this.lines.push(line);
      this.console.feed(line);
      if (line.startsWith("[exit]")) this.state = "stopped";
    });
  }

  send(line: string): void {
    if (!this.link) throw new Error("serial target: console not open");
    this.link.write(line);
  }

  async start(boot: BootConfig): Promise<void> {
    if (this.state === "running") throw new Error("serial target: already running");
    this.lines = [];
    if (this.power) {
      this.connect(await this.power.powerOn(boot));
      const opened = (this.link as Partial<SerialPortLink> | null)?.opened;
      if (opened) await opened;
      await this.power.resume?.();
    } else {
      this.send("reset"); // from any state: the board reboots with its clock at zero, store kept
    }
    this.state = "running";
    try {
      await waitBooted(this, 0, Math.round(60000 * this.slowdown));
    } catch (e) {
      this.state = "unknown";
      throw e;
    }
  }

  async stop(): Promise<ExitReport> {
    if (this.state !== "running") throw new Error("serial target: not running");
    const mark = this.lines.length;
    this.send("stop");
    await pollUntil("[exit] after stop", () => this.lines.slice(mark).some((l) => l.startsWith("[exit]")), Math.round(10000 * this.slowdown), 20);
    this.state = "stopped";
    const report = exitReport(0, this.lines);
    if (this.power) {
      this.close();
      await this.power.powerOff();
    }
    return report;
  }

  get forgetStoreKey(): ((key: string) => Promise<void>) | null {
    return this.power?.forgetStoreKey ?? null; // a real board's store lives in its flash
  }

  storeText(): string | null {
    return this.power ? this.power.storeText() : null;
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

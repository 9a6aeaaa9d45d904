// The one interface every board target implements (host process, QEMU, real board on a serial
// port), and the console reading they share. A scenario only ever talks to a Target and the
// Bench's home side, so it is written once and runs on all of them.
import type { Topology } from "../ts/interop/netns.ts";
import { bootState, type BootState } from "../ts/console/protocol.ts";
import type { LineFeed } from "../ts/console/link.ts";

export type TargetName = "host" | "qemu" | "serial" | "idf-linux";

/** What a power-on needs besides the store: the hardware around the board, the same on every
 *  board. The device's key and config are not here: they live in its store, and the Bench
 *  brings them through the console (console protocol 2, `enroll`), as a user would. */
export interface BootConfig {
  /** The board's outer address with prefix, e.g. "192.168.77.2/24". */
  outerCidr: string;
  /** Its IPv6 address on the same link ("fd00:77::2/64"), where the bench made the link;
   *  targets whose board cannot take one (serial, idf-linux) leave it unused. */
  outerCidr6?: string;
  /** Whether the board may use a wall clock. false = a board without an RTC. */
  wallClock: boolean;
  /** Test-only (host and QEMU boards): the board's clock runs this many times faster (expiry and
   *  long-life tests against wireguard-go, whose clock is real). Default 1. */
  clockRate?: number;
  /** Test-only (host and QEMU boards): a watchdog-like reset (clock and retained region kept)
   *  right after the Nth retained-region write since power-on, once. */
  crashAfterRetainedWrites?: number;
}

/** The network a target attaches its board to (see bench.ts). */
export interface BoardNet {
  topo: Topology;
  /** Namespace holding the board's TAP (host, qemu); unused for serial. */
  ns: string;
  tap: string;
  /** A private directory for this bench's files (store, boot page); removed with the bench. */
  dir: string;
}

export interface ExitReport {
  /** Process exit code where the target has one (host); null when the board was cut off. */
  code: number | null;
  /** Engine heap peak and limit from the last runtime line ([exit] or [status]). */
  heapPeak: number | null;
  heapLimit: number | null;
  lines: string[];
}

export interface Target {
  readonly name: TargetName;
  /** Multiplier on every scenario timeout (QEMU runs the lx106 under TCG). */
  readonly slowdown: number;
  /** The board stops on request and reports [exit] (the host process and a serial board). */
  readonly cleanShutdown: boolean;
  /** Minimum share of flood datagrams that must reach the JS core (the NIC path differs). */
  readonly floodMinShare: number;
  /** Flood pace: datagrams per burst and ms between bursts. */
  readonly floodPace: { burst: number; intervalMs: number };
  /** Why this target cannot run here, or null. Checked before any namespace is made. */
  unavailable(): Promise<string | null>;
  /** Attach to the bench's network (TAP in the device namespace, or the user's LAN). */
  attach(net: BoardNet): Promise<void>;
  /** Power on; the store is the one left by the previous boot of this bench. Resolves once the
   *  boot lines are out (bootedState): not enrolled, or enrolled and [started]. The clock
   *  starts at zero. */
  start(boot: BootConfig): Promise<void>;
  /** Power off (clean where the board supports it) and report. */
  stop(): Promise<ExitReport>;
  /** One line to the board's console (console protocol 2). */
  send(line: string): void;
  /** The board's console as a link: every line it prints, in order, across boots and resets
   *  (the Bench's ConsoleSession runs on it); write() is send(). */
  readonly console: LineFeed;
  /** Test-only: removes one key from the store while the board is off (to take the TAI64N
   *  reservation away in a control). null = this target cannot. */
  forgetStoreKey: ((key: string) => Promise<void>) | null;
  /** The store's records as "key=value" lines (to check what was persisted), or null if not
   *  readable. Holds the device key: for leak checks only, never printed. */
  storeText(): string | null;
  readonly running: boolean;
  /** Console lines since the last start, in order (bounded; resets do not clear them). */
  readonly lines: string[];
  /** Text to append to a failure: the console tail and board-specific state. */
  diagnostics(): string;
}

export const MAX_LINES = 20000;

// ---- console lines, the same from every board (firmware/runtime, ts/app) -----------------

/** The app's latest status ("[info] status {json}"), or null. */
export function appStatus(lines: string[]): any | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^\[info\] status (\{.*\})$/.exec(lines[i]);
    if (!m) continue;
    try {
      return JSON.parse(m[1]);
    } catch {
      continue; // a line garbled on the console: an older one will do
    }
  }
  return null;
}

/** key=number fields of the last runtime line with one of these tags ("started", "status", "exit"). */
export function runtimeLine(lines: string[], tags: string[]): Record<string, number> | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^\[(\w+)\] engine=\S+ (.*)$/.exec(lines[i]);
    if (!m || !tags.includes(m[1])) continue;
    const out: Record<string, number> = {};
    for (const f of m[2].split(" ")) {
      const kv = /^([a-z-]+)=(\d+)$/.exec(f);
      if (kv) out[kv[1]] = Number(kv[2]);
    }
    return out;
  }
  return null;
}

export function exitReport(code: number | null, lines: string[]): ExitReport {
  const last = runtimeLine(lines, ["exit", "status", "started"]);
  return { code, heapPeak: last?.["heap-peak"] ?? null, heapLimit: last?.["heap-limit"] ?? null, lines };
}

/** A line that means the board did not get its app running (start-up failures only). */
export function fatalLine(lines: string[]): string | null {
  return lines.find((l) => l.startsWith("[runtime] ") || l.startsWith("[board] cannot start") || l.startsWith("[board] identity error")) ?? null;
}

/** The state of the last boot in lines[from..] once it is complete: the boot lines are out and,
 *  if the device is enrolled, the runtime printed [started]. null while it is not. */
export function bootedState(lines: string[], from = 0): BootState | null {
  const st = bootState(lines, from);
  if (!st) return null;
  if (!st.enrolled) return st;
  let last = -1;
  for (let i = lines.length - 1; i >= from; i--) if (lines[i].startsWith("[board] homewire-console 2 ready")) { last = i; break; }
  return lines.slice(last).some((l) => l.startsWith("[started]")) ? st : null;
}

/** Waits for a boot after `from` to complete; a fatal line or a dead board ends the wait. */
export function waitBooted(t: { lines: string[]; running: boolean }, from: number, timeoutMs: number): Promise<BootState> {
  return pollUntil("the board's boot lines ([board] enrolled + [started], or [board] not enrolled)", () => {
    if (!t.running) throw new Error("the board is not running");
    const bad = fatalLine(t.lines.slice(from));
    if (bad) throw new Error(`the board failed to start: ${bad}`);
    return bootedState(t.lines, from);
  }, timeoutMs, 50);
}

/** Polls check() until it returns a value or timeoutMs passes. Unlike proc.ts's waitFor, an
 *  exception ends the wait at once: a board that died is not waited for until the deadline. */
export async function pollUntil<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as T;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

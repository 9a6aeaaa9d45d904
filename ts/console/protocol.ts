// Console protocol 2, the host's side (the board's is firmware/runtime/console.h): what
// `homewire enroll/monitor`, test-hil and the benchmarks send to a board over its console, and
// how they read the answers. One implementation for all of them, over any line link.
import { parseEnrolledConfig } from "../app/config.ts";

export const READY = "[board] homewire-console 2 ready";
export const PUBLIC_KEY_PREFIX = "[board] public-key ";
export const ENROLLED = "[board] enrolled";
export const NOT_ENROLLED = "[board] not enrolled";
/** Longest line the board takes (firmware/runtime/console.h HW_CONSOLE_LINE_MAX). */
export const LINE_MAX = 2304;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, zlib's), as the board checks it on `enroll`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The `enroll` line for an enrolled config (checked here first, with the device's own parser,
 *  so a bad field is named before anything is sent). newKey asks the device for a new key. */
export function enrollLine(config: Record<string, unknown>, newKey = false): string {
  parseEnrolledConfig(config as { [k: string]: unknown });
  const json = JSON.stringify(newKey ? { ...config, newKey: true } : config);
  const line = `enroll ${crc32(new TextEncoder().encode(json)).toString(16).padStart(8, "0")} ${json}`;
  if (line.length > LINE_MAX) throw new RangeError(`config: ${json.length} bytes of JSON, the console takes at most ${LINE_MAX - 16}`);
  return line;
}

export interface Answer {
  ok: boolean;
  command: string;
  /** ok: the result after the command ("" if none); error: the reason. */
  text: string;
}

/** "[console] ok <command>[ <result>]" or "[console] error <command>: <reason>", else null. */
export function parseAnswer(line: string): Answer | null {
  let m = /^\[console\] ok (\S+)(?: (.*))?$/.exec(line);
  if (m) return { ok: true, command: m[1], text: m[2] ?? "" };
  m = /^\[console\] error (\S+): (.*)$/.exec(line);
  if (m) return { ok: false, command: m[1], text: m[2] };
  return null;
}

export interface BootState {
  publicKey: string;
  enrolled: boolean;
}

/** The outcome of the last boot in lines[from..]: its public key and whether it is enrolled,
 *  or null while the boot lines are not all there yet. */
export function bootState(lines: readonly string[], from = 0): BootState | null {
  let ready = -1;
  for (let i = lines.length - 1; i >= from; i--) if (lines[i] === READY) { ready = i; break; }
  if (ready < 0) return null;
  let publicKey: string | null = null;
  for (let i = ready + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith(PUBLIC_KEY_PREFIX)) publicKey = l.slice(PUBLIC_KEY_PREFIX.length).trim();
    else if (publicKey && (l === ENROLLED || l === NOT_ENROLLED)) return { publicKey, enrolled: l === ENROLLED };
  }
  return null;
}

/** A board's console as the host sees it: lines out, every line in (kept in order). */
export interface ConsoleIo {
  send(line: string): void;
  /** All lines received so far (the client reads from a mark; it never clears them). */
  readonly received: readonly string[];
}

export class ConsoleError extends Error {}

/** Commands over a console, each waiting for its one answer line. Not for concurrent use. */
export class ConsoleClient {
  constructor(private readonly io: ConsoleIo, private readonly pollMs = 20) {}

  private async waitFor<T>(what: string, from: number, find: (lines: readonly string[]) => T | null, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this.io.received.slice(from));
      if (found !== null) return found;
      if (Date.now() >= deadline) throw new ConsoleError(`no ${what} from the board within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** Sends one command and waits for its answer (an error answer throws ConsoleError). */
  async command(line: string, timeoutMs = 10000): Promise<string> {
    const word = line.split(" ", 1)[0];
    const mark = this.io.received.length;
    this.io.send(line);
    const a = await this.waitFor(`answer to "${word}"`, mark, (ls) => ls.map(parseAnswer).find((x) => x && x.command === word) ?? null, timeoutMs);
    if (!a.ok) throw new ConsoleError(`${word}: ${a.text}`);
    return a.text;
  }

  /** Enrols the board; returns its public key (base64). Takes effect at its next boot. */
  async enroll(config: Record<string, unknown>, newKey = false, timeoutMs = 20000): Promise<string> {
    const text = await this.command(enrollLine(config, newKey), timeoutMs);
    const m = /^public-key=(\S+)$/.exec(text);
    if (!m) throw new ConsoleError(`enroll: unexpected answer "${text}"`);
    return m[1];
  }

  /** The boot lines after `from` (a reset, a power-on). */
  waitBoot(from: number, timeoutMs: number): Promise<BootState> {
    return this.waitFor("boot lines (ready, public-key, enrolled)", from, (ls) => bootState(ls), timeoutMs);
  }

  /** Reboots the board and waits for its boot lines. */
  async reset(timeoutMs = 30000): Promise<BootState> {
    const mark = this.io.received.length;
    await this.command("reset", timeoutMs);
    return this.waitBoot(mark, timeoutMs);
  }
}

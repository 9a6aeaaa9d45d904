// Console protocol 2, the host's side (the board's is firmware/runtime/console.h): the lines a
// board prints at boot, the commands the host sends, and the one answer line each command gets.
// Shared by the CLI (enroll, monitor), test-hil's targets and Bench, the benchmarks and the
// tests' fake boards, so the framing is written once. Sessions over a link: session.ts.
import { crc32 as zlibCrc32 } from "node:zlib";

export const PROTOCOL = "homewire-console 2";
export const READY = "[board] homewire-console 2 ready";
export const PUBLIC_KEY_PREFIX = "[board] public-key ";
export const ENROLLED = "[board] enrolled";
export const NOT_ENROLLED = "[board] not enrolled";

/** Longest line the board takes, in bytes without its "\n" (HW_CONSOLE_LINE_MAX). The identity
 *  record the board stores is smaller still (2048 bytes with the key): enroll's answer says so. */
export const MAX_LINE_BYTES = 2304;

export const COMMANDS = ["enroll", "public-key", "status", "reset", "stop", "wipe-store"] as const;
export type Command = (typeof COMMANDS)[number];

/** CRC-32 (IEEE 802.3, as zlib and the device compute it). */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

/** CRC-32 as 8 lowercase hex digits, as `enroll` carries it. */
export function crc32Hex(bytes: Uint8Array): string {
  return crc32(bytes).toString(16).padStart(8, "0");
}

/** `enroll <crc32> <json>`: json must be one line of JSON; the CRC covers its UTF-8 bytes. The
 *  line carries secrets (PSK, Wi-Fi password): callers write it to the link and nowhere else. */
export function enrollLine(json: string): string {
  if (/[\r\n]/.test(json)) throw new RangeError("enroll: the config JSON must be one line");
  const bytes = new TextEncoder().encode(json);
  const line = `enroll ${crc32Hex(bytes)} ${json}`;
  const length = Buffer.byteLength(line, "utf8");
  if (length > MAX_LINE_BYTES) throw new RangeError(`enroll: the line is ${length} bytes, the console takes at most ${MAX_LINE_BYTES}`);
  return line;
}

/** Splits an enroll line back into its parts (for fake boards and tests), checking the CRC. */
export function parseEnrollLine(line: string): { json: string } | { error: string } {
  const m = /^enroll ([0-9a-f]{8}) (.*)$/s.exec(line);
  if (!m) return { error: "expected enroll <crc32> <json>" };
  if (crc32Hex(new TextEncoder().encode(m[2])) !== m[1]) return { error: "crc mismatch" };
  return { json: m[2] };
}

export type Answer = { command: string; ok: true; detail: string } | { command: string; ok: false; reason: string };

/** `[console] ok <command>[ <detail>]` or `[console] error <command>: <reason>`; else null. */
export function parseAnswer(line: string): Answer | null {
  let m = /^\[console\] ok (\S+)(?: (.*))?$/.exec(line);
  if (m) return { command: m[1], ok: true, detail: m[2] ?? "" };
  m = /^\[console\] error (\S+): (.*)$/.exec(line);
  if (m) return { command: m[1], ok: false, reason: m[2] };
  return null;
}

/** The answer lines, as the device prints them (fake boards use these). */
export function okLine(command: string, detail = ""): string {
  return `[console] ok ${command}${detail ? " " + detail : ""}`;
}

export function errorLine(command: string, reason: string): string {
  return `[console] error ${command}: ${reason}`;
}

/** The public key in `[console] ok enroll public-key=<b64>` or `[console] ok public-key <b64>`. */
export function answerPublicKey(answer: Answer): string | null {
  if (!answer.ok) return null;
  const m = answer.command === "enroll" ? /^public-key=(\S+)$/.exec(answer.detail) : answer.command === "public-key" ? /^(\S+)$/.exec(answer.detail) : null;
  return m ? m[1] : null;
}

export interface BootState {
  publicKey: string;
  enrolled: boolean;
}

/** The outcome of the last boot in lines[from..]: its public key and whether it is enrolled,
 *  or null while its boot lines are not all there yet. */
export function bootState(lines: readonly string[], from = 0): BootState | null {
  let ready = -1;
  for (let i = lines.length - 1; i >= from; i--) {
    if (lines[i] === READY) {
      ready = i;
      break;
    }
  }
  if (ready < 0) return null;
  let publicKey: string | null = null;
  for (let i = ready + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith(PUBLIC_KEY_PREFIX)) publicKey = l.slice(PUBLIC_KEY_PREFIX.length).trim();
    else if (publicKey && (l === ENROLLED || l === NOT_ENROLLED)) return { publicKey, enrolled: l === ENROLLED };
  }
  return null;
}

/** Splits a byte stream into lines: "\n" ends a line, a "\r" before it is dropped; a line longer
 *  than maxBytes is delivered cut (marked) rather than buffered without bound. */
export class LineSplitter {
  private buffer = "";

  constructor(private readonly onLine: (line: string) => void, private readonly maxBytes = MAX_LINE_BYTES * 2) {}

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const line = this.buffer + text.slice(start, nl);
      this.buffer = "";
      start = nl + 1;
      this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    this.buffer += text.slice(start);
    if (this.buffer.length > this.maxBytes) {
      const cut = this.buffer.slice(0, this.maxBytes);
      this.buffer = this.buffer.slice(this.maxBytes);
      this.onLine(cut + " [cut: line too long]");
    }
  }
}

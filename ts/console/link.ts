// A line-oriented link to a board's console: a serial port (the `serialport` package from npm:
// its native binding does the termios, locking and modem-line work) or, for tests, any pair of
// streams. The CLI (enroll, monitor) and test-hil's serial target both use it.
import type { Readable, Writable } from "node:stream";
import { SerialPort } from "serialport";
import { LineSplitter } from "./protocol.ts";

export interface ConsoleLink {
  /** Sends one line ("\n" appended). */
  write(line: string): void;
  onLine(listener: (line: string) => void): void;
  /** Called once when the link ends: null after close(), else why it ended (unplugged, EOF). */
  onClose(listener: (error: Error | null) => void): void;
  close(): void;
}

export type PortErrorKind = "missing" | "busy" | "denied" | "other";

/** Why a port could not be opened, classified so the CLI can say what to do. */
export class PortError extends Error {
  constructor(readonly kind: PortErrorKind, readonly path: string, message: string) {
    super(message);
  }
}

export function classifyOpenError(path: string, e: Error): PortError {
  const text = e.message;
  if (/No such file|ENOENT/i.test(text)) return new PortError("missing", path, `${path}: no such port`);
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN|busy/i.test(text)) return new PortError("busy", path, `${path}: port busy (another program has it open)`);
  if (/Permission denied|EACCES/i.test(text)) return new PortError("denied", path, `${path}: permission denied (add yourself to the dialout group)`);
  return new PortError("other", path, `${path}: ${text}`);
}

export interface SerialPortLink extends ConsoleLink {
  readonly path: string;
  /** Resolves once the port is open; rejects with a PortError. */
  readonly opened: Promise<void>;
  /** Sets the DTR/RTS modem lines (true = asserted). Rejects where the port has none (a pty). */
  setSignals(signals: { dtr?: boolean; rts?: boolean }): Promise<void>;
  /** Resolves when everything written so far has left the host. */
  drain(): Promise<void>;
}

/** Listeners and line assembly shared by both kinds of link. */
class LinkCore {
  readonly lines: ((line: string) => void)[] = [];
  readonly closes: ((error: Error | null) => void)[] = [];
  private ended = false;
  private readonly decoder = new TextDecoder("utf-8");
  private readonly splitter = new LineSplitter((line) => {
    for (const l of this.lines) l(line);
  });

  data(chunk: Buffer | string): void {
    this.splitter.push(typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
  }

  end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.closes) l(error);
  }

  get isEnded(): boolean {
    return this.ended;
  }
}

/** Opens a serial device raw at the given speed, locked against other openers (flock, which
 *  esptool's pyserial also takes, so `flash` and `monitor` cannot share a port by accident). */
export function openSerialLink(path: string, baud: number): SerialPortLink {
  const core = new LinkCore();
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false, lock: true, hupcl: false });
  let closing = false;
  const opened = new Promise<void>((resolve, reject) => {
    port.open((e) => {
      if (e) {
        const err = classifyOpenError(path, e);
        core.end(err);
        reject(err);
      } else resolve();
    });
  });
  opened.catch(() => {}); // the error also reaches onClose; callers that await opened see it there
  port.on("data", (chunk: Buffer) => core.data(chunk));
  port.on("error", (e: Error) => {
    if (!closing) core.end(e);
  });
  port.on("close", (e: Error | null) => core.end(closing ? null : (e ?? new Error(`${path} closed`))));
  return {
    path,
    opened,
    write: (line) => void port.write(line + "\n"),
    onLine: (l) => void core.lines.push(l),
    onClose: (l) => void core.closes.push(l),
    setSignals: (signals) => new Promise((resolve, reject) => port.set(signals, (e) => (e ? reject(new Error(`${path}: cannot set DTR/RTS: ${e.message}`)) : resolve()))),
    drain: () => new Promise((resolve, reject) => port.drain((e) => (e ? reject(e) : resolve()))),
    close: () => {
      closing = true;
      if (port.isOpen) port.close(() => core.end(null));
      else core.end(null);
    },
  };
}

/** A console link over two streams (a fake board in tests, or a pty relay's stdio). */
export function streamConsoleLink(input: Readable, output: Writable): ConsoleLink {
  const core = new LinkCore();
  input.on("data", (chunk: Buffer | string) => core.data(chunk));
  input.on("end", () => core.end(new Error("the link closed (end of stream)")));
  input.on("error", (e: Error) => core.end(e));
  return {
    write: (line) => {
      if (!core.isEnded) output.write(line + "\n");
    },
    onLine: (l) => void core.lines.push(l),
    onClose: (l) => void core.closes.push(l),
    close: () => {
      output.end();
      input.destroy();
      core.end(null);
    },
  };
}

/** A console link whose lines someone else delivers (a test-hil target reading a process's
 *  stdout, or a link that changes with every power-on): feed() hands it each line, write() goes
 *  to `send`. It never closes by itself: the board behind it may be off for a while. */
export class LineFeed implements ConsoleLink {
  private readonly lines: ((line: string) => void)[] = [];
  private readonly closes: ((error: Error | null) => void)[] = [];

  constructor(private readonly send: (line: string) => void) {}

  feed(line: string): void {
    for (const l of this.lines) l(line);
  }

  write(line: string): void {
    this.send(line);
  }

  onLine(listener: (line: string) => void): void {
    this.lines.push(listener);
  }

  onClose(listener: (error: Error | null) => void): void {
    this.closes.push(listener);
  }

  close(): void {
    for (const l of this.closes.splice(0)) l(null);
  }
}

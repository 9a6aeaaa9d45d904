// Commands and their one-line answers over a ConsoleLink: send a command, wait (bounded) for
// its `[console] ok|error <command>` line, fail at once when the link ends. Every line the board
// prints is kept (bounded) with its position, so a wait can start from any earlier point: lines
// that arrive in one chunk with an answer are never missed.
import type { ConsoleLink } from "./link.ts";
import { parseAnswer, type Answer } from "./protocol.ts";

/** The link ended while a command or line was awaited. */
export class LinkClosedError extends Error {}

/** No matching line arrived in time. */
export class ConsoleTimeoutError extends Error {}

interface Waiter {
  from: number;
  match: (line: string) => boolean;
  resolve: (at: { line: string; position: number }) => void;
  reject: (e: Error) => void;
}

export class ConsoleSession {
  /** The last lines the board printed; lines[i] is at position first + i. */
  private readonly lines: string[] = [];
  private first = 0;
  private closed: Error | null | undefined = undefined;
  private waiters: Waiter[] = [];

  constructor(readonly link: ConsoleLink, private readonly maxLines = 10000) {
    link.onLine((line) => {
      if (this.lines.length >= this.maxLines) {
        const drop = Math.ceil(this.maxLines / 10);
        this.lines.splice(0, drop);
        this.first += drop;
      }
      this.lines.push(line);
      const position = this.position - 1;
      for (const w of this.waiters.slice()) {
        if (position >= w.from && w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve({ line, position });
        }
      }
    });
    link.onClose((e) => {
      this.closed = e;
      for (const w of this.waiters.splice(0)) w.reject(this.closedError());
    });
  }

  /** The position the next line will have. */
  get position(): number {
    return this.first + this.lines.length;
  }

  /** Lines from a position on (those still kept). */
  since(position: number): string[] {
    return this.lines.slice(Math.max(0, position - this.first));
  }

  private closedError(): LinkClosedError {
    return new LinkClosedError(this.closed ? this.closed.message : "the link was closed");
  }

  /** The first line at or after `from` that matches (already received or still to come). */
  waitFor(what: string, match: (line: string) => boolean, timeoutMs: number, from = this.position): Promise<{ line: string; position: number }> {
    for (let p = Math.max(from, this.first); p < this.position; p++) {
      const line = this.lines[p - this.first];
      if (match(line)) return Promise.resolve({ line, position: p });
    }
    if (this.closed !== undefined) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new ConsoleTimeoutError(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        from,
        match,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends one command line and resolves with its answer (ok or error) and where it was. */
  async request(line: string, timeoutMs: number): Promise<Answer & { position: number }> {
    const command = line.split(" ", 1)[0];
    const from = this.position;
    this.link.write(line);
    const at = await this.waitFor(`answer to ${command}`, (l) => parseAnswer(l)?.command === command, timeoutMs, from);
    return { ...parseAnswer(at.line)!, position: at.position };
  }
}

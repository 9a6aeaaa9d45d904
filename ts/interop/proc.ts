// Child processes for the interop harness and the demo: bounded command runs, long-lived
// children that are always reaped, and JSON-lines agents driven over stdin/stdout.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, killed after timeoutMs. Throws on non-zero exit unless allowFail. */
export function run(argv: string[], options: { timeoutMs?: number; allowFail?: boolean; input?: string } = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10000;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(" ")}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (code !== 0 && !options.allowFail) {
        const why = signal ? `killed by ${signal}${signal === "SIGKILL" ? ` (timeout ${timeoutMs} ms?)` : ""}` : `exit ${code}`;
        reject(new Error(`${argv.join(" ")}: ${why}: ${stderr.trim()}`));
      } else resolve(result);
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // the child may exit before reading: its exit code tells
      child.stdin.end(options.input);
    }
  });
}

// Every long-lived child is registered so that an exit, crash or Ctrl-C never leaves one behind.
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

export class Child {
  readonly process: ChildProcess;
  readonly name: string;
  private output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(name: string, argv: string[], options: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; keepOutput?: boolean } = {}) {
    this.name = name;
    this.process = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    this.process.stdin!.on("error", () => {}); // EPIPE after an exit is reported via exited
    live.add(this.process);
    const keep = options.keepOutput ?? true;
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      const rl = createInterface({ input: stream });
      rl.on("line", (line) => {
        // Bounded: keep only the tail for diagnostics.
        if (keep) this.output = (this.output + line + "\n").slice(-20000);
        options.onLine?.(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.process.on("exit", (code, signal) => {
        live.delete(this.process);
        resolve({ code, signal });
      });
      this.process.on("error", (e) => {
        this.output += `spawn error: ${e.message}\n`;
        live.delete(this.process);
        resolve({ code: -1, signal: null });
      });
    });
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get tail(): string {
    return this.output;
  }

  /** SIGTERM, then SIGKILL if it has not exited within graceMs. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll check() every intervalMs until it returns a truthy value or timeoutMs passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await sleep(intervalMs);
  }
}

export type AgentEvent = { event: string; [k: string]: unknown };

/** A child speaking JSON lines: {"id","cmd",...} in, {"id","ok","result"|"error"} and {"event"} out. */
export class JsonAgent {
  readonly child: Child;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  readonly events: AgentEvent[] = [];
  private readonly eventWaiters = new Set<() => void>();

  constructor(name: string, argv: string[], options: { env?: NodeJS.ProcessEnv; onEvent?: (e: AgentEvent) => void } = {}) {
    this.child = new Child(name, argv, {
      env: options.env,
      onLine: (line) => {
        if (!line.startsWith("{")) return; // stderr diagnostics, kept in the tail
        let msg: any;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (typeof msg.id === "number" && this.pending.has(msg.id)) {
          const p = this.pending.get(msg.id)!;
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new Error(`${name}: ${msg.error}`));
        } else if (typeof msg.event === "string") {
          if (this.events.length < 10000) this.events.push(msg);
          options.onEvent?.(msg);
          for (const w of this.eventWaiters) w();
        }
      },
    });
    void this.child.exited.then(({ code, signal }) => {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${signal ?? code}) with a request pending; output:\n${this.child.tail}`));
      }
      this.pending.clear();
    });
  }

  request<T = any>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<T> {
    if (!this.child.running) return Promise.reject(new Error(`${this.child.name} is not running; output:\n${this.child.tail}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.child.name}: "${cmd}" got no answer within ${timeoutMs} ms; output:\n${this.child.tail}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.process.stdin!.write(JSON.stringify({ id, cmd, ...args }) + "\n");
    });
  }

  /** Resolve with the first event (already received or future) matching pred. */
  waitForEvent(pred: (e: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent> {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const e = this.events.find(pred);
        if (e) {
          this.eventWaiters.delete(check);
          clearTimeout(timer);
          resolve(e);
        }
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(check);
        reject(new Error(`${this.child.name}: no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.eventWaiters.add(check);
    });
  }

  async stop(): Promise<void> {
    if (this.child.running) {
      try {
        await this.request("stop", {}, 3000);
      } catch {
        /* fall through to signals */
      }
    }
    await Promise.race([this.child.exited, sleep(2000)]);
    await this.child.stop();
  }
}

// monitor: a board's console. Status lines become one readable line each; lines typed go to the
// board as commands (homewire-console 2); the board is reset through DTR/RTS first, as
// `idf.py monitor` does; Ctrl-] (or Ctrl-C) quits.
import { emitKeypressEvents, createInterface, clearLine, cursorTo } from "node:readline";
import type { Readable } from "node:stream";
import type { ConsoleLink, SerialPortLink } from "../console/link.ts";
import { MAX_LINE_BYTES } from "../console/protocol.ts";

const QUIT = "\x1d"; // Ctrl-]

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return ms < 60000 ? `${(ms / 1000).toFixed(1)} s` : ms < 3600000 ? `${Math.floor(ms / 60000)} min ${Math.floor((ms % 60000) / 1000)} s` : `${(ms / 3600000).toFixed(1)} h`;
}

/** The app's `[info] status {json}` (ts/app/sensor.ts statusLine) as one readable line. */
export function renderAppStatus(s: Record<string, unknown>): string {
  const num = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : null);
  const parts = [String(s.state ?? "?")];
  const at = num("lastHandshakeMs"), now = num("nowMs"), count = num("handshakes");
  const times = count === null ? "" : ` (${count} handshake${count === 1 ? "" : "s"})`;
  if (at === null) parts.push(`no handshake yet${times}`);
  else if (now !== null) parts.push(`last handshake ${seconds(Math.max(0, now - at))} ago${times}`);
  else parts.push(`last handshake at ${seconds(at)} after boot${times}`);
  parts.push(`rx ${bytes(num("rxBytes") ?? 0)}/${num("rxPackets") ?? 0} pkts`, `tx ${bytes(num("txBytes") ?? 0)}/${num("txPackets") ?? 0} pkts`);
  if (typeof s.endpoint === "string") parts.push(`endpoint ${s.endpoint}`);
  const drops = typeof s.drops === "object" && s.drops !== null ? Object.entries(s.drops as Record<string, number>).filter(([, v]) => v > 0) : [];
  parts.push(drops.length ? `drops ${drops.sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(" ")}` : "no drops");
  if (num("readingsSent") !== null) parts.push(`readings ${num("readingsSent")} sent${num("readingsRefused") ? `, ${num("readingsRefused")} refused` : ""}`);
  return `[status] ${parts.join(" · ")}`;
}

/** The runtime's `[status] engine=... key=value ...` (firmware/runtime) as one readable line. */
export function renderRuntimeStatus(engine: string, f: Record<string, number>): string {
  const parts = [engine];
  if (f["heap-current"] !== undefined) parts.push(`heap ${bytes(f["heap-current"])} of ${bytes(f["heap-limit"] ?? 0)} (peak ${bytes(f["heap-peak"] ?? 0)})`);
  if (f["outer-rx"] !== undefined) parts.push(`outer rx ${f["outer-rx"]} tx ${f["outer-tx"] ?? 0}`);
  if (f["tunnel-in"] !== undefined) parts.push(`tunnel in ${f["tunnel-in"]} out ${f["tunnel-out"] ?? 0}`);
  if (f["app-tx"] !== undefined) parts.push(`app tx ${f["app-tx"]}`);
  if (f["queue-drops"] !== undefined) parts.push(`queue drops ${f["queue-drops"]}`);
  return `[runtime] ${parts.join(" · ")}`;
}

/** A console line as the monitor shows it: status lines rendered, everything else as is. */
export function renderLine(line: string): string {
  const app = /^\[info\] status (\{.*\})$/.exec(line);
  if (app) {
    try {
      return renderAppStatus(JSON.parse(app[1]) as Record<string, unknown>);
    } catch {
      return line; // cut or garbled on the wire: show it raw
    }
  }
  const rt = /^\[status\] engine=(\S+)((?: [a-z-]+=\d+)*)$/.exec(line);
  if (rt) {
    const fields: Record<string, number> = {};
    for (const kv of rt[2].trim().split(" ").filter(Boolean)) {
      const [k, v] = kv.split("=");
      fields[k] = Number(v);
    }
    return renderRuntimeStatus(rt[1], fields);
  }
  return line;
}

export interface MonitorOptions {
  port: string;
  baud: number;
  reset: boolean;
  raw: boolean;
}

export interface MonitorIo {
  out: (text: string) => void;
  err: (text: string) => void;
  input: Readable;
  /** The input is a terminal: line editing, Ctrl-] as a key. */
  terminal: boolean;
}

/** Asserts EN low through RTS with GPIO0 high (DTR off), then lets go: a plain reset into the app. */
export async function resetBoard(link: SerialPortLink): Promise<void> {
  await link.setSignals({ dtr: false, rts: true });
  await new Promise((r) => setTimeout(r, 100));
  await link.setSignals({ dtr: false, rts: false });
}

/** Runs until the user quits (0) or the port goes away (1). */
export async function monitor(link: ConsoleLink, o: MonitorOptions, io: MonitorIo): Promise<number> {
  io.err(`--- homewire monitor on ${o.port} at ${o.baud} baud; lines you type go to the board; Ctrl-] quits ---\n`);
  let prompt: ((text: string) => void) | null = null;
  const show = (text: string) => (prompt ? prompt(text) : io.out(text + "\n"));
  link.onLine((line) => {
    const shown = renderLine(line);
    if (o.raw && shown !== line) show(line);
    show(shown);
  });
  const withSignals = link as Partial<SerialPortLink>;
  if (o.reset && withSignals.setSignals) {
    try {
      await resetBoard(link as SerialPortLink);
      io.err("--- reset the board (RTS) ---\n");
    } catch (e) {
      io.err(`--- not reset: ${(e as Error).message} (no DTR/RTS on this port); press EN/RST to see the boot ---\n`);
    }
  }

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, why: string) => {
      if (done) return;
      done = true;
      cleanup();
      io.err(`--- ${why} ---\n`);
      link.close();
      resolve(code);
    };
    const send = (line: string) => {
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) return io.err(`--- not sent: longer than ${MAX_LINE_BYTES} bytes ---\n`);
      if (line.trim() !== "") link.write(line);
    };
    let cleanup = () => {};
    link.onClose((e) => finish(1, `${o.port} closed${e ? `: ${e.message}` : ""}`));
    const onSignal = () => finish(0, "quit");
    process.once("SIGTERM", onSignal);

    if (io.terminal) {
      // Line editing for what the user types; board output is printed above the input line.
      const rl = createInterface({ input: io.input, output: process.stdout, terminal: true, prompt: "> " });
      emitKeypressEvents(io.input, rl);
      const onKey = (s: string | undefined) => {
        if (s === QUIT) finish(0, "quit (Ctrl-])");
      };
      io.input.on("keypress", onKey);
      prompt = (text) => {
        clearLine(process.stdout, 0);
        cursorTo(process.stdout, 0);
        io.out(text + "\n");
        rl.prompt(true);
      };
      rl.on("line", (line) => {
        send(line);
        rl.prompt();
      });
      rl.on("SIGINT", () => finish(0, "quit (Ctrl-C)"));
      rl.prompt();
      cleanup = () => {
        prompt = null;
        io.input.off("keypress", onKey);
        process.off("SIGTERM", onSignal);
        rl.close();
        io.input.destroy(); // let the process end: a paused terminal can still hold the event loop
      };
    } else {
      // Piped input: lines are commands; a Ctrl-] byte quits; end of input leaves the monitor running.
      let pending = "";
      const onData = (d: Buffer | string) => {
        pending += d.toString();
        const quit = pending.indexOf(QUIT);
        const usable = quit >= 0 ? pending.slice(0, quit) : pending;
        const lines = usable.split(/\r?\n/);
        pending = quit >= 0 ? "" : lines.pop()!;
        for (const l of quit >= 0 ? lines.filter((x) => x !== "") : lines) send(l);
        if (quit >= 0) finish(0, "quit (Ctrl-])");
      };
      io.input.on("data", onData);
      const onInt = () => finish(0, "quit (Ctrl-C)");
      process.once("SIGINT", onInt);
      cleanup = () => {
        io.input.off("data", onData);
        io.input.destroy(); // a paused pipe still holds the event loop open
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onInt);
      };
    }
  });
}

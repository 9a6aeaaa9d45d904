// Opening a board's serial port for the CLI, with errors that say what to do.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { openSerialLink, PortError, type SerialPortLink } from "../console/link.ts";
import { CliError } from "./errors.ts";

/** Processes that hold `path` open (Linux /proc; best effort, empty where unreadable). */
export function portHolders(path: string): string[] {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  const out: string[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^[0-9]+$/.test(d) && Number(d) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      const holds = readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      });
      if (holds) out.push(`pid ${pid} (${readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").slice(0, 80)})`);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

/** The CLI's wording for a port that cannot be used. */
export function portProblem(e: PortError): CliError {
  switch (e.kind) {
    case "missing":
      return new CliError(`--port: ${e.path}: no such port; is the board plugged in? (ls /dev/ttyUSB* /dev/ttyACM*)`);
    case "busy": {
      const holders = portHolders(e.path);
      return new CliError(`--port: ${e.path} is busy: ${holders.length ? `held by ${holders.join(", ")}` : "another program has it open"}; close it (a monitor?) and try again`);
    }
    case "denied":
      return new CliError(`--port: ${e.path}: permission denied; add yourself to the dialout group (then log in again)`);
    default:
      return new CliError(`--port: ${e.message}`);
  }
}

/** Opens the port, raw and locked; resolves once it is open. */
export async function openPort(path: string, baud: number): Promise<SerialPortLink> {
  const link = openSerialLink(path, baud);
  try {
    await link.opened;
  } catch (e) {
    throw e instanceof PortError ? portProblem(e) : e;
  }
  return link;
}

export function baudFlag(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < 300 || Number(text) > 5000000) throw new CliError(`--baud: expected a rate in bits/s (300..5000000), got "${text}"`);
  return Number(text);
}

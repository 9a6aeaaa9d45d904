// For tests: a pseudo-terminal (pty-relay.py) whose far end is a pair of streams, so a fake
// board in this process can sit behind a device path that the CLI opens like a serial port.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";

const RELAY = fileURLToPath(new URL("./pty-relay.py", import.meta.url));

export interface PtyBoardEnd {
  /** The path a client opens (/dev/pts/N). */
  path: string;
  /** Bytes the client wrote. */
  fromClient: Readable;
  /** Bytes for the client to read. */
  toClient: Writable;
  /** Hangs the pty up (the client sees the port go away) and waits for the relay to exit. */
  close(): Promise<void>;
  readonly process: ChildProcess;
}

export async function openPty(): Promise<PtyBoardEnd> {
  const child = spawn("python3", [RELAY], { stdio: ["pipe", "pipe", "pipe"] });
  const path = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /^pty (\S+)$/m.exec(err);
      if (m) resolve(m[1]);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`pty-relay exited (${code}): ${err}`)));
  });
  const exited = once(child, "exit");
  return {
    path,
    fromClient: child.stdout!,
    toClient: child.stdin!,
    process: child,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.end();
        await exited;
      }
    },
  };
}

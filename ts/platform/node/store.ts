// A file-backed Store: one JSON object of string values. put() is durable when it returns
// (write a temp file, fsync it, rename over the old one, fsync the directory), because the core
// reserves TAI64N timestamps in the Store before using them: a reservation lost in a crash would
// let a rebooted device reuse a timestamp the peer has already seen.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import type { Store } from "../platform.ts";

export class FileStore implements Store {
  readonly path: string;
  private values: Record<string, string>;

  constructor(path: string) {
    this.path = path;
    this.values = FileStore.load(path);
  }

  private static load(path: string): Record<string, string> {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return Object.create(null);
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Renames are atomic, so a torn file means something other than us wrote it: refuse
      // rather than silently start from an empty store.
      throw new Error(`FileStore: ${path} is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`FileStore: ${path} does not hold a JSON object`);
    const values: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== "string") throw new Error(`FileStore: ${path}: value of "${k}" is not a string`);
      values[k] = v;
    }
    return values;
  }

  get(key: string): string | null {
    if (typeof key !== "string") throw new TypeError("FileStore.get: key must be a string");
    return Object.prototype.hasOwnProperty.call(this.values, key) ? this.values[key] : null;
  }

  put(key: string, value: string): void {
    if (typeof key !== "string") throw new TypeError("FileStore.put: key must be a string");
    if (typeof value !== "string") throw new TypeError("FileStore.put: value must be a string");
    const next: Record<string, string> = Object.assign(Object.create(null), this.values);
    next[key] = value;
    this.writeDurably(JSON.stringify(next, Object.keys(next).sort()));
    // Only after the bytes are on disk does the in-memory view change.
    this.values = next;
  }

  private writeDurably(text: string): void {
    writeFileDurably(this.path, Buffer.from(text, "utf8"));
  }
}

/** Replace a file so that a crash leaves either the old or the new contents, never a mix:
 *  write a temp file, fsync it, rename it over the old one, fsync the directory. */
export function writeFileDurably(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  // The rename itself lives in the directory: sync it too, or a crash can undo it.
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A Store that lives only in memory (unit tests, throwaway runs). */
export class MemoryStore implements Store {
  private readonly values = new Map<string, string>();
  get(key: string): string | null {
    return this.values.has(key) ? (this.values.get(key) as string) : null;
  }
  put(key: string, value: string): void {
    if (typeof value !== "string") throw new TypeError("MemoryStore.put: value must be a string");
    this.values.set(key, value);
  }
}

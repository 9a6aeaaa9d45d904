// Files that hold secrets: created 0600, never silently overwritten, never echoed.
import { closeSync, fchmodSync, fstatSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { decodeKey } from "../wireguard/base64.ts";
import { CliError } from "./errors.ts";

/** Writes text to path with mode 0600. Without force an existing file is refused. */
export function writeSecretFile(path: string, text: string, force: boolean, field: string): void {
  let fd: number;
  try {
    // O_EXCL: never follow into or replace a file someone else created in the meantime.
    fd = openSync(path, force ? "w" : "wx", 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CliError(`${field}: ${path} exists; refusing to overwrite it (use --force)`);
    throw new CliError(`${field}: cannot create ${path}: ${code ?? String(e)}`);
  }
  try {
    // An existing file keeps its old mode on "w"; a secret must not stay group/world readable.
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Reads a base64 private/preshared key file (wg genkey format: one line). */
export function readKeyFile(path: string, field: string, warn: (line: string) => void): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`${field}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if ((statSync(path).mode & 0o077) !== 0) warn(`warning: ${path} is accessible to group/others (chmod 600 it)`);
  return parseKeyText(text, field);
}

export function parseKeyText(text: string, field: string): Uint8Array {
  try {
    return decodeKey(text.trim(), field);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

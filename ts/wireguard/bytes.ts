// Byte helpers for the engine subset: Duktape's typed arrays have only subarray() and set(),
// so slice/fill/indexOf are written here once instead of at every call site.

export function concat(parts: Uint8Array[]): Uint8Array {
  var total = 0;
  for (var i = 0; i < parts.length; i++) total += parts[i].length;
  var out = new Uint8Array(total);
  var at = 0;
  for (var j = 0; j < parts.length; j++) {
    out.set(parts[j], at);
    at += parts[j].length;
  }
  return out;
}

/** A copy (never a view) of bytes[start, end). */
export function copyOf(bytes: Uint8Array, start?: number, end?: number): Uint8Array {
  var view = bytes.subarray(start === undefined ? 0 : start, end === undefined ? bytes.length : end);
  var out = new Uint8Array(view.length);
  out.set(view);
  return out;
}

/** Equality in time independent of where the arrays differ (MACs, keys). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  var diff = 0;
  for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function isZero(a: Uint8Array): boolean {
  var acc = 0;
  for (var i = 0; i < a.length; i++) acc |= a[i];
  return acc === 0;
}

/** Overwrite secret material in place. */
export function wipe(a: Uint8Array | null | undefined): void {
  if (!a) return;
  for (var i = 0; i < a.length; i++) a[i] = 0;
}

export function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function writeU32LE(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** Little-endian 64-bit counter as a number; exact below 2^53 (see REJECT_AFTER_MESSAGES). */
export function readU64LE(b: Uint8Array, at: number): number {
  return readU32LE(b, at + 4) * 4294967296 + readU32LE(b, at);
}

export function writeU64LE(b: Uint8Array, at: number, v: number): void {
  writeU32LE(b, at, v % 4294967296);
  writeU32LE(b, at + 4, Math.floor(v / 4294967296));
}

var HEX = "0123456789abcdef";

export function toHex(b: Uint8Array): string {
  var s = "";
  for (var i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TypeError("fromHex: not an even-length hex string");
  var out = new Uint8Array(s.length / 2);
  for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

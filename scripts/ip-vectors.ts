// Address-text vectors for the firmware's C parser and formatter (firmware/net/hw_ip.c), made
// from the TypeScript side's own parseIp / formatIp (ts/wireguard/allowedips.ts): the core
// compares endpoint hosts as text, so the board must write a datagram's source exactly as the
// core writes an address. firmware/net/hw_ip_test.c reads the file; scripts/ip-vectors.test.ts
// checks that it still matches the TypeScript functions.
//   tsx scripts/ip-vectors.ts     rewrites firmware/net/test/ip-vectors.txt
// Lines, tab-separated: "F <hex> <text>" (format the bytes: 8 hex digits IPv4, 32 IPv6) and
// "P <text> <hex or ->" (parse the text; "-" = refused).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatIp, parseIp } from "../ts/wireguard/allowedips.ts";

export const IP_VECTORS_FILE = fileURLToPath(new URL("../firmware/net/test/ip-vectors.txt", import.meta.url));

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** A small deterministic generator (xorshift32): the file is the same on every run. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function ipVectors(): string {
  const lines: string[] = [];
  const next = generator(0x1b6e7);
  const values = [0x1, 0xa, 0xbc, 0xdef, 0x1000, 0xabcd, 0xffff, 0x10];
  // Every pattern of zero and non-zero groups (where "::" goes), with varied group widths.
  for (let pattern = 0; pattern < 256; pattern++) {
    const b = new Uint8Array(16);
    for (let g = 0; g < 8; g++) {
      if (!(pattern & (1 << g))) continue;
      const v = values[next() % values.length];
      b[2 * g] = v >> 8;
      b[2 * g + 1] = v & 0xff;
    }
    lines.push(`F\t${hex(b)}\t${formatIp(b)}`);
  }
  for (const v4 of [[0, 0, 0, 0], [255, 255, 255, 255], [10, 77, 0, 2], [192, 168, 77, 1], [1, 20, 100, 9]]) {
    const b = new Uint8Array(v4);
    lines.push(`F\t${hex(b)}\t${formatIp(b)}`);
  }
  const parses = [
    "10.77.0.2", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..3.4", "1.2.3.4 ", " 1.2.3.4", "",
    "::", "::1", "1::", "fd00:77::2", "FD00:77::2", "fd00:0077:0000:0000:0000:0000:0000:0002", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1::2:", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8", "12345::", "g::1",
    "::ffff:192.168.77.1", "64:ff9b::10.77.0.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.04", "1.2.3.4::",
    "fe80::1%eth0", "[fd00::1]", "fd00::1/64", ":", "::0:0", "0:0:0:0:0:0:0:0",
  ];
  // Random addresses as formatIp writes them, and the same with leading zeros and capitals.
  for (let i = 0; i < 64; i++) {
    const b = new Uint8Array(16);
    for (let k = 0; k < 16; k++) b[k] = next() % 3 === 0 ? 0 : next() & 0xff;
    const text = formatIp(b);
    parses.push(text, text.toUpperCase(), b.reduce((acc, _v, k) => (k % 2 ? acc : acc + (k ? ":" : "") + ((b[k] << 8) | b[k + 1]).toString(16).padStart(4, "0")), ""));
  }
  for (const text of parses) {
    const b = parseIp(text);
    lines.push(`P\t${text}\t${b ? hex(b) : "-"}`);
  }
  return lines.join("\n") + "\n";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(IP_VECTORS_FILE, ipVectors());
  console.log(`ip-vectors: ${IP_VECTORS_FILE}`);
}

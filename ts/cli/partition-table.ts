// The ESP-IDF binary partition table (what `partition_table/partition-table.bin` holds and the
// second-stage bootloader reads): 32-byte entries, then an MD5 entry over them, then 0xff up to
// 0xc00 bytes. `flash` reads it to know how large each partition is; the tests also encode one.
//
// Entry: magic aa 50, type u8, subtype u8, offset u32le, size u32le, label 16 bytes (NUL-padded),
// flags u32le (bit 0 encrypted, bit 1 readonly). MD5 entry: eb eb, 14 x ff, MD5 of the entries.
import { createHash } from "node:crypto";

export const TABLE_BYTES = 0xc00; // the rest of its 4 KiB sector is left for a signature
export const TABLE_SECTOR = 0x1000;
const ENTRY = 32;

export const TYPE_APP = 0x00;
export const TYPE_DATA = 0x01;

export interface Partition {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: number;
}

/** Decodes a table; throws naming the entry that is wrong. */
export function decodePartitionTable(bytes: Uint8Array): Partition[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Partition[] = [];
  for (let at = 0; ; at += ENTRY) {
    if (at + ENTRY > b.length || at + ENTRY > TABLE_BYTES) throw new RangeError(`partition table: no end marker within ${Math.min(b.length, TABLE_BYTES)} bytes`);
    const e = b.subarray(at, at + ENTRY);
    if (e[0] === 0xff && e[1] === 0xff) break; // end of the table (erased flash)
    if (e[0] === 0xeb && e[1] === 0xeb) {
      const want = createHash("md5").update(b.subarray(0, at)).digest();
      if (!want.equals(e.subarray(16, 32))) throw new RangeError(`partition table: MD5 entry ${out.length} does not match the entries before it`);
      continue;
    }
    if (e[0] !== 0xaa || e[1] !== 0x50) throw new RangeError(`partition table: entry ${out.length}: bad magic ${e.subarray(0, 2).toString("hex")}`);
    const nul = e.subarray(12, 28).indexOf(0);
    out.push({
      label: e.subarray(12, nul < 0 ? 28 : 12 + nul).toString("latin1"),
      type: e[2],
      subtype: e[3],
      offset: e.readUInt32LE(4),
      size: e.readUInt32LE(8),
      flags: e.readUInt32LE(28),
    });
  }
  if (out.length === 0) throw new RangeError("partition table: no entries");
  return out;
}

/** Encodes entries as ESP-IDF's build does (with the MD5 entry), padded to 0xc00 bytes. */
export function encodePartitionTable(parts: Partition[]): Uint8Array {
  const entries = Buffer.alloc(parts.length * ENTRY);
  parts.forEach((p, i) => {
    const e = entries.subarray(i * ENTRY, (i + 1) * ENTRY);
    const label = Buffer.from(p.label, "latin1");
    if (label.length > 16) throw new RangeError(`partition ${p.label}: label longer than 16 bytes`);
    e[0] = 0xaa;
    e[1] = 0x50;
    e[2] = p.type;
    e[3] = p.subtype;
    e.writeUInt32LE(p.offset, 4);
    e.writeUInt32LE(p.size, 8);
    label.copy(e, 12);
    e.writeUInt32LE(p.flags, 28);
  });
  const md5 = Buffer.concat([Buffer.from([0xeb, 0xeb]), Buffer.alloc(14, 0xff), createHash("md5").update(entries).digest()]);
  const used = Buffer.concat([entries, md5]);
  if (used.length >= TABLE_BYTES) throw new RangeError(`partition table: ${parts.length} entries do not fit in ${TABLE_BYTES} bytes`);
  return Buffer.concat([used, Buffer.alloc(TABLE_BYTES - used.length, 0xff)]);
}

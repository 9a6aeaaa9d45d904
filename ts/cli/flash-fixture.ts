// For the flash tests: an ESP-IDF-shaped build directory made without a toolchain. The partition
// table is a real one (boards/esp32/partitions.csv when it exists, else the fixture's csv) encoded
// in ESP-IDF's binary format; the bootloader and app are SYNTHETIC: valid ESP images (header,
// extended header, segments of random bytes, checksum, appended SHA-256) that no chip could run.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodePartitionTable, TYPE_APP, TYPE_DATA, type Partition } from "./partition-table.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BOARD_CSV = join(ROOT, "boards/esp32/partitions.csv");
export const FIXTURE_CSV = fileURLToPath(new URL("./fixtures/partitions.csv", import.meta.url));

const SUBTYPES: Record<number, Record<string, number>> = {
  [TYPE_APP]: { factory: 0x00, test: 0x20, ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ota_${i}`, 0x10 + i])) },
  [TYPE_DATA]: { ota: 0x00, phy: 0x01, nvs: 0x02, coredump: 0x03, nvs_keys: 0x04, efuse: 0x05, undefined: 0x06, fat: 0x81, spiffs: 0x82, littlefs: 0x83 },
};

function number(text: string, what: string): number {
  const m = /^(0x[0-9a-f]+|[0-9]+)([km]?)$/i.exec(text);
  if (!m) throw new RangeError(`partitions csv: ${what}: "${text}"`);
  return Number(m[1]) * (m[2].toLowerCase() === "k" ? 1024 : m[2].toLowerCase() === "m" ? 1 << 20 : 1);
}

/** ESP-IDF's partition csv (name, type, subtype, offset, size, flags) with its placement rules:
 *  an empty offset follows the previous partition, aligned to 64 KiB for apps and 4 KiB for
 *  data; the first starts after the table's sector. */
export function parsePartitionCsv(text: string, tableOffset = 0x8000): Partition[] {
  const out: Partition[] = [];
  let next = tableOffset + 0x1000;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [label, typeText, subText, offText, sizeText, flagsText = ""] = line.split(",").map((f) => f.trim());
    const type = typeText === "app" ? TYPE_APP : typeText === "data" ? TYPE_DATA : number(typeText, `${label} type`);
    const subtype = SUBTYPES[type]?.[subText] ?? number(subText, `${label} subtype`);
    const align = type === TYPE_APP ? 0x10000 : 0x1000;
    const offset = offText ? number(offText, `${label} offset`) : Math.ceil(next / align) * align;
    const size = number(sizeText, `${label} size`);
    const flags = flagsText.split(":").reduce((f, name) => f | (name === "encrypted" ? 1 : name === "readonly" ? 2 : 0), 0);
    out.push({ label, type, subtype, offset, size, flags });
    next = offset + size;
  }
  return out;
}

export interface SyntheticImageOptions {
  chipId: number; // 0 = ESP32
  flashMode: number; // 2 = dio
  flashSizeFreq: number; // 0x20 = 4 MB, 40 MHz on the ESP32
  entry: number;
  segments: { address: number; size: number }[];
}

/** An ESP image as esptool's elf2image lays it out: 8-byte header, 16-byte extended header,
 *  segments (address, length, bytes), zero padding so the checksum byte ends a 16-byte block,
 *  the checksum (0xef xor every segment byte), then the SHA-256 of all of that. */
export function syntheticEspImage(o: SyntheticImageOptions): Buffer {
  const header = Buffer.alloc(24);
  header[0] = 0xe9;
  header[1] = o.segments.length;
  header[2] = o.flashMode;
  header[3] = o.flashSizeFreq;
  header.writeUInt32LE(o.entry, 4);
  header[8] = 0xee; // WP pin: disabled
  header.writeUInt16LE(o.chipId, 12);
  header.writeUInt16LE(0, 15); // min chip revision (full)
  header.writeUInt16LE(0xffff, 17); // max chip revision (full): any
  header[23] = 1; // SHA-256 appended
  let checksum = 0xef;
  const parts: Buffer[] = [header];
  for (const s of o.segments) {
    const data = randomBytes(s.size);
    for (const b of data) checksum ^= b;
    const head = Buffer.alloc(8);
    head.writeUInt32LE(s.address, 0);
    head.writeUInt32LE(s.size, 4);
    parts.push(head, data);
  }
  const body = Buffer.concat(parts);
  const pad = 15 - (body.length % 16);
  const image = Buffer.concat([body, Buffer.alloc(pad), Buffer.from([checksum])]);
  return Buffer.concat([image, createHash("sha256").update(image).digest()]);
}

export interface FixtureBuild {
  dir: string;
  csv: string;
  partitions: Partition[];
  files: { name: string; offset: number; file: string }[];
}

/** Writes a build directory as ESP-IDF leaves it: flasher_args.json, bootloader/bootloader.bin,
 *  partition_table/partition-table.bin, homewire.bin. */
export function writeFixtureBuild(dir: string, o: { chip?: string; appBytes?: number; csv?: string; flashSize?: string } = {}): FixtureBuild {
  const csv = o.csv ?? (existsSync(BOARD_CSV) ? BOARD_CSV : FIXTURE_CSV);
  const partitions = parsePartitionCsv(readFileSync(csv, "utf8"));
  const app = partitions.find((p) => p.type === TYPE_APP);
  if (!app) throw new RangeError(`${csv}: no app partition`);
  mkdirSync(join(dir, "bootloader"), { recursive: true });
  mkdirSync(join(dir, "partition_table"), { recursive: true });
  const flash = { mode: "dio", size: o.flashSize ?? "4MB", freq: "40m" };
  const sizeFreq = { "2MB": 0x10, "4MB": 0x20, "8MB": 0x30 }[flash.size] ?? 0x20;
  writeFileSync(join(dir, "bootloader/bootloader.bin"), syntheticEspImage({
    chipId: 0, flashMode: 2, flashSizeFreq: sizeFreq, entry: 0x40080400,
    segments: [{ address: 0x3fff0030, size: 0x2000 }, { address: 0x40078000, size: 0x3800 }],
  }));
  writeFileSync(join(dir, "partition_table/partition-table.bin"), encodePartitionTable(partitions));
  const appBytes = o.appBytes ?? 0x30000;
  const third = Math.floor(appBytes / 3 / 4) * 4;
  writeFileSync(join(dir, "homewire.bin"), syntheticEspImage({
    chipId: 0, flashMode: 2, flashSizeFreq: sizeFreq, entry: 0x40081000,
    segments: [{ address: 0x3f400020, size: third }, { address: 0x3ffb0000, size: 0x1000 }, { address: 0x400d0020, size: appBytes - third - 0x1000 - 0x60 }],
  }));
  const files = [
    { name: "bootloader", offset: 0x1000, file: "bootloader/bootloader.bin" },
    { name: "partition-table", offset: 0x8000, file: "partition_table/partition-table.bin" },
    { name: "app", offset: app.offset, file: "homewire.bin" },
  ];
  const hex = (n: number) => "0x" + n.toString(16);
  const args: Record<string, unknown> = {
    write_flash_args: ["--flash-mode", flash.mode, "--flash-size", flash.size, "--flash-freq", flash.freq],
    flash_settings: { flash_mode: flash.mode, flash_size: flash.size, flash_freq: flash.freq },
    flash_files: Object.fromEntries(files.map((f) => [hex(f.offset), f.file])),
  };
  for (const f of files) args[f.name] = { offset: hex(f.offset), file: f.file, encrypted: "false" };
  args.extra_esptool_args = { after: "hard-reset", before: "default-reset", stub: true, chip: o.chip ?? "esp32" };
  writeFileSync(join(dir, "flasher_args.json"), JSON.stringify(args, null, 4) + "\n");
  return { dir, csv, partitions, files };
}

// The QEMU target's boot page (boards/qemu-xtensa/boot.h) and the store's flash format
// (boards/qemu-xtensa/store.c) as the target reads and writes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BOOT_PAGE_SIZE, FLASH_SECTOR, FLASH_SIZE, bootPage, flashImage, flashRecords, imageKindOf, type BootPageFields } from "./targets/qemu.ts";
import { crc32 } from "../ts/console/protocol.ts";

const FIELDS: BootPageFields = {
  seed: new Uint8Array(32).map((_, i) => i),
  mac: "02:68:77:00:00:02",
  ip: "192.168.77.2/24",
  imageLength: 95305,
  imageKind: "source",
  statusMs: 2000,
};

test("bootPage: header, one key=value per line, NUL-terminated, 64 hex digits of seed, nothing device-specific", () => {
  const page = bootPage(FIELDS);
  assert.equal(page[page.length - 1], 0);
  const lines = page.subarray(0, page.length - 1).toString("utf8").split("\n");
  assert.equal(lines[0], "homewire-boot 1");
  assert.equal(lines.at(-1), "", "ends with a newline");
  assert.ok(lines.includes(`seed=${"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}`));
  assert.ok(lines.includes("image=95305"));
  assert.ok(lines.includes("image-kind=source"));
  assert.ok(!lines.some((l) => l.startsWith("config=") || l.startsWith("app=")), "the key and config live in the store, not on the page");
  assert.ok(!lines.some((l) => l.startsWith("gw=")), "no gateway unless given");
  assert.ok(bootPage({ ...FIELDS, gw: "192.168.77.1" }).toString().includes("\ngw=192.168.77.1\n"));
  assert.ok(!lines.some((l) => l.startsWith("ip6=")), "no IPv6 address unless given");
  assert.ok(bootPage({ ...FIELDS, ip6: "fd00:77::2/64" }).toString().includes("\nip6=fd00:77::2/64\n"));
});

test("bootPage: refuses a short seed and a multi-line value", () => {
  assert.throws(() => bootPage({ ...FIELDS, seed: new Uint8Array(16) }), /seed must be 32 bytes/);
  assert.throws(() => bootPage({ ...FIELDS, ip: "1.2.3.4/24\nconfig=x" }), /one line \(ip\)/);
  assert.ok(bootPage(FIELDS).length < BOOT_PAGE_SIZE);
});

function record(key: string, value: string): string {
  const body = `${key}=${value}`;
  let r = `${crc32(Buffer.from(body)).toString(16).padStart(8, "0")} ${body}\n`;
  if (r.length % 2) r += "\n";
  return r;
}

test("flash store: the active sector is the valid header with the highest generation; the last valid record of a key wins", () => {
  const flash = Buffer.alloc(FLASH_SIZE, 0xff);
  flash.write("#homewire-store 2 gen=00000003\n\n" + record("a", "old") + record("b", "1") + record("a", "new"), 0);
  flash.write("#homewire-store 2 gen=00000002\n\n" + record("a", "older"), FLASH_SECTOR);
  assert.deepEqual([...flashRecords(flash)], [["a", "new"], ["b", "1"]]);
  // A higher generation in the other sector takes over; a torn header does not.
  flash.write("#homewire-store 2 gen=00000004\n\n" + record("c", "2"), FLASH_SECTOR);
  assert.deepEqual([...flashRecords(flash)], [["c", "2"]]);
  flash.write("#homewire-store 2 gen=0000000x", FLASH_SECTOR);
  assert.deepEqual([...flashRecords(flash)], [["a", "new"], ["b", "1"]]);
});

test("flash store: a record whose CRC fails (torn by a power cut) is skipped, the ones around it kept", () => {
  const flash = Buffer.alloc(FLASH_SIZE, 0xff);
  const torn = record("b", "2").replace("2", "3"); // same length, CRC of "b=2"
  flash.write("#homewire-store 2 gen=00000001\n\n" + record("a", "1") + torn + record("c", "3"), 0);
  assert.deepEqual([...flashRecords(flash)], [["a", "1"], ["c", "3"]]);
  assert.equal(flashRecords(Buffer.alloc(FLASH_SIZE, 0xff)).size, 0, "erased flash: an empty store");
});

test("flashImage writes what flashRecords reads back", () => {
  const records = new Map([["identity", '{"v":1,"privateKey":"x"}'], ["tai64n.reserved", "4711"], ["odd", "1"]]);
  assert.deepEqual(flashRecords(flashImage(records)), records);
});

test("imageKindOf: Duktape bytecode and JerryScript snapshots are precompiled, anything else source", () => {
  assert.equal(imageKindOf(new Uint8Array([0xbf, 1, 2])), "bytecode");
  assert.equal(imageKindOf(Buffer.from("JRRY\u0001\u0000")), "bytecode");
  assert.equal(imageKindOf(Buffer.from("// homewire firmware bundle")), "source");
  assert.equal(imageKindOf(Buffer.from("JRR")), "source");
  assert.equal(imageKindOf(new Uint8Array(0)), "source");
});

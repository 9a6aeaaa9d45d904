// `homewire flash` on the host side, without a board: the partition table format (checked
// against ESP-IDF's own gen_esp32part.py where an ESP-IDF tree is present), and every refusal
// that must come before the port is touched. The writes themselves: flash.mock.ts (make test-flash).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_CSV, parsePartitionCsv, writeFixtureBuild } from "./flash-fixture.ts";
import { main } from "./main.ts";
import { decodePartitionTable, encodePartitionTable } from "./partition-table.ts";

const tmp = mkdtempSync(join(tmpdir(), "homewire-flash-"));
let n = 0;
const freshDir = () => join(tmp, `build${n++}`);

async function flashCli(args: string[]) {
  let out = "", err = "";
  const status = await main(["flash", ...args], { out: (t) => (out += t), err: (t) => (err += t), stdoutIsTerminal: false, readStdin: () => "" });
  return { status, out, err };
}

test("partition table: the csv's placement rules, encode/decode round trip, MD5 entry and magic checked", () => {
  const parts = parsePartitionCsv(readFileSync(FIXTURE_CSV, "utf8"));
  assert.deepEqual(parts.map((p) => [p.label, p.offset, p.size]), [["nvs", 0x9000, 0x6000], ["phy_init", 0xf000, 0x1000], ["factory", 0x10000, 0x180000]]);
  const bin = encodePartitionTable(parts);
  assert.equal(bin.length, 0xc00);
  assert.deepEqual(decodePartitionTable(bin), parts);
  const badMd5 = Buffer.from(bin);
  badMd5[3 * 32 + 20] ^= 1;
  assert.throws(() => decodePartitionTable(badMd5), /MD5 entry 3 does not match/);
  const badMagic = Buffer.from(bin);
  badMagic[32] = 0x12;
  assert.throws(() => decodePartitionTable(badMagic), /entry 1: bad magic/);
  assert.throws(() => decodePartitionTable(Buffer.alloc(0xc00, 0xff)), /no entries/);
});

test("partition table: byte-identical to ESP-IDF's gen_esp32part.py for the same csv", (t) => {
  const idf = process.env.IDF_PATH ?? join(homedir(), "esp/esp-idf");
  const gen = join(idf, "components/partition_table/gen_esp32part.py");
  if (!existsSync(gen)) return t.skip(`NOT RUN: no ESP-IDF tree at ${idf} (IDF_PATH)`);
  for (const csv of [FIXTURE_CSV, join(idf, "components/partition_table/partitions_two_ota.csv")]) {
    const out = join(tmp, "idf.bin");
    const r = spawnSync("python3", [gen, "--quiet", csv, out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(Buffer.from(encodePartitionTable(parsePartitionCsv(readFileSync(csv, "utf8")))), readFileSync(out), csv);
  }
});

test("flash refuses, before opening the port: no build, an app larger than its partition, a file off any partition, a bootloader into the table, encryption, an ELF, a missing file or port", async () => {
  const port = "/dev/null"; // exists; none of these cases may get as far as using it
  const missing = await flashCli(["--port", port, "--build", join(tmp, "nowhere")]);
  assert.equal(missing.status, 1);
  assert.match(missing.err, /--build: .*flasher_args\.json not found; build the firmware first \(make esp32/);

  // One 4 KiB page more than the build's own app partition (boards/esp32/partitions.csv).
  const factory = writeFixtureBuild(freshDir()).partitions.find((p) => p.label === "factory")!;
  const big = writeFixtureBuild(freshDir(), { appBytes: factory.size + 0x1000 });
  const tooLarge = await flashCli(["--port", port, "--build", big.dir]);
  assert.equal(tooLarge.status, 1);
  assert.match(tooLarge.err, new RegExp(`app: homewire\\.bin is \\d+ bytes \\(.*\\), larger than partition factory \\(${factory.size / 1024} KiB at 0x${factory.offset.toString(16)}\\) by 4096 bytes; nothing was written`));

  const b = writeFixtureBuild(freshDir());
  const args = JSON.parse(readFileSync(join(b.dir, "flasher_args.json"), "utf8"));
  const edit = (change: (a: any) => void) => {
    const a = structuredClone(args);
    change(a);
    writeFileSync(join(b.dir, "flasher_args.json"), JSON.stringify(a));
  };
  edit((a) => {
    a.flash_files["0x20000"] = a.flash_files["0x10000"];
    delete a.flash_files["0x10000"];
    a.app.offset = "0x20000";
  });
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /app: offset 0x20000 is not the start of any partition .*factory@0x10000/);
  writeFileSync(join(b.dir, "big-boot.bin"), Buffer.alloc(0x8000, 0xe9));
  edit((a) => {
    a.flash_files["0x1000"] = "big-boot.bin";
    a.bootloader.file = "big-boot.bin";
  });
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /bootloader: big-boot\.bin is 32768 bytes .*larger than the 28 KiB before the partition table at 0x8000 by 4096 bytes/);
  edit((a) => (a.app.encrypted = "true"));
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /app: flash encryption is on/);
  writeFileSync(join(b.dir, "homewire.elf"), Buffer.from("\x7fELF....", "latin1"));
  edit((a) => {
    a.flash_files["0x10000"] = "homewire.elf";
    a.app.file = "homewire.elf";
  });
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /app: .*homewire\.elf is not an ESP image \(first byte 0x7f, expected 0xe9\): the \.bin, not the \.elf/);
  edit((a) => delete a.extra_esptool_args.chip);
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /flasher_args\.json: extra_esptool_args\.chip: missing/);
  edit(() => {});
  rmSync(join(b.dir, "homewire.bin"));
  assert.match((await flashCli(["--port", port, "--build", b.dir])).err, /app: .*homewire\.bin not found; build the firmware again/);

  const noPort = await flashCli(["--port", "/dev/ttyUSB-homewire-none", "--build", writeFixtureBuild(freshDir()).dir]);
  assert.match(noPort.err, /--port: \/dev\/ttyUSB-homewire-none: no such port; is the board plugged in\?/);
  assert.match((await flashCli(["--build", b.dir])).err, /--port: required/);
});

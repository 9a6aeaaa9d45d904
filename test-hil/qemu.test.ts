// The QEMU target's boot page (boards/qemu-xtensa/boot.h) and flash log reading.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BOOT_PAGE_SIZE, FLASH_SECTOR, bootPage, flashLogText, imageKindOf, type BootPageFields } from "./targets/qemu.ts";

const FIELDS: BootPageFields = {
  seed: new Uint8Array(32).map((_, i) => i),
  mac: "02:68:77:00:00:02",
  ip: "192.168.77.2/24",
  imageLength: 95305,
  imageKind: "source",
  statusMs: 2000,
  configJson: '{"privateKey":"k"}',
  appJson: '{"collector":"10.77.0.1:9999"}',
};

test("bootPage: header, one key=value per line, NUL-terminated, 64 hex digits of seed", () => {
  const page = bootPage(FIELDS);
  assert.equal(page[page.length - 1], 0);
  const lines = page.subarray(0, page.length - 1).toString("utf8").split("\n");
  assert.equal(lines[0], "homewire-boot 1");
  assert.equal(lines.at(-1), "", "ends with a newline");
  assert.ok(lines.includes(`seed=${"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}`));
  assert.ok(lines.includes("image=95305"));
  assert.ok(lines.includes("image-kind=source"));
  assert.ok(lines.includes('config={"privateKey":"k"}'));
  assert.ok(!lines.some((l) => l.startsWith("gw=")), "no gateway unless given");
  assert.ok(bootPage({ ...FIELDS, gw: "192.168.77.1" }).toString().includes("\ngw=192.168.77.1\n"));
});

test("bootPage: refuses a short seed, a multi-line value and a page over 16 KiB", () => {
  assert.throws(() => bootPage({ ...FIELDS, seed: new Uint8Array(16) }), /seed must be 32 bytes/);
  assert.throws(() => bootPage({ ...FIELDS, configJson: "{\n}" }), /config must be one line/);
  assert.throws(() => bootPage({ ...FIELDS, appJson: "x".repeat(BOOT_PAGE_SIZE) }), /boot page: \d+ bytes/);
});

test("flashLogText: sector 0 up to the first erased byte", () => {
  const flash = Buffer.alloc(2 * FLASH_SECTOR, 0xff);
  flash.write("tai64n.reserved=3605\n\nx=1\n", 0);
  flash.write("beyond=the sector\n", FLASH_SECTOR);
  assert.equal(flashLogText(flash), "tai64n.reserved=3605\n\nx=1\n");
  assert.equal(flashLogText(Buffer.alloc(FLASH_SECTOR, 0xff)), "");
});

test("make qemu refuses a bad device config or app options before starting anything, naming the field", async () => {
  const { spawnSync } = await import("node:child_process");
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "hw-qemu-run-"));
  try {
    const bad = join(dir, "dev.json");
    writeFileSync(bad, JSON.stringify({
      privateKey: Buffer.alloc(32, 1).toString("base64"), address: "10.77.0.2/32",
      peer: { publicKey: Buffer.alloc(32, 2).toString("base64"), endpoint: "192.168.77.1:70000", allowedIps: ["10.77.0.1/32"] },
    }));
    const script = new URL("../scripts/qemu-run.ts", import.meta.url).pathname;
    const env = { ...process.env, HW_QEMU_ELF: join(dir, "absent.elf") }; // would fail later, if it got that far
    const r = spawnSync(process.execPath, ["--import", "tsx", script, "--config", bad], { encoding: "utf8", env, timeout: 30000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--config .*dev\.json: peer\.endpoint: .*70000.*nothing was started/);
    const a = spawnSync(process.execPath, ["--import", "tsx", script, "--app", '{"collector":"nowhere"}'], { encoding: "utf8", env, timeout: 30000 });
    assert.equal(a.status, 2, a.stderr);
    assert.match(a.stderr, /--app: .*collector.*nothing was started/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("imageKindOf: Duktape bytecode and JerryScript snapshots are precompiled, anything else source", () => {
  assert.equal(imageKindOf(new Uint8Array([0xbf, 1, 2])), "bytecode");
  assert.equal(imageKindOf(Buffer.from("JRRY\u0001\u0000")), "bytecode");
  assert.equal(imageKindOf(Buffer.from("// homewire firmware bundle")), "source");
  assert.equal(imageKindOf(Buffer.from("JRR")), "source");
  assert.equal(imageKindOf(new Uint8Array(0)), "source");
});

// `homewire flash` against a ROM bootloader we did not write: esp32-mock-bootloader (PyPI, in the
// project venv) on a pty, driven by esptool as a user would. Run by `make test-flash`.
// The build is a fixture (flash-fixture.ts): a real partition table, synthetic ESP images.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSerialLink } from "../console/link.ts";
import { openPty } from "../console/pty.ts";
import { writeFixtureBuild, type FixtureBuild } from "./flash-fixture.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "scripts/homewire.mjs");
const VENV = join(ROOT, ".venv/bin");
const tmp = mkdtempSync(join(tmpdir(), "homewire-flashmock-"));
let n = 0;

if (!existsSync(join(VENV, "esp32-mock-bootloader"))) throw new Error(`${VENV}/esp32-mock-bootloader missing: run make setup (scripts/requirements.txt)`);

interface Mock {
  /** The pty path, or socket://127.0.0.1:PORT. */
  port: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts one mock bootloader (its own process, its own erased 4 MiB flash). */
async function startMock(chip: string, transport: "pty" | "tcp" = "pty"): Promise<Mock> {
  const portFile = join(tmp, `mock${n++}.port`);
  const args = ["run", "--chip", chip, "--port-file", portFile, ...(transport === "pty" ? ["--pty"] : ["--port", "0"])];
  const child = spawn(join(VENV, "esp32-mock-bootloader"), args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = once(child, "exit");
  for (let i = 0; ; i++) {
    if (existsSync(portFile) && statSync(portFile).size > 0) break;
    if (child.exitCode !== null || i > 200) throw new Error(`mock bootloader did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const written = readFileSync(portFile, "utf8").trim();
  return {
    port: transport === "pty" ? written : `socket://127.0.0.1:${written}`,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

function homewire(args: string[], onStdout?: (text: string) => void): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => {
      out += d;
      onStdout?.(out);
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (status) => resolve({ status, out, err }));
  });
}

function esptool(args: string[], cwd = tmp): string {
  const r = spawnSync(join(VENV, "esptool"), args, { cwd, encoding: "utf8", timeout: 60000 });
  assert.equal(r.status, 0, `esptool ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The mock's flash from 0 to `length`, read back by plain esptool. */
function readFlash(port: string, chip: string, length: number): Buffer {
  const out = join(tmp, `dump${n++}.bin`);
  esptool(["--chip", chip, "--port", port, "--before", "no-reset", "--after", "no-reset", "read-flash", "0", String(length), out]);
  return readFileSync(out);
}

/** What the flash must hold: each file at its offset, erased (0xff) everywhere else. */
function expectedFlash(build: FixtureBuild, length: number): Buffer {
  const want = Buffer.alloc(length, 0xff);
  for (const f of build.files) readFileSync(join(build.dir, f.file)).copy(want, f.offset);
  return want;
}

function appEnd(build: FixtureBuild): number {
  const app = build.files.find((f) => f.name === "app")!;
  return app.offset + statSync(join(build.dir, app.file)).size;
}

test("flash writes every image at its offset (the mock's flash = the build's files, 0xff between), like plain esptool does", async (t) => {
  const build = writeFixtureBuild(join(tmp, `build${n++}`));
  const mock = await startMock("esp32");
  t.after(() => mock.stop());
  const r = await homewire(["flash", "--port", mock.port, "--build", build.dir]);
  assert.equal(r.status, 0, r.out + r.err);
  for (const name of ["bootloader", "partition-table", "app"]) {
    assert.match(r.out, new RegExp(`${name} .*100%.*written`), `${name}: a progress bar to 100%`);
    assert.match(r.out, new RegExp(`${name} +MD5 [0-9a-f]{32} verified`), `${name}: MD5 read back`);
  }
  assert.match(r.out, /connected to ESP32/);
  const length = appEnd(build) + 0x1000;
  const ours = readFlash(mock.port, "esp32", length);
  assert.ok(ours.equals(expectedFlash(build, length)), "bytes at each offset equal the build's images");

  // The command idf.py flash runs, from the same flasher_args.json, on a second fresh mock.
  const plain = await startMock("esp32");
  t.after(() => plain.stop());
  const args = JSON.parse(readFileSync(join(build.dir, "flasher_args.json"), "utf8"));
  const extra = args.extra_esptool_args;
  esptool(["--chip", extra.chip, "--port", plain.port, "--baud", "460800", "--before", extra.before, "--after", extra.after,
    "write-flash", ...args.write_flash_args, ...Object.entries(args.flash_files).flat() as string[]], build.dir);
  assert.ok(readFlash(plain.port, "esp32", length).equals(ours), "plain esptool leaves the same bytes");
});

test("flash: no bootloader answering names the port, says how to hold BOOT, writes nothing", async (t) => {
  const build = writeFixtureBuild(join(tmp, `build${n++}`));
  const silent = await openPty(); // a port with nothing behind it
  t.after(() => silent.close());
  let heard = 0;
  silent.fromClient.on("data", (d: Buffer) => (heard += d.length));
  const r = await homewire(["flash", "--port", silent.path, "--build", build.dir]);
  t.diagnostic(r.err.trim());
  assert.equal(r.status, 1);
  assert.match(r.err, new RegExp(`no bootloader answered on ${silent.path} \\(esptool: .*\\); put the board in download mode: hold BOOT \\(GPIO0\\) down, press and release EN \\(RST\\), release BOOT.*; nothing was written`));
  assert.ok(heard > 0, "esptool did try to sync");
  assert.doesNotMatch(r.out, /written/);
});

test("flash: a chip that is not the build's is refused before anything is written", async (t) => {
  const build = writeFixtureBuild(join(tmp, `build${n++}`));
  const mock = await startMock("esp32c3");
  t.after(() => mock.stop());
  const r = await homewire(["flash", "--port", mock.port, "--build", build.dir]);
  t.diagnostic(r.err.trim());
  assert.equal(r.status, 1);
  assert.match(r.err, /wrong chip: the build is for ESP32 but the board answered as ESP32-C3.*; nothing was written\. Build for this chip/);
  const length = appEnd(build);
  assert.ok(readFlash(mock.port, "esp32c3", length).equals(Buffer.alloc(length, 0xff)), "the mock's flash is still erased");
});

test("flash: an app larger than its partition never reaches the port; a busy port is named with its holder", async (t) => {
  const factory = writeFixtureBuild(join(tmp, `build${n++}`)).partitions.find((p) => p.label === "factory")!;
  const big = writeFixtureBuild(join(tmp, `build${n++}`), { appBytes: factory.size + 0x1000 });
  const silent = await openPty();
  t.after(() => silent.close());
  let heard = 0;
  silent.fromClient.on("data", (d: Buffer) => (heard += d.length));
  const r = await homewire(["flash", "--port", silent.path, "--build", big.dir]);
  assert.equal(r.status, 1);
  assert.match(r.err, /app: homewire\.bin is \d+ bytes .*larger than partition factory .* by \d+ bytes; nothing was written/);
  assert.equal(heard, 0, "not one byte went to the port");

  const build = writeFixtureBuild(join(tmp, `build${n++}`));
  const mock = await startMock("esp32");
  t.after(() => mock.stop());
  const holder = openSerialLink(mock.port, 115200); // as `homewire monitor` holds it
  await holder.opened;
  const busy = await homewire(["flash", "--port", mock.port, "--build", build.dir]);
  holder.close();
  assert.equal(busy.status, 1);
  assert.match(busy.err, new RegExp(`--port: ${mock.port} is busy: held by .*pid ${process.pid} .*; nothing was written`));
});

test("flash: a link cut mid-app says the app is incomplete, the bootloader and table whole", async (t) => {
  // CLI -> pty -> this process -> TCP -> mock: the test cuts the wire once part of the app went by.
  const build = writeFixtureBuild(join(tmp, `build${n++}`), { appBytes: 0x100000 });
  const mock = await startMock("esp32", "tcp");
  t.after(() => mock.stop());
  const wire = await openPty();
  t.after(() => wire.close());
  const socket = connect(Number(mock.port.split(":").pop()), "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  let sent = 0;
  const cutAt = 0x8000 + 0x80000; // past the bootloader and table (and the stub), well into the app
  wire.fromClient.on("data", (d: Buffer) => {
    sent += d.length;
    socket.write(d);
    if (sent > cutAt) {
      socket.destroy();
      void wire.close();
    }
  });
  socket.on("data", (d: Buffer) => wire.toClient.write(d));
  const r = await homewire(["flash", "--port", wire.path, "--build", build.dir]);
  t.diagnostic(r.err.trim());
  assert.equal(r.status, 1, r.out + r.err);
  assert.match(r.err, /flash failed: .*app at 0x10000 is INCOMPLETE on the board \(\d+% sent\); the board will not boot it\. Written whole \(esptool checked their MD5\): bootloader, partition-table\. Run flash again/);
});

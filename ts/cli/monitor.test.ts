// `homewire monitor`: status lines rendered, and the command as a user runs it against a fake
// board behind a pty: commands typed reach the board, answers come back, Ctrl-] quits cleanly,
// a port that goes away ends it with an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FakeBoard } from "../console/fake-board.ts";
import { openPty } from "../console/pty.ts";
import { renderLine } from "./monitor.ts";

const BIN = fileURLToPath(new URL("../../scripts/homewire.mjs", import.meta.url));

test("monitor renders the app's and the runtime's status lines as one readable line each", () => {
  const app = { state: "established", handshakes: 2, lastHandshakeMs: 61000, nowMs: 73500, endpoint: "192.0.2.1:51820", rxBytes: 1536, txBytes: 2048,
    rxPackets: 4, txPackets: 5, readingsSent: 5, readingsRefused: 0, drops: { replay: 1, "bad-mac1": 3, "bad-type": 0 } };
  assert.equal(renderLine(`[info] status ${JSON.stringify(app)}`),
    "[status] established · last handshake 12.5 s ago (2 handshakes) · rx 1.5 KiB/4 pkts · tx 2.0 KiB/5 pkts · endpoint 192.0.2.1:51820 · drops bad-mac1=3 replay=1 · readings 5 sent");
  assert.match(renderLine(`[info] status ${JSON.stringify({ ...app, lastHandshakeMs: null, handshakes: 0, drops: {} })}`), /· no handshake yet \(0 handshakes\) · .* · no drops/);
  assert.match(renderLine(`[info] status ${JSON.stringify({ ...app, nowMs: undefined })}`), /last handshake at 1 min 1 s after boot/);
  assert.match(renderLine(`[info] status ${JSON.stringify({ ...app, nowMs: 61000 + 3 * 60000 + 7000 })}`), /last handshake 3 min 7 s ago/);
  assert.equal(renderLine('[info] status {"state":"estab'), '[info] status {"state":"estab', "a line cut on the wire is shown as it came");
  assert.equal(renderLine("[status] engine=duktape heap-current=328949 heap-peak=337952 heap-limit=524288 outer-rx=7 outer-tx=3 tunnel-in=2 tunnel-out=1 app-tx=1 queue-drops=0"),
    "[runtime] duktape · heap 321.2 KiB of 512.0 KiB (peak 330.0 KiB) · outer rx 7 tx 3 · tunnel in 2 out 1 · app tx 1 · queue drops 0");
  assert.equal(renderLine("[board] public-key abc"), "[board] public-key abc");
});

function startMonitor(port: string, extra: string[] = []) {
  const child = spawn(process.execPath, [BIN, "monitor", "--port", port, ...extra], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = async (re: RegExp, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (re.test(out + err)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`monitor: no ${what} in 5 s; stdout:\n${out}\nstderr:\n${err}`);
  };
  return { child, exited, waitFor, output: () => ({ out, err }) };
}

test("monitor over a pty: commands reach the board, status comes back rendered, Ctrl-] quits with status 0", async (t) => {
  const pty = await openPty();
  t.after(() => pty.close());
  const board = new FakeBoard({ eol: "\r\n" });
  board.attach(pty.fromClient, pty.toClient);
  const m = startMonitor(pty.path);
  await m.waitFor(/homewire monitor on/, "banner");
  await m.waitFor(/not reset: .*no DTR\/RTS/, "note that a pty cannot be reset");
  m.child.stdin.write("status\n");
  await m.waitFor(/\[runtime\] fake · heap/, "rendered runtime status");
  await m.waitFor(/\[status\] established · last handshake 12\.5 s ago/, "rendered app status");
  m.child.stdin.write("frobnicate\n");
  await m.waitFor(/\[console\] error frobnicate: unknown command/, "the board's answer");
  m.child.stdin.write("public-key\n\x1d");
  assert.equal(await m.exited, 0);
  const { out, err } = m.output();
  assert.match(out, /\[console\] ok status/);
  assert.deepEqual(board.received, ["status", "frobnicate", "public-key"]);
  assert.match(err, /--- quit \(Ctrl-\]\) ---/);
  assert.doesNotMatch(out, /\[info\] status \{/, "status JSON is shown rendered, not raw");
  assert.ok(!out.includes(board.privateKey!), "no private key on the console");
});

test("monitor: --raw keeps the raw status lines too; the port going away ends it with status 1", async (t) => {
  const pty = await openPty();
  t.after(() => pty.close());
  const board = new FakeBoard();
  board.attach(pty.fromClient, pty.toClient);
  const m = startMonitor(pty.path, ["--raw", "--no-reset"]);
  await m.waitFor(/homewire monitor on/, "banner");
  m.child.stdin.write("status\n");
  await m.waitFor(/\[info\] status \{"state":"established"/, "raw status line");
  await m.waitFor(/\[status\] established · /, "rendered status line");
  assert.doesNotMatch(m.output().err, /reset/, "--no-reset: no reset attempted");
  await pty.close(); // unplugged
  assert.equal(await m.exited, 1);
  assert.match(m.output().err, new RegExp(`${pty.path} closed`));
});

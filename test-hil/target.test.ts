// Reading the firmware console (the same lines from every board): the app's status JSON, the
// runtime's key=value lines, exit reports, start-up failures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appStatus, exitReport, fatalLine, pollUntil, runtimeLine } from "./target.ts";

const LINES = [
  "[board] host: tap hwtap0, ip 192.168.77.2/24, engine duktape",
  "[started] engine=duktape heap-current=323917 heap-peak=330000 heap-limit=524288 outer-rx=0 outer-tx=0 tunnel-in=0 tunnel-out=0 app-tx=0 queue-drops=0",
  '[info] status {"state":"handshake-sent","rxPackets":0}',
  "[status] engine=duktape heap-current=328949 heap-peak=337952 heap-limit=524288 outer-rx=7 outer-tx=3",
  '[info] status {"state":"established","rxPackets":3}',
  '[info] status {"state":"estab',
];

test("appStatus: the latest complete status line; a cut line falls back to the one before", () => {
  assert.deepEqual(appStatus(LINES), { state: "established", rxPackets: 3 });
  assert.equal(appStatus(LINES.slice(0, 2)), null);
});

test("runtimeLine: numbers of the last line with one of the tags", () => {
  assert.equal(runtimeLine(LINES, ["started"])?.["heap-current"], 323917);
  assert.equal(runtimeLine(LINES, ["status", "started"])?.["outer-rx"], 7);
  assert.equal(runtimeLine(LINES, ["exit"]), null);
});

test("exitReport: heap peak from [exit], else the last [status]", () => {
  assert.deepEqual({ ...exitReport(null, LINES), lines: [] }, { code: null, heapPeak: 337952, heapLimit: 524288, lines: [] });
  const withExit = [...LINES, "[exit] engine=duktape heap-current=1 heap-peak=340000 heap-limit=524288"];
  assert.equal(exitReport(0, withExit).heapPeak, 340000);
  assert.equal(exitReport(0, ["[board] nothing yet"]).heapPeak, null);
});

test("fatalLine: start-up failures from the runtime or the board, not ordinary logs", () => {
  assert.equal(fatalLine(LINES), null);
  assert.equal(fatalLine([...LINES, "[runtime] the application failed to start"]), "[runtime] the application failed to start");
  assert.equal(fatalLine(["[board] cannot start: bad ip="]), "[board] cannot start: bad ip=");
  assert.equal(fatalLine(["[warn] udpSend to 10.0.0.1:1 failed"]), null);
});

test("pollUntil: returns the first value, ends at once on an exception, times out otherwise", async () => {
  let n = 0;
  assert.equal(await pollUntil("three polls", () => (++n >= 3 ? n : null), 1000, 1), 3);
  const t0 = Date.now();
  await assert.rejects(pollUntil("a dead board", () => { throw new Error("board exited"); }, 5000, 1), /board exited/);
  assert.ok(Date.now() - t0 < 1000, "no wait for the deadline after an exception");
  await assert.rejects(pollUntil("nothing", () => null, 50, 5), /timed out after 50 ms waiting for nothing/);
});

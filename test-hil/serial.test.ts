// The serial target's side of console protocol 2 against a fake board on in-memory streams:
// reset -> boot lines -> [started]; stop -> [exit]; a board powered by the runner (QEMU on a pty);
// refusals and a silent board.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { READY, SerialTarget, type SerialPower } from "./targets/serial.ts";
import { streamConsoleLink } from "../ts/console/link.ts";
import type { BootConfig } from "./target.ts";

const BOOT: BootConfig = { outerCidr: "192.168.1.50/24", wallClock: false };
const PUB = Buffer.alloc(32, 5).toString("base64");

/** A board speaking "homewire-console 2"; `behaviour` changes how it answers. */
function fakeBoard(behaviour: { enrolled?: boolean; silent?: boolean; crlf?: boolean } = {}) {
  const toBoard = new PassThrough();
  const fromBoard = new PassThrough();
  const received: string[] = [];
  const say = (line: string): void => void fromBoard.write(line + (behaviour.crlf ? "\r\n" : "\n"));
  const boot = (): void => {
    say("garbage from a reset \u0000\u00ff");
    say(READY);
    say(`[board] public-key ${PUB}`);
    if (behaviour.enrolled === false) return say("[board] not enrolled");
    say("[board] enrolled");
    say("[started] engine=fake heap-current=1000 heap-peak=1200 heap-limit=4096 outer-rx=0 outer-tx=0");
  };
  createInterface({ input: toBoard }).on("line", (line): void => {
    received.push(line);
    if (behaviour.silent) return;
    if (line === "reset") {
      say("[console] ok reset");
      boot();
    } else if (line === "stop") {
      say("[exit] engine=fake heap-current=900 heap-peak=1500 heap-limit=4096 outer-rx=3 outer-tx=4");
      say("[console] ok stop");
    }
  });
  return { toBoard, fromBoard, received, boot };
}

function serialTarget(board: ReturnType<typeof fakeBoard>, power: SerialPower | null = null): SerialTarget {
  return new SerialTarget({ port: "/dev/fake", baud: 115200, lanIf: "fake0", homeCidr: "192.168.1.77/24", boardIp: "192.168.1.50", slowdown: 0.05 },
    () => streamConsoleLink(board.fromBoard, board.toBoard), power);
}

test("serial: start resets the board and waits for its boot lines and [started]; stop gives [exit] with the heap peak", async () => {
  for (const crlf of [false, true]) {
    const board = fakeBoard({ crlf });
    const target = serialTarget(board);
    target.connect();
    await target.start(BOOT);
    assert.ok(target.running);
    assert.equal(board.received[0], "reset");
    assert.ok(target.lines.some((l) => l.startsWith("[started]")), "console lines since start kept, \\r stripped");
    assert.ok(target.lines.every((l) => !l.endsWith("\r")));
    await assert.rejects(target.start(BOOT), /already running/);
    const exit = await target.stop();
    assert.equal(exit.heapPeak, 1500);
    assert.equal(exit.heapLimit, 4096);
    assert.ok(!target.running);
    // A second power-on is a reset again (clock at zero, store kept by the board).
    await target.start(BOOT);
    assert.equal(board.received.filter((l) => l === "reset").length, 2);
    await target.stop();
    target.close();
  }
});

test("serial: a board that is not enrolled has booted once its boot lines are out (the Bench enrols it)", async () => {
  const board = fakeBoard({ enrolled: false });
  const target = serialTarget(board);
  target.connect();
  await target.start(BOOT);
  assert.ok(target.lines.includes("[board] not enrolled"));
  target.close();
});

test("serial: a silent board times out instead of hanging", async () => {
  const target = serialTarget(fakeBoard({ silent: true }));
  target.connect();
  const t0 = Date.now();
  await assert.rejects(target.start(BOOT), /boot lines/);
  assert.ok(Date.now() - t0 < 5000);
  target.close();
});

test("serial: a board the runner powers is switched on (not reset) and off; its store is the power's to read", async () => {
  const board = fakeBoard();
  const calls: string[] = [];
  const power: SerialPower = {
    attach: async () => void calls.push("attach"),
    powerOn: async () => { calls.push("on"); setTimeout(() => board.boot(), 10); return "/dev/pts/fake"; },
    powerOff: async () => void calls.push("off"),
    get on() { return calls.at(-1) === "on"; },
    forgetStoreKey: null,
    storeText: () => "identity=x\n",
  };
  const target = serialTarget(board, power);
  await target.start(BOOT);
  assert.deepEqual(board.received, [], "no reset: power-on is the boot");
  assert.equal(target.storeText(), "identity=x\n");
  await target.stop();
  assert.deepEqual(calls, ["on", "off"]);
});

test("serial: a real board's store is not readable from the runner (only its effect is checked)", () => {
  const target = serialTarget(fakeBoard());
  assert.equal(target.storeText(), null);
  assert.equal(target.forgetStoreKey, null);
});

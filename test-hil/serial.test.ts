// The serial target's console protocol against a fake board on in-memory streams (CI has no
// board): reset -> prompt, boot page -> ok -> [started], stop -> [exit], wipe-store, refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { PAGE_ERROR, PAGE_OK, READY, STORE_WIPED, SerialTarget, serialBootPage, streamLink } from "./targets/serial.ts";
import type { BootConfig } from "./target.ts";

const BOOT: BootConfig = {
  configJson: JSON.stringify({ privateKey: "SECRET-KEY-BASE64", address: "10.77.0.2/24" }),
  appJson: JSON.stringify({ collector: "10.77.0.1:9999" }),
  outerCidr: "192.168.1.50/24",
  wallClock: false,
};

interface FakeBoard {
  target: SerialTarget;
  received: string[];
  pages: string[][];
}

/** A board speaking "homewire-console 1"; `behaviour` changes how it answers. */
function fakeBoard(behaviour: { refusePage?: string; silent?: boolean; crlf?: boolean } = {}): FakeBoard {
  const toBoard = new PassThrough();
  const fromBoard = new PassThrough();
  const received: string[] = [];
  const pages: string[][] = [];
  let page: string[] | null = null;
  const say = (line: string): void => void fromBoard.write(line + (behaviour.crlf ? "\r\n" : "\n"));
  createInterface({ input: toBoard }).on("line", (line): void => {
    received.push(line);
    if (behaviour.silent) return;
    if (page) {
      if (line !== "") return void page.push(line);
      pages.push(page);
      const ok = page[0] === "homewire-boot 1" && page.some((l) => l.startsWith("config="));
      page = null;
      if (behaviour.refusePage || !ok) {
        say(`${PAGE_ERROR} ${behaviour.refusePage ?? "bad page"}`);
        return say(READY);
      }
      say(PAGE_OK);
      say("[board] fake: booting");
      return say(`[started] engine=fake heap-current=1000 heap-peak=1200 heap-limit=4096 outer-rx=0 outer-tx=0`);
    }
    if (line === "reset") {
      say("garbage from a reset \u0000\u00ff");
      say(READY);
      page = [];
    } else if (line === "stop") say(`[exit] engine=fake heap-current=900 heap-peak=1500 heap-limit=4096 outer-rx=3 outer-tx=4`);
    else if (line === "wipe-store") say(STORE_WIPED);
  });
  const target = new SerialTarget({ port: "/dev/fake", baud: 115200, lanIf: "fake0", homeCidr: "192.168.1.77/24", boardIp: "192.168.1.50", slowdown: 0.05 },
    () => streamLink(fromBoard, toBoard));
  target.connect();
  return { target, received, pages };
}

test("serial: boot page lines carry the config on one line, no seed (real boards have an RNG)", () => {
  const page = serialBootPage(BOOT);
  assert.equal(page[0], "homewire-boot 1");
  assert.ok(page.includes("ip=192.168.1.50/24"));
  assert.ok(page.includes("wall-clock=off"));
  assert.ok(page.includes(`config=${BOOT.configJson}`));
  assert.ok(!page.some((l) => l.startsWith("seed=")));
  assert.throws(() => serialBootPage({ ...BOOT, appJson: "{\n}" }), /app must be one line/);
});

test("serial: reset, boot page, [started]; stop gives [exit] with the heap peak; wipe-store at the prompt", async () => {
  for (const crlf of [false, true]) {
    const { target, received, pages } = fakeBoard({ crlf });
    await target.start(BOOT);
    assert.ok(target.running);
    assert.equal(received[0], "reset");
    assert.deepEqual(pages[0], serialBootPage(BOOT));
    assert.ok(target.lines.some((l) => l.startsWith("[started]")), "console lines since start kept, \\r stripped");
    assert.ok(target.lines.every((l) => !l.endsWith("\r")));
    await assert.rejects(target.start(BOOT), /already running/);
    await assert.rejects(target.wipeStore!(), /only while stopped/);
    const exit = await target.stop();
    assert.equal(exit.heapPeak, 1500);
    assert.equal(exit.heapLimit, 4096);
    assert.ok(!target.running);
    await target.wipeStore!();
    assert.equal(received.at(-1), "wipe-store");
    // A second boot starts with a reset again (clock at zero, store kept by the board).
    await target.start(BOOT);
    assert.equal(received.filter((l) => l === "reset").length, 2);
    await target.stop();
    target.close();
  }
});

test("serial: a refused boot page is an error naming the board's reason", async () => {
  const { target } = fakeBoard({ refusePage: "config too long" });
  await assert.rejects(target.start(BOOT), /refused the boot page: \[board\] boot-page error config too long/);
  assert.ok(!target.running);
  target.close();
});

test("serial: a silent board times out at the prompt instead of hanging", async () => {
  const { target } = fakeBoard({ silent: true });
  const t0 = Date.now();
  await assert.rejects(target.start(BOOT), /ready prompt/);
  assert.ok(Date.now() - t0 < 5000);
  target.close();
});

test("serial: the store is not readable from the runner (only its effect is checked)", () => {
  const { target } = fakeBoard();
  assert.equal(target.storeText(), null);
  target.close();
});

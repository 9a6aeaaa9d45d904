import { test } from "node:test";
import assert from "node:assert/strict";
import { NodeClock } from "./clock.ts";

test("NodeClock: starts near 0 like a freshly booted device and never goes backwards", async () => {
  const c = new NodeClock();
  const t0 = c.nowMs();
  assert.ok(t0 >= 0 && t0 < 50, `started at ${t0}`);
  await new Promise((r) => setTimeout(r, 30));
  const t1 = c.nowMs();
  assert.ok(t1 >= t0 + 25, `${t1} after ${t0}`);
});

test("NodeClock: advance() jumps the monotonic clock forward, not the wall clock", () => {
  const c = new NodeClock();
  const before = c.nowMs();
  const wallBefore = c.wallClockMs() as number;
  c.advance(121000);
  assert.ok(c.nowMs() >= before + 121000);
  assert.ok(c.nowMs() < before + 121000 + 1000);
  assert.ok(Math.abs((c.wallClockMs() as number) - wallBefore) < 1000);
  assert.equal(c.offsetMs, 121000);
  assert.throws(() => c.advance(-1), RangeError);
  assert.throws(() => c.advance(NaN), RangeError);
});

test("NodeClock: offsetMs option and a clock-less device", () => {
  const c = new NodeClock({ offsetMs: 5000, wallClock: false });
  assert.ok(c.nowMs() >= 5000 && c.nowMs() < 5100);
  assert.equal(c.wallClockMs(), null);
  assert.ok(Math.abs((new NodeClock().wallClockMs() as number) - Date.now()) < 100);
  assert.throws(() => new NodeClock({ offsetMs: -1 }), RangeError);
});

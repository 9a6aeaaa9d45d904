import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplayWindow, REPLAY_WINDOW_SIZE } from "./replay.ts";
import { REJECT_AFTER_MESSAGES } from "./constants.ts";
import { kernelCounterSequence } from "./selftest.ts";

const W = REPLAY_WINDOW_SIZE;
const R = REJECT_AFTER_MESSAGES;

function run(w: ReplayWindow, steps: Array<[number, boolean]>, label: string): void {
  steps.forEach(([n, want], i) => {
    assert.equal(w.validateCounter(n), want, `${label} step ${i + 1}: counter ${n} should be ${want ? "accepted" : "rejected"}`);
  });
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  if (from <= to) for (let i = from; i <= to; i++) out.push(i);
  else for (let i = from; i >= to; i--) out.push(i);
  return out;
}

test("window is at least 2048 counters", () => {
  assert.ok(W >= 2048);
});

test("the kernel's counter sequence: in-order, out-of-order, window edges and the counter limit", () => {
  run(new ReplayWindow(), kernelCounterSequence(), "sequence");
});

test("bulk: 1..W then 0 sits exactly on the window edge", () => {
  run(new ReplayWindow(), [...range(1, W).map((n): [number, boolean] => [n, true]), [0, true], [0, false]], "bulk1");
});

test("bulk: 2..W+1 then 1 is inside, 0 is outside", () => {
  run(new ReplayWindow(), [...range(2, W + 1).map((n): [number, boolean] => [n, true]), [1, true], [0, false]], "bulk2");
});

test("bulk: W+1 down to 1, every counter once", () => {
  run(new ReplayWindow(), range(W + 1, 1).map((n): [number, boolean] => [n, true]), "bulk3");
});

test("bulk: W+2 down to 2, then 0 has fallen out", () => {
  run(new ReplayWindow(), [...range(W + 2, 2).map((n): [number, boolean] => [n, true]), [0, false]], "bulk4");
});

test("bulk: W down to 1, then W+1 slides the window past 0", () => {
  run(new ReplayWindow(), [...range(W, 1).map((n): [number, boolean] => [n, true]), [W + 1, true], [0, false]], "bulk5");
});

test("bulk: W down to 0, then W+1 is still new", () => {
  run(new ReplayWindow(), [...range(W, 1).map((n): [number, boolean] => [n, true]), [0, true], [W + 1, true]], "bulk6");
});

test("window larger than 2048: every counter in a full window is tracked, replays of all rejected", () => {
  const w = new ReplayWindow();
  const top = 5 * W + 17;
  assert.ok(w.validateCounter(top));
  for (let n = top - W; n < top; n++) assert.ok(w.validateCounter(n), `fresh ${n}`);
  for (let n = top - W; n <= top; n++) assert.equal(w.validateCounter(n), false, `replayed ${n}`);
  assert.equal(w.validateCounter(top - W - 1), false, "one below the window");
});

test("a jump farther than the ring clears every stale bit", () => {
  const w = new ReplayWindow();
  for (let n = 0; n <= W; n++) assert.ok(w.validateCounter(n));
  // Jump so far that every ring word is reused; the old bits must not look like replays.
  const jump = 10 * W + 5;
  assert.ok(w.validateCounter(jump));
  for (let n = jump - W; n < jump; n++) assert.ok(w.validateCounter(n), `after jump ${n}`);
});

test("jumps of one word and of partial words keep earlier bits", () => {
  const w = new ReplayWindow();
  assert.ok(w.validateCounter(100));
  assert.ok(w.validateCounter(131)); // next word
  assert.equal(w.validateCounter(100), false);
  assert.ok(w.validateCounter(100 + W)); // 100 is now the oldest counter in the window
  assert.equal(w.validateCounter(100), false);
  assert.ok(w.validateCounter(101 + W));
  assert.equal(w.validateCounter(100), false, "out of window now");
  assert.equal(w.validateCounter(131), false, "still remembered");
});

test("counters around 2^32 and 2^52 are exact (no 32-bit bitwise truncation)", () => {
  const w = new ReplayWindow();
  const big = 2 ** 32 - 3;
  for (let n = big; n < big + 70; n++) assert.ok(w.validateCounter(n), `fresh ${n}`);
  assert.equal(w.validateCounter(big + 3), false);
  assert.equal(w.validateCounter(3), false, "2^32 below is far out of the window, not an alias of a low counter");
  const huge = 2 ** 52 + 1;
  assert.ok(w.validateCounter(huge));
  assert.ok(w.validateCounter(huge - 1));
  assert.equal(w.validateCounter(huge), false);
});

for (const [name, edge] of [["2^27 boundary between the bitwise path and the exact path", 2 ** 27], ["2^31 boundary (where 32-bit bitwise operators would wrap)", 2 ** 31]] as const) test(`the ${name}`, () => {
  const w = new ReplayWindow();
  for (let n = edge - 40; n < edge + 40; n += 2) assert.ok(w.validateCounter(n), `even ${n}`);
  for (let n = edge - 40; n < edge + 40; n += 2) assert.equal(w.validateCounter(n), false, `replayed ${n}`);
  for (let n = edge + 39; n > edge - 40; n -= 2) assert.ok(w.validateCounter(n), `odd ${n}`);
  // Slide so that edge - 41 (never seen) is the oldest counter the window still holds.
  assert.ok(w.validateCounter(edge + W - 41));
  assert.equal(w.validateCounter(edge - 42), false, "one below the window");
  assert.ok(w.validateCounter(edge - 41), "the window's oldest counter, fresh");
  assert.equal(w.validateCounter(edge - 41), false, "and now seen");
  assert.equal(w.validateCounter(edge - 1), false, "seen below 2^31, remembered after the slide");
  assert.equal(w.validateCounter(edge + 1), false, "seen above 2^31, remembered after the slide");
});

test("non-integer, negative and non-finite counters are rejected and do not move the window", () => {
  const w = new ReplayWindow();
  for (const bad of [-1, 0.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 60]) {
    assert.equal(w.validateCounter(bad), false, String(bad));
  }
  assert.ok(w.validateCounter(0), "window untouched by the rejected values");
});

test("reset forgets everything", () => {
  const w = new ReplayWindow();
  assert.ok(w.validateCounter(5000));
  assert.ok(w.validateCounter(4000));
  assert.equal(w.validateCounter(7), false);
  w.reset();
  assert.ok(w.validateCounter(0));
  assert.ok(w.validateCounter(7));
  assert.ok(w.validateCounter(4000));
  assert.ok(w.validateCounter(5000));
});

test("agrees with a set-based reference model on 200k pseudo-random counters", () => {
  // Reference: accept iff below the limit, not seen, and no older than greatest - W.
  let seed = 0x9e3779b9;
  const rand = (n: number) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  // Offsets: low counters (the bitwise fast path), 2^52 (the exact path), and just below 2^27
  // (and 2^31) so that the walk crosses from one path to the other in the middle of a window.
  const offsets = [0, 0, 0, 2 ** 52, 2 ** 27 - 30000, 2 ** 31 - 30000];
  for (let round = 0; round < offsets.length; round++) {
    const w = new ReplayWindow();
    const seen = new Set<number>();
    let greatest = -1;
    const offset = offsets[round];
    let accepted = 0, rejected = 0;
    for (let i = 0; i < 50000; i++) {
      const r = rand(100);
      const top = greatest < 0 ? 0 : greatest - offset;
      let small: number;
      if (greatest < 0 || r < 30) small = top + rand(r < 3 ? 200000 : 40); // forward, sometimes far
      else if (r < 90) small = top - rand(W + 80); // around the window's tail
      else small = top + 1 - rand(3); // repeats at the head
      if (small < 0) continue;
      const n = small + offset;
      const want = n < R && !seen.has(n) && (greatest < 0 || n >= greatest - W);
      assert.equal(w.validateCounter(n), want, `round ${round} op ${i}: counter ${n}, greatest ${greatest}`);
      if (!want) rejected++;
      if (want) {
        accepted++;
        seen.add(n);
        if (n > greatest) greatest = n;
      }
    }
    assert.ok(accepted > 10000 && rejected > 1000, `round ${round}: a mix of accepts (${accepted}) and rejects (${rejected})`);
  }
});

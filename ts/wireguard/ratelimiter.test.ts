import { test } from "node:test";
import assert from "node:assert/strict";
import { RateLimiter } from "./ratelimiter.ts";

test("a burst of 5 passes, the 6th at the same instant is limited", () => {
  const rl = new RateLimiter();
  for (let i = 0; i < 5; i++) assert.ok(rl.allow("a", 0), `message ${i}`);
  assert.ok(!rl.allow("a", 0));
});

test("one source over the limit is limited; another source is not", () => {
  const rl = new RateLimiter();
  let allowedA = 0;
  let allowedB = 0;
  // a: 100 per second for 2 s; b: 10 per second. Limit: 20/s + burst 5.
  for (let t = 0; t < 2000; t += 10) {
    if (rl.allow("a", t)) allowedA++;
    if (t % 100 === 0 && rl.allow("b", t)) allowedB++;
  }
  assert.ok(allowedA >= 40 && allowedA <= 46, `a allowed ${allowedA}`);
  assert.equal(allowedB, 20, "b stays under the limit and is never refused");
});

test("the bucket refills with time: 20 per second sustained", () => {
  const rl = new RateLimiter();
  for (let i = 0; i < 5; i++) rl.allow("a", 0);
  assert.ok(!rl.allow("a", 49));
  assert.ok(rl.allow("a", 100)); // 50 ms of credit per message
  let n = 0;
  for (let t = 1000; t < 11000; t += 50) if (rl.allow("a", t)) n++;
  assert.equal(n, 200);
});

test("the table is bounded: old sources are forgotten, a new one is admitted", () => {
  const rl = new RateLimiter(20, 5, 8);
  for (let i = 0; i < 8; i++) rl.allow("s" + i, 0);
  assert.equal(rl.size(), 8);
  assert.ok(rl.allow("new", 10));
  assert.equal(rl.size(), 8);
  assert.ok(rl.allow("later", 5000));
  assert.equal(rl.size(), 1, "idle entries are dropped");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { RATE_LIMIT_BURST, RATE_LIMIT_MAX_ENTRIES, RATE_LIMIT_PER_SECOND, RateLimiter, rateLimitKey } from "./ratelimiter.ts";

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

test("the table is bounded and idle sources are forgotten when room is needed", () => {
  const rl = new RateLimiter(20, 5, 8);
  for (let i = 0; i < 8; i++) assert.ok(rl.allow("10.0.0." + i, 0));
  assert.equal(rl.size(), 8);
  assert.ok(!rl.allow("10.0.1.1", 10), "full of sources seen within the last second: a new one is refused");
  assert.equal(rl.size(), 8);
  assert.ok(rl.allow("10.0.0.3", 20), "a known source still gets its budget");
  assert.ok(rl.allow("10.0.1.1", 1010), "after a second of silence the idle entries make room");
  assert.equal(rl.size(), 2, "the idle ones were dropped, the active one (seen at 20) kept");
});

test("200 sources in rotation: the table fails closed, at most 64 sources and their budgets get through", () => {
  // A fail-open table (evict the least recently seen, give the newcomer a full bucket) lets all
  // 5000 of these through: every source is new again by the time it comes back.
  const rl = new RateLimiter();
  const sources = Array.from({ length: 200 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
  const allowedBy = new Map<string, number>();
  let allowed = 0;
  let total = 0;
  for (let t = 0; t < 5000; t++) { // one message per ms, each source every 200 ms, for 5 s
    const s = sources[t % 200];
    total++;
    if (rl.allow(s, t)) {
      allowed++;
      allowedBy.set(s, (allowedBy.get(s) ?? 0) + 1);
    }
  }
  assert.equal(allowedBy.size, RATE_LIMIT_MAX_ENTRIES, "only the sources that found room");
  assert.ok(allowed <= RATE_LIMIT_MAX_ENTRIES * (RATE_LIMIT_BURST + RATE_LIMIT_PER_SECOND * 5), `allowed ${allowed}`);
  assert.equal(allowed, RATE_LIMIT_MAX_ENTRIES * 25, "the admitted sources send 5/s, under their 20/s, so all of theirs pass");
  assert.equal(total - allowed, 136 * 25, "everything from the 136 others is refused");
  assert.equal(rl.size(), RATE_LIMIT_MAX_ENTRIES);
  // The rotation stops; a second later a new source is admitted again.
  assert.ok(rl.allow("203.0.113.9", 5000 + 1000));
});

test("IPv6 sources are charged per /64: 200 addresses rotating in one /64 share one bucket", () => {
  const rl = new RateLimiter();
  let allowed = 0;
  for (let t = 0; t < 2000; t += 5) { // 400 messages over 2 s from 200 interface ids
    const host = `2001:db8:1:2:${((t / 5) % 200).toString(16)}::${(t % 7) + 1}`;
    if (rl.allow(host, t)) allowed++;
  }
  // One bucket: the burst of 5 plus 20/s for 2 s (one more at most for the refill at t=0).
  assert.ok(allowed >= 44 && allowed <= 46, `allowed ${allowed}`);
  assert.equal(rl.size(), 1);
  assert.ok(rl.allow("2001:db8:1:3::1", 2000), "the neighbouring /64 is another source");
  assert.equal(rl.size(), 2);
});

test("rateLimitKey: IPv4 per address, IPv6 per /64, IPv4-mapped IPv6 as its IPv4 address", () => {
  assert.equal(rateLimitKey("192.0.2.7"), "192.0.2.7");
  assert.equal(rateLimitKey("2001:db8:0:1::7"), rateLimitKey("2001:db8:0:1:ffff:ffff:ffff:ffff"));
  assert.notEqual(rateLimitKey("2001:db8:0:1::7"), rateLimitKey("2001:db8:0:2::7"));
  assert.equal(rateLimitKey("::ffff:192.0.2.7"), "192.0.2.7");
  assert.notEqual(rateLimitKey("::ffff:192.0.2.7"), rateLimitKey("::ffff:192.0.2.8"), "mapped addresses are not lumped into one /64");
  assert.equal(rateLimitKey("not-an-address"), "not-an-address");
});

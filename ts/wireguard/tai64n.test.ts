import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStore } from "../platform/node/store.ts";
import type { Store } from "../platform/platform.ts";
import { TAI64N_RESERVE_SECONDS, TAI64N_STEP_NS, TAI64N_STORE_KEY, Tai64nClock, encodeTai64n, tai64nAfter } from "./tai64n.ts";
import { toHex } from "./bytes.ts";
import { FakeClock } from "./harness.test.ts";

function decode(t: Uint8Array): { seconds: number; ns: number } {
  const v = new DataView(t.buffer, t.byteOffset, 12);
  // 2^62 + 10 is not exact as a double: subtract the high word's offset first.
  return { seconds: (v.getUint32(0) - 0x40000000) * 2 ** 32 + v.getUint32(4) - 10, ns: v.getUint32(8) };
}

test("encoding: 2^62 + 10 + seconds, big endian, then nanoseconds", () => {
  assert.equal(toHex(encodeTai64n(0, 0)), "400000000000000a00000000");
  assert.equal(toHex(encodeTai64n(1764000000, 16777216)), "40000000" + (1764000010).toString(16).padStart(8, "0") + "01000000");
  assert.equal(toHex(encodeTai64n(2 ** 32, 0)), "400000010000000a00000000");
});

test("tai64nAfter compares like the numbers", () => {
  assert.ok(tai64nAfter(encodeTai64n(5, 0), encodeTai64n(4, 999999999)));
  assert.ok(tai64nAfter(encodeTai64n(5, 2), encodeTai64n(5, 1)));
  assert.ok(!tai64nAfter(encodeTai64n(5, 1), encodeTai64n(5, 1)));
  assert.ok(!tai64nAfter(encodeTai64n(4, 1), encodeTai64n(5, 0)));
});

test("wall clock: whitened to 2^24 ns, strictly increasing even within one step", () => {
  const clock = new FakeClock();
  clock.wall = 1764000000123;
  const t = new Tai64nClock(clock, new MemoryStore());
  const a = t.next(), b = t.next(), c = t.next();
  assert.deepEqual(decode(a), { seconds: 1764000000, ns: 123000000 - (123000000 % TAI64N_STEP_NS) });
  assert.ok(tai64nAfter(b, a) && tai64nAfter(c, b));
  assert.equal(decode(b).ns - decode(a).ns, TAI64N_STEP_NS);
  // A wall clock that jumps back never makes timestamps go back.
  clock.wall = 1700000000000;
  assert.ok(tai64nAfter(t.next(), c));
});

test("reservation: written before first use, then at most once per TAI64N_RESERVE_SECONDS", () => {
  const clock = new FakeClock();
  const writes: string[] = [];
  const inner = new MemoryStore();
  const store: Store = { get: (k) => inner.get(k), put: (k, v) => { writes.push(v); inner.put(k, v); } };
  const t = new Tai64nClock(clock, store);
  t.next();
  assert.deepEqual(writes, [String(TAI64N_RESERVE_SECONDS)]);
  clock.t = (TAI64N_RESERVE_SECONDS - 1) * 1000;
  t.next();
  assert.equal(writes.length, 1);
  clock.t = TAI64N_RESERVE_SECONDS * 1000;
  const x = t.next();
  assert.equal(writes.length, 2);
  assert.ok(Number(writes[1]) > decode(x).seconds);
});

test("reboot without a clock: timestamps continue above everything used before", () => {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const first = new Tai64nClock(clock, store);
  clock.t = 5000;
  let last = first.next();
  clock.t = 600000;
  last = first.next();
  // Reboot: monotonic clock back to 0, no wall clock, same store.
  const clock2 = new FakeClock();
  const second = new Tai64nClock(clock2, store);
  const after = second.next();
  assert.ok(tai64nAfter(after, last));
});

test("crash between reserving and using: the next boot is still above the reservation", () => {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const t = new Tai64nClock(clock, store);
  // The crash: the reservation was written, the timestamp that needed it never sent.
  let used = t.next();
  clock.t = TAI64N_RESERVE_SECONDS * 1000 + 1000; // beyond the first reservation: a second write
  used = t.next();
  const reserved = Number(store.get(TAI64N_STORE_KEY));
  assert.ok(reserved > decode(used).seconds);
  const after = new Tai64nClock(new FakeClock(), store).next();
  assert.ok(tai64nAfter(after, used));
  assert.ok(decode(after).seconds >= reserved);
});

test("a Store that refuses the reservation makes next() throw (no unreserved timestamp)", () => {
  const store: Store = { get: () => null, put: () => { throw new Error("flash full"); } };
  const t = new Tai64nClock(new FakeClock(), store);
  assert.throws(() => t.next(), /flash full/);
  // And it keeps refusing rather than silently using the unreserved value.
  assert.throws(() => t.next(), /flash full/);
});

test("a garbled stored value starts from zero rather than crashing", () => {
  const store = new MemoryStore();
  store.put(TAI64N_STORE_KEY, "not a number");
  const t = new Tai64nClock(new FakeClock(), store);
  assert.equal(decode(t.next()).seconds, 0);
});

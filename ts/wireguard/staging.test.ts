import { test } from "node:test";
import assert from "node:assert/strict";
import { StagingQueue, STAGED_PACKETS_MAX } from "./staging.ts";

test("bounded: the oldest packet is dropped first", () => {
  const q = new StagingQueue(3);
  const p = (n: number) => new Uint8Array([n]);
  assert.equal(q.push(p(1)), 0);
  q.push(p(2));
  q.push(p(3));
  assert.equal(q.push(p(4)), 1);
  assert.equal(q.length, 3);
  assert.deepEqual([q.shift(), q.shift(), q.shift()].map((x) => x![0]), [2, 3, 4]);
  assert.equal(q.shift(), null);
  q.push(p(5));
  assert.equal(q.clear(), 1);
  assert.equal(q.length, 0);
  assert.ok(STAGED_PACKETS_MAX >= 8);
});

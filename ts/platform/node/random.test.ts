import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeRandom } from "./random.ts";

test("nodeRandom: fresh plain Uint8Arrays of the requested length", () => {
  const a = nodeRandom.randomBytes(32);
  const b = nodeRandom.randomBytes(32);
  assert.equal(a.length, 32);
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype, "not a Buffer (Buffer#slice is a view)");
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, new Uint8Array(32));
  assert.equal(nodeRandom.randomBytes(0).length, 0);
  assert.throws(() => nodeRandom.randomBytes(-1), RangeError);
  assert.throws(() => nodeRandom.randomBytes(1.5), RangeError);
});

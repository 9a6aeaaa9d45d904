import { test } from "node:test";
import assert from "node:assert/strict";
import { runSelfTests, SelfTestRun } from "./selftest.ts";
import { runSelfTests as runAppSelfTests } from "../app/main.ts";

test("the core self-checks all pass on Node", () => {
  const r = runSelfTests();
  assert.deepEqual(r.failures, []);
  assert.equal(r.failed, 0);
  assert.ok(r.passed >= 19, `only ${r.passed} checks ran`);
});

test("the bundle's self-checks (core + config) all pass on Node", () => {
  const r = runAppSelfTests();
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= runSelfTests().passed + 2);
});

test("a failing check is counted and described, not swallowed", () => {
  const r = runSelfTests((run: SelfTestRun) => {
    run.check("deliberate", () => {
      throw new Error("boom");
    });
    run.check("fine", () => {});
  });
  assert.equal(r.failed, 1);
  assert.deepEqual(r.failures, ["deliberate: boom"]);
});

// The harness's process plumbing, without root: bounded runs, JSON-lines agents, event waits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Child, JsonAgent, run, waitFor } from "./proc.ts";

const UDP_AGENT = new URL("./udp-agent.ts", import.meta.url).pathname;

test("run: output and exit code; non-zero throws unless allowed; a hung command is killed at its timeout", async () => {
  assert.equal((await run(["sh", "-c", "echo out; echo err >&2"])).stdout, "out\n");
  await assert.rejects(run(["sh", "-c", "echo nope >&2; exit 3"]), /exit 3: nope/);
  assert.equal((await run(["sh", "-c", "exit 3"], { allowFail: true })).code, 3);
  const started = Date.now();
  await assert.rejects(run(["sleep", "30"], { timeoutMs: 200 }), /SIGKILL/);
  assert.ok(Date.now() - started < 5000);
  assert.equal((await run(["cat"], { input: "piped" })).stdout, "piped");
});

test("Child.stop: SIGTERM, then SIGKILL for a child that ignores it", async () => {
  const stubborn = new Child("stubborn", ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]);
  await waitFor("ready", () => stubborn.tail.includes("ready"), 5000, 20);
  await stubborn.stop(300);
  assert.equal(stubborn.running, false);
  assert.equal((await stubborn.exited).signal, "SIGKILL");
});

test("JsonAgent + udp-agent: requests get answers, datagrams arrive as events, stop ends the process", async () => {
  const a = new JsonAgent("udp-agent", [process.execPath, "--import", "tsx", UDP_AGENT]);
  try {
    const { port } = await a.request<{ port: number }>("listen", { host: "127.0.0.1", port: 0, echo: true }, 20000);
    assert.ok(port > 0);
    await a.request("send", { fromPort: port, host: "127.0.0.1", port, text: "to-self" });
    const e = await a.waitForEvent((ev) => ev.event === "udp" && ev.text === "echo:to-self", 5000);
    assert.deepEqual(e.from, { host: "127.0.0.1", port });
    await assert.rejects(a.request("nonsense"), /unknown command "nonsense"/);
    await assert.rejects(a.waitForEvent((ev) => ev.event === "never", 100), /no matching event/);
  } finally {
    await a.stop();
  }
  assert.equal(a.child.running, false);
  await assert.rejects(a.request("listen"), /not running/);
});

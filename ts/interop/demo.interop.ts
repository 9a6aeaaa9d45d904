// `make demo-node` end to end: readings arrive at the collector, and nothing is left behind,
// whether the demo stops by itself (DEMO_SECONDS) or is interrupted (SIGINT, as Ctrl-C sends).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { interopUnavailable } from "./netns.ts";
import { Child, run, waitFor } from "./proc.ts";

const RUN = new URL("../demo/run.ts", import.meta.url).pathname;

let unavailable: string | null = null;
before(async () => {
  unavailable = await interopUnavailable();
  if (unavailable) console.error(`\n*** SKIPPED demo tests: ${unavailable} ***\n`);
});

async function leftovers(pid: number): Promise<string[]> {
  const list = await run(["ip", "netns", "list"]);
  const ns = list.stdout.split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith(`hwi${pid}x`));
  const sockets = [`/var/run/wireguard/hwg${pid}a.sock`].filter((p) => existsSync(p));
  return [...ns, ...sockets];
}

/** The child's exit, or a rejection after ms (the timer never outlives the wait). */
async function exitWithin(child: Child, ms: number, what: string): Promise<{ code: number | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([child.exited, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}:\n${child.tail}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function readings(output: string): string[] {
  return output.split("\n").filter((l) => /^reading #\d+ from 10\.77\.0\.2: \{.*"temp_c"/.test(l));
}

test("demo: DEMO_SECONDS=6 delivers readings to the collector, then removes everything", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const demo = new Child("demo", [process.execPath, "--import", "tsx", RUN], { env: { ...process.env, DEMO_SECONDS: "6" } });
  const { code } = await exitWithin(demo, 30000, "demo did not stop by itself");
  assert.equal(code, 0, demo.tail);
  const got = readings(demo.tail);
  assert.ok(got.length >= 3, `expected >= 3 readings in 6 s, got ${got.length}:\n${demo.tail}`);
  assert.match(got[0], /^reading #1 from/);
  assert.match(demo.tail, /sensor: up \d+s state=established handshakes=1/);
  assert.match(demo.tail, /provisioned with wg genkey\/genpsk .* homewire keygen \+ peer-config/, "the demo provisions through the CLI");
  assert.deepEqual(await leftovers(demo.process.pid!), []);
});

test("demo: SIGINT (Ctrl-C) stops every process and removes the namespaces", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const demo = new Child("demo", [process.execPath, "--import", "tsx", RUN], { env: { ...process.env, DEMO_SECONDS: "" } });
  try {
    await waitFor("a first reading", () => readings(demo.tail).length > 0, 20000);
    const pid = demo.process.pid!;
    assert.ok((await leftovers(pid)).length >= 2, "namespaces exist while running");
    const nsPids = await run(["ip", "netns", "pids", `hwi${pid}x0h`]);
    assert.ok(nsPids.stdout.trim().length > 0, "wireguard-go and the collector run in the home namespace");
    demo.process.kill("SIGINT");
    const { code } = await exitWithin(demo, 15000, "demo ignored SIGINT");
    assert.equal(code, 0, demo.tail);
    assert.match(demo.tail, /demo: clean/);
    assert.deepEqual(await leftovers(pid), []);
    for (const p of nsPids.stdout.split(/\s+/).filter(Boolean)) {
      assert.throws(() => process.kill(Number(p), 0), "process in the namespace is gone");
    }
  } finally {
    await demo.stop();
  }
});

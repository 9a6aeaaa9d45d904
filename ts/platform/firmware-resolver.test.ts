// firmwareResolver over a fake `hw`: servers reach hw.dnsServer in order, each lookup gets a new
// id, the runtime's answer (homewire.onResolved) reaches the lookup it belongs to exactly once, a
// newer lookup ends an older one (the runtime keeps one answer), and a lookup the board refuses
// is answered at once with the board's reason: done is called exactly once every time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { firmwareResolver } from "./firmware-resolver.ts";

function fakeHw(refuse: string | null = null) {
  const servers: [number, string][] = [];
  const lookups: [string, number][] = [];
  (globalThis as any).hw = {
    dnsServer: (i: number, ip: string) => servers.push([i, ip]),
    dnsResolve: (name: string, id: number) => {
      if (refuse) throw new Error(`dnsResolve: ${refuse}`);
      lookups.push([name, id]);
    },
  };
  return { servers, lookups };
}

test("firmwareResolver: servers in order; answers by id, exactly once; a newer lookup supersedes an older one", () => {
  const f = fakeHw();
  const r = firmwareResolver(["192.168.77.53", "fd00:77::35"]);
  assert.deepEqual(f.servers, [[0, "192.168.77.53"], [1, "fd00:77::35"]]);
  const answers: [string, string[] | null, string | null][] = [];
  r.resolve("home.homewire.test", (a, e) => answers.push(["first", a, e]));
  r.resolve("home.homewire.test", (a, e) => answers.push(["second", a, e]));
  assert.deepEqual(answers, [["first", null, "superseded by a newer lookup"]]);
  const [[, id1], [, id2]] = f.lookups;
  assert.ok(id1 >= 1 && id2 > id1, "ids start at 1 and grow (0 is never answered by the runtime)");
  r.answer(id1, "192.168.77.1", undefined);
  assert.equal(answers.length, 1, "the first lookup's late answer goes nowhere");
  r.answer(id2, "192.168.77.10", undefined);
  r.answer(id2, "192.168.77.11", undefined);
  assert.deepEqual(answers[1], ["second", ["192.168.77.10"], null], "one answer only");
  assert.equal(answers.length, 2);
  r.resolve("nowhere.homewire.test", (a, e) => answers.push(["third", a, e]));
  r.answer(f.lookups[2][1], undefined, "the DNS server answered with no usable address (no such name, or a malformed record)");
  assert.deepEqual(answers[2], ["third", null, "the DNS server answered with no usable address (no such name, or a malformed record)"]);
});

test("firmwareResolver: a lookup the board cannot start is answered at once with its reason; no servers is allowed", () => {
  const f = fakeHw("no DNS server is set (the config's dns)");
  const r = firmwareResolver([]);
  assert.deepEqual(f.servers, []);
  const answers: [string[] | null, string | null][] = [];
  r.resolve("home.homewire.test", (a, e) => answers.push([a, e]));
  assert.deepEqual(answers, [[null, "dnsResolve: no DNS server is set (the config's dns)"]]);
  r.answer(1, "192.168.77.1", undefined);
  assert.equal(answers.length, 1, "nothing pending after a refusal");
});

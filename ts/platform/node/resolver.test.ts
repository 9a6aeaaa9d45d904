// nodeResolver against a tiny DNS server on loopback: an A answer, NXDOMAIN, a garbled answer,
// silence; and the system resolver for localhost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { nodeResolver } from "./resolver.ts";

/** Answers A queries for "home.test" with `address`, NXDOMAIN otherwise; "garbled.test" gets
 *  random bytes back and "silent.test" nothing at all. */
async function dnsServer(address: string): Promise<{ port: number; close(): void; queries: string[] }> {
  const s = createSocket("udp4");
  const queries: string[] = [];
  s.on("message", (q, r) => {
    // Question name: labels from byte 12.
    const labels: string[] = [];
    let at = 12;
    while (q[at] !== 0) { labels.push(q.subarray(at + 1, at + 1 + q[at]).toString()); at += q[at] + 1; }
    const name = labels.join(".");
    const qtype = q.readUInt16BE(at + 1);
    queries.push(`${name}/${qtype}`);
    if (name === "silent.test") return;
    if (name === "garbled.test") return s.send(Buffer.from([q[0], q[1], 0x81, 0x80, 0, 1, 0, 1, 9, 9, 9]), r.port, r.address);
    const question = q.subarray(12, at + 5);
    const found = name === "home.test" && qtype === 1;
    const header = Buffer.from([q[0], q[1], 0x81, found ? 0x80 : 0x83, 0, 1, 0, found ? 1 : 0, 0, 0, 0, 0]);
    const answer = found ? Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4]), Buffer.from(address.split(".").map(Number))]) : Buffer.alloc(0);
    s.send(Buffer.concat([header, question, answer]), r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return { port: s.address().port, close: () => s.close(), queries };
}

const ask = (r: ReturnType<typeof nodeResolver>, name: string) =>
  new Promise<{ a: string[] | null; e: string | null }>((resolve) => r.resolve(name, (a, e) => resolve({ a, e })));

test("nodeResolver with servers: an answer, NXDOMAIN, garbage and silence each come back once, as addresses or a reason", async () => {
  const server = await dnsServer("192.0.2.77");
  try {
    const r = nodeResolver([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await ask(r, "home.test"), { a: ["192.0.2.77"], e: null });
    const nx = await ask(r, "nowhere.test");
    assert.equal(nx.a, null);
    assert.match(nx.e!, /^ENOTFOUND|ENODATA$/);
    const garbled = await ask(r, "garbled.test");
    assert.equal(garbled.a, null);
    assert.ok(garbled.e);
    const silent = await ask(r, "silent.test");
    assert.equal(silent.a, null);
    assert.equal(silent.e, "ETIMEOUT");
    assert.ok(server.queries.includes("home.test/1"));
  } finally {
    server.close();
  }
});

test("nodeResolver without servers uses the system's resolver", async () => {
  const r = await ask(nodeResolver(), "localhost");
  assert.equal(r.e, null);
  assert.ok(r.a!.some((a) => a === "127.0.0.1" || a === "::1"), JSON.stringify(r.a));
});

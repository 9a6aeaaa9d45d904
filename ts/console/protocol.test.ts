// Console protocol 2, host side: the CRC the board checks, the enroll line, answers and boot
// lines, and a session over a link the test feeds (lines arriving in one burst with an answer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { answerPublicKey, bootState, crc32, crc32Hex, enrollLine, MAX_LINE_BYTES, parseAnswer, parseEnrollLine, READY } from "./protocol.ts";
import { LineFeed } from "./link.ts";
import { ConsoleSession, LinkClosedError } from "./session.ts";

test("crc32 is IEEE 802.3's (zlib's), as the board computes it", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32Hex(new Uint8Array(0)), "00000000");
});

test("enrollLine: 'enroll <crc32 of the JSON> <JSON>' on one line, within the board's line limit", () => {
  const json = JSON.stringify({ address: "10.77.0.2/24", peer: { publicKey: "k" } });
  const line = enrollLine(json);
  assert.equal(line, `enroll ${crc32Hex(new TextEncoder().encode(json))} ${json}`);
  assert.deepEqual(parseEnrollLine(line), { json });
  assert.deepEqual(parseEnrollLine(line.replace("10.77", "10.78")), { error: "crc mismatch" });
  assert.throws(() => enrollLine('{"a":\n1}'), /one line/);
  assert.throws(() => enrollLine(JSON.stringify({ x: "y".repeat(MAX_LINE_BYTES) })), /at most 2304/);
});

test("parseAnswer, answerPublicKey and bootState read what the board prints", () => {
  const enrolled = parseAnswer("[console] ok enroll public-key=abc=")!;
  assert.deepEqual(enrolled, { command: "enroll", ok: true, detail: "public-key=abc=" });
  assert.equal(answerPublicKey(enrolled), "abc=");
  assert.equal(answerPublicKey(parseAnswer("[console] ok public-key xyz=")!), "xyz=");
  assert.deepEqual(parseAnswer("[console] error enroll: peer.endpoint: bad"), { command: "enroll", ok: false, reason: "peer.endpoint: bad" });
  assert.equal(parseAnswer("[info] status {}"), null);
  const lines = ["junk", READY, "[board] public-key K1", "[board] not enrolled", "[console] ok reset", READY, "[board] public-key K1"];
  assert.equal(bootState(lines), null, "the second boot's lines are not complete yet");
  assert.deepEqual(bootState(lines.slice(0, 4)), { publicKey: "K1", enrolled: false });
  assert.deepEqual(bootState([...lines, "[board] enrolled"]), { publicKey: "K1", enrolled: true });
  assert.equal(bootState(lines.slice(0, 4), 4), null, "only boots after the mark");
});

test("a session over a LineFeed: the answer to each command, lines that came with it kept, a closed link ends waits", async () => {
  const sent: string[] = [];
  const feed = new LineFeed((l) => {
    sent.push(l);
    // The board answers in one burst with other lines around the answer.
    setTimeout(() => ["[info] noise", `[console] ok ${l.split(" ")[0]}`, READY].forEach((x) => feed.feed(x)), 5);
  });
  const session = new ConsoleSession(feed);
  const a = await session.request("reset", 1000);
  assert.ok(a.ok);
  assert.deepEqual(sent, ["reset"]);
  const ready = await session.waitFor("ready", (l) => l === READY, 1000, a.position + 1);
  assert.equal(ready.position, a.position + 1, "the ready line of the same burst is found");
  const pending = session.waitFor("never", () => false, 5000);
  feed.close();
  await assert.rejects(pending, LinkClosedError);
});

// Console protocol 2, host side: the CRC the board checks, the enroll line, answers and boot
// lines, and the client's waits (against a scripted board).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConsoleClient, ConsoleError, LINE_MAX, bootState, crc32, enrollLine, parseAnswer, READY } from "./protocol.ts";

const HOME = Buffer.alloc(32, 2).toString("base64");
const CONFIG = { address: "10.77.0.2/24", peer: { publicKey: HOME, endpoint: "192.0.2.1:51820", allowedIps: ["10.77.0.1/32"] } };

test("crc32 is IEEE 802.3's (zlib's)", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("enrollLine: 'enroll <crc32 of the JSON> <JSON>' on one line; checked first with the device's parser", () => {
  const line = enrollLine(CONFIG);
  const m = /^enroll ([0-9a-f]{8}) (\{.*\})$/.exec(line)!;
  assert.ok(m, line);
  assert.equal(parseInt(m[1], 16), crc32(new TextEncoder().encode(m[2])));
  assert.deepEqual(JSON.parse(m[2]), CONFIG);
  assert.equal(JSON.parse(/ (\{.*)$/.exec(enrollLine(CONFIG, true))![1]).newKey, true);
  assert.throws(() => enrollLine({ ...CONFIG, listenPort: 0 }), /^TypeError: listenPort: 0 out of range/);
  assert.throws(() => enrollLine({ ...CONFIG, privateKey: HOME }), /privateKey: the device makes its own key/);
  const long = { ...CONFIG, peer: { ...CONFIG.peer, allowedIps: Array.from({ length: 150 }, (_, i) => `10.${i}.0.0/16`) } };
  assert.throws(() => enrollLine(long), (e: Error) => e instanceof RangeError && e.message.includes(String(LINE_MAX - 16)));
});

test("parseAnswer and bootState read what the board prints", () => {
  assert.deepEqual(parseAnswer("[console] ok enroll public-key=abc="), { ok: true, command: "enroll", text: "public-key=abc=" });
  assert.deepEqual(parseAnswer("[console] ok reset"), { ok: true, command: "reset", text: "" });
  assert.deepEqual(parseAnswer("[console] error enroll: peer.endpoint: bad"), { ok: false, command: "enroll", text: "peer.endpoint: bad" });
  assert.equal(parseAnswer("[info] status {}"), null);
  const lines = ["junk", READY, "[board] public-key K1", "[board] not enrolled", "[console] ok reset", READY, "[board] public-key K1"];
  assert.equal(bootState(lines), null, "the second boot's lines are not complete yet");
  assert.deepEqual(bootState(lines.slice(0, 4)), { publicKey: "K1", enrolled: false });
  assert.deepEqual(bootState([...lines, "[board] enrolled"]), { publicKey: "K1", enrolled: true });
  assert.equal(bootState(lines.slice(0, 4), 4), null, "only boots after the mark");
});

/** A board that answers from a script: line -> the lines it prints. */
function scripted(answer: (line: string) => string[]) {
  const received: string[] = [];
  const sent: string[] = [];
  const client = new ConsoleClient({ send: (l) => { sent.push(l); setTimeout(() => received.push(...answer(l)), 5); }, received }, 2);
  return { client, sent, received };
}

test("ConsoleClient: enroll sends the line and returns the key; reset waits for the next boot", async () => {
  const { client, sent } = scripted((l) => l.startsWith("enroll ") ? ["[info] noise", "[console] ok enroll public-key=PUB"]
    : l === "reset" ? ["[console] ok reset", READY, "[board] public-key PUB", "[board] enrolled"] : []);
  assert.equal(await client.enroll(CONFIG), "PUB");
  assert.match(sent[0], /^enroll [0-9a-f]{8} \{/);
  assert.deepEqual(await client.reset(2000), { publicKey: "PUB", enrolled: true });
});

test("ConsoleClient: an error answer and a silent board are errors naming the command", async () => {
  const { client } = scripted((l) => l.startsWith("enroll ") ? ["[console] error enroll: crc mismatch over 3 bytes of JSON"] : []);
  await assert.rejects(client.enroll(CONFIG), (e: Error) => e instanceof ConsoleError && /^enroll: crc mismatch/.test(e.message));
  await assert.rejects(client.command("status", 50), /no answer to "status" from the board within 50 ms/);
});

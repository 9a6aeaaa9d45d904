import { test } from "node:test";
import assert from "node:assert/strict";
import { NodeUdp, nodeIo, lineLogger } from "./udp.ts";
import { LOG_DEBUG, LOG_INFO, LOG_WARN, type Address } from "../platform.ts";

function nextDatagram(udp: NodeUdp, timeoutMs = 2000): Promise<{ bytes: Uint8Array; from: Address }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no datagram within " + timeoutMs + " ms")), timeoutMs);
    udp.onDatagram((bytes, from) => {
      clearTimeout(timer);
      resolve({ bytes, from });
    });
  });
}

test("NodeUdp + nodeIo: a datagram crosses loopback with its sender address, as a copy", async () => {
  const a = await NodeUdp.bind("127.0.0.1", 0);
  const b = await NodeUdp.bind("127.0.0.1", 0);
  try {
    const io = nodeIo({ udp: a, deliverToTunnel: () => {} });
    const got = nextDatagram(b);
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    io.sendDatagram(payload, b.address());
    payload[0] = 99; // the core may reuse its buffer as soon as sendDatagram returns
    const { bytes, from } = await got;
    assert.deepEqual(Array.from(bytes), [1, 2, 3, 4, 5]);
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.deepEqual(from, a.address());
  } finally {
    await a.close();
    await b.close();
  }
});

test("nodeIo: deliverToTunnel is forwarded, send errors are logged not thrown", async () => {
  const a = await NodeUdp.bind("127.0.0.1", 0);
  const lines: string[] = [];
  const delivered: Uint8Array[] = [];
  try {
    const io = nodeIo({ udp: a, deliverToTunnel: (p) => delivered.push(p), log: lineLogger((l) => lines.push(l), LOG_DEBUG) });
    io.deliverToTunnel(new Uint8Array([0x45]));
    assert.equal(delivered.length, 1);
    io.sendDatagram(new Uint8Array(70000), { host: "127.0.0.1", port: 9 }); // too big for UDP
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^error udp send to 127\.0\.0\.1:9/);
  } finally {
    await a.close();
  }
});

test("lineLogger: drops messages above the chosen level", () => {
  const lines: string[] = [];
  const log = lineLogger((l) => lines.push(l), LOG_WARN);
  log(LOG_INFO, "chatty");
  log(LOG_WARN, "careful");
  assert.deepEqual(lines, ["warn careful"]);
});

test("NodeUdp.bind rejects a bad port", async () => {
  await assert.rejects(NodeUdp.bind("127.0.0.1", 70000), RangeError);
});

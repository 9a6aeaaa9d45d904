import { test } from "node:test";
import assert from "node:assert/strict";
import { makePair, establish, ipv4Packet, INNER_A, INNER_B } from "./harness.test.ts";

test("handshake both roles, data both ways, no PSK", () => {
  const p = makePair();
  establish(p);
  assert.equal(p.a.device.status().state, "established");
  assert.equal(p.a.device.status().handshakes, 1);
  // B confirmed by A's keepalive.
  assert.equal(p.b.device.status().state, "established");
  assert.equal(p.b.device.status().handshakes, 1);
  const pkt = ipv4Packet(INNER_A, INNER_B, 100);
  p.a.device.onTunnelPacket(pkt);
  p.pump();
  assert.equal(p.b.delivered.length, 1);
  assert.deepEqual(p.b.delivered[0], pkt);
  const back = ipv4Packet(INNER_B, INNER_A, 33);
  p.b.device.onTunnelPacket(back);
  p.pump();
  assert.deepEqual(p.a.delivered[0], back);
});

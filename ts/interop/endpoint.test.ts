// Two NodeEndpoints (the TS Device on the Node platform) talking over loopback: the wiring the
// interop agent and the demo sensor rely on, checked without root or namespaces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeEndpoint } from "./endpoint.ts";
import { generateKeyPair } from "./netns.ts";
import { waitFor } from "./proc.ts";
import { TAI64N_STORE_KEY } from "../wireguard/tai64n.ts";

test("NodeEndpoint: two TS endpoints on loopback handshake, ping and exchange UDP; the Store gets the TAI64N reservation", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hw-endpoint-"));
  const a = generateKeyPair();
  const b = generateKeyPair();
  const logs: string[] = [];
  const log = (_level: number, message: string) => logs.push(message);
  const responder = await NodeEndpoint.start({
    config: { privateKey: b.privateKey, peer: { publicKey: a.publicKey, allowedIps: ["10.99.0.1/32"] } },
    listen: { host: "127.0.0.1", port: 0 },
    innerAddress: "10.99.0.2",
    log,
  });
  const initiator = await NodeEndpoint.start({
    config: { privateKey: a.privateKey, peer: { publicKey: b.publicKey, allowedIps: ["10.99.0.2/32"], endpoint: responder.udp.address() } },
    listen: { host: "127.0.0.1", port: 0 },
    innerAddress: "10.99.0.1",
    storePath: join(dir, "store.json"),
    clock: { wallClock: false },
    log,
  });
  try {
    const rtt = await initiator.inner.ping("10.99.0.2", 3000);
    assert.ok(rtt >= 0);
    assert.equal(initiator.device.status().handshakes, 1);
    assert.equal(responder.inner.stats.echoRequestsAnswered, 1);
    assert.deepEqual(responder.device.status().endpoint, initiator.udp.address(), "responder learned the initiator's address");

    const got: string[] = [];
    initiator.inner.bindUdp(9000, (data, from) => got.push(`${from.host}:${from.port} ${new TextDecoder().decode(data)}`));
    responder.inner.sendUdp(9001, "10.99.0.1", 9000, new TextEncoder().encode("hello"));
    await waitFor("UDP at the initiator", () => got.length > 0, 3000, 10);
    assert.deepEqual(got, ["10.99.0.2:9001 hello"]);

    assert.equal(initiator.tickErrors + responder.tickErrors, 0);
    assert.notEqual(initiator.platform.store.get(TAI64N_STORE_KEY), null, "a clock-less initiator reserves its TAI64N in the Store");
    assert.ok(logs.includes("handshake complete"));
  } finally {
    await initiator.stop();
    await responder.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

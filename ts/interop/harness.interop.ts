// The harness checked against itself: two Debian wireguard-go instances in our namespaces must
// handshake and carry kernel pings. If this fails, the Device tests below cannot be trusted.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, interopUnavailable, nsPing, removeStaleNamespaces, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER } from "./netns.ts";

let unavailable: string | null = null;
before(async () => {
  unavailable = await interopUnavailable();
  if (unavailable) console.error(`\n*** SKIPPED interop harness tests: ${unavailable} ***\n`);
  else await removeStaleNamespaces();
});

test("harness: wireguard-go <-> wireguard-go handshake and ping, namespaces removed afterwards", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const topo = await Topology.create();
  try {
    const home = generateKeyPair();
    const dev = generateKeyPair();
    const psk = generateKeyPair().privateKey;
    const a = new WireguardGo(topo, topo.home, { privateKey: home.privateKey, listenPort: 51820, address: `${HOME_INNER}/24`, peer: { publicKey: dev.publicKey, allowedIps: [`${DEV_INNER}/32`], presharedKey: psk } });
    const b = new WireguardGo(topo, topo.dev, { privateKey: dev.privateKey, listenPort: 51821, address: `${DEV_INNER}/24`, peer: { publicKey: home.publicKey, allowedIps: [`${HOME_INNER}/32`], endpoint: `${HOME_OUTER}:51820`, presharedKey: psk } });
    await a.start();
    await b.start();
    assert.equal((await a.dump()).latestHandshake, 0, "no handshake before traffic");
    const ping = await nsPing(topo, topo.dev, HOME_INNER, 3);
    assert.ok(ping.ok, ping.output);
    const da = await a.dump();
    assert.ok(da.latestHandshake > 0, "home saw a handshake");
    assert.equal(da.endpoint, `${DEV_OUTER}:51821`);
    assert.ok(da.rxBytes > 0 && da.txBytes > 0);
    assert.ok(da.presharedKey);
  } finally {
    await topo.destroy();
  }
  assert.equal(await topo.namespacesExist(), false);
});

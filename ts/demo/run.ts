// `make demo`: a home namespace with wireguard-go and the collector, a device namespace with the
// sensor; the sensor tunnels home and reports every second. Ctrl-C (or DEMO_SECONDS=N) stops
// every process and removes the namespaces and temp files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { interopUnavailable, removeStaleNamespaces, b64, generateKeyPair, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER } from "../interop/netns.ts";
import { sleep } from "../interop/proc.ts";

const HOME_PORT = 51820;
const DEVICE_PORT = 51821;
const COLLECTOR_PORT = 5555;
const seconds = process.env.DEMO_SECONDS ? Number(process.env.DEMO_SECONDS) : 0;
if (!(seconds >= 0)) {
  console.error(`demo: DEMO_SECONDS must be a number of seconds, got "${process.env.DEMO_SECONDS}"`);
  process.exit(2);
}

const reason = await interopUnavailable();
if (reason) {
  console.error(`demo: cannot run: ${reason}`);
  process.exit(1);
}
await removeStaleNamespaces();

const topo = await Topology.create();
let stopping: Promise<void> | null = null;
function shutdown(why: string, code: number): Promise<void> {
  if (!stopping) {
    stopping = (async () => {
      console.log(`demo: ${why}: stopping processes, removing namespaces ${topo.home} ${topo.dev}`);
      await topo.destroy();
      console.log("demo: clean");
      process.exit(code);
    })();
  }
  return stopping;
}
process.on("SIGINT", () => void shutdown("interrupted", 0));
process.on("SIGTERM", () => void shutdown("terminated", 0));

try {
  const home = generateKeyPair();
  const device = generateKeyPair();
  const psk = generateKeyPair().privateKey;

  const wg = new WireguardGo(topo, topo.home, {
    privateKey: home.privateKey,
    listenPort: HOME_PORT,
    address: `${HOME_INNER}/24`,
    peer: { publicKey: device.publicKey, allowedIps: [`${DEV_INNER}/32`], presharedKey: psk },
  });
  await wg.start();
  console.log(`demo: home ${topo.home}: wireguard-go ${wg.ifname} ${HOME_INNER}/24 on ${HOME_OUTER}:${HOME_PORT}`);

  // The device config in the format `homewire peer-config` writes (ts/app/config.ts).
  const configPath = join(topo.dir, "device.json");
  writeFileSync(configPath, JSON.stringify({
    privateKey: b64(device.privateKey),
    address: `${DEV_INNER}/24`,
    listenPort: DEVICE_PORT,
    peer: {
      publicKey: b64(home.publicKey),
      presharedKey: b64(psk),
      endpoint: `${HOME_OUTER}:${HOME_PORT}`,
      allowedIps: [`${HOME_INNER}/32`],
      persistentKeepalive: 25,
    },
  }, null, 2), { mode: 0o600 });

  const node = [process.execPath, "--import", "tsx"];
  topo.spawn("collector", topo.home, [...node, new URL("./collector.ts", import.meta.url).pathname, HOME_INNER, String(COLLECTOR_PORT)], {
    onLine: (line) => console.log(line),
  });
  await sleep(300);
  const sensor = topo.spawn("sensor", topo.dev, [...node, new URL("./sensor.ts", import.meta.url).pathname, configPath, join(topo.dir, "device-store.json"), `${HOME_INNER}:${COLLECTOR_PORT}`], {
    onLine: (line) => console.log(line),
  });
  console.log(`demo: device ${topo.dev}: sensor ${DEV_INNER} on ${DEV_OUTER}:${DEVICE_PORT}; ${seconds ? `stopping after ${seconds} s` : "Ctrl-C to stop"}`);

  const homeStatus = setInterval(async () => {
    try {
      const d = await wg.dump();
      const age = d.latestHandshake ? `${Math.round(Date.now() / 1000 - d.latestHandshake)}s ago` : "never";
      console.log(`home: peer ${d.endpoint ?? "-"} latest-handshake ${age} rx ${d.rxBytes}B tx ${d.txBytes}B`);
    } catch {
      /* shutting down */
    }
  }, 10000);

  const exitedEarly = sensor.exited.then(({ code, signal }) => {
    if (!stopping) void shutdown(`sensor exited (${signal ?? code})`, 1);
  });
  if (seconds > 0) {
    await Promise.race([sleep(seconds * 1000), exitedEarly]);
    clearInterval(homeStatus);
    await shutdown(`DEMO_SECONDS=${seconds} elapsed`, 0);
  }
} catch (e) {
  console.error(`demo: ${(e as Error).message}`);
  await shutdown("failed", 1);
}

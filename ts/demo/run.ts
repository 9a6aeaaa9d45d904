// `make demo-node`: a home namespace with wireguard-go and the collector, a device namespace with the
// sensor; the sensor tunnels home and reports every second. Ctrl-C (or DEMO_SECONDS=N) stops
// every process and removes the namespaces and temp files.
import { join } from "node:path";
import { interopUnavailable, removeStaleNamespaces, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER } from "../interop/netns.ts";
import { run, sleep } from "../interop/proc.ts";

const HOMEWIRE_BIN = new URL("../../scripts/homewire.mjs", import.meta.url).pathname;

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
  // Provisioning as a user would do it: wg(8) for the home side, the homewire CLI for the
  // device (keygen, then peer-config writes the device's JSON config and home's [Peer] stanza).
  const homewire = [process.execPath, HOMEWIRE_BIN];
  const homeKey = join(topo.dir, "home.key");
  const homePublic = (await run(["sh", "-c", `umask 077 && wg genkey > "${homeKey}" && wg pubkey < "${homeKey}"`])).stdout.trim();
  const pskFile = join(topo.dir, "psk");
  await run(["sh", "-c", `umask 077 && wg genpsk > "${pskFile}"`]);
  const deviceKey = join(topo.dir, "device.key");
  const devicePublic = (await run([...homewire, "keygen", "--out", deviceKey])).stdout.trim();
  const configPath = join(topo.dir, "device.json");
  const homePeer = join(topo.dir, "home-peer.conf");
  await run([...homewire, "peer-config", "--key", deviceKey, "--home-public-key", homePublic, "--psk", pskFile,
    "--address", `${DEV_INNER}/24`, "--listen-port", String(DEVICE_PORT), "--endpoint", `${HOME_OUTER}:${HOME_PORT}`,
    "--allowed-ips", `${HOME_INNER}/32`, "--persistent-keepalive", "25", "--out", configPath, "--peer-out", homePeer]);
  console.log(`demo: provisioned with wg genkey/genpsk (home ${homePublic.slice(0, 8)}...) and homewire keygen + peer-config (device ${devicePublic.slice(0, 8)}...)`);

  const wg = new WireguardGo(topo, topo.home, {
    privateKey: { file: homeKey },
    listenPort: HOME_PORT,
    address: `${HOME_INNER}/24`,
    peer: { confFile: homePeer },
  });
  await wg.start();
  console.log(`demo: home ${topo.home}: wireguard-go ${wg.ifname} ${HOME_INNER}/24 on ${HOME_OUTER}:${HOME_PORT}, peer from home-peer.conf`);

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

// The demo's sensor: the homewire endpoint on Node (standing in for the board) reading its device
// config file, tunnelling home and sending one JSON reading per interval to the collector.
//   node --import tsx ts/demo/sensor.ts CONFIG STORE COLLECTOR_HOST:PORT [INTERVAL_MS]
import { readFileSync } from "node:fs";
import { parseDeviceConfig, parseEndpoint } from "../app/config.ts";
import { NodeEndpoint } from "../interop/endpoint.ts";
import { lineLogger } from "../platform/node/udp.ts";
import { LOG_INFO } from "../platform/platform.ts";

const [configPath, storePath, collectorText, intervalText] = process.argv.slice(2);
if (!configPath || !storePath || !collectorText) {
  console.error("usage: sensor.ts CONFIG STORE COLLECTOR_HOST:PORT [INTERVAL_MS]");
  process.exit(2);
}
const intervalMs = Number(intervalText ?? 1000);
const config = parseDeviceConfig(readFileSync(configPath, "utf8"));
const collector = parseEndpoint(collectorText, "collector");
const SENSOR_PORT = 40000;

const ep = await NodeEndpoint.start({
  config: { privateKey: config.privateKey, peer: config.peer },
  listen: { host: "0.0.0.0", port: config.listenPort },
  innerAddress: config.addresses[0].ip,
  storePath,
  log: lineLogger((line) => console.log(`sensor: ${line}`), LOG_INFO),
});
ep.device.connect();

let seq = 0;
const started = Date.now();
// A plausible indoor temperature: a slow swing plus a little noise.
function readTemperature(): number {
  const t = (Date.now() - started) / 1000;
  return Math.round((21.5 + 1.5 * Math.sin(t / 30) + (Math.random() - 0.5) * 0.2) * 100) / 100;
}

const readings = setInterval(() => {
  seq++;
  const reading = { seq, t: Date.now(), temp_c: readTemperature(), uptime_ms: ep.platform.clock.nowMs() };
  ep.inner.sendUdp(SENSOR_PORT, collector.host, collector.port, new TextEncoder().encode(JSON.stringify(reading)));
}, intervalMs);

const statusLine = () => {
  const s = ep.device.status();
  const ep2 = s.endpoint ? `${s.endpoint.host}:${s.endpoint.port}` : "-";
  console.log(`sensor: up ${Math.round(ep.platform.clock.nowMs() / 1000)}s state=${s.state} handshakes=${s.handshakes} endpoint=${ep2} tx=${s.txPackets}p/${s.txBytes}B rx=${s.rxPackets}p/${s.rxBytes}B readings=${seq}`);
};
const status = setInterval(statusLine, 5000);

const stop = () => {
  clearInterval(readings);
  clearInterval(status);
  statusLine();
  void ep.stop().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

// The TS endpoint as a child process the interop tests drive over JSON lines (stdin/stdout).
// It runs inside the "dev" namespace; restarting it with the same store path and a fresh clock
// is how a device reboot is simulated. Keys arrive over stdin and are never echoed or logged.
import { emit, serveAgent, type AgentHandlers } from "./agent-main.ts";
import { NodeEndpoint } from "./endpoint.ts";
import { fromB64 } from "./netns.ts";
import { lineLogger } from "../platform/node/udp.ts";
import { LOG_INFO } from "../platform/platform.ts";
import type { DeviceConfig } from "../wireguard/device.ts";
import { Sensor, parseSensorOptions } from "../app/sensor.ts";

/** The inner UDP port the sensor app sends its readings from. */
const SENSOR_PORT = 40000;

let ep: NodeEndpoint | null = null;
let sensor: Sensor | null = null;

const log = lineLogger((line) => emit({ event: "log", line }), LOG_INFO);

interface WireConfig {
  privateKey: string;
  peer: { publicKey: string; presharedKey?: string | null; endpoint?: { host: string; port: number } | null; allowedIps: string[]; persistentKeepalive?: number; resolveIntervalSeconds?: number };
}

function toDeviceConfig(c: WireConfig): DeviceConfig {
  return {
    privateKey: fromB64(c.privateKey),
    peer: {
      publicKey: fromB64(c.peer.publicKey),
      presharedKey: c.peer.presharedKey ? fromB64(c.peer.presharedKey) : null,
      endpoint: c.peer.endpoint ?? null,
      allowedIps: c.peer.allowedIps,
      persistentKeepalive: c.peer.persistentKeepalive ?? 0,
    },
  };
}

function need(): NodeEndpoint {
  if (!ep) throw new Error("not started");
  return ep;
}

const handlers: AgentHandlers = {
  async start(m) {
    if (ep) throw new Error("already started");
    ep = await NodeEndpoint.start({
      config: toDeviceConfig(m.config),
      listen: m.listen,
      innerAddress: m.innerAddress,
      storePath: m.storePath,
      retainedPath: m.retainedPath,
      dnsServers: m.dnsServers,
      resolveIntervalSeconds: m.config.peer.resolveIntervalSeconds,
      clock: m.clock,
      tickMs: m.tickMs,
      log,
    });
    const e = ep;
    for (const port of (m.echoPorts ?? []) as number[]) {
      // Report every datagram and send it back: the test observes both directions.
      e.inner.bindUdp(port, (data, from) => {
        const text = Buffer.from(data).toString("utf8");
        emit({ event: "udp", port, from, text });
        if (!text.startsWith("echo:")) e.inner.sendUdp(port, from.host, from.port, new TextEncoder().encode("echo:" + text));
      });
    }
    return { nowMs: e.platform.clock.nowMs(), listen: e.udp.address() };
  },
  advance(m) {
    need().platform.clock.advance(m.ms);
    need().tick();
    return { nowMs: need().platform.clock.nowMs() };
  },
  connect() {
    need().device.connect();
    return {};
  },
  /** The sensor app (ts/app/sensor.ts) on this endpoint: readings with its sequence numbers to
   *  the collector, from inner port SENSOR_PORT; echoes coming back are reported as udp events. */
  sensor(m) {
    const e = need();
    if (sensor) throw new Error("sensor already running");
    const s = new Sensor(parseSensorOptions(JSON.stringify(m.options)), e.platform.clock, {
      send: (bytes, to) => {
        e.inner.sendUdp(SENSOR_PORT, to.host, to.port, bytes);
        return true;
      },
      log,
      status: () => e.device.status(),
    });
    sensor = s;
    e.inner.bindUdp(SENSOR_PORT, (data, from) => emit({ event: "udp", port: SENSOR_PORT, from, text: Buffer.from(data).toString("utf8") }));
    e.onTick = () => s.tick();
    s.tick(); // the first reading now
    return {};
  },
  sensorStop() {
    need().onTick = null;
    const line = sensor ? JSON.parse(sensor.statusLine()) : null;
    sensor = null;
    return { sensor: line };
  },
  /** Deep sleep: hand the session to the retained region (then the test stops this process). */
  suspend() {
    return { bytes: need().device.exportSession() };
  },
  /** After a wake: take the session back; null = resumed, else why not. */
  resume() {
    return { reason: need().device.importSession() };
  },
  async ping(m) {
    const rtts: number[] = [];
    const errors: string[] = [];
    for (let i = 0; i < (m.count ?? 1); i++) {
      try {
        rtts.push(await need().inner.ping(m.dst, m.timeoutMs ?? 2000, m.size ?? 56));
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return { rtts, errors };
  },
  udp(m) {
    need().inner.sendUdp(m.srcPort, m.dst, m.dstPort, new TextEncoder().encode(m.text));
    return {};
  },
  status() {
    const e = need();
    return { device: e.device.status(), inner: e.inner.stats, nowMs: e.platform.clock.nowMs(), tickErrors: e.tickErrors, sensor: sensor ? JSON.parse(sensor.statusLine()) : null, dns: e.named ? e.named.status() : null };
  },
  async stop() {
    if (ep) await ep.stop();
    ep = null;
    setImmediate(() => process.exit(0));
    return {};
  },
};

serveAgent(handlers);

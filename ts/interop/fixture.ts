// One interop bench: fresh namespaces, wireguard-go in "home", the TS endpoint (device-agent)
// in "dev", keys generated per bench, and wg(8) dumps as the independent witness.
import { join } from "node:path";
import { before } from "node:test";
import assert from "node:assert/strict";
import { JsonAgent, sleep, waitFor } from "./proc.ts";
import type { DirectionStats, Impairment } from "./badlink.ts";
import { b64, generateKeyPair, interopUnavailable, removeStaleNamespaces, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER, type KeyPair, type WgPeerDump } from "./netns.ts";

export const HOME_PORT = 51820;
export const DEV_PORT = 51821;
export const DEV_ECHO_PORT = 7000;
export const HOME_ECHO_PORT = 7001;
const AGENT = new URL("./device-agent.ts", import.meta.url).pathname;
const UDP_AGENT = new URL("./udp-agent.ts", import.meta.url).pathname;
const BADLINK_AGENT = new URL("./badlink-agent.ts", import.meta.url).pathname;
/** The bad-link relay's device-facing port in the home namespace. */
export const RELAY_PORT = 51900;
/** The collector the sensor app sends its readings to (home side of the tunnel). */
export const COLLECTOR_PORT = 9999;

export interface BenchOptions {
  psk?: boolean;
  /** PSK only on the device side, a different one at home (must fail). */
  pskMismatch?: boolean;
  /** The device knows home's endpoint (it can initiate). Default true. */
  deviceKnowsHome?: boolean;
  /** wireguard-go knows the device's endpoint (it can initiate). Default false. */
  homeKnowsDevice?: boolean;
  /** Persistent keepalive on the device, in seconds. */
  deviceKeepalive?: number;
  /** The device's endpoint for home, if not wireguard-go itself (e.g. the bad-link relay, or a
   *  DNS name). */
  deviceEndpoint?: { host: string; port: number };
  /** DNS servers the device asks for an endpoint name. */
  dnsServers?: string[];
}

export interface AgentStartOptions {
  wallClock?: boolean;
  offsetMs?: number;
  storePath?: string;
  /** A file as the retained region (deep sleep). */
  retainedPath?: string;
}

export interface DeviceStatusView {
  state: string;
  lastHandshakeMs: number | null;
  endpoint: { host: string; port: number } | null;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  handshakes: number;
  drops: Record<string, number>;
}

export interface AgentStatus {
  device: DeviceStatusView;
  inner: { received: number; sent: number; echoRequestsAnswered: number; echoRepliesReceived: number; udpReceived: number; drops: Record<string, number> };
  nowMs: number;
  tickErrors: number;
  /** The sensor app's status line (ts/app/sensor.ts), when it runs. */
  sensor: { readingsSent: number; readingsRefused: number; state: string } | null;
  /** The lookups of an endpoint given as a DNS name (ts/wireguard/endpointname.ts), else null. */
  dns: { state: string; address: string | null; error: string | null; failures: number; lookups: number } | null;
}

export class Bench {
  readonly home: KeyPair = generateKeyPair();
  readonly dev: KeyPair = generateKeyPair();
  readonly psk: Uint8Array | null;
  readonly wg: WireguardGo;
  agent: JsonAgent | null = null;
  udpAgent: JsonAgent | null = null;
  relay: JsonAgent | null = null;
  readonly storePath: string;

  private constructor(readonly topo: Topology, readonly options: BenchOptions) {
    this.psk = options.psk || options.pskMismatch ? generateKeyPair().privateKey : null;
    const homePsk = options.pskMismatch ? generateKeyPair().privateKey : this.psk;
    this.storePath = join(topo.dir, "device-store.json");
    this.wg = new WireguardGo(topo, topo.home, {
      privateKey: this.home.privateKey,
      listenPort: HOME_PORT,
      address: `${HOME_INNER}/24`,
      peer: {
        publicKey: this.dev.publicKey,
        allowedIps: [`${DEV_INNER}/32`],
        endpoint: options.homeKnowsDevice ? `${DEV_OUTER}:${DEV_PORT}` : null,
        presharedKey: homePsk,
      },
    });
  }

  static async create(options: BenchOptions = {}): Promise<Bench> {
    const topo = await Topology.create();
    try {
      const b = new Bench(topo, options);
      await b.wg.start();
      return b;
    } catch (e) {
      await topo.destroy();
      throw e;
    }
  }

  /** Start (or restart) the TS endpoint; a new process means a clock that starts at zero. */
  async startAgent(opts: AgentStartOptions = {}): Promise<JsonAgent> {
    if (this.agent) await this.stopAgent();
    const agent = this.topo.adopt(new JsonAgent("device-agent", this.topo.exec(this.topo.dev, [process.execPath, "--import", "tsx", AGENT])));
    this.agent = agent;
    await agent.request("start", {
      config: {
        privateKey: b64(this.dev.privateKey),
        peer: {
          publicKey: b64(this.home.publicKey),
          presharedKey: this.psk ? b64(this.psk) : null,
          endpoint: this.options.deviceKnowsHome === false ? null : this.options.deviceEndpoint ?? { host: HOME_OUTER, port: HOME_PORT },
          allowedIps: [`${HOME_INNER}/32`],
          persistentKeepalive: this.options.deviceKeepalive ?? 0,
        },
      },
      listen: { host: DEV_OUTER, port: DEV_PORT },
      innerAddress: DEV_INNER,
      storePath: opts.storePath ?? this.storePath,
      retainedPath: opts.retainedPath,
      dnsServers: this.options.dnsServers,
      clock: { offsetMs: opts.offsetMs ?? 0, wallClock: opts.wallClock ?? true },
      echoPorts: [DEV_ECHO_PORT],
      tickMs: 100,
    }, 20000);
    return agent;
  }

  async stopAgent(): Promise<void> {
    if (!this.agent) return;
    await this.agent.stop();
    this.agent = null;
  }

  /** The home-side UDP echo peer on wireguard-go's inner address. */
  async startUdpAgent(): Promise<JsonAgent> {
    const a = this.topo.adopt(new JsonAgent("udp-agent", this.topo.exec(this.topo.home, [process.execPath, "--import", "tsx", UDP_AGENT])));
    this.udpAgent = a;
    await a.request("listen", { host: HOME_INNER, port: HOME_ECHO_PORT, echo: true }, 20000);
    return a;
  }

  /** The collector: a UDP socket on wireguard-go's inner address that echoes each reading. */
  async startCollector(): Promise<JsonAgent> {
    const a = await this.startUdpAgent();
    await a.request("listen", { host: HOME_INNER, port: COLLECTOR_PORT, echo: true }, 20000);
    return a;
  }

  /** The bad-link relay (badlink.ts) in the home namespace, between the device and wireguard-go:
   *  the device must be configured with deviceEndpoint = { HOME_OUTER, RELAY_PORT }. */
  async startRelay(impairment: { toHome?: Partial<Impairment>; toDevice?: Partial<Impairment>; seed: number }): Promise<JsonAgent> {
    const a = this.topo.adopt(new JsonAgent("badlink", this.topo.exec(this.topo.home, [process.execPath, "--import", "tsx", BADLINK_AGENT])));
    this.relay = a;
    await a.request("start", {
      listen: { host: HOME_OUTER, port: RELAY_PORT },
      upstream: { host: HOME_OUTER, port: HOME_PORT },
      toHome: impairment.toHome ?? {},
      toDevice: impairment.toDevice ?? {},
      seed: impairment.seed,
    }, 20000);
    return a;
  }

  status(): Promise<AgentStatus> {
    if (!this.agent) throw new Error("agent not running");
    return this.agent.request<AgentStatus>("status");
  }

  /** Wait until the device reports at least n completed handshakes. */
  waitHandshakes(n: number, timeoutMs = 8000): Promise<AgentStatus> {
    return waitFor(`device handshakes >= ${n}`, async () => {
      const s = await this.status();
      return s.device.handshakes >= n ? s : null;
    }, timeoutMs);
  }

  /** Wait until wireguard-go reports a handshake newer than `after` (unix seconds). */
  waitHomeHandshake(after: number, timeoutMs = 8000): Promise<WgPeerDump> {
    return waitFor(`wireguard-go latest-handshake > ${after}`, async () => {
      const d = await this.wg.dump();
      return d.latestHandshake > after ? d : null;
    }, timeoutMs);
  }

  async ping(dst = HOME_INNER, count = 1, timeoutMs = 2000): Promise<{ rtts: number[]; errors: string[] }> {
    if (!this.agent) throw new Error("agent not running");
    return this.agent.request("ping", { dst, count, timeoutMs }, count * timeoutMs + 5000);
  }

  /** Diagnostics for a failed assertion: both sides' recent output. */
  diagnostics(): string {
    return `--- wireguard-go ---\n${this.wg.log.split("\n").slice(-30).join("\n")}\n--- device-agent ---\n${this.agent?.child.tail.split("\n").slice(-30).join("\n") ?? "(not running)"}` +
      (this.relay ? `\n--- badlink relay ---\n${this.relay.child.tail.split("\n").slice(-10).join("\n")}` : "");
  }

  async destroy(): Promise<void> {
    await this.topo.destroy();
  }
}

/** The sequence numbers of the readings the collector received, in arrival order. */
export function readingsAt(collector: JsonAgent): number[] {
  return collector.events
    .filter((e) => e.event === "udp" && e.port === COLLECTOR_PORT && (e.from as { host: string }).host === DEV_INNER)
    .map((e) => (JSON.parse(e.text as string) as { seq: number }).seq);
}

export interface RelayStats { toHome: DirectionStats; toDevice: DirectionStats }

export interface BadLinkRun {
  /** From connect() to the device's first completed handshake, wall time. */
  tunnelUpMs: number;
  sent: number;
  /** The readings' sequence numbers at the collector, in arrival order. */
  seqs: number[];
  relay: RelayStats;
  /** The device's replay drops. */
  replays: number;
  handshakes: number;
}

/** On a bench made with deviceEndpoint = { HOME_OUTER, RELAY_PORT }: the relay with `link` both
 *  ways, connect and time the tunnel coming up, then the sensor app (ts/app/sensor.ts) sends
 *  `readings` readings intervalMs apart to the collector, which echoes each. Shared by the interop
 *  test and make bench-networks. */
export async function badLinkRun(b: Bench, link: Partial<Impairment>, seed: number, readings: number, intervalMs = 100): Promise<BadLinkRun> {
  const collector = await b.startCollector();
  await b.startRelay({ toHome: link, toDevice: link, seed });
  await b.startAgent();
  const t0 = Date.now();
  await b.agent!.request("connect");
  // 20 initiations 5 s apart before the device gives up: a bound, not a goal (bench-networks has it).
  await b.waitHandshakes(1, 100000);
  const tunnelUpMs = Date.now() - t0;
  await b.agent!.request("sensor", { options: { collector: `${HOME_INNER}:${COLLECTOR_PORT}`, readingIntervalMs: intervalMs, statusIntervalMs: 0, name: "lossy" } });
  await waitFor(`${readings} readings sent`, async () => ((await b.status()).sensor?.readingsSent ?? 0) >= readings, readings * intervalMs + 20000, 100);
  const stop = await b.agent!.request<{ sensor: { readingsSent: number } }>("sensorStop");
  await sleep(1500); // the last readings, their echoes and duplicates
  const status = await b.status();
  const relay = await b.relay!.request<RelayStats>("stats");
  return { tunnelUpMs, sent: stop.sensor.readingsSent, seqs: readingsAt(collector), relay, replays: status.device.drops.replay ?? 0, handshakes: status.device.handshakes };
}

/** For an interop test file: checks once (a `before` hook) that namespaces, TUN and the tools are
 *  there, and returns a runner that gives each test a fresh bench, appends both sides' logs to a
 *  failure, checks the device's tick never threw, and always tears down (namespaces checked gone). */
export function benchRunner(what: string): (t: { skip(msg: string): void }, options: BenchOptions, body: (b: Bench) => Promise<void>) => Promise<void> {
  let unavailable: string | null = null;
  before(async () => {
    unavailable = await interopUnavailable();
    if (unavailable) console.error(`\n*** SKIPPED ${what}: ${unavailable} ***\n`);
    else await removeStaleNamespaces();
  });
  return async (t, options, body) => {
    if (unavailable) return t.skip(unavailable);
    const b = await Bench.create(options);
    try {
      await body(b);
      if (b.agent?.child.running) assert.equal((await b.status()).tickErrors, 0, "device.tick() threw");
    } catch (e) {
      const err = e as Error;
      err.message += `\n${b.diagnostics()}`;
      throw err;
    } finally {
      await b.destroy();
    }
    assert.equal(await b.topo.namespacesExist(), false, "namespaces removed");
  };
}

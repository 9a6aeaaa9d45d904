// One interop bench: fresh namespaces, wireguard-go in "home", the TS endpoint (device-agent)
// in "dev", keys generated per bench, and wg(8) dumps as the independent witness.
import { join } from "node:path";
import { JsonAgent, waitFor } from "./proc.ts";
import { b64, generateKeyPair, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER, type KeyPair, type WgPeerDump } from "./netns.ts";

export const HOME_PORT = 51820;
export const DEV_PORT = 51821;
export const DEV_ECHO_PORT = 7000;
export const HOME_ECHO_PORT = 7001;
const AGENT = new URL("./device-agent.ts", import.meta.url).pathname;
const UDP_AGENT = new URL("./udp-agent.ts", import.meta.url).pathname;

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
}

export interface AgentStartOptions {
  wallClock?: boolean;
  offsetMs?: number;
  storePath?: string;
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
}

export class Bench {
  readonly home: KeyPair = generateKeyPair();
  readonly dev: KeyPair = generateKeyPair();
  readonly psk: Uint8Array | null;
  readonly wg: WireguardGo;
  agent: JsonAgent | null = null;
  udpAgent: JsonAgent | null = null;
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
          endpoint: this.options.deviceKnowsHome === false ? null : { host: HOME_OUTER, port: HOME_PORT },
          allowedIps: [`${HOME_INNER}/32`],
          persistentKeepalive: this.options.deviceKeepalive ?? 0,
        },
      },
      listen: { host: DEV_OUTER, port: DEV_PORT },
      innerAddress: DEV_INNER,
      storePath: opts.storePath ?? this.storePath,
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
    return `--- wireguard-go ---\n${this.wg.log.split("\n").slice(-30).join("\n")}\n--- device-agent ---\n${this.agent?.child.tail.split("\n").slice(-30).join("\n") ?? "(not running)"}`;
  }

  async destroy(): Promise<void> {
    await this.topo.destroy();
  }
}

// One bench: the home side (Debian's wireguard-go and a UDP collector in the "home" namespace,
// from ts/interop/netns.ts) and a board attached by its Target. For host and QEMU the "dev"
// namespace's veth loses its address and is bridged with a TAP the board's lwIP owns; a serial
// board reaches home over the user's LAN (targets/serial.ts).
import { JsonAgent, run } from "../ts/interop/proc.ts";
import { b64, generateKeyPair, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER, type KeyPair } from "../ts/interop/netns.ts";
import { appStatus, type BootConfig, type ExitReport, type Target, pollUntil } from "./target.ts";

export const HOME_PORT = 51820;
export const DEV_PORT = 51820;
export const COLLECTOR_PORT = 9999;
export const TAP = "hwtap0";
const UDP_AGENT = new URL("../ts/interop/udp-agent.ts", import.meta.url).pathname;

export interface BenchOptions {
  deviceKnowsHome?: boolean; // default true: the device can initiate
  homeKnowsDevice?: boolean; // default false
  psk?: boolean;
}

/** Where home and the board sit on the outer network. Namespaced targets use the defaults. */
export interface OuterAddresses {
  home: string;
  board: string;
  prefix: number;
}

export const DEFAULT_OUTER: OuterAddresses = { home: HOME_OUTER, board: DEV_OUTER, prefix: 24 };

/** In the dev namespace: a TAP for the board, bridged to the veth that leads home. */
export async function bridgeTap(topo: Topology, tap: string): Promise<void> {
  const ns = topo.dev;
  // The dev side's kernel must not answer for the board's address: lwIP does, behind the TAP.
  await run(["ip", "-n", ns, "addr", "flush", "dev", "veth0"]);
  await run(["ip", "-n", ns, "link", "add", "br0", "type", "bridge"]);
  await run(["ip", "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap"]);
  await run(["ip", "-n", ns, "link", "set", "veth0", "master", "br0"]);
  await run(["ip", "-n", ns, "link", "set", tap, "master", "br0"]);
  for (const dev of ["br0", tap]) await run(["ip", "-n", ns, "link", "set", dev, "up"]);
}

export class Bench {
  readonly home: KeyPair = generateKeyPair();
  readonly dev: KeyPair = generateKeyPair();
  readonly psk: Uint8Array | null;
  readonly wg: WireguardGo;
  collector: JsonAgent | null = null;
  private readonly configJson: string;
  /** Set by destroy(): a scenario abandoned at its budget must not boot a board on the next bench. */
  private destroyed = false;

  private constructor(readonly topo: Topology, readonly target: Target, readonly outer: OuterAddresses, readonly options: BenchOptions) {
    this.psk = options.psk ? generateKeyPair().privateKey : null;
    this.wg = new WireguardGo(topo, topo.home, {
      privateKey: this.home.privateKey,
      listenPort: HOME_PORT,
      address: `${HOME_INNER}/24`,
      peer: {
        publicKey: this.dev.publicKey,
        allowedIps: [`${DEV_INNER}/32`],
        endpoint: options.homeKnowsDevice ? `${outer.board}:${DEV_PORT}` : null,
        presharedKey: this.psk,
      },
    });
    // The device config exactly as the config parser (ts/app/config.ts) reads it.
    this.configJson = JSON.stringify({
      privateKey: b64(this.dev.privateKey),
      address: `${DEV_INNER}/24`,
      listenPort: DEV_PORT,
      peer: {
        publicKey: b64(this.home.publicKey),
        ...(this.psk ? { presharedKey: b64(this.psk) } : {}),
        ...(options.deviceKnowsHome === false ? {} : { endpoint: `${outer.home}:${HOME_PORT}` }),
        allowedIps: [`${HOME_INNER}/32`],
      },
    });
  }

  /** Namespaces, the board's attachment, wireguard-go and the collector. */
  static async create(target: Target, options: BenchOptions = {}, outer: OuterAddresses = DEFAULT_OUTER): Promise<Bench> {
    const topo = await Topology.create();
    try {
      await target.attach({ topo, ns: topo.dev, tap: TAP, dir: topo.dir });
      const b = new Bench(topo, target, outer, options);
      await b.wg.start();
      const c = topo.adopt(new JsonAgent("collector", topo.exec(topo.home, [process.execPath, "--import", "tsx", UDP_AGENT])));
      b.collector = c;
      await c.request("listen", { host: HOME_INNER, port: COLLECTOR_PORT, echo: false }, 20000);
      return b;
    } catch (e) {
      await topo.destroy();
      throw e;
    }
  }

  /** Powers the board on (clock at zero, store as the last boot of this bench left it). */
  async startDevice(app: Record<string, unknown> = {}, wallClock = true): Promise<void> {
    if (this.destroyed) throw new Error("this bench was removed");
    const appJson = JSON.stringify({ collector: `${HOME_INNER}:${COLLECTOR_PORT}`, name: "hiltest", readingIntervalMs: 1000, statusIntervalMs: 1000, ...app });
    const boot: BootConfig = { configJson: this.configJson, appJson, outerCidr: `${this.outer.board}/${this.outer.prefix}`, wallClock };
    await this.target.start(boot);
  }

  stopDevice(): Promise<ExitReport> {
    return this.target.stop();
  }

  /** Host milliseconds scaled for the target (QEMU is slower). */
  ms(hostMs: number): number {
    return Math.round(hostMs * this.target.slowdown);
  }

  appStatus(): any | null {
    return appStatus(this.target.lines);
  }

  /** Readings the collector received (parsed JSON), in arrival order. */
  readings(): { device: string; seq: number; uptimeMs: number; celsius: number }[] {
    return (this.collector?.events ?? []).filter((e) => e.event === "udp").map((e) => JSON.parse(String(e.text)));
  }

  async waitReadings(n: number, hostTimeoutMs: number): Promise<void> {
    await pollUntil(`${n} readings at the collector`, () => {
      if (!this.target.running) throw new Error("the board is not running");
      return this.readings().length >= n;
    }, this.ms(hostTimeoutMs), 100);
  }

  diagnostics(): string {
    return `--- wireguard-go ---\n${this.wg.log.split("\n").slice(-25).join("\n")}\n${this.target.diagnostics()}`;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    if (this.target.running) await this.target.stop().catch(() => {});
    await this.topo.destroy();
  }
}

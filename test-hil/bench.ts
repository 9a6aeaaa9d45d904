// One bench: the home side (Debian's wireguard-go and a UDP collector in the "home" namespace,
// from ts/interop/netns.ts) and a board attached by its Target. For host and QEMU the "dev"
// namespace's veth loses its address and is bridged with a TAP the board's lwIP owns; a serial
// board reaches home over the user's LAN (targets/serial.ts).
//
// The bench enrols its board as a user does (console protocol 2): the board makes its own key
// on its first boot and tells its public key; the bench configures wireguard-go with it and
// sends the config with `enroll`, then resets the board. The device's private key never
// reaches the bench (checks that it leaks nowhere read it from the board's store).
import { JsonAgent, run } from "../ts/interop/proc.ts";
import { b64, fromB64, generateKeyPair, Topology, WireguardGo, DEV_INNER, DEV_INNER6, DEV_OUTER, DEV_OUTER6, HOME_INNER, HOME_INNER6, HOME_OUTER, HOME_OUTER6, type KeyPair } from "../ts/interop/netns.ts";
import { HOME_NAME } from "../ts/interop/dnsmasq.ts";
import { answerPublicKey, bootState, enrollLine, type BootState } from "../ts/console/protocol.ts";
import { ConsoleSession } from "../ts/console/session.ts";
import { parseEnrolledConfig } from "../ts/app/config.ts";
import type { DirectionStats, Impairment } from "../ts/interop/badlink.ts";
import { appStatus, type BootConfig, type ExitReport, type Target, pollUntil, waitBooted } from "./target.ts";

export const HOME_PORT = 51820;
export const DEV_PORT = 51820;
export const COLLECTOR_PORT = 9999;
export const TAP = "hwtap0";
const UDP_AGENT = new URL("../ts/interop/udp-agent.ts", import.meta.url).pathname;
const BADLINK_AGENT = new URL("../ts/interop/badlink-agent.ts", import.meta.url).pathname;
/** The relay's device-facing port in the home namespace (bench option relay). */
export const RELAY_PORT = 51900;

export interface RelayStats { toHome: DirectionStats; toDevice: DirectionStats; nonceReuse: number }

export interface BenchOptions {
  deviceKnowsHome?: boolean; // default true: the device can initiate
  homeKnowsDevice?: boolean; // default false
  psk?: boolean;
  /** The bad-link relay (ts/interop/badlink-agent.ts) in the home namespace between the board and
   *  wireguard-go: the board's endpoint is the relay. Impairments both ways ({} = a clean link, the
   *  relay only watching, e.g. for nonces used twice) and the seed. */
  relay?: { link: Partial<Impairment>; seed: number };
  /** The collector echoes every reading back through the tunnel (data toward the board). */
  echo?: boolean;
  /** The board reaches home over IPv6: home's endpoint (and the board's, for home) is the IPv6
   *  address of the outer link (the board's NIC has both families). Namespaced targets only. */
  outer6?: boolean;
  /** The tunnel's address families: "4" (default), "6", or "46" (an address of each). The
   *  collector listens on home's inner address of each; readings go to the IPv4 one if there is one. */
  inner?: "4" | "6" | "46";
  /** Home named by DNS: the enrolled endpoint is HOME_NAME:port, looked up with these servers
   *  (a scenario starts them in the home namespace before the board boots). */
  homeByName?: { dns: string[]; resolveIntervalSeconds?: number };
}

/** Where home and the board sit on the outer network. Namespaced targets use the defaults; the
 *  IPv6 ones exist where the bench made the link (not on a serial board's LAN). */
export interface OuterAddresses {
  home: string;
  board: string;
  prefix: number;
  home6?: string;
  board6?: string;
}

export const DEFAULT_OUTER: OuterAddresses = { home: HOME_OUTER, board: DEV_OUTER, prefix: 24, home6: HOME_OUTER6, board6: DEV_OUTER6 };

/** "[v6]:port" or "v4:port". */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** In the dev namespace: a TAP for the board, bridged to the veth that leads home. */
export async function bridgeTap(topo: Topology, tap: string): Promise<void> {
  const ns = topo.dev;
  // The dev side's kernel must not answer for the board's address: lwIP does, behind the TAP.
  await run(["ip", "-n", ns, "addr", "flush", "dev", "veth0"]);
  // No multicast snooping: IPv6 neighbour discovery reaches lwIP's solicited-node groups at once.
  await run(["ip", "-n", ns, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"]);
  await run(["ip", "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap"]);
  await run(["ip", "-n", ns, "link", "set", "veth0", "master", "br0"]);
  await run(["ip", "-n", ns, "link", "set", tap, "master", "br0"]);
  for (const dev of ["br0", tap]) await run(["ip", "-n", ns, "link", "set", dev, "up"]);
}

export class Bench {
  readonly home: KeyPair = generateKeyPair();
  readonly psk: Uint8Array | null;
  /** The device's public key, as the board told it (null until its first boot). */
  devicePublicKey: Uint8Array | null = null;
  private wireguard: WireguardGo | null = null;
  collector: JsonAgent | null = null;
  relay: JsonAgent | null = null;
  readonly console: ConsoleSession;
  /** Console lines of the boots before the current one (target.lines holds the current one's). */
  private earlier: string[] = [];
  /** The config the board holds (as the bench last enrolled it), JSON. */
  private enrolled: string | null = null;
  /** Set by destroy(): a scenario abandoned at its budget must not boot a board on the next bench. */
  private destroyed = false;

  private constructor(readonly topo: Topology, readonly target: Target, readonly outer: OuterAddresses, readonly options: BenchOptions) {
    this.psk = options.psk ? generateKeyPair().privateKey : null;
    this.console = new ConsoleSession(target.console);
  }

  /** wireguard-go at home; it knows the device once the device's first boot told its key. */
  get wg(): WireguardGo {
    if (!this.wireguard) throw new Error("wireguard-go is not started: the device has not booted on this bench yet");
    return this.wireguard;
  }

  private get inner4(): boolean {
    return (this.options.inner ?? "4").includes("4");
  }

  private get inner6(): boolean {
    return (this.options.inner ?? "4").includes("6");
  }

  /** Home's outer address the board is given (IPv6 with outer6). */
  get homeOuter(): string {
    if (!this.options.outer6) return this.outer.home;
    if (!this.outer.home6) throw new Error("outer6: this target's link has no IPv6 (a serial board's LAN)");
    return this.outer.home6;
  }

  /** The board's outer address home sees (IPv6 with outer6). */
  get boardOuter(): string {
    return this.options.outer6 ? this.outer.board6! : this.outer.board;
  }

  /** Where the board sends its readings: home's inner IPv4 address if the tunnel has one. */
  get collectorHost(): string {
    return this.inner4 ? HOME_INNER : HOME_INNER6;
  }

  /** The enrolled config for this bench (the device's side of it), as `homewire enroll` sends it. */
  enrolledConfig(app: Record<string, unknown>): Record<string, unknown> {
    const o = this.options;
    const address = [...(this.inner4 ? [`${DEV_INNER}/24`] : []), ...(this.inner6 ? [`${DEV_INNER6}/64`] : [])];
    const endpoint = o.homeByName ? `${HOME_NAME}:${HOME_PORT}` : hostPort(this.homeOuter, o.relay ? RELAY_PORT : HOME_PORT);
    return {
      address: address.length === 1 ? address[0] : address,
      listenPort: DEV_PORT,
      ...(o.homeByName ? { dns: o.homeByName.dns } : {}),
      peer: {
        publicKey: b64(this.home.publicKey),
        ...(this.psk ? { presharedKey: b64(this.psk) } : {}),
        ...(o.deviceKnowsHome === false ? {} : { endpoint }),
        ...(o.homeByName?.resolveIntervalSeconds ? { resolveIntervalSeconds: o.homeByName.resolveIntervalSeconds } : {}),
        allowedIps: [...(this.inner4 ? [`${HOME_INNER}/32`] : []), ...(this.inner6 ? [`${HOME_INNER6}/128`] : [])],
      },
      app,
    };
  }

  /** Namespaces and the board's attachment (home follows the board's first boot). */
  static async create(target: Target, options: BenchOptions = {}, outer: OuterAddresses = DEFAULT_OUTER): Promise<Bench> {
    const topo = await Topology.create();
    try {
      await target.attach({ topo, ns: topo.dev, tap: TAP, dir: topo.dir });
      return new Bench(topo, target, outer, options);
    } catch (e) {
      await topo.destroy();
      throw e;
    }
  }

  /** Home learns the device's key from its boot (once per bench: the key is the device's):
   *  wireguard-go with the device as its peer, and the collector on its inner address. */
  private async homeKnows(publicKey: string): Promise<void> {
    const key = fromB64(publicKey);
    if (this.devicePublicKey) {
      if (b64(this.devicePublicKey) !== publicKey) throw new Error(`the device's key changed on this bench (${b64(this.devicePublicKey)} -> ${publicKey})`);
      return;
    }
    if (key.length !== 32) throw new Error(`the board told a malformed public key: "${publicKey}"`);
    this.devicePublicKey = key;
    this.wireguard = new WireguardGo(this.topo, this.topo.home, {
      privateKey: this.home.privateKey,
      listenPort: HOME_PORT,
      address: [...(this.inner4 ? [`${HOME_INNER}/24`] : []), ...(this.inner6 ? [`${HOME_INNER6}/64`] : [])],
      peer: {
        publicKey: key,
        allowedIps: [...(this.inner4 ? [`${DEV_INNER}/32`] : []), ...(this.inner6 ? [`${DEV_INNER6}/128`] : [])],
        endpoint: this.options.homeKnowsDevice ? hostPort(this.boardOuter, DEV_PORT) : null,
        presharedKey: this.psk,
      },
    });
    await this.wireguard.start();
    const c = this.topo.adopt(new JsonAgent("collector", this.topo.exec(this.topo.home, [process.execPath, "--import", "tsx", UDP_AGENT])));
    this.collector = c;
    if (this.inner4) await c.request("listen", { host: HOME_INNER, port: COLLECTOR_PORT, echo: !!this.options.echo }, 20000);
    if (this.inner6) await c.request("listen", { host: HOME_INNER6, port: COLLECTOR_PORT, echo: !!this.options.echo }, 20000);
    const relay = this.options.relay;
    if (relay) {
      const r = this.topo.adopt(new JsonAgent("badlink", this.topo.exec(this.topo.home, [process.execPath, "--import", "tsx", BADLINK_AGENT])));
      this.relay = r;
      await r.request("start", { listen: { host: this.outer.home, port: RELAY_PORT }, upstream: { host: this.outer.home, port: HOME_PORT },
        toHome: relay.link, toDevice: relay.link, seed: relay.seed }, 20000);
    }
  }

  /** The relay's counters (bench option relay). */
  relayStats(): Promise<RelayStats> {
    if (!this.relay) throw new Error("this bench has no relay");
    return this.relay.request<RelayStats>("stats");
  }

  /** Powers the board on (clock at zero, store as the last boot of this bench left it) and makes
   *  sure it runs this bench's config with these app options: enrols it (and resets it) when it
   *  is not enrolled or holds other options. */
  async startDevice(app: Record<string, unknown> = {}, wallClock = true, tests: Pick<BootConfig, "clockRate" | "crashAfterRetainedWrites"> = {}): Promise<void> {
    if (this.destroyed) throw new Error("this bench was removed");
    const appOptions = { collector: hostPort(this.collectorHost, COLLECTOR_PORT), name: "hiltest", readingIntervalMs: 1000, statusIntervalMs: 1000, ...app };
    const boot: BootConfig = { outerCidr: `${this.outer.board}/${this.outer.prefix}`, ...(this.outer.board6 ? { outerCidr6: `${this.outer.board6}/64` } : {}), wallClock, ...tests };
    // The target's lines of an earlier boot of this bench (a target object outlives its benches:
    // before this bench's first boot it still holds the previous bench's).
    if (this.devicePublicKey) this.earlier.push(...this.target.lines);
    await this.target.start(boot);
    const st = bootState(this.target.lines)!;
    await this.homeKnows(st.publicKey);
    const config = this.enrolledConfig(appOptions);
    const json = JSON.stringify(config);
    if (st.enrolled && this.enrolled === json) return;
    parseEnrolledConfig(config); // as the CLI does: a bad field is named here, not by the board
    const answer = await this.console.request(enrollLine(json), this.ms(20000));
    if (!answer.ok) throw new Error(`the board refused enroll: ${answer.reason}`);
    const pub = answerPublicKey(answer);
    if (pub !== st.publicKey) throw new Error(`enroll answered another key (${pub}) than the boot told (${st.publicKey})`);
    this.enrolled = json;
    await this.resetDevice();
  }

  /** Reboots the board through its console and waits until it runs again. */
  async resetDevice(): Promise<BootState> {
    const mark = this.target.lines.length;
    const answer = await this.console.request("reset", this.ms(10000));
    if (!answer.ok) throw new Error(`the board refused reset: ${answer.reason}`);
    return waitBooted(this.target, mark, this.ms(30000));
  }

  /** The identity record in the board's store (its private key and enrolled config), or null
   *  where the store cannot be read (a real board). For checks only: never printed. */
  storedIdentity(): { privateKey: Uint8Array; config: Record<string, unknown> | null } | null {
    const text = this.target.storeText();
    const line = text?.split("\n").find((l) => l.startsWith("identity="));
    if (!line) return null;
    const rec = JSON.parse(line.slice("identity=".length));
    return { privateKey: fromB64(rec.privateKey), config: rec.config ?? null };
  }

  /** Secrets that must never appear on the console: the device key (from its store, where
   *  readable) and the PSK, each as base64 and hex. */
  secretPatterns(): { what: string; text: string }[] {
    const out: { what: string; text: string }[] = [];
    const add = (what: string, k: Uint8Array) => {
      out.push({ what: `${what} (base64)`, text: b64(k).slice(0, 20) }, { what: `${what} (hex)`, text: Buffer.from(k).toString("hex").slice(0, 24) });
    };
    const id = this.storedIdentity();
    if (id) add("the device's private key", id.privateKey);
    if (this.psk) add("the pre-shared key", this.psk);
    return out;
  }

  /** Every console line this bench's board printed, all boots. */
  transcript(): string[] {
    return [...this.earlier, ...this.target.lines];
  }

  /** Throws if any console line this bench saw holds a secret (secretPatterns). */
  checkNoSecrets(): void {
    const lines = this.transcript();
    for (const p of this.secretPatterns()) {
      const at = lines.findIndex((l) => l.includes(p.text));
      if (at >= 0) throw new Error(`${p.what} appeared on the console (line ${at + 1})`);
    }
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
    const wg = this.wireguard ? this.wireguard.log.split("\n").slice(-25).join("\n") : "(not started)";
    const relay = this.relay ? `\n--- badlink relay ---\n${this.relay.child.tail.split("\n").slice(-10).join("\n")}` : "";
    return `--- wireguard-go ---\n${wg}\n${this.target.diagnostics()}${relay}`;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    if (this.target.running) await this.target.stop().catch(() => {});
    await this.topo.destroy();
  }
}

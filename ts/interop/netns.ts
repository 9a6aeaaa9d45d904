// Network namespaces for the interop tests and the demo. Two namespaces joined by a veth pair:
//   home (wireguard-go, inner 10.77.0.1/24, outer 192.168.77.1)  <-veth->  dev (the TS endpoint, outer 192.168.77.2)
// The veth carries IPv6 too (home fd00:77::1/64, dev fd00:77::2/64), and wireguard-go's inner
// IPv6 addresses are fd77::1 / fd77::2 where a test wants them.
// Names carry our pid so parallel or aborted runs never collide; the WireGuard interface name
// does too, because wireguard-go's control socket (/var/run/wireguard/<if>.sock) is shared by
// all namespaces. Nothing outside these namespaces is touched.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Child, run, sleep, waitFor } from "./proc.ts";
import { nobleCrypto } from "../platform/node/crypto.ts";
import { nodeRandom } from "../platform/node/random.ts";

export const HOME_OUTER = "192.168.77.1";
export const DEV_OUTER = "192.168.77.2";
export const HOME_INNER = "10.77.0.1";
export const DEV_INNER = "10.77.0.2";
export const HOME_OUTER6 = "fd00:77::1";
export const DEV_OUTER6 = "fd00:77::2";
export const HOME_INNER6 = "fd77::1";
export const DEV_INNER6 = "fd77::2";
export const INNER_PREFIX = 24;
export const PREFIX = "hwi";

let counter = 0;

export interface KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const privateKey = nodeRandom.randomBytes(32);
  privateKey[0] &= 248;
  privateKey[31] = (privateKey[31] & 127) | 64;
  return { privateKey, publicKey: nobleCrypto.x25519Base(privateKey) };
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
export const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

/** Why interop cannot run here, or null if it can. Creates and deletes a probe namespace. */
export async function interopUnavailable(): Promise<string | null> {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root (network namespaces and TUN need root; run with sudo)";
  for (const tool of ["/usr/bin/wireguard-go", "/usr/bin/wg", "/usr/bin/ping", "/usr/bin/tshark"]) {
    if (!existsSync(tool)) return `${tool} missing (make setup installs wireguard-go, wireguard-tools, iputils-ping, tshark)`;
  }
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun missing (mknod /dev/net/tun c 10 200)";
  const probe = `${PREFIX}${process.pid}probe`;
  const add = await run(["ip", "netns", "add", probe], { allowFail: true }).catch((e: Error) => ({ code: -1, stderr: e.message, stdout: "" }));
  if (add.code !== 0) return `'ip netns add' failed: ${add.stderr.trim()}`;
  await run(["ip", "netns", "del", probe], { allowFail: true });
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Delete namespaces left behind by an earlier run of ours whose process is gone. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const list = await run(["ip", "netns", "list"], { allowFail: true });
  const removed: string[] = [];
  for (const line of list.stdout.split("\n")) {
    const name = line.split(" ")[0];
    const m = /^hwi(\d+)[a-z]/.exec(name);
    if (!m) continue;
    if (pidAlive(Number(m[1]))) continue;
    await killNamespaceProcesses(name);
    await run(["ip", "netns", "del", name], { allowFail: true });
    removed.push(name);
  }
  // wireguard-go's control sockets outlive a SIGKILLed daemon.
  const dir = "/var/run/wireguard";
  const sockets = existsSync(dir) ? readdirSync(dir) : [];
  for (const f of sockets) {
    const m = /^hwg(\d+)[a-z]\.sock$/.exec(f);
    if (!m || pidAlive(Number(m[1]))) continue;
    rmSync(join(dir, f), { force: true });
    removed.push(join(dir, f));
  }
  return removed;
}

/** SIGKILL every process still inside one of our namespaces (only ever our own children). */
async function killNamespaceProcesses(ns: string): Promise<void> {
  const pids = await run(["ip", "netns", "pids", ns], { allowFail: true });
  for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

export class Topology {
  readonly home: string;
  readonly dev: string;
  readonly tag: string;
  readonly dir: string;
  private readonly children: Child[] = [];
  private destroyed = false;

  private constructor(tag: string) {
    this.tag = tag;
    this.home = `${tag}h`;
    this.dev = `${tag}d`;
    this.dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  }

  static async create(): Promise<Topology> {
    const t = new Topology(`${PREFIX}${process.pid}x${counter++}`);
    try {
      await run(["ip", "netns", "add", t.home]);
      await run(["ip", "netns", "add", t.dev]);
      await run(["ip", "-n", t.home, "link", "set", "lo", "up"]);
      await run(["ip", "-n", t.dev, "link", "set", "lo", "up"]);
      await run(["ip", "-n", t.home, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", t.dev]);
      await run(["ip", "-n", t.home, "addr", "add", `${HOME_OUTER}/24`, "dev", "veth0"]);
      await run(["ip", "-n", t.dev, "addr", "add", `${DEV_OUTER}/24`, "dev", "veth0"]);
      // nodad: usable at once (no duplicate address detection on a link this test made).
      await run(["ip", "-n", t.home, "addr", "add", `${HOME_OUTER6}/64`, "dev", "veth0", "nodad"]);
      await run(["ip", "-n", t.dev, "addr", "add", `${DEV_OUTER6}/64`, "dev", "veth0", "nodad"]);
      await run(["ip", "-n", t.home, "link", "set", "veth0", "up"]);
      await run(["ip", "-n", t.dev, "link", "set", "veth0", "up"]);
    } catch (e) {
      await t.destroy();
      throw e;
    }
    return t;
  }

  /** argv prefixed to run inside a namespace. */
  exec(ns: string, argv: string[]): string[] {
    return ["ip", "netns", "exec", ns, ...argv];
  }

  /** Start a long-lived child inside a namespace; it is stopped by destroy(). */
  spawn(name: string, ns: string, argv: string[], options: ConstructorParameters<typeof Child>[2] = {}): Child {
    const c = new Child(name, this.exec(ns, argv), options);
    this.children.push(c);
    return c;
  }

  adopt<T extends { stop(): Promise<void> }>(thing: T): T {
    this.children.push(thing as unknown as Child);
    return thing;
  }

  /** A file only root can read, for key material handed to wg(8). */
  secretFile(name: string, bytes: Uint8Array): string {
    const path = join(this.dir, name);
    writeFileSync(path, b64(bytes) + "\n", { mode: 0o600 });
    return path;
  }

  async namespacesExist(): Promise<boolean> {
    const list = await run(["ip", "netns", "list"]);
    return list.stdout.split("\n").some((l) => l.startsWith(this.home + " ") || l === this.home || l.startsWith(this.dev + " ") || l === this.dev);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(this.children.map((c) => c.stop().catch(() => {})));
    for (const ns of [this.home, this.dev]) {
      await killNamespaceProcesses(ns);
      await run(["ip", "netns", "del", ns], { allowFail: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface WgPeerConfig {
  publicKey: Uint8Array;
  allowedIps: string[];
  endpoint?: string | null;
  presharedKey?: Uint8Array | null;
  persistentKeepalive?: number;
}

export interface WgConfig {
  /** The key itself, or a file already holding it in base64 (e.g. from `wg genkey`). */
  privateKey: Uint8Array | { file: string };
  listenPort: number;
  /** "10.77.0.1/24", or one per family (["10.77.0.1/24", "fd77::1/64"]). */
  address: string | string[];
  /** The peer itself, or a wg(8)-format file with a [Peer] section (e.g. from `homewire peer-config`). */
  peer: WgPeerConfig | { confFile: string };
}

export interface WgPeerDump {
  endpoint: string | null;
  latestHandshake: number; // unix seconds, 0 = never
  rxBytes: number;
  txBytes: number;
  persistentKeepalive: string;
  presharedKey: boolean;
}

/** Debian's wireguard-go in a namespace, configured with wg(8). */
export class WireguardGo {
  readonly ifname: string;
  private child: Child | null = null;
  private static seq = 0;

  constructor(private readonly topo: Topology, readonly ns: string, private readonly config: WgConfig) {
    this.ifname = `hwg${process.pid}${String.fromCharCode(97 + (WireguardGo.seq++ % 26))}`;
    if (this.ifname.length > 15) throw new Error(`interface name too long: ${this.ifname}`);
  }

  get socketPath(): string {
    return `/var/run/wireguard/${this.ifname}.sock`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get log(): string {
    return this.child?.tail ?? "";
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.ifname} already running`);
    const env = { ...process.env, WG_PROCESS_FOREGROUND: "1", LOG_LEVEL: "verbose" };
    this.child = this.topo.spawn(`wireguard-go ${this.ifname}`, this.ns, ["wireguard-go", "-f", this.ifname], { env });
    await waitFor(`${this.socketPath} to appear`, () => {
      if (!this.child!.running) throw new Error(`wireguard-go exited: ${this.child!.tail}`);
      return existsSync(this.socketPath);
    }, 5000, 50);
    await this.configure();
  }

  private async configure(): Promise<void> {
    const c = this.config;
    const keyFile = c.privateKey instanceof Uint8Array ? this.topo.secretFile(`${this.ifname}.key`, c.privateKey) : c.privateKey.file;
    const args = ["wg", "set", this.ifname, "private-key", keyFile, "listen-port", String(c.listenPort)];
    if ("confFile" in c.peer) {
      await run(this.topo.exec(this.ns, args));
      await run(this.topo.exec(this.ns, ["wg", "addconf", this.ifname, c.peer.confFile]));
    } else {
      const p = c.peer;
      args.push("peer", b64(p.publicKey), "allowed-ips", p.allowedIps.join(","));
      if (p.endpoint) args.push("endpoint", p.endpoint);
      if (p.presharedKey) args.push("preshared-key", this.topo.secretFile(`${this.ifname}.psk`, p.presharedKey));
      if (p.persistentKeepalive) args.push("persistent-keepalive", String(p.persistentKeepalive));
      await run(this.topo.exec(this.ns, args));
    }
    for (const a of typeof c.address === "string" ? [c.address] : c.address) {
      await run(["ip", "-n", this.ns, "addr", "add", a, "dev", this.ifname, ...(a.includes(":") ? ["nodad"] : [])]);
    }
    await run(["ip", "-n", this.ns, "link", "set", this.ifname, "up"]);
  }

  /** Tell wireguard-go where the peer is (wg set ... endpoint), as `wg set` would by hand. */
  async setPeerEndpoint(endpoint: string): Promise<void> {
    if ("confFile" in this.config.peer) throw new Error("setPeerEndpoint: the peer came from a conf file");
    await run(this.topo.exec(this.ns, ["wg", "set", this.ifname, "peer", b64(this.config.peer.publicKey), "endpoint", endpoint]));
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    await this.child.stop();
    this.child = null;
    // wireguard-go removes its socket on a clean exit; a SIGKILLed one leaves it behind.
    rmSync(this.socketPath, { force: true });
  }

  async restart(): Promise<void> {
    await this.stop();
    await sleep(100);
    await this.start();
  }

  async dump(): Promise<WgPeerDump> {
    const out = await run(this.topo.exec(this.ns, ["wg", "show", this.ifname, "dump"]));
    const lines = out.stdout.trim().split("\n");
    if (lines.length < 2) throw new Error(`wg show ${this.ifname} dump: no peer line`);
    // public-key preshared-key endpoint allowed-ips latest-handshake rx tx persistent-keepalive
    const f = lines[1].split("\t");
    return {
      endpoint: f[2] === "(none)" ? null : f[2],
      latestHandshake: Number(f[4]),
      rxBytes: Number(f[5]),
      txBytes: Number(f[6]),
      persistentKeepalive: f[7],
      presharedKey: f[1] !== "(none)",
    };
  }
}

/** ping(8) from inside a namespace: true if at least one reply came back. */
export async function nsPing(topo: Topology, ns: string, dst: string, count = 1, waitS = 2): Promise<{ ok: boolean; output: string }> {
  const r = await run(topo.exec(ns, ["ping", "-n", "-c", String(count), "-W", String(waitS), "-i", "0.2", dst]), { allowFail: true, timeoutMs: (count * 0.2 + waitS + 3) * 1000 });
  return { ok: r.code === 0, output: r.stdout + r.stderr };
}

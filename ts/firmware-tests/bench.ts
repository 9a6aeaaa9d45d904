// One firmware bench: the interop harness's namespaces (ts/interop/netns.ts) with the device
// side replaced by the host-board firmware. In the "dev" namespace the veth loses its address
// and is bridged with a TAP; the firmware's lwIP owns 192.168.77.2 on that TAP. Home runs
// Debian's wireguard-go and a UDP collector on its tunnel address.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Child, JsonAgent, run, waitFor } from "../interop/proc.ts";
import { b64, generateKeyPair, Topology, WireguardGo, DEV_INNER, DEV_OUTER, HOME_INNER, HOME_OUTER, type KeyPair } from "../interop/netns.ts";

export const HOME_PORT = 51820;
export const DEV_PORT = 51820;
export const COLLECTOR_PORT = 9999;
export const TAP = "hwtap0";
const UDP_AGENT = new URL("../interop/udp-agent.ts", import.meta.url).pathname;
export const FLOOD = new URL("./flood.ts", import.meta.url).pathname;

export const ENGINE = process.env.ENGINE ?? "duktape";
export const FIRMWARE_BIN = resolve(process.env.HW_FIRMWARE_BIN ?? `build/firmware/${ENGINE}/homewire-host`);
/** Engine heap ceiling given to the firmware (bytes). */
export const HEAP_LIMIT = Number(process.env.HW_FIRMWARE_HEAP ?? 512 * 1024);
export const FIRMWARE_IMAGE = resolve(process.env.HW_FIRMWARE_IMAGE ?? `build/firmware/${ENGINE}/homewire.image`);

export interface BenchOptions {
  deviceKnowsHome?: boolean; // default true: the device can initiate
  homeKnowsDevice?: boolean; // default false
  psk?: boolean;
}

export interface ExitReport {
  code: number | null;
  heapPeak: number | null;
  heapLimit: number | null;
  lines: string[];
}

export class FirmwareBench {
  readonly home: KeyPair = generateKeyPair();
  readonly dev: KeyPair = generateKeyPair();
  readonly psk: Uint8Array | null;
  readonly wg: WireguardGo;
  readonly storePath: string;
  readonly configPath: string;
  collector: JsonAgent | null = null;
  firmware: Child | null = null;
  lines: string[] = [];

  private constructor(readonly topo: Topology, readonly options: BenchOptions) {
    this.psk = options.psk ? generateKeyPair().privateKey : null;
    this.storePath = join(topo.dir, "firmware-store.txt");
    this.configPath = join(topo.dir, "device.json");
    this.wg = new WireguardGo(topo, topo.home, {
      privateKey: this.home.privateKey,
      listenPort: HOME_PORT,
      address: `${HOME_INNER}/24`,
      peer: {
        publicKey: this.dev.publicKey,
        allowedIps: [`${DEV_INNER}/32`],
        endpoint: options.homeKnowsDevice ? `${DEV_OUTER}:${DEV_PORT}` : null,
        presharedKey: this.psk,
      },
    });
    // The device config exactly as the config parser (ts/app/config.ts) reads it; 0600 (a key).
    const config = {
      privateKey: b64(this.dev.privateKey),
      address: `${DEV_INNER}/24`,
      listenPort: DEV_PORT,
      peer: {
        publicKey: b64(this.home.publicKey),
        ...(this.psk ? { presharedKey: b64(this.psk) } : {}),
        ...(options.deviceKnowsHome === false ? {} : { endpoint: `${HOME_OUTER}:${HOME_PORT}` }),
        allowedIps: [`${HOME_INNER}/32`],
      },
    };
    writeFileSync(this.configPath, JSON.stringify(config), { mode: 0o600 });
  }

  static async create(options: BenchOptions = {}): Promise<FirmwareBench> {
    const topo = await Topology.create();
    try {
      const ns = topo.dev;
      // The dev side's kernel must not answer for 192.168.77.2: lwIP does, behind the TAP.
      await run(["ip", "-n", ns, "addr", "flush", "dev", "veth0"]);
      await run(["ip", "-n", ns, "link", "add", "br0", "type", "bridge"]);
      await run(["ip", "-n", ns, "tuntap", "add", "dev", TAP, "mode", "tap"]);
      await run(["ip", "-n", ns, "link", "set", "veth0", "master", "br0"]);
      await run(["ip", "-n", ns, "link", "set", TAP, "master", "br0"]);
      for (const dev of ["br0", TAP]) await run(["ip", "-n", ns, "link", "set", dev, "up"]);
      const b = new FirmwareBench(topo, options);
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

  /** Boots the firmware (a fresh process: its clock starts at 0). Resolves once it is up. */
  async startFirmware(app: Record<string, unknown> = { readingIntervalMs: 1000, statusIntervalMs: 1000 }): Promise<void> {
    if (this.firmware?.running) throw new Error("firmware already running");
    this.lines = [];
    const appJson = JSON.stringify({ collector: `${HOME_INNER}:${COLLECTOR_PORT}`, name: "fwtest", ...app });
    this.firmware = this.topo.spawn("firmware", this.topo.dev, [FIRMWARE_BIN, "--tap", TAP, "--ip", `${DEV_OUTER}/24`,
      "--config", this.configPath, "--store", this.storePath, "--bundle", FIRMWARE_IMAGE, "--app", appJson,
      "--status-ms", "2000", "--heap", String(HEAP_LIMIT)], {
      onLine: (line) => {
        if (this.lines.length < 20000) this.lines.push(line);
      },
    });
    await waitFor("firmware start", () => {
      if (!this.firmware!.running) throw new Error(`firmware exited:\n${this.firmware!.tail}`);
      return this.lines.some((l) => l.startsWith("[started]"));
    }, 10000, 50);
  }

  /** SIGTERM and the exit report (heap peak from the runtime's last status line). */
  async stopFirmware(): Promise<ExitReport> {
    const fw = this.firmware;
    if (!fw) throw new Error("firmware not started");
    await fw.stop(5000);
    const { code } = await fw.exited;
    this.firmware = null;
    const exit = this.lines.filter((l) => l.startsWith("[exit]")).pop() ?? "";
    const num = (k: string) => {
      const m = new RegExp(`${k}=(\\d+)`).exec(exit);
      return m ? Number(m[1]) : null;
    };
    return { code, heapPeak: num("heap-peak"), heapLimit: num("heap-limit"), lines: this.lines };
  }

  get running(): boolean {
    return this.firmware?.running ?? false;
  }

  /** The app's latest status line ("[info] status {json}"). */
  appStatus(): any | null {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const m = /^\[info\] status (\{.*\})$/.exec(this.lines[i]);
      if (m) return JSON.parse(m[1]);
    }
    return null;
  }

  /** Readings the collector received (parsed JSON), in arrival order. */
  readings(): { device: string; seq: number; uptimeMs: number; celsius: number }[] {
    return (this.collector?.events ?? []).filter((e) => e.event === "udp").map((e) => JSON.parse(String(e.text)));
  }

  async waitReadings(n: number, timeoutMs: number): Promise<void> {
    await waitFor(`${n} readings at the collector`, () => {
      if (this.firmware && !this.firmware.running) throw new Error("firmware exited");
      return this.readings().length >= n;
    }, timeoutMs, 100);
  }

  storeText(): string {
    return existsSync(this.storePath) ? readFileSync(this.storePath, "utf8") : "";
  }

  diagnostics(): string {
    return `--- wireguard-go ---\n${this.wg.log.split("\n").slice(-25).join("\n")}\n--- firmware ---\n${this.lines.slice(-40).join("\n")}`;
  }

  async destroy(): Promise<void> {
    await this.topo.destroy();
  }
}

// The homewire endpoint on Node, as a process would run it: the protocol core (Device) on the
// Node platform, its outer UDP socket, the inner IPv4 stack in lwIP's place, and a tick timer.
// Shared by the interop device agent and the demo sensor.
import type { DeviceConfig } from "../wireguard/device.ts";
import { SensorDevice } from "../wireguard/sensordevice.ts";
import { NamedEndpoint } from "../wireguard/endpointname.ts";
import { parseIp } from "../wireguard/allowedips.ts";
import { createNodePlatform, NodeUdp, type NodeClockOptions, type NodePlatform } from "../platform/node/index.ts";
import { InnerStack } from "../inner/stack.ts";
import type { Address } from "../platform/platform.ts";

export interface EndpointOptions {
  /** The peer's endpoint may be a DNS name: a NamedEndpoint then looks it up beside the Device. */
  config: DeviceConfig;
  /** Seconds between lookups of an endpoint name (default 300). */
  resolveIntervalSeconds?: number;
  listen: Address;
  innerAddress: string;
  storePath?: string;
  /** File standing in for the retained region (RTC memory): a session kept across a sleep. */
  retainedPath?: string;
  /** DNS servers for an endpoint name (else the system's resolver). */
  dnsServers?: string[];
  clock?: NodeClockOptions;
  tickMs?: number;
  log?: (level: number, message: string) => void;
}

export class NodeEndpoint {
  private timer: ReturnType<typeof setInterval> | null = null;
  tickErrors = 0;
  /** Called after the device on every tick (an app's work, e.g. the sensor). */
  onTick: (() => void) | null = null;
  /** Set when the peer's endpoint is a DNS name. */
  named: NamedEndpoint | null = null;

  private constructor(readonly device: SensorDevice, readonly platform: NodePlatform, readonly udp: NodeUdp, readonly inner: InnerStack) {}

  static async start(options: EndpointOptions): Promise<NodeEndpoint> {
    const udp = await NodeUdp.bind(options.listen.host, options.listen.port);
    let inner: InnerStack | null = null;
    let device: SensorDevice | null = null;
    try {
      const platform = createNodePlatform({
        udp,
        deliverToTunnel: (packet) => inner!.receive(packet),
        storePath: options.storePath,
        retainedPath: options.retainedPath,
        dnsServers: options.dnsServers,
        clock: options.clock,
        log: options.log,
      });
      const endpoint = options.config.peer.endpoint;
      const byName = endpoint != null && parseIp(endpoint.host) === null;
      device = new SensorDevice(byName ? { ...options.config, peer: { ...options.config.peer, endpoint: null } } : options.config, platform);
      const dev = device;
      inner = new InnerStack({ address: options.innerAddress, send: (packet) => dev.onTunnelPacket(packet) });
      udp.onDatagram((bytes, from) => dev.onDatagram(bytes, from));
      const ep = new NodeEndpoint(dev, platform, udp, inner);
      if (byName) ep.named = new NamedEndpoint(dev, endpoint!, options.resolveIntervalSeconds ?? 300, platform.resolver!, platform.clock, platform.io.log);
      ep.timer = setInterval(() => ep.tick(), options.tickMs ?? 100);
      return ep;
    } catch (e) {
      await udp.close();
      throw e;
    }
  }

  tick(): void {
    try {
      this.device.tick();
      this.named?.tick();
      this.onTick?.();
    } catch (e) {
      // A throwing tick is a core bug: count it (tests assert zero) and keep the process alive.
      this.tickErrors++;
      this.platform.io.log(0, `tick threw: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.inner.close();
    await this.udp.close();
  }
}

// The Node platform in one call: @noble crypto, OS randomness, an adjustable clock, a durable
// file store (or memory) and a UDP socket. Used by the interop agent, the demo and the CLI.
import type { Platform } from "../platform.ts";
import { nobleCrypto } from "./crypto.ts";
import { nodeRandom } from "./random.ts";
import { NodeClock, type NodeClockOptions } from "./clock.ts";
import { FileStore, MemoryStore } from "./store.ts";
import { NodeUdp, nodeIo, lineLogger } from "./udp.ts";
import { FileRetained, MemoryRetained } from "./retained.ts";
import { nodeResolver } from "./resolver.ts";

export { nobleCrypto, nodeRandom, NodeClock, FileStore, MemoryStore, NodeUdp, nodeIo, lineLogger, FileRetained, MemoryRetained, nodeResolver };
export type { NodeClockOptions };

export interface NodePlatformOptions {
  udp: NodeUdp;
  deliverToTunnel: (packet: Uint8Array) => void;
  /** File for the Store; absent = in memory. */
  storePath?: string;
  /** File for the retained region (a session kept across a simulated deep sleep); absent = none. */
  retainedPath?: string;
  /** DNS servers for an endpoint name ("192.0.2.53" or "192.0.2.53:5353"); absent = the system's. */
  dnsServers?: string[];
  clock?: NodeClockOptions;
  log?: (level: number, message: string) => void;
}

export interface NodePlatform extends Platform {
  clock: NodeClock;
}

export function createNodePlatform(options: NodePlatformOptions): NodePlatform {
  const platform: NodePlatform = {
    crypto: nobleCrypto,
    random: nodeRandom,
    clock: new NodeClock(options.clock),
    store: options.storePath ? new FileStore(options.storePath) : new MemoryStore(),
    io: nodeIo({ udp: options.udp, deliverToTunnel: options.deliverToTunnel, log: options.log }),
    resolver: nodeResolver(options.dnsServers),
  };
  if (options.retainedPath) platform.retained = new FileRetained(options.retainedPath);
  return platform;
}

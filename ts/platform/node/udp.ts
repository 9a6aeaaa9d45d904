// The outer UDP socket on Node (node:dgram) and the Io the core emits its effects through.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_WARN, type Address, type Io } from "../platform.ts";

export type DatagramHandler = (bytes: Uint8Array, from: Address) => void;

export class NodeUdp {
  private handler: DatagramHandler | null = null;
  private closed = false;
  /** Send errors are reported here instead of thrown: sendDatagram is fire-and-forget. */
  onError: (message: string) => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.on("message", (msg, rinfo) => {
      if (!this.handler) return;
      // A plain copy: the core may keep or wipe what it is given.
      const bytes = new Uint8Array(msg.length);
      bytes.set(msg);
      this.handler(bytes, { host: rinfo.address, port: rinfo.port });
    });
    socket.on("error", (e) => this.onError(`udp socket: ${e.message}`));
  }

  /** Bind a UDP socket; port 0 picks a free one. */
  static bind(host: string, port: number): Promise<NodeUdp> {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(new RangeError(`NodeUdp.bind: bad port ${port}`));
    const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      socket.once("error", fail);
      socket.bind(port, host, () => {
        socket.off("error", fail);
        resolve(new NodeUdp(socket));
      });
    });
  }

  onDatagram(handler: DatagramHandler | null): void {
    this.handler = handler;
  }

  address(): Address {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  send(bytes: Uint8Array, to: Address): void {
    if (this.closed) return;
    // Copy now: dgram sends asynchronously and the caller may reuse the array when we return.
    const copy = Buffer.from(bytes);
    this.socket.send(copy, to.port, to.host, (e) => {
      if (e) this.onError(`udp send to ${to.host}:${to.port}: ${e.message}`);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

const LEVEL_NAMES = ["error", "warn", "info", "debug"];

/** A log sink writing "<level> <message>" lines; messages at a level above maxLevel are dropped. */
export function lineLogger(write: (line: string) => void, maxLevel: number = LOG_INFO): (level: number, message: string) => void {
  return (level, message) => {
    if (level > maxLevel) return;
    write(`${LEVEL_NAMES[level] ?? `level${level}`} ${message}`);
  };
}

export interface NodeIoOptions {
  udp: NodeUdp;
  /** Where decrypted inner packets go (the inner IP responder, standing in for lwIP). */
  deliverToTunnel: (packet: Uint8Array) => void;
  log?: (level: number, message: string) => void;
}

export function nodeIo(options: NodeIoOptions): Io {
  const log = options.log ?? lineLogger((line) => process.stderr.write(line + "\n"), LOG_WARN);
  options.udp.onError = (message) => log(LOG_ERROR, message);
  return {
    sendDatagram(bytes, to) {
      options.udp.send(bytes, to);
    },
    deliverToTunnel(packet) {
      options.deliverToTunnel(packet);
    },
    log,
  };
}

export { LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_WARN };

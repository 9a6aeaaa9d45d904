// A minimal inner IPv4 host standing in for lwIP on Node: it sits behind the tunnel, answers
// ICMP echo requests, matches echo replies to our pings, and hands UDP datagrams to bound ports.
// Anything else is counted and dropped, which the interop tests read as evidence.
import { parseIpv4, buildIpv4, PROTO_ICMP, PROTO_UDP } from "./ipv4.ts";
import { parseIcmpEcho, buildIcmpEcho, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST } from "./icmp.ts";
import { parseUdp, buildUdp } from "./udp.ts";

export interface UdpFrom {
  host: string;
  port: number;
}

export type UdpHandler = (data: Uint8Array, from: UdpFrom) => void;

export interface InnerStats {
  received: number;
  sent: number;
  echoRequestsAnswered: number;
  echoRepliesReceived: number;
  udpReceived: number;
  drops: Record<string, number>;
}

interface PendingPing {
  resolve: (rttMs: number) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  sentAt: number;
  data: Uint8Array;
}

export interface InnerStackOptions {
  /** Our inner address, e.g. "10.77.0.2". */
  address: string;
  /** Where outgoing inner packets go (Device.onTunnelPacket). */
  send: (packet: Uint8Array) => void;
}

export class InnerStack {
  readonly address: string;
  private readonly send: (packet: Uint8Array) => void;
  private nextId = 1;
  private readonly echoId: number;
  private nextSeq = 1;
  private readonly pings = new Map<number, PendingPing>();
  private readonly ports = new Map<number, UdpHandler>();
  readonly stats: InnerStats = { received: 0, sent: 0, echoRequestsAnswered: 0, echoRepliesReceived: 0, udpReceived: 0, drops: {} };

  constructor(options: InnerStackOptions) {
    this.address = options.address;
    this.send = options.send;
    this.echoId = (process.pid ^ 0x4857) & 0xffff;
  }

  private drop(reason: string): void {
    this.stats.drops[reason] = (this.stats.drops[reason] ?? 0) + 1;
  }

  private emit(dst: string, protocol: number, payload: Uint8Array): void {
    const packet = buildIpv4(this.address, dst, protocol, this.nextId, payload);
    this.nextId = (this.nextId + 1) & 0xffff;
    this.stats.sent++;
    this.send(packet);
  }

  /** An inner packet arrived from the tunnel (Io.deliverToTunnel). */
  receive(packet: Uint8Array): void {
    this.stats.received++;
    const ip = parseIpv4(packet);
    if (typeof ip === "string") return this.drop("ip-" + ip);
    if (ip.dst !== this.address) return this.drop("not-for-us");
    if (ip.protocol === PROTO_ICMP) return this.receiveIcmp(ip.src, ip.payload);
    if (ip.protocol === PROTO_UDP) return this.receiveUdp(ip.src, ip.dst, ip.payload);
    this.drop("protocol-" + ip.protocol);
  }

  private receiveIcmp(src: string, message: Uint8Array): void {
    const echo = parseIcmpEcho(message);
    if (typeof echo === "string") return this.drop("icmp-" + echo);
    if (echo.type === ICMP_ECHO_REQUEST) {
      this.stats.echoRequestsAnswered++;
      this.emit(src, PROTO_ICMP, buildIcmpEcho(ICMP_ECHO_REPLY, echo.id, echo.seq, echo.data));
      return;
    }
    const pending = echo.id === this.echoId ? this.pings.get(echo.seq) : undefined;
    if (!pending) return this.drop("icmp-unexpected-reply");
    if (Buffer.compare(Buffer.from(pending.data), Buffer.from(echo.data)) !== 0) return this.drop("icmp-reply-mismatch");
    this.stats.echoRepliesReceived++;
    this.pings.delete(echo.seq);
    clearTimeout(pending.timer);
    pending.resolve(performance.now() - pending.sentAt);
  }

  private receiveUdp(src: string, dst: string, segment: Uint8Array): void {
    const udp = parseUdp(segment, src, dst);
    if (typeof udp === "string") return this.drop("udp-" + udp);
    const handler = this.ports.get(udp.dstPort);
    if (!handler) return this.drop("udp-no-listener");
    this.stats.udpReceived++;
    handler(new Uint8Array(udp.data), { host: src, port: udp.srcPort });
  }

  /** Send one echo request; resolves with the round-trip time in ms, rejects after timeoutMs. */
  ping(dst: string, timeoutMs: number, size = 56): Promise<number> {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq % 0xffff) + 1;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (seq + i) & 0xff;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(seq);
        reject(new Error(`no echo reply from ${dst} (seq ${seq}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(seq, { resolve, reject, timer, sentAt: performance.now(), data });
      this.emit(dst, PROTO_ICMP, buildIcmpEcho(ICMP_ECHO_REQUEST, this.echoId, seq, data));
    });
  }

  bindUdp(port: number, handler: UdpHandler): void {
    if (this.ports.has(port)) throw new Error(`inner UDP port ${port} already bound`);
    this.ports.set(port, handler);
  }

  sendUdp(srcPort: number, dst: string, dstPort: number, data: Uint8Array): void {
    this.emit(dst, PROTO_UDP, buildUdp(this.address, dst, srcPort, dstPort, data));
  }

  /** Reject pending pings (shutdown). */
  close(): void {
    for (const [seq, p] of this.pings) {
      clearTimeout(p.timer);
      p.reject(new Error(`inner stack closed before echo reply seq ${seq}`));
    }
    this.pings.clear();
  }
}

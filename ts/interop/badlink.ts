// A bad link between device and home: a user-space UDP relay that drops, duplicates, reorders
// and delays datagrams, each direction with its own seeded generator, so a run reproduces.
//
//   device  --->  relay.listen  ==(impaired)==>  [upstream socket]  --->  home (wireguard-go)
//   device  <---  relay.listen  <==(impaired)==  [upstream socket]  <---  home
//
// The device's configured endpoint is the relay's listen address; home sees the upstream
// socket's address as the device's endpoint. One device at a time (the last one heard from).
// `LinkModel` decides the fate of each datagram and is pure; `BadLinkRelay` moves the bytes.
// The agent process (badlink-agent.ts) runs a relay inside a namespace (the interop bench's and,
// for boards, test-hil's home namespace) and answers JSON commands.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Address } from "../platform/platform.ts";

export interface Impairment {
  /** Probability a datagram is dropped. */
  loss: number;
  /** Probability a datagram that is not dropped is delivered twice. */
  duplicate: number;
  /** Probability a datagram is held back by reorderMs, so that later ones overtake it. */
  reorder: number;
  /** One-way delay of every datagram, plus a uniform 0..jitterMs. */
  delayMs: number;
  jitterMs: number;
  reorderMs: number;
  /** The duplicate follows the original after this long. */
  duplicateGapMs: number;
}

export const CLEAN_LINK: Impairment = { loss: 0, duplicate: 0, reorder: 0, delayMs: 0, jitterMs: 0, reorderMs: 30, duplicateGapMs: 1 };

/** Checks an impairment, naming the bad field. */
export function checkImpairment(i: Partial<Impairment>): Impairment {
  const out = { ...CLEAN_LINK, ...i };
  for (const k of ["loss", "duplicate", "reorder"] as const) {
    if (typeof out[k] !== "number" || !(out[k] >= 0 && out[k] <= 1)) throw new RangeError(`impairment.${k}: a probability in 0..1, got ${out[k]}`);
  }
  for (const k of ["delayMs", "jitterMs", "reorderMs", "duplicateGapMs"] as const) {
    if (typeof out[k] !== "number" || !(out[k] >= 0 && out[k] <= 60000)) throw new RangeError(`impairment.${k}: milliseconds in 0..60000, got ${out[k]}`);
  }
  return out;
}

/** xorshift32: small, fast, deterministic; statistics only, nothing secret. */
export class LinkRandom {
  private state: number;
  constructor(seed: number) {
    // Nearby seeds (the relay derives one per direction) must not give related streams: mix
    // the seed (murmur3's finalizer), then skip xorshift's first outputs.
    let h = (seed ^ 0x6d2b79f5) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0 || 0x9e3779b9;
    for (let i = 0; i < 8; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
}

/** What happens to one datagram: the delays (ms) of the copies delivered; none = dropped. */
export interface Fate {
  copies: number[];
  reordered: boolean;
}

export interface DirectionStats {
  received: number;
  dropped: number;
  /** Datagrams sent on (each copy counts), duplicated, held back to be overtaken. */
  delivered: number;
  duplicated: number;
  reordered: number;
  /** The same per WireGuard message type (first byte 1..4; anything else under 0). */
  byType: Record<number, { received: number; dropped: number; duplicated: number; reordered: number }>;
}

function emptyStats(): DirectionStats {
  return { received: 0, dropped: 0, delivered: 0, duplicated: 0, reordered: 0, byType: {} };
}

/** The fate of each datagram in one direction. Every datagram draws the same four numbers,
 *  whatever its fate, so the sequence of fates depends only on the seed and the count. */
export class LinkModel {
  private random: LinkRandom;
  readonly stats: DirectionStats = emptyStats();
  constructor(readonly impairment: Impairment, seed: number) {
    this.random = new LinkRandom(seed);
  }

  decide(type = -1): Fate {
    const i = this.impairment;
    const lost = this.random.next() < i.loss;
    const dup = this.random.next() < i.duplicate;
    const reordered = this.random.next() < i.reorder;
    const jitter = this.random.next() * i.jitterMs;
    const s = this.stats;
    const t = (s.byType[type] ??= { received: 0, dropped: 0, duplicated: 0, reordered: 0 });
    s.received++;
    t.received++;
    if (lost) {
      s.dropped++;
      t.dropped++;
      return { copies: [], reordered: false };
    }
    const delay = i.delayMs + jitter + (reordered ? i.reorderMs : 0);
    const copies = dup ? [delay, delay + i.duplicateGapMs] : [delay];
    s.delivered += copies.length;
    if (dup) { s.duplicated++; t.duplicated++; }
    if (reordered) { s.reordered++; t.reordered++; }
    return { copies, reordered };
  }
}

export interface RelayOptions {
  /** Where the device sends to (the device's configured endpoint). */
  listen: Address;
  /** Home: where datagrams from the device go. */
  upstream: Address;
  /** Local address of the upstream socket (port 0: any). */
  upstreamBind?: Address;
  toHome: Partial<Impairment>;
  toDevice: Partial<Impairment>;
  seed: number;
}

function udpSocket(host: string): Socket {
  return createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
}

function bind(s: Socket, a: Address): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.bind(a.port, a.host, () => {
      s.off("error", reject);
      resolve();
    });
  });
}

export class BadLinkRelay {
  readonly toHome: LinkModel;
  readonly toDevice: LinkModel;
  /** The device's address as last heard from: where home's datagrams go. */
  device: Address | null = null;
  /** The last datagram of each WireGuard type seen in each direction (tests replay them). */
  readonly lastSeen: { toHome: Record<number, Uint8Array>; toDevice: Record<number, Uint8Array> } = { toHome: {}, toDevice: {} };
  /** Transport messages from the device whose (receiver index, counter) the relay had already
   *  seen arrive from it: a nonce used twice under one key (counted before the link model acts,
   *  so the relay's own duplicates never count). Should stay 0, across deep sleeps and crashes. */
  nonceReuse = 0;
  private seenNonces = new Set<string>();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;
  /** A socket on another port of the relay's host: the source of inject({ fromElsewhere }). */
  private elsewhere: Socket | null = null;

  private constructor(private readonly front: Socket, private readonly back: Socket, readonly options: RelayOptions) {
    this.toHome = new LinkModel(checkImpairment(options.toHome), options.seed * 2 + 1);
    this.toDevice = new LinkModel(checkImpairment(options.toDevice), options.seed * 2 + 2);
    front.on("message", (msg, rinfo) => {
      this.device = { host: rinfo.address, port: rinfo.port };
      if (msg.length >= 32 && msg[0] === 4) {
        const nonce = msg.subarray(4, 16).toString("hex"); // receiver index and counter
        if (this.seenNonces.has(nonce)) this.nonceReuse++;
        else this.seenNonces.add(nonce);
      }
      this.forward(this.toHome, this.lastSeen.toHome, new Uint8Array(msg), back, options.upstream);
    });
    back.on("message", (msg, rinfo) => {
      // Only what comes from home goes back to the device.
      if (rinfo.port !== options.upstream.port || this.device === null) return;
      this.forward(this.toDevice, this.lastSeen.toDevice, new Uint8Array(msg), front, this.device);
    });
    front.on("error", () => {});
    back.on("error", () => {});
  }

  static async start(options: RelayOptions): Promise<BadLinkRelay> {
    const front = udpSocket(options.listen.host);
    const back = udpSocket(options.upstream.host);
    try {
      await bind(front, options.listen);
      await bind(back, options.upstreamBind ?? { host: isIPv6(options.upstream.host) ? "::" : "0.0.0.0", port: 0 });
    } catch (e) {
      front.close();
      back.close();
      throw e;
    }
    return new BadLinkRelay(front, back, options);
  }

  /** The device-facing address (the device's endpoint) and the upstream one (home sees it). */
  addresses(): { listen: Address; upstream: Address } {
    const f = this.front.address(), b = this.back.address();
    return { listen: { host: f.address, port: f.port }, upstream: { host: b.address, port: b.port } };
  }

  /** Send bytes to the device outside the link model, from the relay's listen address or, with
   *  fromElsewhere, from another port: an off-path attacker replaying what it captured. Returns
   *  the source address used. */
  async inject(bytes: Uint8Array, options: { fromElsewhere?: boolean } = {}): Promise<Address> {
    const dest = this.device;
    if (dest === null) throw new Error("inject: no device heard from yet");
    let socket = this.front;
    if (options.fromElsewhere) {
      if (this.elsewhere === null) {
        const s = udpSocket(this.options.listen.host);
        s.on("error", () => {});
        await bind(s, { host: this.options.listen.host, port: 0 });
        this.elsewhere = s;
      }
      socket = this.elsewhere;
    }
    await new Promise<void>((resolve, reject) => socket.send(bytes, dest.port, dest.host, (e) => (e ? reject(e) : resolve())));
    const a = socket.address();
    return { host: a.address, port: a.port };
  }

  stats(): { toHome: DirectionStats; toDevice: DirectionStats } {
    return { toHome: this.toHome.stats, toDevice: this.toDevice.stats };
  }

  private forward(model: LinkModel, seen: Record<number, Uint8Array>, bytes: Uint8Array, out: Socket, to: Address): void {
    if (this.closed) return;
    const type = bytes.length > 0 && bytes[0] >= 1 && bytes[0] <= 4 ? bytes[0] : -1;
    if (type > 0) seen[type] = bytes;
    for (const delay of model.decide(type).copies) {
      const send = () => out.send(bytes, to.port, to.host);
      if (delay <= 0) {
        send();
        continue;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed) send();
      }, delay);
      this.timers.add(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const sockets = this.elsewhere ? [this.front, this.back, this.elsewhere] : [this.front, this.back];
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

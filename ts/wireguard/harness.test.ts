// Test harness for the core (no tests of its own): a fake clock, a seeded random source, an
// in-memory "wire" that carries datagrams between two Devices, and inner packet builders.
import { nobleCrypto } from "../platform/node/crypto.ts";
import { MemoryStore } from "../platform/node/store.ts";
import type { Address, Clock, Crypto, Platform, Random, Resolver, Retained, Store } from "../platform/platform.ts";
import { OPEN_BAD_COUNTER, OPEN_NOT_AUTHENTIC, OPEN_NOT_TRANSPORT, OPEN_OTHER_RECEIVER } from "../platform/platform.ts";
import { REJECT_AFTER_MESSAGES } from "./constants.ts";
import { Device, paddedLength as paddedLengthOf, type DeviceConfig } from "./device.ts";

export class FakeClock implements Clock {
  t = 0;
  wall: number | null = null;
  nowMs(): number {
    return this.t;
  }
  wallClockMs(): number | null {
    return this.wall;
  }
}

/** xorshift128+-style generator: deterministic, NOT cryptographic (tests only). */
export class SeededRandom implements Random {
  private s0: number;
  private s1: number;
  constructor(seed: number) {
    this.s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
    this.s1 = (seed * 2654435761) >>> 0 || 2;
  }
  nextU32(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.s1 = x >>> 0;
    return (this.s0 + this.s1) >>> 0;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return this.nextU32() % n;
  }
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextU32() & 0xff;
    return out;
  }
}

export interface Sent {
  bytes: Uint8Array;
  to: Address;
}

export interface Node {
  device: Device;
  platform: Platform;
  clock: FakeClock;
  store: Store;
  random: SeededRandom;
  outbox: Sent[];
  delivered: Uint8Array[];
  logs: string[];
  address: Address;
}

/** Nodes get the optional per-packet natives unless told otherwise (device-natives.test.ts runs
 *  device.test.ts this way: the same behaviour on both paths). */
let nativesByDefault = false;
export function useTransportNatives(on: boolean): void {
  nativesByDefault = on;
}

/** options.natives: the natives to install; null: none whatever the default. */
export function makeNode(config: DeviceConfig, address: Address, options: { clock?: FakeClock; store?: Store; seed?: number; crypto?: Crypto; natives?: TransportNatives | null; retained?: Retained; resolver?: Resolver; make?: (config: DeviceConfig, platform: Platform) => Device } = {}): Node {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new MemoryStore();
  const random = new SeededRandom(options.seed ?? 1);
  const outbox: Sent[] = [];
  const delivered: Uint8Array[] = [];
  const logs: string[] = [];
  const platform: Platform = {
    // A copy: the natives are installed on it.
    crypto: { ...(options.crypto ?? nobleCrypto) },
    random,
    clock,
    store,
    io: {
      sendDatagram(bytes, to) {
        outbox.push({ bytes: Uint8Array.from(bytes), to: { host: to.host, port: to.port } });
      },
      deliverToTunnel(packet) {
        delivered.push(Uint8Array.from(packet));
      },
      log(_level, message) {
        logs.push(message);
      },
    },
  };
  const natives = options.natives === undefined ? (nativesByDefault ? transportNatives() : null) : options.natives;
  if (natives) natives.install(platform, outbox, delivered);
  if (options.retained) platform.retained = options.retained;
  if (options.resolver) platform.resolver = options.resolver;
  return { device: options.make ? options.make(config, platform) : new Device(config, platform), platform, clock, store, random, outbox, delivered, logs, address };
}

/** The optional per-packet natives (Crypto.openTransport, Io.sendTransport,
 *  Io.deliverPrefixToTunnel), written here from the platform contract on top of aeadSeal /
 *  aeadOpen, counting their calls. */
export interface TransportNatives {
  openCalls: number;
  sendCalls: number;
  prefixDeliveries: number;
  /** The openTransport results, in order (counters and OPEN_* codes). */
  opened: number[];
  install(platform: Platform, outbox: Sent[], delivered: Uint8Array[]): void;
}

export function transportNatives(): TransportNatives {
  const empty = new Uint8Array(0);
  const n: TransportNatives = {
    openCalls: 0,
    sendCalls: 0,
    prefixDeliveries: 0,
    opened: [],
    install(platform, outbox, delivered) {
      const base = platform.crypto;
      platform.crypto.openTransport = (key, localIndex, message, plaintext) => {
        n.openCalls++;
        const r = openTransport(base, key, localIndex, message, plaintext);
        n.opened.push(r);
        return r;
      };
      platform.io.sendTransport = (key, counter, header, packet, paddedLength, host, port) => {
        n.sendCalls++;
        if (header.length !== 16 || header[0] !== 4 || header[1] | header[2] | header[3]) throw new RangeError("sendTransport: bad header");
        if (paddedLength !== paddedLengthOf(packet.length)) throw new RangeError("sendTransport: bad paddedLength");
        if (!(counter >= 0 && counter < REJECT_AFTER_MESSAGES && counter % 1 === 0)) throw new RangeError("sendTransport: bad counter");
        const plain = new Uint8Array(paddedLength);
        plain.set(packet);
        const sealed = base.aeadSeal(key, counter, plain, empty);
        const out = new Uint8Array(16 + sealed.length);
        out.set(header.subarray(0, 8));
        new DataView(out.buffer).setBigUint64(8, BigInt(counter), true);
        out.set(sealed, 16);
        outbox.push({ bytes: out, to: { host, port } });
        return true;
      };
      platform.io.deliverPrefixToTunnel = (plaintext, length) => {
        n.prefixDeliveries++;
        if (!(length > 0 && length <= plaintext.length)) throw new RangeError("deliverPrefixToTunnel: bad length");
        delivered.push(plaintext.slice(0, length));
      };
    },
  };
  return n;
}

function openTransport(base: Crypto, key: Uint8Array, localIndex: number, message: Uint8Array, plaintext: Uint8Array): number {
  if (message.length < 32 || message[0] !== 4 || message[1] | message[2] | message[3]) return OPEN_NOT_TRANSPORT;
  if (plaintext.length < message.length - 32) throw new RangeError("openTransport: plaintext too small");
  const view = new DataView(message.buffer, message.byteOffset, message.length);
  if (view.getUint32(4, true) !== localIndex) return OPEN_OTHER_RECEIVER;
  const counter = view.getBigUint64(8, true);
  if (counter >= BigInt(REJECT_AFTER_MESSAGES)) return OPEN_BAD_COUNTER;
  const opened = base.aeadOpen(key, Number(counter), message.subarray(16), new Uint8Array(0));
  if (opened === null) {
    plaintext.fill(0, 0, message.length - 32);
    return OPEN_NOT_AUTHENTIC;
  }
  plaintext.set(opened);
  return Number(counter);
}

export const ADDRESS_A: Address = { host: "192.0.2.1", port: 51820 };
export const ADDRESS_B: Address = { host: "198.51.100.2", port: 51821 };
export const INNER_A = "10.77.0.2";
export const INNER_B = "10.77.0.1";

export interface Keys {
  privateA: Uint8Array;
  publicA: Uint8Array;
  privateB: Uint8Array;
  publicB: Uint8Array;
}

export function makeKeys(seed = 7): Keys {
  const r = new SeededRandom(seed);
  const privateA = r.randomBytes(32);
  const privateB = r.randomBytes(32);
  return { privateA, publicA: nobleCrypto.x25519Base(privateA), privateB, publicB: nobleCrypto.x25519Base(privateB) };
}

export interface PairOptions {
  psk?: Uint8Array | null;
  /** A's persistent keepalive in seconds. */
  keepaliveA?: number;
  keepaliveB?: number;
  /** B knows A's endpoint in advance (default false: B is a pure responder). */
  bKnowsA?: boolean;
  sharedClock?: boolean;
  storeA?: Store;
  clockA?: FakeClock;
  seedA?: number;
  cryptoA?: Crypto;
  cryptoB?: Crypto;
  nativesA?: TransportNatives | null;
  nativesB?: TransportNatives | null;
}

/** A = the sensor (initiator, knows B's endpoint), B = home (responder). */
export interface Pair {
  a: Node;
  b: Node;
  keys: Keys;
  /** Carry every queued datagram to its destination until both outboxes are empty. Returns the number carried. */
  pump(filter?: (s: Sent, fromNode: Node) => boolean): number;
  configA: DeviceConfig;
  configB: DeviceConfig;
}

export function makePair(options: PairOptions = {}): Pair {
  const keys = makeKeys();
  const clock = new FakeClock();
  const configA: DeviceConfig = {
    privateKey: keys.privateA,
    peer: { publicKey: keys.publicB, presharedKey: options.psk ?? null, endpoint: ADDRESS_B, allowedIps: [INNER_B + "/32", "fd77::1/128"], persistentKeepalive: options.keepaliveA ?? 0 },
  };
  const configB: DeviceConfig = {
    privateKey: keys.privateB,
    peer: { publicKey: keys.publicA, presharedKey: options.psk ?? null, endpoint: options.bKnowsA ? ADDRESS_A : null, allowedIps: [INNER_A + "/32", "fd77::2/128"], persistentKeepalive: options.keepaliveB ?? 0 },
  };
  const a = makeNode(configA, ADDRESS_A, { clock: options.clockA ?? (options.sharedClock === false ? new FakeClock() : clock), store: options.storeA, seed: options.seedA ?? 11, crypto: options.cryptoA, natives: options.nativesA });
  const b = makeNode(configB, ADDRESS_B, { clock: options.sharedClock === false ? new FakeClock() : clock, seed: 22, crypto: options.cryptoB, natives: options.nativesB });
  const pair: Pair = { a, b, keys, configA, configB, pump: (filter) => pumpPair(pair, filter) };
  return pair;
}

/** Carries datagrams by address: whatever is sent to a node's address arrives there, from the
 *  sender's address. Anything sent elsewhere is lost. */
export function pumpPair(pair: Pair, filter?: (s: Sent, fromNode: Node) => boolean): number {
  let carried = 0;
  for (let round = 0; round < 1000; round++) {
    const { a, b } = pair;
    if (a.outbox.length === 0 && b.outbox.length === 0) return carried;
    const batches: [Node, Sent[]][] = [[a, a.outbox.splice(0)], [b, b.outbox.splice(0)]];
    for (const [from, sent] of batches) {
      for (const s of sent) {
        if (filter && !filter(s, from)) continue;
        for (const to of [a, b]) {
          if (to !== from && s.to.host === to.address.host && s.to.port === to.address.port) {
            to.device.onDatagram(s.bytes, from.address);
            carried++;
          }
        }
      }
    }
  }
  throw new Error("pump: datagrams still flowing after 1000 rounds");
}

/** Reboot A: a new Device with the same config, on the given clock and store. */
export function restartA(pair: Pair, clock: FakeClock, store: Store, seed = 99): void {
  pair.a = makeNode(pair.configA, pair.a.address, { clock, store, seed });

}

function parseV4(text: string): number[] {
  return text.split(".").map(Number);
}

/** A minimal IPv4/UDP packet (checksums zero: nothing in the core checks them). */
export function ipv4Packet(src: string, dst: string, payload: Uint8Array | number): Uint8Array {
  const body = typeof payload === "number" ? new Uint8Array(payload).map((_, i) => i & 0xff) : payload;
  const total = 20 + 8 + body.length;
  const p = new Uint8Array(total);
  p[0] = 0x45;
  p[2] = total >> 8;
  p[3] = total & 0xff;
  p[8] = 64;
  p[9] = 17;
  p.set(parseV4(src), 12);
  p.set(parseV4(dst), 16);
  p[20] = 0x30; p[21] = 0x39; // ports 12345 -> 12345
  p[22] = 0x30; p[23] = 0x39;
  p[24] = (8 + body.length) >> 8;
  p[25] = (8 + body.length) & 0xff;
  p.set(body, 28);
  return p;
}

/** A minimal IPv6/UDP packet; addresses as 16 bytes. */
export function ipv6Packet(src: Uint8Array, dst: Uint8Array, payloadLen: number): Uint8Array {
  const p = new Uint8Array(40 + 8 + payloadLen);
  p[0] = 0x60;
  p[4] = (8 + payloadLen) >> 8;
  p[5] = (8 + payloadLen) & 0xff;
  p[6] = 17;
  p[7] = 64;
  p.set(src, 8);
  p.set(dst, 24);
  return p;
}

export function v6(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfd; a[1] = 0x77; a[15] = last;
  return a;
}

/** Establish a session A -> B: A connects, datagrams flow until quiet. */
export function establish(pair: Pair): void {
  pair.a.device.connect();
  pair.pump();
}


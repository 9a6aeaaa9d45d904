// IPv4 headers for the inner stack: parse what the tunnel delivers, build what we send.
// Options are accepted on input and never emitted; fragments are refused (the tunnel MTU is
// far above anything the responder handles, and lwIP would reassemble on the device anyway).
import { internetChecksum } from "./checksum.ts";

export const PROTO_ICMP = 1;
export const PROTO_UDP = 17;
export const IPV4_HEADER_LEN = 20;

export interface Ipv4Packet {
  src: string;
  dst: string;
  protocol: number;
  ttl: number;
  id: number;
  /** The transport payload: a view into the packet, trimmed to the header's total length. */
  payload: Uint8Array;
}

export type Ipv4Error = "bad-header" | "bad-checksum" | "fragment";

export function parseAddress(text: string): Uint8Array {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new TypeError(`not a dotted IPv4 address: "${text}"`);
  }
  return new Uint8Array(parts.map(Number));
}

export function formatAddress(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

export function parseIpv4(packet: Uint8Array): Ipv4Packet | Ipv4Error {
  if (packet.length < IPV4_HEADER_LEN || packet[0] >> 4 !== 4) return "bad-header";
  const ihl = (packet[0] & 0x0f) * 4;
  const total = (packet[2] << 8) | packet[3];
  if (ihl < IPV4_HEADER_LEN || total < ihl || total > packet.length) return "bad-header";
  if (internetChecksum(packet.subarray(0, ihl)) !== 0) return "bad-checksum";
  const flagsFrag = (packet[6] << 8) | packet[7];
  if ((flagsFrag & 0x2000) !== 0 || (flagsFrag & 0x1fff) !== 0) return "fragment";
  return {
    src: formatAddress(packet.subarray(12, 16)),
    dst: formatAddress(packet.subarray(16, 20)),
    protocol: packet[9],
    ttl: packet[8],
    id: (packet[4] << 8) | packet[5],
    payload: packet.subarray(ihl, total),
  };
}

export function buildIpv4(src: string, dst: string, protocol: number, id: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const total = IPV4_HEADER_LEN + payload.length;
  if (total > 0xffff) throw new RangeError(`IPv4 packet too long: ${total}`);
  const p = new Uint8Array(total);
  p[0] = 0x45;
  p[2] = total >> 8;
  p[3] = total & 0xff;
  p[4] = (id >> 8) & 0xff;
  p[5] = id & 0xff;
  p[6] = 0x40; // don't fragment
  p[8] = ttl;
  p[9] = protocol;
  p.set(parseAddress(src), 12);
  p.set(parseAddress(dst), 16);
  const sum = internetChecksum(p.subarray(0, IPV4_HEADER_LEN));
  p[10] = sum >> 8;
  p[11] = sum & 0xff;
  p.set(payload, IPV4_HEADER_LEN);
  return p;
}

// UDP over IPv4 (RFC 768) with the pseudo-header checksum.
import { finish, sumWords } from "./checksum.ts";
import { parseAddress, PROTO_UDP } from "./ipv4.ts";

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  data: Uint8Array;
}

export type UdpError = "bad-length" | "bad-checksum";

function pseudoHeaderSum(src: string, dst: string, length: number): number {
  const ph = new Uint8Array(12);
  ph.set(parseAddress(src), 0);
  ph.set(parseAddress(dst), 4);
  ph[9] = PROTO_UDP;
  ph[10] = length >> 8;
  ph[11] = length & 0xff;
  return sumWords(ph);
}

export function parseUdp(segment: Uint8Array, src: string, dst: string): UdpDatagram | UdpError {
  if (segment.length < 8) return "bad-length";
  const length = (segment[4] << 8) | segment[5];
  if (length < 8 || length > segment.length) return "bad-length";
  const body = segment.subarray(0, length);
  const stored = (body[6] << 8) | body[7];
  // Zero means the sender did not compute one (allowed over IPv4).
  if (stored !== 0 && finish(sumWords(body, pseudoHeaderSum(src, dst, length))) !== 0) return "bad-checksum";
  return { srcPort: (body[0] << 8) | body[1], dstPort: (body[2] << 8) | body[3], data: body.subarray(8) };
}

export function buildUdp(src: string, dst: string, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const length = 8 + data.length;
  if (length > 0xffff) throw new RangeError(`UDP datagram too long: ${length}`);
  const s = new Uint8Array(length);
  s[0] = srcPort >> 8;
  s[1] = srcPort & 0xff;
  s[2] = dstPort >> 8;
  s[3] = dstPort & 0xff;
  s[4] = length >> 8;
  s[5] = length & 0xff;
  s.set(data, 8);
  let sum = finish(sumWords(s, pseudoHeaderSum(src, dst, length)));
  if (sum === 0) sum = 0xffff; // a computed zero is sent as all ones
  s[6] = sum >> 8;
  s[7] = sum & 0xff;
  return s;
}

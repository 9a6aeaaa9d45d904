// ICMP echo (RFC 792): the only ICMP the responder speaks.
import { internetChecksum } from "./checksum.ts";

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

export interface IcmpEcho {
  type: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

export type IcmpError = "bad-length" | "bad-checksum" | "not-echo";

export function parseIcmpEcho(message: Uint8Array): IcmpEcho | IcmpError {
  if (message.length < 8) return "bad-length";
  if (internetChecksum(message) !== 0) return "bad-checksum";
  const type = message[0];
  if ((type !== ICMP_ECHO_REQUEST && type !== ICMP_ECHO_REPLY) || message[1] !== 0) return "not-echo";
  return { type, id: (message[4] << 8) | message[5], seq: (message[6] << 8) | message[7], data: message.subarray(8) };
}

export function buildIcmpEcho(type: number, id: number, seq: number, data: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + data.length);
  m[0] = type;
  m[4] = (id >> 8) & 0xff;
  m[5] = id & 0xff;
  m[6] = (seq >> 8) & 0xff;
  m[7] = seq & 0xff;
  m.set(data, 8);
  const sum = internetChecksum(m);
  m[2] = sum >> 8;
  m[3] = sum & 0xff;
  return m;
}

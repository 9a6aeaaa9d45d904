// The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words.

/** Add bytes to a running 32-bit sum of big-endian 16-bit words (odd tail padded with zero). */
export function sumWords(bytes: Uint8Array, sum = 0): number {
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < bytes.length) sum += bytes[i] << 8;
  return sum;
}

/** Fold carries and complement: the value to put in a checksum field. */
export function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array): number {
  return finish(sumWords(bytes));
}

// The peer's allowed IPs (whitepaper section 2, "cryptokey routing"): an inner packet that
// arrives from the peer is delivered only if its source address lies in one of the peer's
// ranges. homewire has a single peer, so a short list scanned linearly is enough — no trie.
//
// Text parsing (IPv4 dotted quads, IPv6 with "::" and an embedded IPv4 tail) lives here too,
// because the config parser and the filter must agree on what an address is.

export interface Cidr {
  version: 4 | 6;
  /** Network address: 4 or 16 bytes, host bits cleared. */
  bytes: Uint8Array;
  prefix: number;
}

var DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
var HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | null {
  var parts = text.split(".");
  if (parts.length !== 4) return null;
  var out = new Uint8Array(4);
  for (var i = 0; i < 4; i++) {
    // Leading zeros are refused: some parsers read them as octal, so "010" is ambiguous.
    if (!DECIMAL_OCTET.test(parts[i])) return null;
    var v = parseInt(parts[i], 10);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses groups of an IPv6 half ("a:b:c"; the last may be a dotted IPv4) into 16-bit values. */
function parseIpv6Groups(text: string, allowIpv4Tail: boolean): number[] | null {
  if (text === "") return [];
  var parts = text.split(":");
  var groups: number[] = [];
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (allowIpv4Tail && i === parts.length - 1 && part.indexOf(".") >= 0) {
      var v4 = parseIpv4(part);
      if (!v4) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else {
      if (!HEX_GROUP.test(part)) return null;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | null {
  var gap = text.indexOf("::");
  var groups: number[] | null;
  if (gap < 0) {
    groups = parseIpv6Groups(text, true);
    if (!groups || groups.length !== 8) return null;
  } else {
    if (text.indexOf("::", gap + 1) >= 0) return null; // at most one "::"
    var head = parseIpv6Groups(text.substring(0, gap), false);
    var tail = parseIpv6Groups(text.substring(gap + 2), true);
    if (!head || !tail) return null;
    // "::" stands for at least one zero group.
    if (head.length + tail.length > 7) return null;
    groups = head;
    for (var z = head.length + tail.length; z < 8; z++) groups.push(0);
    for (var t = 0; t < tail.length; t++) groups.push(tail[t]);
  }
  var out = new Uint8Array(16);
  for (var i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address, or null if text is neither. No zone ids. */
export function parseIp(text: string): Uint8Array | null {
  if (typeof text !== "string") return null;
  return text.indexOf(":") >= 0 ? parseIpv6(text) : parseIpv4(text);
}

/** "10.77.0.0/24", "fd00::/64"; a bare address is a host route (/32 or /128). Host bits are
 *  cleared, as wg(8) does. Throws a TypeError quoting the bad text. */
export function parseCidr(text: string): Cidr {
  if (typeof text !== "string") throw new TypeError("not a CIDR: " + String(text));
  var slash = text.indexOf("/");
  var addrText = slash < 0 ? text : text.substring(0, slash);
  var bytes = parseIp(addrText);
  if (!bytes) throw new TypeError("not an IP address: \"" + text + "\"");
  var max = bytes.length * 8;
  var prefix = max;
  if (slash >= 0) {
    var prefixText = text.substring(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) throw new TypeError("bad prefix length in \"" + text + "\"");
    prefix = parseInt(prefixText, 10);
    if (prefix > max) throw new TypeError("prefix length " + prefix + " out of range 0.." + max + " in \"" + text + "\"");
  }
  maskHostBits(bytes, prefix);
  return { version: bytes.length === 4 ? 4 : 6, bytes: bytes, prefix: prefix };
}

function maskHostBits(bytes: Uint8Array, prefix: number): void {
  for (var i = 0; i < bytes.length; i++) {
    var keep = prefix - i * 8;
    if (keep >= 8) continue;
    bytes[i] = keep <= 0 ? 0 : bytes[i] & ((0xff << (8 - keep)) & 0xff);
  }
}

/** The CIDR back as text, IPv6 in full lowercase groups with the longest zero run as "::". */
export function formatCidr(cidr: Cidr): string {
  return formatIp(cidr.bytes) + "/" + cidr.prefix;
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes[0] + "." + bytes[1] + "." + bytes[2] + "." + bytes[3];
  var groups: number[] = [];
  for (var i = 0; i < 8; i++) groups.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // RFC 5952: compress the longest run of two or more zero groups, the first if tied.
  var bestAt = -1, bestLen = 1;
  for (var s = 0; s < 8; s++) {
    var e = s;
    while (e < 8 && groups[e] === 0) e++;
    if (e - s > bestLen) { bestAt = s; bestLen = e - s; }
    if (e > s) s = e;
  }
  var hex: string[] = [];
  for (var g = 0; g < 8; g++) hex.push(groups[g].toString(16));
  if (bestAt < 0) return hex.join(":");
  return hex.slice(0, bestAt).join(":") + "::" + hex.slice(bestAt + bestLen).join(":");
}

/** Total length of the IP packet from its header, or -1 if packet does not start with a
 *  plausible IPv4/IPv6 header or the header claims more bytes than packet holds. The device
 *  trims WireGuard's zero padding with it. */
export function ipPacketLength(packet: Uint8Array): number {
  if (packet.length < 1) return -1;
  var version = packet[0] >> 4;
  if (version === 4) {
    if (packet.length < 20) return -1;
    var headerLen = (packet[0] & 0x0f) * 4;
    var total = (packet[2] << 8) | packet[3];
    if (headerLen < 20 || total < headerLen || total > packet.length) return -1;
    return total;
  }
  if (version === 6) {
    if (packet.length < 40) return -1;
    var total6 = 40 + ((packet[4] << 8) | packet[5]);
    return total6 > packet.length ? -1 : total6;
  }
  return -1;
}

/** filteredLength: not a plausible IPv4/IPv6 packet (or its header claims more than present). */
export var NOT_AN_IP_PACKET = -1;
/** filteredLength: a well-formed packet whose checked address lies outside the peer's ranges. */
export var NOT_ALLOWED = -2;

/** The word (bits 32k .. 32k+31) of a network with `prefix` bits as the interval [low, high]
 *  of the address words it admits; `low` is the network's word (host bits already clear). */
function wordRange(network: number, prefix: number, k: number): number[] {
  var bits = prefix - 32 * k;
  if (bits <= 0) return [0, 4294967295];
  if (bits >= 32) return [network, network];
  return [network, network + Math.pow(2, 32 - bits) - 1];
}

/** Big-endian 32-bit word as an unsigned number (arithmetic: see AllowedIps). */
function wordAt(bytes: Uint8Array, at: number): number {
  return bytes[at] * 16777216 + bytes[at + 1] * 65536 + bytes[at + 2] * 256 + bytes[at + 3];
}

export class AllowedIps {
  readonly cidrs: Cidr[];
  // A range is a product of intervals of 32-bit address words (equal words, then one partial
  // word, then any), so a check on the per-packet path is two compares per word, in plain
  // arithmetic: under Duktape a bitwise operator costs ~7 times an addition or a compare.
  /** IPv4: low, high, low, high, ... */
  private v4: number[];
  /** IPv6: (low, high) for each of the 4 words, 8 numbers per range. */
  private v6: number[];

  /** Throws a TypeError quoting the first CIDR that does not parse. */
  constructor(cidrs: string[]) {
    if (!(cidrs instanceof Array)) throw new TypeError("allowed IPs must be a list of CIDRs");
    this.cidrs = [];
    this.v4 = [];
    this.v6 = [];
    for (var i = 0; i < cidrs.length; i++) {
      var c = parseCidr(cidrs[i]);
      this.cidrs.push(c);
      var words = c.version === 4 ? 1 : 4;
      var into = c.version === 4 ? this.v4 : this.v6;
      for (var k = 0; k < words; k++) {
        var range = wordRange(wordAt(c.bytes, 4 * k), c.prefix, k);
        into.push(range[0], range[1]);
      }
    }
  }

  /** Does the inner packet's source address belong to the peer? False for anything that is
   *  not an IPv4/IPv6 header. */
  allowsSource(packet: Uint8Array): boolean {
    var version = packet.length < 1 ? 0 : packet[0] >> 4;
    if (version === 4) return packet.length >= 20 && this.allowsIpv4(wordAt(packet, 12));
    if (version === 6) return packet.length >= 40 && this.allowsIpv6(packet, 8);
    return false;
  }

  /** Does the inner packet's destination lie in the peer's ranges (outbound routing)? */
  allowsDestination(packet: Uint8Array): boolean {
    var version = packet.length < 1 ? 0 : packet[0] >> 4;
    if (version === 4) return packet.length >= 20 && this.allowsIpv4(wordAt(packet, 16));
    if (version === 6) return packet.length >= 40 && this.allowsIpv6(packet, 24);
    return false;
  }

  /**
   * The per-packet check in one call: ipPacketLength(packet) (the device trims the padding with
   * it) if the packet is well formed and its source (inbound) or destination (outbound) lies in
   * the peer's ranges; else NOT_AN_IP_PACKET or NOT_ALLOWED.
   */
  filteredLength(packet: Uint8Array, source: boolean): number {
    var n = packet.length;
    var first = packet[0]; // undefined when empty: every compare below is then false
    if (first >= 0x45 && first <= 0x4f) {
      // IPv4 with a header of at least 5 words (IHL 5..15).
      if (n < 20) return -1; // NOT_AN_IP_PACKET
      var total = packet[2] * 256 + packet[3];
      if (total < (first - 0x40) * 4 || total > n) return -1;
      var at = source ? 12 : 16;
      var address = packet[at] * 16777216 + packet[at + 1] * 65536 + packet[at + 2] * 256 + packet[at + 3];
      var v4 = this.v4;
      for (var i = 0; i < v4.length; i += 2) if (address >= v4[i] && address <= v4[i + 1]) return total;
      return -2; // NOT_ALLOWED
    }
    if (first >= 0x60 && first <= 0x6f) {
      if (n < 40) return -1;
      var total6 = 40 + packet[4] * 256 + packet[5];
      if (total6 > n) return -1;
      return this.allowsIpv6(packet, source ? 8 : 24) ? total6 : -2;
    }
    return -1;
  }

  private allowsIpv4(address: number): boolean {
    var v4 = this.v4;
    for (var i = 0; i < v4.length; i += 2) if (address >= v4[i] && address <= v4[i + 1]) return true;
    return false;
  }

  private allowsIpv6(packet: Uint8Array, at: number): boolean {
    var v6 = this.v6;
    if (v6.length === 0) return false;
    var a0 = wordAt(packet, at), a1 = wordAt(packet, at + 4), a2 = wordAt(packet, at + 8), a3 = wordAt(packet, at + 12);
    for (var i = 0; i < v6.length; i += 8) {
      if (a0 >= v6[i] && a0 <= v6[i + 1] && a1 >= v6[i + 2] && a1 <= v6[i + 3] &&
        a2 >= v6[i + 4] && a2 <= v6[i + 5] && a3 >= v6[i + 6] && a3 <= v6[i + 7]) return true;
    }
    return false;
  }
}

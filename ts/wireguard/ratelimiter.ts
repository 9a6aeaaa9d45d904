// Per-source token bucket for handshake messages that carry a valid mac2 while we are under
// load (whitepaper section 5.3): a source that proved it owns its address may still not make
// us do unlimited DH work. Parameters as in the reference implementations: 20 per second,
// bursts of 5.
//
// The table is bounded and fails closed, as the Linux driver's does: when every entry belongs to
// a source seen within the last second, a new source is refused rather than given a fresh
// bucket. (Evicting the least recently seen entry instead would hand each newcomer a full bucket,
// so an attacker rotating through more sources than the table holds would never be limited.)
// IPv6 sources count per /64, the smallest block a single host is usually given; IPv4 and
// IPv4-mapped IPv6 sources count per address.

import { parseIp } from "./allowedips";
import { toHex } from "./bytes";

export var RATE_LIMIT_PER_SECOND = 20;
export var RATE_LIMIT_BURST = 5;
/** Sources remembered at once; while all are active, new sources are refused. */
export var RATE_LIMIT_MAX_ENTRIES = 64;
/** An entry idle this long has a full bucket again and can be forgotten. */
var IDLE_MS = 1000;

interface Bucket {
  key: string;
  /** Budget in ms of credit: each message costs 1000 / rate, the bucket holds burst of them. */
  tokens: number;
  last: number;
}

/** The bucket a source address is charged to: the IPv4 address (also when IPv4-mapped), or the
 *  IPv6 /64. */
export function rateLimitKey(host: string): string {
  var ip = parseIp(host);
  if (ip === null || ip.length === 4) return host;
  // "::ffff:192.0.2.1" (a dual-stack socket's IPv4 peer): its IPv4 part.
  if (host.indexOf("::ffff:") === 0 && host.indexOf(".") > 0) return host.substring(7);
  return toHex(ip.subarray(0, 8));
}

export class RateLimiter {
  private cost: number;
  private capacity: number;
  private maxEntries: number;
  private buckets: Bucket[];

  constructor(perSecond?: number, burst?: number, maxEntries?: number) {
    var rate = perSecond === undefined ? RATE_LIMIT_PER_SECOND : perSecond;
    this.cost = 1000 / rate;
    this.capacity = this.cost * (burst === undefined ? RATE_LIMIT_BURST : burst);
    this.maxEntries = maxEntries === undefined ? RATE_LIMIT_MAX_ENTRIES : maxEntries;
    this.buckets = [];
  }

  /** Spend one message of the budget of source (an IP address) at time now (ms); false if it has
   *  none left, or if it is new and the table is full of active sources. */
  allow(source: string, now: number): boolean {
    var key = rateLimitKey(source);
    var bucket: Bucket | null = null;
    for (var i = 0; i < this.buckets.length; i++) {
      if (this.buckets[i].key === key) {
        bucket = this.buckets[i];
        break;
      }
    }
    if (bucket === null) {
      if (this.buckets.length >= this.maxEntries) this.forgetIdle(now);
      if (this.buckets.length >= this.maxEntries) return false; // fail closed
      // A new source starts with a full bucket and spends one message of it.
      this.buckets.push({ key: key, tokens: this.capacity - this.cost, last: now });
      return true;
    }
    // Refill by the time elapsed since this source was last seen, up to the bucket size,
    // then spend: the elapsed time is added to the source's credit, never the other way round.
    var elapsed = now - bucket.last;
    bucket.last = now;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (elapsed > 0 ? elapsed : 0));
    if (bucket.tokens < this.cost) return false;
    bucket.tokens -= this.cost;
    return true;
  }

  /** Number of sources currently tracked (tests, long-life accounting). */
  size(): number {
    return this.buckets.length;
  }

  /** Drop entries idle for IDLE_MS or more: their buckets are full again, so forgetting them
   *  changes nothing for their sources. */
  private forgetIdle(now: number): void {
    var kept: Bucket[] = [];
    for (var i = 0; i < this.buckets.length; i++) {
      if (now - this.buckets[i].last < IDLE_MS) kept.push(this.buckets[i]);
    }
    this.buckets = kept;
  }
}

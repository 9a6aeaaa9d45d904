// Per-source token bucket for handshake messages that carry a valid mac2 while we are under
// load (whitepaper section 5.3): a source that proved it owns its address may still not make
// us do unlimited DH work. Parameters as in the reference implementations: 20 per second,
// bursts of 5.

export var RATE_LIMIT_PER_SECOND = 20;
export var RATE_LIMIT_BURST = 5;
/** Sources remembered at once; beyond this the least recently seen is forgotten. */
export var RATE_LIMIT_MAX_ENTRIES = 64;
/** An entry idle this long has a full bucket again and can be forgotten. */
var IDLE_MS = 1000;

interface Bucket {
  key: string;
  /** Budget in ms of credit: each message costs 1000 / rate, the bucket holds burst of them. */
  tokens: number;
  last: number;
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

  /** Spend one message of source's budget at time now (ms); false if it has none left. */
  allow(source: string, now: number): boolean {
    var bucket: Bucket | null = null;
    for (var i = 0; i < this.buckets.length; i++) {
      if (this.buckets[i].key === source) {
        bucket = this.buckets[i];
        break;
      }
    }
    if (bucket === null) {
      this.evict(now);
      // A new source starts with a full bucket and spends one message of it.
      this.buckets.push({ key: source, tokens: this.capacity - this.cost, last: now });
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

  /** Number of sources currently tracked (tests). */
  size(): number {
    return this.buckets.length;
  }

  /** Drop idle entries; if the table is still full, drop the least recently seen. */
  private evict(now: number): void {
    var kept: Bucket[] = [];
    for (var i = 0; i < this.buckets.length; i++) {
      if (now - this.buckets[i].last < IDLE_MS) kept.push(this.buckets[i]);
    }
    this.buckets = kept;
    if (this.buckets.length < this.maxEntries) return;
    var oldest = 0;
    for (var j = 1; j < this.buckets.length; j++) {
      if (this.buckets[j].last < this.buckets[oldest].last) oldest = j;
    }
    this.buckets.splice(oldest, 1);
  }
}

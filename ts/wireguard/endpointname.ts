// The peer's endpoint given as a DNS name ("home.example.org:51820"): when to resolve it and
// what to make of the answers (EndpointName), and the driver beside a device that does it
// (NamedEndpoint: the app runs it; it tells an EndpointDevice with setPeerEndpoint, as `wg set` would).
// The lookup itself is the platform's (Platform.resolver: lwIP's DNS client on a board, the OS
// or a configured server on Node, a fake in tests) and answers through a callback, so nothing
// here waits and the packet path never does. Its own file, outside the Device, so a firmware
// image without DNS does not carry it (the QEMU board's 256 KiB heap is nearly full).
//
// Resolved at start, then again every resolve interval (bounded), and sooner when handshakes go
// unanswered (home may have moved), at most once per RESOLVE_UNANSWERED_GAP. A failure (an
// error, no answer within RESOLVE_TIMEOUT, an answer that is not an address) is reported in the
// status and retried after 2, 4, 8 ... 64 s. A new address replaces the endpoint when it differs
// from the previous answer (home moved), or when the lookup was asked for because handshakes went
// unanswered; otherwise an endpoint learned from authenticated packets (roaming) stays.

import type { Address, Clock, Resolver } from "../platform/platform";
import { LOG_WARN } from "../platform/platform";
import { formatIp, parseIp } from "./allowedips";

/** An address a peer can be at: not unspecified (0.0.0.0, ::), not broadcast, not multicast. A
 *  DNS answer holding one of those is garbage (a misconfigured record or a blocking resolver's
 *  answer), not a place to send handshakes. */
function usableEndpoint(b: Uint8Array): boolean {
  var zero = true;
  for (var i = 0; i < b.length; i++) if (b[i] !== 0) zero = false;
  if (zero) return false;
  if (b.length === 4) return (b[0] & 0xf0) !== 0xe0 && !(b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255);
  return b[0] !== 0xff;
}

/** What NamedEndpoint needs of the device it keeps pointed at the name (EndpointDevice has it). */
export interface EndpointUser {
  setPeerEndpoint(address: Address): void;
  /** Initiations sent in the handshake in flight (more than one: the first went unanswered). */
  handshakeAttempts(): number;
  status(): { endpoint: Address | null };
}

/** Default interval between lookups while all is well (a config may choose 30 s .. 1 day). */
export var RESOLVE_INTERVAL = 300000;
export var RESOLVE_TIMEOUT = 10000;
export var RESOLVE_BACKOFF_MIN = 2000;
export var RESOLVE_BACKOFF_MAX = 64000;
/** Unanswered handshakes ask for a lookup at most this often (a retransmission comes every 5 s). */
export var RESOLVE_UNANSWERED_GAP = 15000;

export interface EndpointNameStatus {
  name: string;
  port: number;
  /** "resolving" | "resolved" | "failed" (and retrying) | "waiting" (before the first lookup) */
  state: string;
  /** The last address the name resolved to. */
  address: string | null;
  /** Why the last lookup failed, or null. */
  error: string | null;
  /** Lookups that failed in a row. */
  failures: number;
  lookups: number;
  lastResolvedMs: number | null;
}

/** What an answer means for the device: the endpoint to switch to, if any. */
export interface EndpointAnswer {
  address: Address;
  /** It differs from the previous answer: home moved. */
  changed: boolean;
  /** The lookup was asked for because handshakes went unanswered. */
  forced: boolean;
}

export class EndpointName {
  readonly name: string;
  readonly port: number;
  private intervalMs: number;
  private nextAt = 0;
  private inFlightSince: number | null = null;
  /** Numbers each lookup, so a late answer to an abandoned one (timed out) is ignored. */
  private generation = 0;
  private forced = false;
  private address: string | null = null;
  private error: string | null = null;
  private failures = 0;
  private lookups = 0;
  private lastResolvedMs: number | null = null;
  private lastStart: number | null = null;

  constructor(name: string, port: number, intervalMs?: number) {
    this.name = name;
    this.port = port;
    this.intervalMs = intervalMs === undefined ? RESOLVE_INTERVAL : intervalMs;
  }

  /** A lookup should start now (none in flight, its time has come). Also ends a lookup that
   *  took longer than RESOLVE_TIMEOUT, as a failure. */
  due(now: number): boolean {
    if (this.inFlightSince !== null) {
      if (now - this.inFlightSince < RESOLVE_TIMEOUT) return false;
      this.generation++; // its answer, should it still come, is ignored
      this.fail("no answer within " + RESOLVE_TIMEOUT / 1000 + " s", now);
    }
    return now >= this.nextAt;
  }

  /** A lookup starts: returns its number, to give back with the answer. */
  begin(now: number): number {
    this.inFlightSince = now;
    this.lastStart = now;
    this.lookups++;
    return ++this.generation;
  }

  /** Handshakes go unanswered: look again soon, unless a lookup just ran or lookups are failing
   *  (the backoff stands). */
  unanswered(now: number): void {
    if (this.failures > 0 || this.inFlightSince !== null) return;
    if (this.lastStart !== null && now - this.lastStart < RESOLVE_UNANSWERED_GAP) return;
    this.nextAt = now;
    this.forced = true;
  }

  /** The answer to lookup `generation`: addresses (strings) or an error text. Returns what the
   *  device should do with it, or null (a failure, or nothing to change). */
  finish(generation: number, addresses: unknown, error: unknown, now: number): EndpointAnswer | null {
    if (generation !== this.generation || this.inFlightSince === null) return null; // abandoned
    this.inFlightSince = null;
    var forced = this.forced;
    this.forced = false;
    if (error !== null && error !== undefined) {
      this.fail(String(error).substring(0, 80), now);
      return null;
    }
    if (!(addresses instanceof Array) || addresses.length === 0) {
      this.fail("no address in the answer", now);
      return null;
    }
    var chosen: string | null = null;
    for (var i = 0; i < addresses.length && chosen === null; i++) {
      var bytes = typeof addresses[i] === "string" ? parseIp(addresses[i]) : null;
      if (bytes !== null && usableEndpoint(bytes)) chosen = formatIp(bytes);
    }
    if (chosen === null) {
      this.fail("answer holds no usable address: " + JSON.stringify(addresses).substring(0, 60), now);
      return null;
    }
    var changed = this.address !== null && this.address !== chosen;
    var first = this.address === null;
    this.address = chosen;
    this.error = null;
    this.failures = 0;
    this.lastResolvedMs = now;
    this.nextAt = now + this.intervalMs;
    return { address: { host: chosen, port: this.port }, changed: changed || first, forced: forced };
  }

  status(): EndpointNameStatus {
    var state = this.inFlightSince !== null ? "resolving" : this.failures > 0 ? "failed" : this.address !== null ? "resolved" : "waiting";
    return {
      name: this.name, port: this.port, state: state, address: this.address, error: this.error,
      failures: this.failures, lookups: this.lookups, lastResolvedMs: this.lastResolvedMs,
    };
  }

  private fail(why: string, now: number): void {
    this.inFlightSince = null;
    this.error = why;
    this.failures++;
    var backoff = RESOLVE_BACKOFF_MIN;
    for (var i = 1; i < this.failures && backoff < RESOLVE_BACKOFF_MAX; i++) backoff *= 2;
    this.nextAt = now + (backoff < RESOLVE_BACKOFF_MAX ? backoff : RESOLVE_BACKOFF_MAX);
  }
}

/**
 * Keeps a Device pointed at a name: looks it up through the platform's resolver at start, every
 * interval, and when the Device's handshake goes unanswered (a retransmission), and gives each
 * new address to Device.setPeerEndpoint. Call tick() after Device.tick(). Never throws from tick
 * or from the resolver's callback.
 */
export class NamedEndpoint {
  private name: EndpointName;
  private device: EndpointUser;
  private resolver: Resolver;
  private clock: Clock;
  private log: (level: number, message: string) => void;

  constructor(device: EndpointUser, endpoint: Address, intervalSeconds: number, resolver: Resolver, clock: Clock, log: (level: number, message: string) => void) {
    this.name = new EndpointName(endpoint.host, endpoint.port, intervalSeconds * 1000);
    this.device = device;
    this.resolver = resolver;
    this.clock = clock;
    this.log = log;
  }

  tick(): void {
    var now = this.clock.nowMs();
    // A second initiation in the handshake in flight: the first went unanswered. (unanswered
    // itself keeps this to one lookup per RESOLVE_UNANSWERED_GAP.)
    if (this.device.handshakeAttempts() > 1) this.name.unanswered(now);
    if (!this.name.due(now)) return;
    var generation = this.name.begin(now);
    var self = this;
    try {
      this.resolver.resolve(this.name.name, function (addresses: string[] | null, error: string | null) {
        self.answered(generation, addresses, error);
      });
    } catch (e) {
      this.answered(generation, null, "resolver threw: " + (e && (e as Error).message ? (e as Error).message : String(e)));
    }
  }

  status(): EndpointNameStatus {
    return this.name.status();
  }

  private answered(generation: number, addresses: string[] | null, error: string | null): void {
    try {
      var answer = this.name.finish(generation, addresses, error, this.clock.nowMs());
      if (answer === null) {
        var st = this.name.status();
        if (st.state === "failed") this.log(LOG_WARN, "endpoint " + st.name + ": " + st.error + " (attempt " + st.failures + ")");
        return;
      }
      var current = this.device.status().endpoint;
      var moved = current === null || current.host !== answer.address.host || current.port !== answer.address.port;
      // A new answer (home moved) or an unanswered handshake moves the endpoint; an unchanged
      // answer leaves one learned from authenticated packets (roaming) where it is.
      if (moved && (current === null || answer.changed || answer.forced)) this.device.setPeerEndpoint(answer.address);
    } catch (e) {
      this.log(LOG_WARN, "endpoint lookup: " + (e && (e as Error).message ? (e as Error).message : String(e)));
    }
  }
}

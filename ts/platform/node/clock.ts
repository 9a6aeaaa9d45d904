// Clock on Node. nowMs() is monotonic and starts at 0 when the clock is created (like a device
// that just booted), plus an offset tests can only move forward: that is how the interop suite
// makes REKEY_AFTER_TIME pass in a second. wallClockMs() is Date.now(), or null to behave like a
// board without an RTC or NTP (the core must then rely on its Store for TAI64N).
import { performance } from "node:perf_hooks";
import type { Clock } from "../platform.ts";

export interface NodeClockOptions {
  /** Start the monotonic clock at this many ms instead of 0. */
  offsetMs?: number;
  /** false: simulate a device without a wall clock (wallClockMs() returns null). Default true. */
  wallClock?: boolean;
}

export class NodeClock implements Clock {
  private readonly base: number;
  private offset: number;
  private readonly hasWallClock: boolean;

  constructor(options: NodeClockOptions = {}) {
    const offset = options.offsetMs ?? 0;
    if (!Number.isFinite(offset) || offset < 0) throw new RangeError(`NodeClock: offsetMs must be >= 0, got ${offset}`);
    this.base = performance.now();
    this.offset = offset;
    this.hasWallClock = options.wallClock ?? true;
  }

  nowMs(): number {
    return Math.floor(performance.now() - this.base + this.offset);
  }

  wallClockMs(): number | null {
    // Deliberately not shifted by advance(): the monotonic offset simulates elapsed uptime for
    // the core's timers, while a real peer still compares TAI64N stamps against real time.
    return this.hasWallClock ? Date.now() : null;
  }

  /** Jump the monotonic clock forward. Never backwards: the core assumes monotonic time. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`NodeClock.advance: ms must be >= 0, got ${ms}`);
    this.offset += ms;
  }

  get offsetMs(): number {
    return this.offset;
  }
}

// TAI64N timestamps for handshake initiations (whitepaper section 5.1: the responder keeps the
// greatest timestamp it has seen from each peer and refuses anything not strictly greater).
//
// A sensor may have no wall clock, and its monotonic clock restarts at 0 on every boot. So the
// timestamps come from whichever is greatest of: the wall clock (if the platform has one), a
// floor kept in the Store plus the time since boot, and the last timestamp used plus one step.
// The floor is a reservation: before a timestamp at or beyond it is used, a new reservation
// TAI64N_RESERVE_SECONDS further on is written durably. Every timestamp ever sent is therefore
// below the stored value, and after a reboot (or crash) starting from it is always fresh.

import type { Clock, Store } from "../platform/platform";

export var TAI64N_STORE_KEY = "tai64n.reserved";
/** The greatest timestamp accepted from the peer (noise.ts): "<first 8 bytes of its public key>
 *  <TAI64N>", both in hex, so a value left by another peer (a new enrolment) is not held against
 *  this one. */
export var PEER_TAI64N_STORE_KEY = "tai64n.peer";
/** How far ahead each reservation reaches: at most one Store write per hour of handshakes. */
export var TAI64N_RESERVE_SECONDS = 3600;
/** Nanosecond granularity, as the reference implementations whiten timestamps (2^24 ns):
 *  the exact moment of an initiation is not revealed to the network. */
export var TAI64N_STEP_NS = 16777216;

var NS_PER_SECOND = 1000000000;
var TWO_POW_32 = 4294967296;
/** TAI64 labels are 2^62 + 10 + Unix seconds; 2^62 is 0x40000000 in the high word. */
var LABEL_HIGH = 0x40000000;
var LABEL_OFFSET = 10;

/** The 12-byte wire form: big-endian 64-bit label, big-endian 32-bit nanoseconds. */
export function encodeTai64n(unixSeconds: number, nanoseconds: number): Uint8Array {
  var label = unixSeconds + LABEL_OFFSET;
  var high = LABEL_HIGH + Math.floor(label / TWO_POW_32);
  var low = label % TWO_POW_32;
  var out = new Uint8Array(12);
  writeU32BE(out, 0, high);
  writeU32BE(out, 4, low);
  writeU32BE(out, 8, nanoseconds);
  return out;
}

function writeU32BE(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** a > b as TAI64N (big-endian byte order compares like the numbers). */
export function tai64nAfter(a: Uint8Array, b: Uint8Array): boolean {
  for (var i = 0; i < 12; i++) {
    if (a[i] !== b[i]) return a[i] > b[i];
  }
  return false;
}

export class Tai64nClock {
  private clock: Clock;
  private store: Store;
  /** Unix seconds: every timestamp ever produced (this boot or an earlier one) is below it. */
  private reserved: number;
  /** The reservation found at boot: timestamps of this boot start there. */
  private bootFloor: number;
  private lastSeconds: number;
  private lastNs: number;

  constructor(clock: Clock, store: Store) {
    this.clock = clock;
    this.store = store;
    var text = store.get(TAI64N_STORE_KEY);
    var stored = text === null ? 0 : parseInt(text, 10);
    // A missing or unreadable value can only mean a first boot (or a wiped store): start at 0
    // and let the wall clock, if any, take over.
    if (!(stored >= 0) || stored !== Math.floor(stored)) stored = 0;
    this.reserved = stored;
    this.bootFloor = stored;
    this.lastSeconds = -1;
    this.lastNs = 0;
  }

  /** The next timestamp, strictly greater than every earlier one. Throws if the Store refuses
   *  the reservation: sending a timestamp that is not reserved could reuse one after a crash. */
  next(): Uint8Array {
    var monotonic = this.clock.nowMs();
    var seconds = this.bootFloor + Math.floor(monotonic / 1000);
    var ns = (monotonic % 1000) * 1000000;
    var wall = this.clock.wallClockMs();
    if (wall !== null && wall >= 0) {
      var wallSeconds = Math.floor(wall / 1000);
      var wallNs = Math.floor(wall - wallSeconds * 1000) * 1000000;
      if (wallSeconds > seconds || (wallSeconds === seconds && wallNs > ns)) {
        seconds = wallSeconds;
        ns = wallNs;
      }
    }
    ns -= ns % TAI64N_STEP_NS;
    if (seconds < this.lastSeconds || (seconds === this.lastSeconds && ns <= this.lastNs)) {
      seconds = this.lastSeconds;
      ns = this.lastNs + TAI64N_STEP_NS;
      if (ns >= NS_PER_SECOND) {
        seconds++;
        ns = 0;
      }
    }
    if (seconds >= this.reserved) {
      var reservation = seconds + TAI64N_RESERVE_SECONDS;
      this.store.put(TAI64N_STORE_KEY, String(reservation));
      this.reserved = reservation;
    }
    this.lastSeconds = seconds;
    this.lastNs = ns;
    return encodeTai64n(seconds, ns);
  }
}

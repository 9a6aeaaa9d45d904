// Receive-side replay protection (whitepaper section 5.4.6): a sliding window over the
// transport counters already accepted for one keypair. Called only after the packet
// authenticated, so an attacker cannot move the window with forged counters.
//
// Layout: a ring of 32-bit words holding one bit per counter. The ring has one word more
// than the window needs, so the word that holds the newest counter never aliases the word
// that holds the oldest counter still inside the window.
//
// Per-packet path on an interpreter (Duktape: every bytecode op costs ~200 x86 instructions,
// a call or Math.floor ~1.4k): counters below 2^31 — billions of packets into a session — take
// a path of bitwise operators with literal constants, and the ring word is read and written
// once. Larger counters take the exact slow path with / and %. (A plain Array ring measured the
// same under Duktape and takes twice the memory.)

import { REJECT_AFTER_MESSAGES } from "./constants";

/** Counters up to this far below the greatest accepted one are still accepted once. */
export var REPLAY_WINDOW_SIZE = 2048;
var WORD_BITS = 32;
var RING_WORDS = REPLAY_WINDOW_SIZE / WORD_BITS + 1;

export class ReplayWindow {
  private ring: Uint32Array;
  /** Greatest accepted counter + 1; 0 while nothing was accepted. Kept one above the counter so
   *  that counter 0 is "ahead" of a fresh window and needs no special case. */
  private next: number;

  constructor() {
    this.ring = new Uint32Array(RING_WORDS);
    this.next = 0;
  }

  /** True if counter is fresh: an integer below REJECT_AFTER_MESSAGES, not seen before and not
   *  older than the window. A fresh counter is recorded, so a second call with it returns false. */
  validateCounter(counter: number): boolean {
    // (x | 0) === x holds exactly for integers in [-2^31, 2^31) (false for NaN, strings...).
    if ((counter | 0) !== counter || counter < 0) return this.validateLargeCounter(counter);
    // shifted <= 2^31 and, past the window test, next <= shifted + 2048: both fit >>> (2^32).
    // Literals: 2048 = REPLAY_WINDOW_SIZE, 32 bits a word (>>> 5, & 31), 65 = RING_WORDS.
    var shifted = counter + 1;
    var next = this.next;
    if (shifted + 2048 < next) return false; // fell out of the window
    var ring = this.ring;
    var word = shifted >>> 5;
    if (shifted > next) {
      // The window slides forward: clear the words that now cover new counters (in order
      // traffic: none or one), then move the top.
      var top = next >>> 5;
      var stale = word - top;
      if (stale > 65) stale = 65;
      for (var i = 1; i <= stale; i++) ring[(top + i) % 65] = 0;
      this.next = shifted;
    }
    var slot = word % 65;
    var bits = ring[slot];
    var bit = 1 << (shifted & 31);
    if ((bits & bit) !== 0) return false;
    ring[slot] = bits | bit;
    return true;
  }

  /** The general case: any number, exact up to REJECT_AFTER_MESSAGES (numbers above 2^32
   *  cannot go through bitwise operators, so positions use / and %). */
  private validateLargeCounter(counter: number): boolean {
    // Counters come from the header and are exact below 2^53; anything else is refused outright.
    if (typeof counter !== "number" || counter !== Math.floor(counter)) return false;
    if (counter < 0 || counter >= REJECT_AFTER_MESSAGES) return false;

    var shifted = counter + 1; // exact: counter < 2^53 - 1
    if (shifted + REPLAY_WINDOW_SIZE < this.next) return false;

    var word = Math.floor(shifted / WORD_BITS);
    if (shifted > this.next) {
      var top = Math.floor(this.next / WORD_BITS);
      var stale = Math.min(word - top, RING_WORDS);
      for (var i = 1; i <= stale; i++) this.ring[(top + i) % RING_WORDS] = 0;
      this.next = shifted;
    }
    var slot = word % RING_WORDS;
    var bit = 1 << (shifted % WORD_BITS);
    if ((this.ring[slot] & bit) !== 0) return false;
    this.ring[slot] = this.ring[slot] | bit;
    return true;
  }

  /** Forget every counter (new keypair). */
  reset(): void {
    for (var i = 0; i < RING_WORDS; i++) this.ring[i] = 0;
    this.next = 0;
  }
}

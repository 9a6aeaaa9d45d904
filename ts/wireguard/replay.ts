// Receive-side replay protection (whitepaper section 5.4.6): a sliding window over the
// transport counters already accepted for one keypair. Called only after the packet
// authenticated, so an attacker cannot move the window with forged counters.
//
// Layout: a ring of 16-bit words holding one bit per counter. The ring has one word more than
// the window needs, so the word that holds the newest counter never aliases the word that holds
// the oldest counter still inside the window.
//
// Per-packet path on the device engines: every value stays a small integer. Words are 16 bits
// and, for counters below 2^27 (every session in practice), bit positions come from & and >>:
// JerryScript keeps integers below 2^27 unboxed (a larger one, or any division, is a heap
// double), and Duktape with fastints (the QEMU board's build) runs bitwise operators on them
// directly. Larger counters take exact arithmetic, up to 2^53.

/** Counters up to this far below the greatest accepted one are still accepted once. */
export var REPLAY_WINDOW_SIZE = 2048;
var WORD_BITS = 16;
var RING_WORDS = REPLAY_WINDOW_SIZE / WORD_BITS + 1;

export class ReplayWindow {
  protected ring: Uint16Array;
  /** Greatest accepted counter + 1; 0 while nothing was accepted. Kept one above the counter so
   *  that counter 0 is "ahead" of a fresh window and needs no special case. */
  protected next: number;

  constructor() {
    this.ring = new Uint16Array(RING_WORDS);
    this.next = 0;
  }

  /** True if counter is fresh: an integer below REJECT_AFTER_MESSAGES, not seen before and not
   *  older than the window. A fresh counter is recorded, so a second call with it returns false. */
  validateCounter(counter: number): boolean {
    // Counters come from the header and are exact below 2^53; anything else is refused outright
    // (x % 1 is NaN for NaN and the infinities, non-zero for fractions).
    // Literals (a module constant costs a scope and a property lookup): 2^27 - 1 = the largest
    // unboxed integer of JerryScript, 2^53 - 1 = REJECT_AFTER_MESSAGES, 2048 =
    // REPLAY_WINDOW_SIZE, 16 = WORD_BITS, 129 = RING_WORDS.
    if (typeof counter !== "number" || !(counter >= 0) || counter % 1 !== 0) return false;
    var shifted = counter + 1; // exact: counter < 2^53 - 1 (checked below where it can be larger)
    var bitIndex: number, word: number;
    if (shifted <= 134217727) {
      bitIndex = shifted & 15;
      word = shifted >> 4;
    } else {
      if (counter >= 9007199254740991) return false;
      bitIndex = shifted % 16;
      word = (shifted - bitIndex) / 16;
    }
    var next = this.next;
    if (next - shifted > 2048) return false; // fell out of the window
    var ring = this.ring;
    if (shifted > next) {
      // The window slides forward: clear the words that now cover new counters (in order
      // traffic: none or one; at most the whole ring), then move the top.
      var top = next <= 134217727 ? next >> 4 : (next - next % 16) / 16;
      var stale = word - top;
      if (stale > 129) stale = 129;
      for (var i = 1; i <= stale; i++) ring[(top + i) % 129] = 0;
      this.next = shifted;
    }
    var slot = word % 129;
    var bits = ring[slot];
    var bit = 1 << bitIndex;
    if ((bits & bit) !== 0) return false; // seen before
    ring[slot] = bits | bit;
    return true;
  }

  /** Greatest accepted counter + 1 (0 while nothing was accepted): what a resumed session keeps. */
  top(): number {
    return this.next;
  }

  /** Every counter below top counts as seen, none from top up: a window restored from its top
   *  alone (a resumed session, session.ts RestoredReplayWindow), so late packets from before
   *  are refused, never accepted twice. top is next's value: the greatest counter + 1. */
  protected seenBelow(top: number): void {
    this.next = top;
    var ring = this.ring;
    for (var i = 0; i < RING_WORDS; i++) ring[i] = 65535;
    // In the word that holds top, the bits above it stand for counters not seen yet.
    var bitIndex = top % WORD_BITS;
    ring[((top - bitIndex) / WORD_BITS) % RING_WORDS] = Math.pow(2, bitIndex + 1) - 1;
  }

  /** Forget every counter (new keypair). */
  reset(): void {
    for (var i = 0; i < RING_WORDS; i++) this.ring[i] = 0;
    this.next = 0;
  }
}

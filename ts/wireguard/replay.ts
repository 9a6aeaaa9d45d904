// Receive-side replay protection (whitepaper section 5.4.6): a sliding window over the
// transport counters already accepted for one keypair. Called only after the packet
// authenticated, so an attacker cannot move the window with forged counters.
//
// Layout: a ring of 32-bit words holding one bit per counter. The ring has one word more
// than the window needs, so the word that holds the newest counter never aliases the word
// that holds the oldest counter still inside the window.
//
// Per-packet path on an interpreter: Duktape (as Debian builds it) spends ~340 x86
// instructions on a bitwise operator, ~190 on %, and ~50 on + - * / and compares, so bit
// positions and bit tests are plain arithmetic, exact for every counter below 2^53 (one path,
// no Math.floor), with literal constants and one read and one write of the ring.

/** Counters up to this far below the greatest accepted one are still accepted once. */
export var REPLAY_WINDOW_SIZE = 2048;
var WORD_BITS = 32;
var RING_WORDS = REPLAY_WINDOW_SIZE / WORD_BITS + 1;

/** BIT[i] = 2^i, so that a word's bits are tested and set without bitwise operators. */
var BIT: number[] = [];
for (var b = 0, v = 1; b < WORD_BITS; b++, v *= 2) BIT.push(v);

export class ReplayWindow {
  protected ring: Uint32Array;
  /** Greatest accepted counter + 1; 0 while nothing was accepted. Kept one above the counter so
   *  that counter 0 is "ahead" of a fresh window and needs no special case. */
  protected next: number;

  constructor() {
    this.ring = new Uint32Array(RING_WORDS);
    this.next = 0;
  }

  /** True if counter is fresh: an integer below REJECT_AFTER_MESSAGES, not seen before and not
   *  older than the window. A fresh counter is recorded, so a second call with it returns false. */
  validateCounter(counter: number): boolean {
    // Counters come from the header and are exact below 2^53; anything else is refused outright
    // (x % 1 is NaN for NaN and the infinities, non-zero for fractions).
    // Literals (a module constant costs a scope and a property lookup): 2^53 - 1 =
    // REJECT_AFTER_MESSAGES, 2048 = REPLAY_WINDOW_SIZE, 32 = WORD_BITS, 65 = RING_WORDS.
    if (typeof counter !== "number" || counter % 1 !== 0 || counter < 0 || counter >= 9007199254740991) return false;
    var shifted = counter + 1; // exact: counter < 2^53 - 1
    var next = this.next;
    if (next - shifted > 2048) return false; // fell out of the window
    var ring = this.ring;
    var bitIndex = shifted % 32;
    var word = (shifted - bitIndex) / 32;
    if (shifted > next) {
      // The window slides forward: clear the words that now cover new counters (in order
      // traffic: none or one; at most the whole ring), then move the top.
      var top = (next - next % 32) / 32;
      var stale = word - top;
      if (stale > 65) stale = 65;
      for (var i = 1; i <= stale; i++) ring[(top + i) % 65] = 0;
      this.next = shifted;
    }
    var slot = word % 65;
    var bits = ring[slot];
    var bit = BIT[bitIndex];
    if (bits % (bit + bit) >= bit) return false; // the bit is set: seen before
    ring[slot] = bits + bit;
    return true;
  }

  /** Greatest accepted counter + 1 (0 while nothing was accepted): what a resumed session keeps. */
  top(): number {
    return this.next;
  }

  /** Forget every counter (new keypair). */
  reset(): void {
    for (var i = 0; i < RING_WORDS; i++) this.ring[i] = 0;
    this.next = 0;
  }
}

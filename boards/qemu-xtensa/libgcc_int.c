/* Integer helpers GCC calls on the lx106 that Debian's gcc-xtensa-lx106 libgcc does not
 * ship. The lx106 multiplies 32x32->32 (MULL) but has no high-word multiply and no divider.
 * The multiplies are branch-free (the crypto code's products depend on secrets); the
 * dividers are only ever used on public values (lengths, times, printf). */
#include <stdint.h>

uint64_t __umulsidi3(uint32_t a, uint32_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);
uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t n, int32_t d);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem); /* libgcc has this one */

/* One body for both multiplies, inlined into each: X25519 calls __muldi3 ~700k times per
 * handshake, and __muldi3 calling __umulsidi3 (saving four registers around the call) made it
 * ~46 instructions; inlined it is 27. `hi` enters first (the cross terms of a 64x64 product),
 * which keeps every value in a register. The 16-bit halves are summed so that no sum exceeds
 * 32 bits: no carry to recover, so no compare for the compiler to turn into a branch (the
 * earlier carry test became BLTU on secret-dependent values). */
static inline __attribute__((always_inline)) uint64_t mul32x32_plus_hi(uint32_t a, uint32_t b, uint32_t hi) {
  uint32_t al = a & 0xffffu, ah = a >> 16, bl = b & 0xffffu, bh = b >> 16;
  uint32_t ll = al * bl, lh = al * bh, hl = ah * bl;
  hi += ah * bh + (lh >> 16) + (hl >> 16);
  uint32_t mid = (ll >> 16) + (lh & 0xffffu) + (hl & 0xffffu); /* < 3 * 2^16 */
  hi += mid >> 16;
  return ((uint64_t)hi << 32) | ((mid << 16) | (ll & 0xffffu));
}

uint64_t __umulsidi3(uint32_t a, uint32_t b) { return mul32x32_plus_hi(a, b, 0); }

uint64_t __muldi3(uint64_t a, uint64_t b) {
  uint32_t al = (uint32_t)a, bl = (uint32_t)b;
  return mul32x32_plus_hi(al, bl, al * (uint32_t)(b >> 32) + (uint32_t)(a >> 32) * bl);
}

/* Shift-subtract division over the quotient's possible bits only: the divisor is lined up
 * under the dividend's top bit (NSAU counts leading zeros in one instruction), so 1000/10
 * takes 7 steps instead of 32. libgcc's 64-bit division (printf's digits, cycles to ms) calls
 * this twice per 32-bit half, several times per packet. Branches depend on the operands,
 * which is fine only because no secret is ever divided. */
static uint32_t udiv32(uint32_t n, uint32_t d, uint32_t *rem) {
  if (d == 0) { /* C leaves this undefined; answer something harmless rather than trap */
    *rem = n;
    return 0;
  }
  if (n < d) {
    *rem = n;
    return 0;
  }
  int shift = __builtin_clz(d) - __builtin_clz(n); /* n >= d > 0: both defined, shift >= 0 */
  uint32_t q = 0;
  d <<= shift;
  for (; shift >= 0; shift--) {
    q <<= 1;
    if (n >= d) {
      n -= d;
      q |= 1u;
    }
    d >>= 1;
  }
  *rem = n;
  return q;
}

uint32_t __udivsi3(uint32_t n, uint32_t d) {
  uint32_t r;
  return udiv32(n, d, &r);
}

uint32_t __umodsi3(uint32_t n, uint32_t d) {
  uint32_t r;
  udiv32(n, d, &r);
  return r;
}

int32_t __divsi3(int32_t n, int32_t d) {
  uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n, ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d, r;
  uint32_t q = udiv32(un, ud, &r);
  return (int32_t)(((n < 0) != (d < 0)) ? 0u - q : q);
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { return __udivmoddi4(n, d, 0); }

uint64_t __umoddi3(uint64_t n, uint64_t d) {
  uint64_t r;
  __udivmoddi4(n, d, &r);
  return r;
}

int64_t __divdi3(int64_t n, int64_t d) {
  uint64_t un = n < 0 ? 0u - (uint64_t)n : (uint64_t)n, ud = d < 0 ? 0u - (uint64_t)d : (uint64_t)d;
  uint64_t q = __udivmoddi4(un, ud, 0);
  return (int64_t)(((n < 0) != (d < 0)) ? 0u - q : q);
}

/* The arithmetic helpers Debian's lx106 libgcc lacks. The lx106 has a 32x32->32 multiply
 * (MULL) but no high-word multiply (MULUH, which the ESP32's LX6 has) and no divider, so GCC
 * calls these for every 64-bit product and every division.
 *
 * __umulsidi3 is what the field arithmetic pays for: four MULLs on 16-bit halves plus the
 * carries, about 20 instructions where an LX6 needs 2 (MULL + MULUH). It is branch-free, so
 * its time does not depend on the (secret) operands. The dividers are for the harness only. */
#include <stdint.h>

uint64_t __umulsidi3(uint32_t a, uint32_t b);
uint64_t __muldi3(uint64_t a, uint64_t b);
uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t n, int32_t d);

uint64_t __umulsidi3(uint32_t a, uint32_t b) {
  const uint32_t a0 = a & 0xffffu, a1 = a >> 16, b0 = b & 0xffffu, b1 = b >> 16;
  const uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  /* middle column: p10 + p01 + high half of p00; can exceed 32 bits by one carry */
  const uint32_t m = p10 + (p00 >> 16); /* < 2^32: (2^16-1)^2 + 2^16-1 */
  const uint32_t mid = m + p01;
  const uint32_t carry = ((m & p01) | ((m | p01) & ~mid)) >> 31;
  const uint32_t lo = (p00 & 0xffffu) | (mid << 16);
  const uint32_t hi = p11 + (mid >> 16) + (carry << 16);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t __muldi3(uint64_t a, uint64_t b) {
  const uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
  const uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
  const uint64_t low = __umulsidi3(al, bl);
  return low + ((uint64_t)(al * bh + ah * bl) << 32);
}

/* Restoring division, one quotient bit per step. */
static uint32_t udivmod(uint32_t n, uint32_t d, uint32_t *rem) {
  uint32_t q = 0, r = 0;
  int i;
  if (d == 0) {
    *rem = n;
    return 0xffffffffu;
  }
  for (i = 31; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1u);
    if (r >= d) {
      r -= d;
      q |= 1u << i;
    }
  }
  *rem = r;
  return q;
}

uint32_t __udivsi3(uint32_t n, uint32_t d) {
  uint32_t r;
  return udivmod(n, d, &r);
}

uint32_t __umodsi3(uint32_t n, uint32_t d) {
  uint32_t r;
  udivmod(n, d, &r);
  return r;
}

int32_t __divsi3(int32_t n, int32_t d) {
  uint32_t r;
  const uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  const uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  const uint32_t q = udivmod(un, ud, &r);
  return (n < 0) != (d < 0) ? (int32_t)(0u - q) : (int32_t)q;
}

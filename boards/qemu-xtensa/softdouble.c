/* IEEE 754 binary64 arithmetic in software, for the lx106 (no FPU) whose Debian libgcc lacks
 * these helpers. Duktape's numbers are doubles, so every JS arithmetic operation lands here.
 * Round to nearest, ties to even (the only mode JS has); subnormals are produced and consumed
 * exactly; any NaN result is the default quiet NaN (JS cannot tell NaNs apart).
 *
 * Internal form of a finite non-zero value: sign, exponent e and significand m with its
 * leading one at bit 62, value = m * 2^(e - 1023 - 62). The ten bits below the 53 that are
 * kept are guard bits; bit 0 doubles as the sticky bit when shifting right.
 *
 * Checked against the host's hardware doubles by boards/qemu-xtensa/softdouble_test.c. */
#include <stdint.h>
#include <string.h>

#ifdef QB_SOFTDOUBLE_HOST_TEST
#define SD(name) qb_##name /* the host test links these beside the real ones */
#else
#define SD(name) name
#endif

double SD(__adddf3)(double a, double b);
double SD(__subdf3)(double a, double b);
double SD(__muldf3)(double a, double b);
double SD(__divdf3)(double a, double b);
double SD(__floatsidf)(int32_t i);
double SD(__floatunsidf)(uint32_t u);
int32_t SD(__fixdfsi)(double a);
uint32_t SD(__fixunsdfsi)(double a);
double SD(__extendsfdf2)(float f);
float SD(__truncdfsf2)(double a);

#define SIGN 0x8000000000000000ull
#define EXP_MASK 0x7ff0000000000000ull
#define FRAC_MASK 0x000fffffffffffffull
#define INF EXP_MASK
#define QNAN 0x7ff8000000000000ull
#define HIDDEN 0x0010000000000000ull

static uint64_t bits_of(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static double double_of(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

static int is_nan(uint64_t x) { return (x & ~SIGN) > INF; }
static int is_inf(uint64_t x) { return (x & ~SIGN) == INF; }
static int is_zero(uint64_t x) { return (x & ~SIGN) == 0; }

static int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }

/* Shift right keeping every lost bit as a sticky 1 in bit 0. */
static uint64_t shift_right_sticky(uint64_t m, int n) {
  if (n <= 0) return m;
  if (n >= 64) return m != 0;
  return (m >> n) | ((m << (64 - n)) != 0);
}

/* Finite non-zero x -> exponent and significand with the leading one at bit 62. */
static void unpack(uint64_t x, int *e, uint64_t *m) {
  int exp = (int)((x & EXP_MASK) >> 52);
  uint64_t f = x & FRAC_MASK;
  if (exp == 0) { /* subnormal: scale up to a normal significand */
    int shift = clz64(f) - 11;
    f <<= shift;
    exp = 1 - shift;
  } else {
    f |= HIDDEN;
  }
  *e = exp;
  *m = f << 10;
}

/* Rounds sign/e/m (leading one at bit 62, or below it for tiny values) to a double. */
static uint64_t round_pack(uint64_t sign, int e, uint64_t m) {
  if (e >= 0x7ff) return sign | INF;
  if (e < 1) { /* below the normal range: denormalise, then round once */
    m = shift_right_sticky(m, 1 - e);
    e = 1;
  }
  uint32_t rest = (uint32_t)(m & 0x3ff);
  m >>= 10;
  if (rest > 0x200 || (rest == 0x200 && (m & 1))) m++;
  if (m >> 53) { /* rounding carried into a new leading bit */
    m >>= 1;
    e++;
    if (e >= 0x7ff) return sign | INF;
  }
  /* m < 2^52 only for subnormals (e == 1): the exponent field comes out as 0 then. */
  return sign | (((uint64_t)(e - 1) << 52) + m);
}

static uint64_t add_bits(uint64_t a, uint64_t b) {
  if (is_nan(a) || is_nan(b)) return QNAN;
  if (is_inf(a)) return (is_inf(b) && ((a ^ b) & SIGN)) ? QNAN : a;
  if (is_inf(b)) return b;
  if (is_zero(a)) return is_zero(b) ? (a & b) : b; /* -0 + -0 = -0, otherwise +0 */
  if (is_zero(b)) return a;

  int ea, eb;
  uint64_t ma, mb, sa = a & SIGN, sb = b & SIGN;
  unpack(a, &ea, &ma);
  unpack(b, &eb, &mb);
  if (ea < eb || (ea == eb && ma < mb)) { /* make a the larger magnitude */
    int te = ea;
    ea = eb;
    eb = te;
    uint64_t t = ma;
    ma = mb;
    mb = t;
    t = sa;
    sa = sb;
    sb = t;
  }
  mb = shift_right_sticky(mb, ea - eb);
  uint64_t m;
  if (sa == sb) {
    m = ma + mb; /* bit 63 is free for the carry */
    if (m >> 63) {
      m = (m >> 1) | (m & 1);
      ea++;
    }
  } else {
    m = ma - mb;
    if (m == 0) return 0; /* x - x = +0 when rounding to nearest */
    int shift = clz64(m) - 1;
    m <<= shift;
    ea -= shift;
  }
  return round_pack(sa, ea, m);
}

double SD(__adddf3)(double a, double b) { return double_of(add_bits(bits_of(a), bits_of(b))); }
double SD(__subdf3)(double a, double b) { return double_of(add_bits(bits_of(a), bits_of(b) ^ SIGN)); }

double SD(__muldf3)(double a, double b) {
  uint64_t x = bits_of(a), y = bits_of(b), sign = (x ^ y) & SIGN;
  if (is_nan(x) || is_nan(y)) return double_of(QNAN);
  if (is_inf(x) || is_inf(y)) return double_of((is_zero(x) || is_zero(y)) ? QNAN : sign | INF);
  if (is_zero(x) || is_zero(y)) return double_of(sign);
  int ea, eb;
  uint64_t ma, mb;
  unpack(x, &ea, &ma);
  unpack(y, &eb, &mb);
  ma >>= 10; /* 53-bit significands: the product has 105 or 106 bits */
  mb >>= 10;
  uint64_t a0 = ma & 0xffffffffu, a1 = ma >> 32, b0 = mb & 0xffffffffu, b1 = mb >> 32;
  uint64_t lo = a0 * b0, mid = a1 * b0 + a0 * b1, hi = a1 * b1; /* mid < 2^54: no overflow */
  uint64_t t = (lo >> 32) + (mid & 0xffffffffu);
  uint64_t low = (t << 32) | (lo & 0xffffffffu);
  uint64_t high = hi + (mid >> 32) + (t >> 32);
  /* bits 104.. of the product to bit 62 and up, the rest sticky */
  uint64_t m = (high << 22) | (low >> 42) | ((low & ((1ull << 42) - 1)) != 0);
  int e = ea + eb - 1023;
  if (m >> 63) {
    m = (m >> 1) | (m & 1);
    e++;
  }
  return double_of(round_pack(sign, e, m));
}

double SD(__divdf3)(double a, double b) {
  uint64_t x = bits_of(a), y = bits_of(b), sign = (x ^ y) & SIGN;
  if (is_nan(x) || is_nan(y)) return double_of(QNAN);
  if (is_inf(x)) return double_of(is_inf(y) ? QNAN : sign | INF);
  if (is_inf(y)) return double_of(sign);
  if (is_zero(y)) return double_of(is_zero(x) ? QNAN : sign | INF);
  if (is_zero(x)) return double_of(sign);
  int ea, eb;
  uint64_t ma, mb;
  unpack(x, &ea, &ma);
  unpack(y, &eb, &mb);
  ma >>= 10;
  mb >>= 10;
  int e = ea - eb + 1023;
  if (ma < mb) { /* make the first quotient bit a one */
    ma <<= 1;
    e--;
  }
  /* Restoring division: 63 quotient bits, the remainder becomes the sticky bit. */
  uint64_t q = 0, r = ma;
  for (int bit = 62; bit >= 0; bit--) {
    if (r >= mb) {
      r -= mb;
      q |= 1ull << bit;
    }
    r <<= 1;
  }
  return double_of(round_pack(sign, e, q | (r != 0)));
}

static uint64_t from_u32(uint64_t sign, uint32_t u) {
  if (u == 0) return sign;
  int shift = clz64(u) - 1;
  return round_pack(sign, 1023 + 62 - shift, (uint64_t)u << shift);
}

double SD(__floatsidf)(int32_t i) {
  return double_of(i < 0 ? from_u32(SIGN, 0u - (uint32_t)i) : from_u32(0, (uint32_t)i));
}
double SD(__floatunsidf)(uint32_t u) { return double_of(from_u32(0, u)); }

/* Truncation toward zero; NaN gives 0 and out-of-range values saturate (C leaves both
 * undefined; Duktape range-checks before it relies on a cast). */
int32_t SD(__fixdfsi)(double a) {
  uint64_t x = bits_of(a);
  if (is_nan(x)) return 0;
  int e = (int)((x & EXP_MASK) >> 52) - 1023;
  if (e < 0) return 0;
  if (e >= 31) return (x & SIGN) ? INT32_MIN : INT32_MAX;
  uint32_t v = (uint32_t)(((x & FRAC_MASK) | HIDDEN) >> (52 - e));
  return (x & SIGN) ? -(int32_t)v : (int32_t)v;
}

uint32_t SD(__fixunsdfsi)(double a) {
  uint64_t x = bits_of(a);
  if (is_nan(x) || (x & SIGN)) return 0;
  int e = (int)((x & EXP_MASK) >> 52) - 1023;
  if (e < 0) return 0;
  if (e >= 32) return UINT32_MAX;
  return (uint32_t)(((x & FRAC_MASK) | HIDDEN) >> (52 - e));
}

double SD(__extendsfdf2)(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  uint64_t sign = (uint64_t)(u >> 31) << 63;
  int e = (int)((u >> 23) & 0xff);
  uint64_t frac = u & 0x7fffffu;
  if (e == 0xff) return double_of(frac ? QNAN : sign | INF);
  if (e == 0) {
    if (frac == 0) return double_of(sign);
    int shift = clz64(frac) - 40; /* leading one to bit 23 */
    frac <<= shift;
    e = 1 - shift;
    frac &= 0x7fffffu;
  }
  return double_of(sign | ((uint64_t)(e - 127 + 1023) << 52) | (frac << 29));
}

float SD(__truncdfsf2)(double a) {
  uint64_t x = bits_of(a);
  uint32_t sign = (uint32_t)(x >> 32) & 0x80000000u, out;
  if (is_nan(x)) {
    out = 0x7fc00000u;
  } else if (is_inf(x)) {
    out = sign | 0x7f800000u;
  } else if (is_zero(x)) {
    out = sign;
  } else {
    int e;
    uint64_t m;
    unpack(x, &e, &m);
    e = e - 1023 + 127;
    if (e >= 0xff) {
      out = sign | 0x7f800000u;
    } else {
      if (e < 1) {
        m = shift_right_sticky(m, 1 - e);
        e = 1;
      }
      /* keep 24 bits (leading one at bit 23), round on the 39 below */
      uint64_t rest = m & ((1ull << 39) - 1), half = 1ull << 38;
      uint32_t f = (uint32_t)(m >> 39);
      if (rest > half || (rest == half && (f & 1))) f++;
      if (f >> 24) {
        f >>= 1;
        e++;
      }
      out = e >= 0xff ? (sign | 0x7f800000u) : sign | (((uint32_t)(e - 1) << 23) + f);
    }
  }
  float r;
  memcpy(&r, &out, 4);
  return r;
}

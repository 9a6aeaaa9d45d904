/* X25519 (RFC 7748): the Montgomery ladder on u-coordinates over GF(2^255 - 19).
 *
 * A field element is ten uint32 limbs in radix 2^25.5: limb i holds bits at 0, 26, 51, 77, ...
 * (widths alternately 26 and 25), so every limb product is a 32x32->64 multiply and ten of
 * them (with the factors 2 and 19 below) add up without overflowing 64 bits.
 *
 * Limb bounds, which the multiply relies on:
 *   carried  (fe_mul, fe_sq output; fe_frombytes): limbs < 2^26 / 2^25, limb 1 < 2^25 + 2^17
 *   sum      (fe_add of two carried):         limbs < 2^27 / 2^26 + 2^18
 *   diff     (fe_sub of two carried):         limbs < 3 * 2^26 / 3 * 2^25 + 2^17
 * fe_mul and fe_sq accept any of these and return carried limbs. Limbs stay unsigned: fe_sub
 * adds 2p before subtracting, so nothing ever goes negative. */
#include "hw_crypto.h"
#include "hw_util.h"

typedef uint32_t fe[10];

#define M25 0x1ffffffu
#define M26 0x3ffffffu
#define M(a, b) ((uint64_t)(a) * (b))

/* The last column's carry wraps around to limb 0 times 19, because 2^255 = 19 (mod p). */
#define WRAP_CARRY(h, t)                 \
  t = (t >> 25) * 19 + h[0];             \
  h[0] = (uint32_t)t & M26;              \
  h[1] += (uint32_t)(t >> 26)

#ifdef HW_FE_MUL
/* A board's accelerated multiply (see hw_crypto.h for its contract). */
void HW_FE_MUL(uint32_t out[10], const uint32_t a[10], const uint32_t b[10]);
static void fe_mul(fe h, const fe f, const fe g) { HW_FE_MUL(h, f, g); }
static void fe_sq(fe h, const fe f) { HW_FE_MUL(h, f, f); }
#else
/* Schoolbook product, one column at a time. A term f_i * g_j lands in column i + j; columns
 * past 9 wrap around times 19, and when i and j are both odd the two half-bit offsets add up
 * to one more bit, hence the factor 2. The factors are folded into the operands first.
 * Each column's carry goes into the next as soon as the column is complete, so only one
 * 64-bit sum is live at a time, which leaves a 32-register core room for most operands
 * (about 10% fewer instructions on RV32 than summing all columns first). Columns stay below
 * 2^63 for the limb bounds above. */
static void fe_mul(fe h, const fe f, const fe g) {
  const uint32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
  const uint32_t f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
  const uint32_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
  const uint32_t g5 = g[5], g6 = g[6], g7 = g[7], g8 = g[8], g9 = g[9];
  const uint32_t f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
  const uint32_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4, g5_19 = 19 * g5;
  const uint32_t g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8, g9_19 = 19 * g9;
  uint64_t t;
  t = M(f0, g0) + M(f1_2, g9_19) + M(f2, g8_19) + M(f3_2, g7_19) + M(f4, g6_19) + M(f5_2, g5_19) + M(f6, g4_19) + M(f7_2, g3_19) + M(f8, g2_19) + M(f9_2, g1_19);
  h[0] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0, g1) + M(f1, g0) + M(f2, g9_19) + M(f3, g8_19) + M(f4, g7_19) + M(f5, g6_19) + M(f6, g5_19) + M(f7, g4_19) + M(f8, g3_19) + M(f9, g2_19);
  h[1] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0, g2) + M(f1_2, g1) + M(f2, g0) + M(f3_2, g9_19) + M(f4, g8_19) + M(f5_2, g7_19) + M(f6, g6_19) + M(f7_2, g5_19) + M(f8, g4_19) + M(f9_2, g3_19);
  h[2] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0, g3) + M(f1, g2) + M(f2, g1) + M(f3, g0) + M(f4, g9_19) + M(f5, g8_19) + M(f6, g7_19) + M(f7, g6_19) + M(f8, g5_19) + M(f9, g4_19);
  h[3] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0, g4) + M(f1_2, g3) + M(f2, g2) + M(f3_2, g1) + M(f4, g0) + M(f5_2, g9_19) + M(f6, g8_19) + M(f7_2, g7_19) + M(f8, g6_19) + M(f9_2, g5_19);
  h[4] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0, g5) + M(f1, g4) + M(f2, g3) + M(f3, g2) + M(f4, g1) + M(f5, g0) + M(f6, g9_19) + M(f7, g8_19) + M(f8, g7_19) + M(f9, g6_19);
  h[5] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0, g6) + M(f1_2, g5) + M(f2, g4) + M(f3_2, g3) + M(f4, g2) + M(f5_2, g1) + M(f6, g0) + M(f7_2, g9_19) + M(f8, g8_19) + M(f9_2, g7_19);
  h[6] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0, g7) + M(f1, g6) + M(f2, g5) + M(f3, g4) + M(f4, g3) + M(f5, g2) + M(f6, g1) + M(f7, g0) + M(f8, g9_19) + M(f9, g8_19);
  h[7] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0, g8) + M(f1_2, g7) + M(f2, g6) + M(f3_2, g5) + M(f4, g4) + M(f5_2, g3) + M(f6, g2) + M(f7_2, g1) + M(f8, g0) + M(f9_2, g9_19);
  h[8] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0, g9) + M(f1, g8) + M(f2, g7) + M(f3, g6) + M(f4, g5) + M(f5, g4) + M(f6, g3) + M(f7, g2) + M(f8, g1) + M(f9, g0);
  h[9] = (uint32_t)t & M25;
  WRAP_CARRY(h, t);
}

/* Squaring: the same columns, with each cross term f_i * f_j (i < j) computed once and doubled. */
static void fe_sq(fe h, const fe f) {
  const uint32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
  const uint32_t f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
  const uint32_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4;
  const uint32_t f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7;
  const uint32_t f6_19 = 19 * f6, f8_19 = 19 * f8;
  /* 38 * f only for odd (25-bit) limbs: 38 times an even limb could exceed 32 bits. */
  const uint32_t f5_38 = 38 * f5, f7_38 = 38 * f7, f9_38 = 38 * f9;
  uint64_t t;
  t = M(f0, f0) + M(f1_2, f9_38) + M(f2_2, f8_19) + M(f3_2, f7_38) + M(f4_2, f6_19) + M(f5, f5_38);
  h[0] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0_2, f1) + M(f2, f9_38) + M(f3_2, f8_19) + M(f4, f7_38) + M(f5_2, f6_19);
  h[1] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0_2, f2) + M(f1_2, f1) + M(f3_2, f9_38) + M(f4_2, f8_19) + M(f5_2, f7_38) + M(f6, f6_19);
  h[2] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0_2, f3) + M(f1_2, f2) + M(f4, f9_38) + M(f5_2, f8_19) + M(f6, f7_38);
  h[3] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0_2, f4) + M(f1_2, f3_2) + M(f2, f2) + M(f5_2, f9_38) + M(f6_2, f8_19) + M(f7, f7_38);
  h[4] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0_2, f5) + M(f1_2, f4) + M(f2_2, f3) + M(f6, f9_38) + M(f7_2, f8_19);
  h[5] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0_2, f6) + M(f1_2, f5_2) + M(f2_2, f4) + M(f3_2, f3) + M(f7_2, f9_38) + M(f8, f8_19);
  h[6] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0_2, f7) + M(f1_2, f6) + M(f2_2, f5) + M(f3_2, f4) + M(f8, f9_38);
  h[7] = (uint32_t)t & M25;
  t = (t >> 25) + M(f0_2, f8) + M(f1_2, f7_2) + M(f2_2, f6) + M(f3_2, f5_2) + M(f4, f4) + M(f9, f9_38);
  h[8] = (uint32_t)t & M26;
  t = (t >> 26) + M(f0_2, f9) + M(f1_2, f8) + M(f2_2, f7) + M(f3_2, f6) + M(f4_2, f5);
  h[9] = (uint32_t)t & M25;
  WRAP_CARRY(h, t);
}
#endif

static void fe_add(fe h, const fe f, const fe g) {
  int i;
  for (i = 0; i < 10; i++) h[i] = f[i] + g[i];
}

/* h = f + 2p - g: limb-wise 2p is at least every carried limb, so no limb goes negative. */
static void fe_sub(fe h, const fe f, const fe g) {
  h[0] = f[0] + 0x7ffffdau - g[0];
  h[1] = f[1] + 0x3fffffeu - g[1];
  h[2] = f[2] + 0x7fffffeu - g[2];
  h[3] = f[3] + 0x3fffffeu - g[3];
  h[4] = f[4] + 0x7fffffeu - g[4];
  h[5] = f[5] + 0x3fffffeu - g[5];
  h[6] = f[6] + 0x7fffffeu - g[6];
  h[7] = f[7] + 0x3fffffeu - g[7];
  h[8] = f[8] + 0x7fffffeu - g[8];
  h[9] = f[9] + 0x3fffffeu - g[9];
}

/* h = f * 121665, the ladder's (A - 2) / 4. */
static void fe_mul_a24(fe h, const fe f) {
  const uint32_t a24 = 121665;
  uint64_t t;
  int i;
  t = 0;
  for (i = 0; i < 10; i++) {
    t = (t >> ((i & 1) ? 26 : 25)) + M(f[i], a24);
    h[i] = (uint32_t)t & ((i & 1) ? M25 : M26);
  }
  WRAP_CARRY(h, t);
}

/* Swap f and g when swap is 1, without a branch or a secret-dependent address. */
static void fe_cswap(fe f, fe g, uint32_t swap) {
  const uint32_t mask = 0u - swap;
  uint32_t x;
  int i;
  for (i = 0; i < 10; i++) {
    x = (f[i] ^ g[i]) & mask;
    f[i] ^= x;
    g[i] ^= x;
  }
}

static void fe_sq_n(fe h, const fe f, int n) {
  int i;
  fe_sq(h, f);
  for (i = 1; i < n; i++) fe_sq(h, h);
}

/* h = z^(p - 2) = 1/z by Fermat: p - 2 = 2^255 - 21, reached with 254 squarings and 11
 * multiplications. The names say which exponent a value holds: z_a_b = z^(2^a - 2^b). */
static void fe_invert(fe h, const fe z) {
  fe z2, z9, z11, z_5_0, z_10_0, z_20_0, z_50_0, z_100_0, t;
  fe_sq(z2, z);              /* z^2 */
  fe_sq_n(t, z2, 2);         /* z^8 */
  fe_mul(z9, t, z);          /* z^9 */
  fe_mul(z11, z9, z2);       /* z^11 */
  fe_sq(t, z11);             /* z^22 */
  fe_mul(z_5_0, t, z9);      /* z^31 = z^(2^5 - 1) */
  fe_sq_n(t, z_5_0, 5);
  fe_mul(z_10_0, t, z_5_0);  /* z^(2^10 - 1) */
  fe_sq_n(t, z_10_0, 10);
  fe_mul(z_20_0, t, z_10_0); /* z^(2^20 - 1) */
  fe_sq_n(t, z_20_0, 20);
  fe_mul(t, t, z_20_0);      /* z^(2^40 - 1) */
  fe_sq_n(t, t, 10);
  fe_mul(z_50_0, t, z_10_0); /* z^(2^50 - 1) */
  fe_sq_n(t, z_50_0, 50);
  fe_mul(z_100_0, t, z_50_0); /* z^(2^100 - 1) */
  fe_sq_n(t, z_100_0, 100);
  fe_mul(t, t, z_100_0);     /* z^(2^200 - 1) */
  fe_sq_n(t, t, 50);
  fe_mul(t, t, z_50_0);      /* z^(2^250 - 1) */
  fe_sq_n(t, t, 5);          /* z^(2^255 - 32) */
  fe_mul(h, t, z11);         /* z^(2^255 - 21) */
  hw_wipe(z2, sizeof z2); hw_wipe(z9, sizeof z9); hw_wipe(z11, sizeof z11);
  hw_wipe(z_5_0, sizeof z_5_0); hw_wipe(z_10_0, sizeof z_10_0); hw_wipe(z_20_0, sizeof z_20_0);
  hw_wipe(z_50_0, sizeof z_50_0); hw_wipe(z_100_0, sizeof z_100_0); hw_wipe(t, sizeof t);
}

/* Limb i starts at bit POS[i] and is WIDTH[i] bits wide; a 32-bit window at byte POS/8 always
 * covers it (shift + width <= 32), and the last window ends exactly at byte 32. */
static const uint8_t POS[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};

/* u-coordinate from bytes; bit 255 is ignored (RFC 7748 section 5). Non-canonical values
 * (p..2^255-1) are accepted as is and reduce in the arithmetic. */
static void fe_frombytes(fe h, const uint8_t s[32]) {
  int i;
  for (i = 0; i < 10; i++) {
    const uint32_t w = hw_load32_le(s + (POS[i] >> 3)) >> (POS[i] & 7);
    h[i] = w & ((i & 1) ? M25 : M26);
  }
}

/* Fully reduce mod p and write 32 little-endian bytes. */
static void fe_tobytes(uint8_t s[32], const fe f) {
  uint32_t h[10];
  uint32_t q, c;
  uint64_t acc;
  int i, bits, at;
  /* Carry once more so every limb is within its width; the value is then below 2p. */
  for (i = 0; i < 10; i++) h[i] = f[i];
  for (i = 0; i < 9; i++) {
    c = h[i] >> ((i & 1) ? 25 : 26);
    h[i] &= (i & 1) ? M25 : M26;
    h[i + 1] += c;
  }
  c = h[9] >> 25;
  h[9] &= M25;
  h[0] += 19 * c;
  c = h[0] >> 26;
  h[0] &= M26;
  h[1] += c;
  /* q = 1 exactly when h >= p, i.e. when h + 19 reaches 2^255: propagate the carry of h + 19. */
  q = (h[0] + 19) >> 26;
  for (i = 1; i < 10; i++) q = (h[i] + q) >> ((i & 1) ? 25 : 26);
  /* h - q*p = h + 19q - q*2^255: add 19q, carry, and drop bit 255. */
  h[0] += 19 * q;
  for (i = 0; i < 9; i++) {
    c = h[i] >> ((i & 1) ? 25 : 26);
    h[i] &= (i & 1) ? M25 : M26;
    h[i + 1] += c;
  }
  h[9] &= M25;
  /* Pack the 255 bits. */
  acc = 0;
  bits = 0;
  at = 0;
  for (i = 0; i < 10; i++) {
    acc |= (uint64_t)h[i] << bits;
    bits += (i & 1) ? 25 : 26;
    while (bits >= 8) {
      s[at++] = (uint8_t)acc;
      acc >>= 8;
      bits -= 8;
    }
  }
  s[31] = (uint8_t)acc; /* the last 7 bits */
  hw_wipe(h, sizeof h);
}

/* RFC 7748 section 5: the ladder with one conditional swap per scalar bit. */
static void ladder(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]) {
  uint8_t k[32];
  fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
  uint32_t swap = 0, bit;
  int t, i;

  for (i = 0; i < 32; i++) k[i] = scalar[i];
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;

  fe_frombytes(x1, point);
  for (i = 0; i < 10; i++) {
    x2[i] = 0;
    z2[i] = 0;
    x3[i] = x1[i];
    z3[i] = 0;
  }
  x2[0] = 1;
  z3[0] = 1;

  for (t = 254; t >= 0; t--) {
    bit = (uint32_t)(k[t >> 3] >> (t & 7)) & 1u;
    swap ^= bit;
    fe_cswap(x2, x3, swap);
    fe_cswap(z2, z3, swap);
    swap = bit;

    fe_add(a, x2, z2);
    fe_sq(aa, a);
    fe_sub(b, x2, z2);
    fe_sq(bb, b);
    fe_sub(e, aa, bb);
    fe_add(c, x3, z3);
    fe_sub(d, x3, z3);
    fe_mul(da, d, a);
    fe_mul(cb, c, b);
    fe_add(x3, da, cb);
    fe_sq(x3, x3);
    fe_sub(z3, da, cb);
    fe_sq(z3, z3);
    fe_mul(z3, z3, x1);
    fe_mul(x2, aa, bb);
    fe_mul_a24(z2, e);
    fe_add(z2, z2, aa);
    fe_mul(z2, z2, e);
  }
  fe_cswap(x2, x3, swap);
  fe_cswap(z2, z3, swap);

  fe_invert(z2, z2);
  fe_mul(x2, x2, z2);
  fe_tobytes(out, x2);

  hw_wipe(k, sizeof k);
  hw_wipe(x1, sizeof x1); hw_wipe(x2, sizeof x2); hw_wipe(z2, sizeof z2);
  hw_wipe(x3, sizeof x3); hw_wipe(z3, sizeof z3); hw_wipe(a, sizeof a);
  hw_wipe(aa, sizeof aa); hw_wipe(b, sizeof b); hw_wipe(bb, sizeof bb);
  hw_wipe(e, sizeof e); hw_wipe(c, sizeof c); hw_wipe(d, sizeof d);
  hw_wipe(da, sizeof da); hw_wipe(cb, sizeof cb);
}

int hw_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]) {
  uint32_t acc = 0;
  int i;
  ladder(out, scalar, point);
  /* An all-zero result means a low-order point; report it without branching on the bytes. */
  for (i = 0; i < 32; i++) acc |= out[i];
  return -(int)(1u & ((acc - 1u) >> 8));
}

/* ---- Fixed-base multiply on the equivalent Edwards curve -------------------------------
 * X25519(k, 9) is the u-coordinate of k*B, B the Edwards25519 base point, under the map
 * u = (1 + y) / (1 - y); a table of multiples of B replaces the ladder's 255 steps.
 * Default: signed radix-16 windows, 64 table additions and 4 doublings, 24 KB of table.
 * -DHW_X25519_BASE_SMALL: a 4-tooth comb, 64 doublings and 64 additions, 1.9 KB of table,
 * for boards whose flash is tighter than their time budget.
 * Points are extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z, on
 * -x^2 + y^2 = 1 + d x^2 y^2; table entries are (y + x, y - x, 2 d x y) with Z = 1, so adding
 * one costs no inversion. */
#include "x25519_base_table.h"

typedef struct {
  fe X, Y, Z, T;
} ge;

/* Carry a sum or difference back to carried limbs with 32-bit arithmetic (the Edwards
 * formulas chain more additions than the ladder does before multiplying). */
static void fe_carry32(fe h) {
  uint32_t c;
  int i;
  for (i = 0; i < 9; i++) {
    c = h[i] >> ((i & 1) ? 25 : 26);
    h[i] &= (i & 1) ? M25 : M26;
    h[i + 1] += c;
  }
  c = h[9] >> 25;
  h[9] &= M25;
  h[0] += 19 * c;
  c = h[0] >> 26;
  h[0] &= M26;
  h[1] += c;
}

/* r = 2p; T only when with_t (an addition follows, and it reads T). With a = -1 and the signs of F and H
 * flipped (which scales the whole point by -1 and so leaves it unchanged):
 *   A = X^2, B = Y^2, H = A + B, G = B - A, E = (X + Y)^2 - H, F = 2 Z^2 + A - B
 *   X' = E F, Y' = G H, T' = E H, Z' = F G. */
static void ge_double(ge *r, const ge *p, int with_t) {
  fe a, b, h, g, e, f;
  fe_sq(a, p->X);
  fe_sq(b, p->Y);
  fe_sq(f, p->Z);
  fe_add(h, a, b);
  fe_carry32(h);
  fe_sub(g, b, a);
  fe_add(e, p->X, p->Y);
  fe_sq(e, e);
  fe_sub(e, e, h);
  fe_add(f, f, f);
  fe_add(f, f, a);
  fe_sub(f, f, b);
  fe_carry32(f);
  fe_mul(r->X, e, f);
  fe_mul(r->Y, g, h);
  if (with_t) fe_mul(r->T, e, h);
  fe_mul(r->Z, f, g);
}

/* r = p + q for a table entry q = (y + x, y - x, 2 d x y) with Z = 1:
 *   A = (Y - X)(y - x), B = (Y + X)(y + x), C = T 2dxy, D = 2 Z
 *   X' = (B - A)(D - C), Y' = (D + C)(B + A), Z' = (D - C)(D + C), T' = (B - A)(B + A).
 * T' is skipped when with_t is 0 (a doubling or the end follows; neither reads T). */
static void ge_add_entry(ge *r, const ge *p, const fe q[3], int with_t) {
  fe a, b, c, d, e, f, g, h;
  fe_sub(a, p->Y, p->X);
  fe_mul(a, a, q[1]);
  fe_add(b, p->Y, p->X);
  fe_mul(b, b, q[0]);
  fe_mul(c, p->T, q[2]);
  fe_add(d, p->Z, p->Z);
  fe_carry32(d);
  fe_sub(e, b, a);
  fe_add(h, b, a);
  fe_sub(f, d, c);
  fe_add(g, d, c);
  fe_mul(r->X, e, f);
  fe_mul(r->Y, g, h);
  fe_mul(r->Z, f, g);
  if (with_t) fe_mul(r->T, e, h);
}

/* All ones when x == y, else 0, without a branch: (z - 1) >> 31 is 1 only for z = x ^ y == 0
 * (both below 2^31). */
static uint32_t ct_eq_mask(uint32_t x, uint32_t y) {
  return 0u - (((x ^ y) - 1u) >> 31);
}

#ifdef HW_X25519_BASE_SMALL

/* Copies entry idx of the table without a secret-dependent address: every entry is read and
 * masked in. Word by word across all entries, so the masks can stay in registers. */
static void comb_lookup(fe out[3], uint32_t idx) {
  const uint32_t *tab = &BASE_COMB[0][0][0];
  uint32_t mask[1 << COMB_TEETH];
  uint32_t *o = &out[0][0];
  int e, w;
  for (e = 0; e < (1 << COMB_TEETH); e++) mask[e] = ct_eq_mask((uint32_t)e, idx);
  for (w = 0; w < 30; w++) {
    uint32_t acc = 0;
    for (e = 0; e < (1 << COMB_TEETH); e++) acc |= tab[30 * e + w] & mask[e];
    o[w] = acc;
  }
  hw_wipe(mask, sizeof mask);
}

/* q = k*B for the clamped scalar k. */
static void base_multiply(ge *q, const uint8_t k[32]) {
  fe entry[3];
  uint32_t idx;
  int i, j;
  /* k = sum over i < 64 of 2^i * (k_i + k_(i+64) 2^64 + k_(i+128) 2^128 + k_(i+192) 2^192):
   * from the top column down, double and add the entry the column's four bits select. */
  for (i = COMB_SPACING - 1; i >= 0; i--) {
    ge_double(q, q, 1);
    idx = 0;
    for (j = 0; j < COMB_TEETH; j++) {
      const int bit = i + COMB_SPACING * j;
      idx |= (uint32_t)((k[bit >> 3] >> (bit & 7)) & 1) << j;
    }
    comb_lookup(entry, idx);
    ge_add_entry(q, q, (const fe *)entry, 0);
  }
  hw_wipe(entry, sizeof entry);
}

#else

/* A canonical 255-bit value in eight little-endian 32-bit words, spread into limbs
 * (limb i starts at bit POS[i]). */
static void fe_fromwords(fe h, const uint32_t w[8]) {
  h[0] = w[0] & M26;
  h[1] = ((w[0] >> 26) | (w[1] << 6)) & M25;
  h[2] = ((w[1] >> 19) | (w[2] << 13)) & M26;
  h[3] = ((w[2] >> 13) | (w[3] << 19)) & M25;
  h[4] = (w[3] >> 6) & M26;
  h[5] = w[4] & M25;
  h[6] = ((w[4] >> 25) | (w[5] << 7)) & M26;
  h[7] = ((w[5] >> 19) | (w[6] << 13)) & M25;
  h[8] = ((w[6] >> 12) | (w[7] << 20)) & M26;
  h[9] = (w[7] >> 6) & M25;
}

/* Scratch of window_lookup, kept by the caller so it is wiped once, not per lookup. */
typedef struct {
  uint32_t mask[BASE_PER_WINDOW], w[24];
  fe minus;
} window_scratch;

/* out = digit * 256^j * B for a digit in -8..8, without a secret-dependent address or branch:
 * all eight entries of window j are read and masked in (the identity (1, 1, 0) when the digit
 * is 0), then the entry is negated under a mask: -(x, y) = (-x, y) swaps y + x with y - x and
 * negates 2dxy. */
static void window_lookup(fe out[3], int j, int32_t digit, window_scratch *s) {
  const uint32_t *tab = &BASE_WINDOW[j][0][0][0];
  const uint32_t neg = (uint32_t)digit >> 31;
  const uint32_t abs = ((uint32_t)digit ^ (0u - neg)) + neg;
  uint32_t x;
  int m, i;
  for (m = 0; m < BASE_PER_WINDOW; m++) s->mask[m] = ct_eq_mask((uint32_t)m + 1u, abs);
  for (i = 0; i < 24; i++) {
    uint32_t acc = 0;
    for (m = 0; m < BASE_PER_WINDOW; m++) acc |= tab[24 * m + i] & s->mask[m];
    s->w[i] = acc;
  }
  x = ct_eq_mask(0u, abs) & 1u;
  s->w[0] |= x;
  s->w[8] |= x;
  /* swap y + x and y - x while still in words (8 of them, not 10 limbs) */
  x = 0u - neg;
  for (i = 0; i < 8; i++) {
    const uint32_t t = (s->w[i] ^ s->w[8 + i]) & x;
    s->w[i] ^= t;
    s->w[8 + i] ^= t;
  }
  fe_fromwords(out[0], s->w);
  fe_fromwords(out[1], s->w + 8);
  fe_fromwords(out[2], s->w + 16);
  for (i = 0; i < 10; i++) s->minus[i] = 0;
  fe_sub(s->minus, s->minus, out[2]);
  for (i = 0; i < 10; i++) out[2][i] ^= (out[2][i] ^ s->minus[i]) & x;
}

/* q = the table entry (y + x, y - x, 2dxy) as an extended point, scaled by 4 to avoid halving:
 * X = 2((y + x) - (y - x)) = 4x, Y = 2((y + x) + (y - x)) = 4y, Z = 4, T = (2x)(2y) = 4xy. */
static void ge_from_entry(ge *q, const fe e[3]) {
  fe a, b;
  int i;
  fe_sub(a, e[0], e[1]);
  fe_add(b, e[0], e[1]);
  fe_carry32(a);
  fe_carry32(b);
  fe_mul(q->T, a, b);
  fe_add(q->X, a, a);
  fe_add(q->Y, b, b);
  fe_carry32(q->X); /* the next addition subtracts X from Y: both must be carried */
  fe_carry32(q->Y);
  for (i = 0; i < 10; i++) q->Z[i] = 0;
  q->Z[0] = 4;
  hw_wipe(a, sizeof a);
  hw_wipe(b, sizeof b);
}

/* q = k*B for the clamped scalar k (below 2^255). k = sum of e_i 16^i with signed digits
 * e_i in -8..8; the odd digits' terms are 16 times those of the table's windows, so they are
 * summed first and multiplied by 16 (four doublings), then the even digits' terms are added.
 * T is computed only where an addition follows. */
static void base_multiply(ge *q, const uint8_t k[32]) {
  int32_t e[64], carry;
  fe entry[3];
  window_scratch s;
  int i;
  for (i = 0; i < 32; i++) {
    e[2 * i] = k[i] & 15;
    e[2 * i + 1] = k[i] >> 4;
  }
  /* Recentre each digit into -8..7 and carry into the next: e + 8 is never negative, so the
   * shift is a plain division, and the top digit ends at most 8 because k < 2^255. */
  carry = 0;
  for (i = 0; i < 63; i++) {
    e[i] += carry;
    carry = (e[i] + 8) >> 4;
    e[i] -= carry * 16;
  }
  e[63] += carry;
  window_lookup(entry, 0, e[1], &s);
  ge_from_entry(q, (const fe *)entry);
  for (i = 3; i < 64; i += 2) {
    window_lookup(entry, i / 2, e[i], &s);
    ge_add_entry(q, q, (const fe *)entry, i < 63);
  }
  ge_double(q, q, 0);
  ge_double(q, q, 0);
  ge_double(q, q, 0);
  ge_double(q, q, 1);
  for (i = 0; i < 64; i += 2) {
    window_lookup(entry, i / 2, e[i], &s);
    ge_add_entry(q, q, (const fe *)entry, i < 62);
  }
  hw_wipe(e, sizeof e);
  hw_wipe(entry, sizeof entry);
  hw_wipe(&s, sizeof s);
}

#endif

void hw_x25519_base(uint8_t out[32], const uint8_t scalar[32]) {
  uint8_t k[32];
  ge q;
  fe num, den;
  int i, j;
  for (i = 0; i < 32; i++) k[i] = scalar[i];
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  /* q = identity (0 : 1 : 1 : 0) */
  for (j = 0; j < 10; j++) q.X[j] = q.Y[j] = q.Z[j] = q.T[j] = 0;
  q.Y[0] = 1;
  q.Z[0] = 1;
  base_multiply(&q, k);
  /* u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y); k*B is never the identity for a clamped k. */
  fe_add(num, q.Z, q.Y);
  fe_sub(den, q.Z, q.Y);
  fe_invert(den, den);
  fe_mul(num, num, den);
  fe_tobytes(out, num);
  hw_wipe(k, sizeof k);
  hw_wipe(&q, sizeof q);
  hw_wipe(num, sizeof num);
  hw_wipe(den, sizeof den);
}

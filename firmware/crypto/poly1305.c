/* Poly1305 (RFC 8439 section 2.5) with the accumulator and r in five 26-bit limbs: each
 * product fits a 32x32->64 multiply and five of them add up without overflow, which suits
 * RV32IMC and Xtensa (no 64x64 multiply) and needs no carries between products. */
#include "hw_crypto.h"
#include "hw_util.h"

#define M26 0x3ffffffu

void hw_poly1305_init(hw_poly1305_state *st, const uint8_t key[32]) {
  /* Clamp r (RFC 8439 2.5.1) on whole words, then split into limbs. */
  uint32_t t0 = hw_load32_le(key) & 0x0fffffffu;
  uint32_t t1 = hw_load32_le(key + 4) & 0x0ffffffcu;
  uint32_t t2 = hw_load32_le(key + 8) & 0x0ffffffcu;
  uint32_t t3 = hw_load32_le(key + 12) & 0x0ffffffcu;
  int i;
  st->r[0] = t0 & M26;
  st->r[1] = ((t0 >> 26) | (t1 << 6)) & M26;
  st->r[2] = ((t1 >> 20) | (t2 << 12)) & M26;
  st->r[3] = ((t2 >> 14) | (t3 << 18)) & M26;
  st->r[4] = t3 >> 8;
  for (i = 0; i < 5; i++) st->h[i] = 0;
  for (i = 0; i < 4; i++) st->pad[i] = hw_load32_le(key + 16 + 4 * i);
}

void hw_poly1305_blocks(hw_poly1305_state *st, const uint8_t *m, size_t len, uint32_t hibit) {
  const uint32_t r0 = st->r[0], r1 = st->r[1], r2 = st->r[2], r3 = st->r[3], r4 = st->r[4];
  /* 2^130 = 5 mod p, so limbs that overflow past 2^130 come back multiplied by 5. */
  const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
  const uint32_t top = hibit << 24;
  uint32_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2], h3 = st->h[3], h4 = st->h[4];
  uint32_t t0, t1, t2, t3, c;
  uint64_t d0, d1, d2, d3, d4;

  while (len >= 16) {
#if HW_LE_WORDS
    if (HW_ALIGNED4(m)) {
      t0 = hw_load32_aligned(m);
      t1 = hw_load32_aligned(m + 4);
      t2 = hw_load32_aligned(m + 8);
      t3 = hw_load32_aligned(m + 12);
    } else
#endif
    {
      t0 = hw_load32_le(m);
      t1 = hw_load32_le(m + 4);
      t2 = hw_load32_le(m + 8);
      t3 = hw_load32_le(m + 12);
    }
    h0 += t0 & M26;
    h1 += ((t0 >> 26) | (t1 << 6)) & M26;
    h2 += ((t1 >> 20) | (t2 << 12)) & M26;
    h3 += ((t2 >> 14) | (t3 << 18)) & M26;
    h4 += (t3 >> 8) | top;

    /* h limbs < 2^27, r limbs < 2^26, s = 5r < 2^28.4: every sum stays below 2^58. */
    d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 + (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
    d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 + (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
    d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 + (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
    d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 + (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
    d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 + (uint64_t)h3 * r1 + (uint64_t)h4 * r0;

    /* Partial reduction: limbs back under 2^26 (h1 may exceed by a few). Each d is below
     * 25 * 2^53 < 2^58, so every carry d >> 26 fits 32 bits, and the top carry times 5 plus
     * h0 does too. */
    h0 = (uint32_t)d0 & M26;
    d1 += (uint32_t)(d0 >> 26);
    h1 = (uint32_t)d1 & M26;
    d2 += (uint32_t)(d1 >> 26);
    h2 = (uint32_t)d2 & M26;
    d3 += (uint32_t)(d2 >> 26);
    h3 = (uint32_t)d3 & M26;
    d4 += (uint32_t)(d3 >> 26);
    h4 = (uint32_t)d4 & M26;
    c = (uint32_t)(d4 >> 26);
    h0 += c * 5;
    c = h0 >> 26;
    h0 &= M26;
    h1 += c;

    m += 16;
    len -= 16;
  }
  st->h[0] = h0;
  st->h[1] = h1;
  st->h[2] = h2;
  st->h[3] = h3;
  st->h[4] = h4;
}

void hw_poly1305_finish(hw_poly1305_state *st, uint8_t tag[16]) {
  uint32_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2], h3 = st->h[3], h4 = st->h[4];
  uint32_t g0, g1, g2, g3, g4, c, mask;
  uint64_t acc;
  uint32_t w[4];
  int i;

  /* Carry fully: afterwards h < 2^130 + 2^27 < 2p, so one conditional subtraction of p
   * finishes the reduction. */
  c = h1 >> 26; h1 &= M26; h2 += c;
  c = h2 >> 26; h2 &= M26; h3 += c;
  c = h3 >> 26; h3 &= M26; h4 += c;
  c = h4 >> 26; h4 &= M26; h0 += c * 5;
  c = h0 >> 26; h0 &= M26; h1 += c;

  /* g = h + 5 - 2^130 = h - p; keep g if it did not go negative, i.e. if bit 130 of h + 5 is set. */
  g0 = h0 + 5; c = g0 >> 26; g0 &= M26;
  g1 = h1 + c; c = g1 >> 26; g1 &= M26;
  g2 = h2 + c; c = g2 >> 26; g2 &= M26;
  g3 = h3 + c; c = g3 >> 26; g3 &= M26;
  g4 = h4 + c;
  mask = 0u - ((g4 >> 26) & 1u);
  g4 &= M26;
  h0 = (h0 & ~mask) | (g0 & mask);
  h1 = (h1 & ~mask) | (g1 & mask);
  h2 = (h2 & ~mask) | (g2 & mask);
  h3 = (h3 & ~mask) | (g3 & mask);
  h4 = (h4 & ~mask) | (g4 & mask);

  /* Repack the low 128 bits into words; a 64-bit accumulator tolerates a limb that is a
   * little over 26 bits. */
  acc = (uint64_t)h0 + ((uint64_t)h1 << 26);
  w[0] = (uint32_t)acc;
  acc = (acc >> 32) + ((uint64_t)h2 << 20);
  w[1] = (uint32_t)acc;
  acc = (acc >> 32) + ((uint64_t)h3 << 14);
  w[2] = (uint32_t)acc;
  acc = (acc >> 32) + ((uint64_t)h4 << 8);
  w[3] = (uint32_t)acc;

  /* tag = (h + s) mod 2^128 */
  acc = 0;
  for (i = 0; i < 4; i++) {
    acc += (uint64_t)w[i] + st->pad[i];
    hw_store32_le(tag + 4 * i, (uint32_t)acc);
    acc >>= 32;
  }
  hw_wipe(w, sizeof w);
  hw_wipe(st, sizeof *st);
}

void hw_poly1305(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32]) {
  hw_poly1305_state st;
  uint8_t last[16];
  size_t full = len & ~(size_t)15;
  size_t rest = len - full;
  hw_poly1305_init(&st, key);
  hw_poly1305_blocks(&st, msg, full, 1);
  if (rest > 0) {
    /* A short final block gets its 0x01 byte here and no 2^128 term. */
    memset(last, 0, sizeof last);
    memcpy(last, msg + full, rest);
    last[rest] = 1;
    hw_poly1305_blocks(&st, last, 16, 0);
    hw_wipe(last, sizeof last);
  }
  hw_poly1305_finish(&st, tag);
}

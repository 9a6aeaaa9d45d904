/* ChaCha20 (RFC 8439 section 2.3-2.4) and HChaCha20 (draft-irtf-cfrg-xchacha section 2.2). */
#include "hw_crypto.h"
#include "hw_util.h"

#define QR(a, b, c, d)        \
  a += b; d ^= a; d = HW_ROTL32(d, 16); \
  c += d; b ^= c; b = HW_ROTL32(b, 12); \
  a += b; d ^= a; d = HW_ROTL32(d, 8);  \
  c += d; b ^= c; b = HW_ROTL32(b, 7)

/* The 20 rounds on the 16-word state, in locals so that a 32-register core keeps the whole
 * state in registers. Shared by the two functions below through a macro so that each gets
 * its own register allocation. */
#define CHACHA20_ROUNDS(in)                                                                          \
  uint32_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6];     \
  uint32_t x7 = in[7], x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12];           \
  uint32_t x13 = in[13], x14 = in[14], x15 = in[15];                                               \
  int i;                                                                                           \
  for (i = 0; i < 10; i++) {                                                                       \
    QR(x0, x4, x8, x12);                                                                           \
    QR(x1, x5, x9, x13);                                                                           \
    QR(x2, x6, x10, x14);                                                                          \
    QR(x3, x7, x11, x15);                                                                          \
    QR(x0, x5, x10, x15);                                                                          \
    QR(x1, x6, x11, x12);                                                                          \
    QR(x2, x7, x8, x13);                                                                           \
    QR(x3, x4, x9, x14);                                                                           \
  }

/* The permuted state, with the input added back if feed_forward (a ChaCha20 block) or not
 * (HChaCha20). */
static void chacha20_core(uint32_t out[16], const uint32_t in[16], int feed_forward) {
  CHACHA20_ROUNDS(in)
  if (feed_forward) { /* a public flag, not data */
    x0 += in[0]; x1 += in[1]; x2 += in[2]; x3 += in[3]; x4 += in[4]; x5 += in[5]; x6 += in[6]; x7 += in[7];
    x8 += in[8]; x9 += in[9]; x10 += in[10]; x11 += in[11]; x12 += in[12]; x13 += in[13]; x14 += in[14];
    x15 += in[15];
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3; out[4] = x4; out[5] = x5; out[6] = x6; out[7] = x7;
  out[8] = x8; out[9] = x9; out[10] = x10; out[11] = x11; out[12] = x12; out[13] = x13; out[14] = x14;
  out[15] = x15;
}

/* One full 64-byte block of dst = src ^ keystream, the keystream never leaving registers:
 * the bulk path of every AEAD call. dst == src is fine (each word is read before written). */
static void chacha20_xor_block(uint8_t *dst, const uint8_t *src, const uint32_t in[16]) {
  CHACHA20_ROUNDS(in)
#define XOR_WORDS(LOAD, STORE)                                                                     \
  STORE(dst, LOAD(src) ^ (x0 + in[0])); STORE(dst + 4, LOAD(src + 4) ^ (x1 + in[1]));              \
  STORE(dst + 8, LOAD(src + 8) ^ (x2 + in[2])); STORE(dst + 12, LOAD(src + 12) ^ (x3 + in[3]));    \
  STORE(dst + 16, LOAD(src + 16) ^ (x4 + in[4])); STORE(dst + 20, LOAD(src + 20) ^ (x5 + in[5]));  \
  STORE(dst + 24, LOAD(src + 24) ^ (x6 + in[6])); STORE(dst + 28, LOAD(src + 28) ^ (x7 + in[7]));  \
  STORE(dst + 32, LOAD(src + 32) ^ (x8 + in[8])); STORE(dst + 36, LOAD(src + 36) ^ (x9 + in[9]));  \
  STORE(dst + 40, LOAD(src + 40) ^ (x10 + in[10])); STORE(dst + 44, LOAD(src + 44) ^ (x11 + in[11])); \
  STORE(dst + 48, LOAD(src + 48) ^ (x12 + in[12])); STORE(dst + 52, LOAD(src + 52) ^ (x13 + in[13])); \
  STORE(dst + 56, LOAD(src + 56) ^ (x14 + in[14])); STORE(dst + 60, LOAD(src + 60) ^ (x15 + in[15]))
#if HW_LE_WORDS
  if (HW_ALIGNED4(src) && HW_ALIGNED4(dst)) {
    XOR_WORDS(hw_load32_aligned, hw_store32_aligned);
    return;
  }
#endif
  XOR_WORDS(hw_load32_le, hw_store32_le);
#undef XOR_WORDS
}

/* "expand 32-byte k" */
static void chacha20_setup(uint32_t st[16], const uint8_t key[32]) {
  int i;
  st[0] = 0x61707865u;
  st[1] = 0x3320646eu;
  st[2] = 0x79622d32u;
  st[3] = 0x6b206574u;
  for (i = 0; i < 8; i++) st[4 + i] = hw_load32_le(key + 4 * i);
}

void hw_chacha20_block(uint8_t out[64], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]) {
  uint32_t st[16], x[16];
  int i;
  chacha20_setup(st, key);
  st[12] = counter;
  st[13] = hw_load32_le(nonce);
  st[14] = hw_load32_le(nonce + 4);
  st[15] = hw_load32_le(nonce + 8);
  chacha20_core(x, st, 1);
  for (i = 0; i < 16; i++) hw_store32_le(out + 4 * i, x[i]);
  hw_wipe(st, sizeof st);
  hw_wipe(x, sizeof x);
}

/* The block counter wraps modulo 2^32, as in RFC 8439; callers never come near it (WireGuard
 * messages are below 64 KiB). */
void hw_chacha20_xor(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[32], uint32_t counter,
                     const uint8_t nonce[12]) {
  uint32_t st[16], ks[16];
  uint8_t tail[64];
  size_t i;
  chacha20_setup(st, key);
  st[12] = counter;
  st[13] = hw_load32_le(nonce);
  st[14] = hw_load32_le(nonce + 4);
  st[15] = hw_load32_le(nonce + 8);
  while (len >= 64) {
    chacha20_xor_block(dst, src, st);
    st[12]++;
    src += 64;
    dst += 64;
    len -= 64;
  }
  if (len > 0) {
    chacha20_core(ks, st, 1);
    for (i = 0; i < 16; i++) hw_store32_le(tail + 4 * i, ks[i]);
    for (i = 0; i < len; i++) dst[i] = (uint8_t)(src[i] ^ tail[i]);
    hw_wipe(tail, sizeof tail);
    hw_wipe(ks, sizeof ks);
  }
  hw_wipe(st, sizeof st);
}

void hw_hchacha20(uint8_t out[32], const uint8_t key[32], const uint8_t nonce[16]) {
  uint32_t st[16], x[16];
  int i;
  chacha20_setup(st, key);
  for (i = 0; i < 4; i++) st[12 + i] = hw_load32_le(nonce + 4 * i);
  chacha20_core(x, st, 0);
  /* The subkey is the first and last rows of the permuted state, without the feed-forward. */
  for (i = 0; i < 4; i++) {
    hw_store32_le(out + 4 * i, x[i]);
    hw_store32_le(out + 16 + 4 * i, x[12 + i]);
  }
  hw_wipe(st, sizeof st);
  hw_wipe(x, sizeof x);
}

/* BLAKE2s (RFC 7693): keyed and unkeyed, digest length 1..32, no salt or personalisation. */
#include "hw_crypto.h"
#include "hw_util.h"

static const uint32_t IV[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                               0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};

#define G(a, b, c, d, x, y)              \
  a += b + (x); d ^= a; d = HW_ROTL32(d, 16); \
  c += d; b ^= c; b = HW_ROTL32(b, 20);       \
  a += b + (y); d ^= a; d = HW_ROTL32(d, 24); \
  c += d; b ^= c; b = HW_ROTL32(b, 25)

/* Message word k of the block. Blocks reach compress() 4-aligned (update copies unaligned
 * input first), so on little-endian targets this is one load straight from the caller's
 * buffer: no copy of the block, and nothing left on the stack to wipe. */
#if HW_LE_WORDS
#define MSG(k) hw_load32_aligned(block + 4 * (k))
#else
#define MSG(k) hw_load32_le(block + 4 * (k))
#endif

/* One round with the message schedule written out as constants (RFC 7693 SIGMA), so each
 * message word is a load from a fixed offset rather than a table lookup plus a load. */
#define ROUND(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15) \
  G(v0, v4, v8, v12, MSG(s0), MSG(s1));                                          \
  G(v1, v5, v9, v13, MSG(s2), MSG(s3));                                          \
  G(v2, v6, v10, v14, MSG(s4), MSG(s5));                                         \
  G(v3, v7, v11, v15, MSG(s6), MSG(s7));                                         \
  G(v0, v5, v10, v15, MSG(s8), MSG(s9));                                         \
  G(v1, v6, v11, v12, MSG(s10), MSG(s11));                                       \
  G(v2, v7, v8, v13, MSG(s12), MSG(s13));                                        \
  G(v3, v4, v9, v14, MSG(s14), MSG(s15))

/* Compresses n consecutive 4-aligned blocks, counting inc bytes for each (64, or the length
 * of the final block). One call per update keeps the register save/restore off the per-block
 * cost. Rotations by 16, 20, 24, 25 to the left are RFC 7693's 16, 12, 8, 7 to the right. */
static void compress(hw_blake2s_state *s, const uint8_t *block, size_t n, uint32_t inc, uint32_t last) {
  for (; n > 0; n--, block += 64) {
    uint32_t v0 = s->h[0], v1 = s->h[1], v2 = s->h[2], v3 = s->h[3];
    uint32_t v4 = s->h[4], v5 = s->h[5], v6 = s->h[6], v7 = s->h[7];
    uint32_t v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3], v12, v13, v14, v15 = IV[7];
    s->t[0] += inc;
    s->t[1] += (uint32_t)(s->t[0] < inc);
    v12 = IV[4] ^ s->t[0];
    v13 = IV[5] ^ s->t[1];
    v14 = IV[6] ^ (0u - last);
    ROUND(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    ROUND(14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3);
    ROUND(11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4);
    ROUND(7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8);
    ROUND(9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13);
    ROUND(2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9);
    ROUND(12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11);
    ROUND(13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10);
    ROUND(6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5);
    ROUND(10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0);
    s->h[0] ^= v0 ^ v8;
    s->h[1] ^= v1 ^ v9;
    s->h[2] ^= v2 ^ v10;
    s->h[3] ^= v3 ^ v11;
    s->h[4] ^= v4 ^ v12;
    s->h[5] ^= v5 ^ v13;
    s->h[6] ^= v6 ^ v14;
    s->h[7] ^= v7 ^ v15;
  }
}

int hw_blake2s_init(hw_blake2s_state *s, size_t out_len, const uint8_t *key, size_t key_len) {
  int i;
  if (out_len < 1 || out_len > HW_BLAKE2S_MAX_OUT || key_len > HW_BLAKE2S_MAX_KEY || (key_len > 0 && !key)) {
    hw_wipe(s, sizeof *s);
    return -1;
  }
  for (i = 0; i < 8; i++) s->h[i] = IV[i];
  /* Parameter block word 0: digest length, key length, fanout 1, depth 1 (sequential mode). */
  s->h[0] ^= 0x01010000u ^ ((uint32_t)key_len << 8) ^ (uint32_t)out_len;
  s->t[0] = 0;
  s->t[1] = 0;
  s->out_len = (uint32_t)out_len;
  s->buf_len = 0;
  if (key_len > 0) {
    /* The key, zero-padded, is the first block. (Unkeyed, buf is written before it is read.) */
    memcpy(s->buf, key, key_len);
    hw_zero(s->buf + key_len, 64 - key_len);
    s->buf_len = 64;
  }
  return 0;
}

void hw_blake2s_update(hw_blake2s_state *s, const uint8_t *in, size_t len) {
  size_t take, n;
  uint32_t copy[16]; /* an aligned home for blocks of unaligned input */
  if (len == 0) return;
  /* A full buffer is only compressed once more input proves it is not the last block. */
  if (s->buf_len > 0) {
    take = 64 - s->buf_len;
    if (take > len) take = len;
    hw_copy(s->buf + s->buf_len, in, take);
    s->buf_len += (uint32_t)take;
    in += take;
    len -= take;
    if (len == 0) return;
    compress(s, s->buf, 1, 64, 0);
    s->buf_len = 0;
  }
  /* Whole blocks straight from the input, keeping at least one byte back for final. */
  n = (len - 1) / 64;
  if (n > 0) {
    if (HW_ALIGNED4(in) || !HW_LE_WORDS) {
      compress(s, in, n, 64, 0);
    } else {
      size_t k;
      for (k = 0; k < n; k++) {
        memcpy(copy, in + 64 * k, 64);
        compress(s, (const uint8_t *)copy, 1, 64, 0);
      }
      hw_wipe(copy, sizeof copy);
    }
    in += 64 * n;
    len -= 64 * n;
  }
  hw_copy(s->buf, in, len);
  s->buf_len = (uint32_t)len;
}

/* Writes the digest and wipes the state. */
static void output(hw_blake2s_state *s, uint8_t *out) {
  uint8_t digest[32];
  uint32_t i;
#if HW_LE_WORDS
  if (s->out_len == 32 && HW_ALIGNED4(out)) { /* the common case, word by word */
    for (i = 0; i < 8; i++) hw_store32_aligned(out + 4 * i, s->h[i]);
    hw_wipe(s, sizeof *s);
    return;
  }
#endif
  for (i = 0; i < 8; i++) hw_store32_le(digest + 4 * i, s->h[i]);
  memcpy(out, digest, s->out_len);
  hw_wipe(digest, sizeof digest);
  hw_wipe(s, sizeof *s);
}

void hw_blake2s_final(hw_blake2s_state *s, uint8_t *out) {
  hw_zero(s->buf + s->buf_len, 64 - s->buf_len);
  compress(s, s->buf, 1, s->buf_len, 1);
  output(s, out);
}

int hw_blake2s(uint8_t *out, size_t out_len, const uint8_t *in, size_t in_len, const uint8_t *key,
               size_t key_len) {
  hw_blake2s_state s;
  size_t n;
  if (hw_blake2s_init(&s, out_len, key, key_len) != 0) return -1;
  if (key_len == 0 && (HW_ALIGNED4(in) || !HW_LE_WORDS)) {
    /* Unkeyed with aligned input (WireGuard's HASH): every block but the last straight from
     * the input, the last through the buffer, without update's bookkeeping. */
    n = in_len > 0 ? (in_len - 1) / 64 : 0;
    s.buf_len = (uint32_t)(in_len - 64 * n);
    if (s.buf_len > 0) hw_copy(s.buf, in + 64 * n, s.buf_len);
    hw_zero(s.buf + s.buf_len, 64 - s.buf_len);
    compress(&s, in, n, 64, 0);
    compress(&s, s.buf, 1, s.buf_len, 1);
    output(&s, out);
    return 0;
  }
  hw_blake2s_update(&s, in, in_len);
  hw_blake2s_final(&s, out);
  return 0;
}

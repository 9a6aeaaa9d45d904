/* ChaCha20-Poly1305 (RFC 8439 section 2.8) with WireGuard's 96-bit nonce, 32 zero bits then
 * the little-endian 64-bit counter, and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha section
 * 2.3): HChaCha20 derives a subkey from the first 16 nonce bytes, the last 8 become the nonce. */
#include "hw_crypto.h"
#include "hw_util.h"

/* MAC input: ad || pad16 || ciphertext || pad16 || LE64(ad_len) || LE64(ct_len). Full blocks go
 * straight from the caller's buffers; only the padded tails are copied. */
static void poly_padded(hw_poly1305_state *st, const uint8_t *p, size_t len) {
  uint8_t last[16];
  size_t full = len & ~(size_t)15;
  hw_poly1305_blocks(st, p, full, 1);
  if (len > full) {
    memset(last, 0, sizeof last);
    memcpy(last, p + full, len - full);
    hw_poly1305_blocks(st, last, 16, 1);
    hw_wipe(last, sizeof last);
  }
}

static void aead_tag(uint8_t tag[16], const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t ct_len,
                     const uint8_t key[32], const uint8_t nonce[12]) {
  hw_poly1305_state st;
  uint8_t block0[64];
  uint8_t lens[16];
  /* The one-time Poly1305 key is the first half of keystream block 0. */
  hw_chacha20_block(block0, key, 0, nonce);
  hw_poly1305_init(&st, block0);
  hw_wipe(block0, sizeof block0);
  poly_padded(&st, ad, ad_len);
  poly_padded(&st, ct, ct_len);
  hw_store64_le(lens, (uint64_t)ad_len);
  hw_store64_le(lens + 8, (uint64_t)ct_len);
  hw_poly1305_blocks(&st, lens, 16, 1);
  hw_poly1305_finish(&st, tag);
}

void hw_chacha20poly1305_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                              const uint8_t nonce[12], const uint8_t key[32]) {
  hw_chacha20_xor(dst, src, len, key, 1, nonce);
  aead_tag(dst + len, ad, ad_len, dst, len, key, nonce);
}

int hw_chacha20poly1305_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                             const uint8_t nonce[12], const uint8_t key[32]) {
  uint8_t tag[16];
  size_t ct_len;
  int ok;
  if (len < 16) return -1;
  ct_len = len - 16;
  /* Verify before decrypting: no unauthenticated plaintext ever reaches dst. */
  aead_tag(tag, ad, ad_len, src, ct_len, key, nonce);
  ok = hw_ct_equal(tag, src + ct_len, 16);
  hw_wipe(tag, sizeof tag);
  HW_DECLASSIFY(&ok, sizeof ok);
  if (!ok) {
    if (ct_len > 0) memset(dst, 0, ct_len);
    return -1;
  }
  hw_chacha20_xor(dst, src, ct_len, key, 1, nonce);
  return 0;
}

static void counter_nonce(uint8_t nonce[12], uint64_t counter) {
  hw_store32_le(nonce, 0);
  hw_store64_le(nonce + 4, counter);
}

void hw_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                  uint64_t counter, const uint8_t key[32]) {
  uint8_t nonce[12];
  counter_nonce(nonce, counter);
  hw_chacha20poly1305_seal(dst, src, len, ad, ad_len, nonce, key);
}

int hw_aead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                 uint64_t counter, const uint8_t key[32]) {
  uint8_t nonce[12];
  counter_nonce(nonce, counter);
  return hw_chacha20poly1305_open(dst, src, len, ad, ad_len, nonce, key);
}

static void xchacha_setup(uint8_t subkey[32], uint8_t nonce12[12], const uint8_t nonce[24],
                          const uint8_t key[32]) {
  hw_hchacha20(subkey, key, nonce);
  hw_store32_le(nonce12, 0);
  memcpy(nonce12 + 4, nonce + 16, 8);
}

void hw_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                   const uint8_t nonce[24], const uint8_t key[32]) {
  uint8_t subkey[32], nonce12[12];
  xchacha_setup(subkey, nonce12, nonce, key);
  hw_chacha20poly1305_seal(dst, src, len, ad, ad_len, nonce12, subkey);
  hw_wipe(subkey, sizeof subkey);
}

int hw_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                  const uint8_t nonce[24], const uint8_t key[32]) {
  uint8_t subkey[32], nonce12[12];
  int r;
  if (len < 16) return -1;
  xchacha_setup(subkey, nonce12, nonce, key);
  r = hw_chacha20poly1305_open(dst, src, len, ad, ad_len, nonce12, subkey);
  hw_wipe(subkey, sizeof subkey);
  return r;
}

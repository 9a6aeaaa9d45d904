/* homewire native crypto: the primitives WireGuard needs, in portable C99.
 *
 * No allocation, no I/O, fixed-size arguments; only <stdint.h>, <stddef.h> and <string.h>
 * are used, so the same files build freestanding for RV32 and Xtensa. Secret-dependent data
 * never selects a branch or a memory index, tags are compared in constant time, and secret
 * intermediates are wiped before returning.
 *
 * Buffers may not overlap unless a function says so (the AEADs allow dst == src).
 */
#ifndef HW_CRYPTO_H
#define HW_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HW_X25519_LEN 32
#define HW_AEAD_KEY_LEN 32
#define HW_AEAD_TAG_LEN 16
#define HW_XAEAD_NONCE_LEN 24
#define HW_BLAKE2S_BLOCK_LEN 64
#define HW_BLAKE2S_MAX_OUT 32
#define HW_BLAKE2S_MAX_KEY 32
#define HW_HMAC_MAX_KEY 64

/* ---- X25519 (RFC 7748) ---------------------------------------------------------------- */

/* out = X25519(scalar, point); the scalar is clamped inside, the point's top bit ignored.
 * Returns 0, or -1 if out is all zero (low-order point): out is written either way and the
 * caller must reject the -1 case (WireGuard drops the handshake). */
int hw_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);
/* out = X25519(scalar, 9): the public key of a private key. */
void hw_x25519_base(uint8_t out[32], const uint8_t scalar[32]);

/* ---- ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce 0^32 || LE64(counter) -------- */

/* dst receives len + 16 bytes: ciphertext || tag. */
void hw_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                  uint64_t counter, const uint8_t key[32]);
/* len includes the 16-byte tag; dst receives len - 16 bytes. Returns 0, or -1 if the tag does
 * not verify or len < 16; on failure the len - 16 bytes of dst (if any) are zeroed. */
int hw_aead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                 uint64_t counter, const uint8_t key[32]);

/* ---- XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), used by cookie replies ------------- */

void hw_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                   const uint8_t nonce[24], const uint8_t key[32]);
int hw_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                  const uint8_t nonce[24], const uint8_t key[32]);

/* ---- BLAKE2s (RFC 7693) ---------------------------------------------------------------- */

typedef struct {
  uint32_t h[8];      /* chain value */
  uint32_t t[2];      /* byte counter, low word first */
  uint8_t buf[64];    /* pending input; a full block is kept back until more input or final */
  uint32_t buf_len;   /* bytes in buf, 0..64 */
  uint32_t out_len;   /* digest length, 1..32 */
} hw_blake2s_state;

/* out_len 1..32, key_len 0..32 (0 = unkeyed; key may then be NULL). Returns 0, or -1 on bad
 * lengths (the state is then zeroed and must not be used). */
int hw_blake2s_init(hw_blake2s_state *s, size_t out_len, const uint8_t *key, size_t key_len);
void hw_blake2s_update(hw_blake2s_state *s, const uint8_t *in, size_t len);
/* Writes s->out_len bytes and wipes the state. */
void hw_blake2s_final(hw_blake2s_state *s, uint8_t *out);
/* One shot. Returns 0, or -1 on bad lengths (out untouched). */
int hw_blake2s(uint8_t *out, size_t out_len, const uint8_t *in, size_t in_len, const uint8_t *key,
               size_t key_len);

/* ---- HMAC-BLAKE2s (RFC 2104 with BLAKE2s-256, block 64): WireGuard's HMAC ------------- */

/* out = HMAC(key, in). key_len 0..64 (key may be NULL when 0; longer keys are refused, not
 * hashed), in may be NULL when in_len is 0. out may alias key or in: it is written last.
 * Returns 0, or -1 on bad arguments (out untouched). */
int hw_hmac_blake2s(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len);

/* ---- Lower level, exported for tests and the benchmark --------------------------------- */

/* One ChaCha20 block (RFC 8439 2.3): 32-bit block counter, 96-bit nonce. */
void hw_chacha20_block(uint8_t out[64], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]);
/* XOR len bytes of keystream starting at block `counter` into dst (dst == src allowed). */
void hw_chacha20_xor(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[32], uint32_t counter,
                     const uint8_t nonce[12]);
/* HChaCha20 (draft-irtf-cfrg-xchacha 2.2): derives a subkey from a key and a 16-byte nonce. */
void hw_hchacha20(uint8_t out[32], const uint8_t key[32], const uint8_t nonce[16]);
/* One-shot Poly1305 (RFC 8439 2.5) with a one-time 32-byte key. */
void hw_poly1305(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32]);
/* 1 if a and b are equal over len bytes, else 0; time depends only on len. */
int hw_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
/* Overwrite len bytes with zeros in a way the compiler may not elide. */
void hw_wipe(void *p, size_t len);

/* ---- Platform hook ---------------------------------------------------------------------
 * A board with a field multiplier (e.g. the ESP32 bignum unit) builds x25519.c with
 * -DHW_FE_MUL=its_function, where
 *     void its_function(uint32_t out[10], const uint32_t a[10], const uint32_t b[10]);
 * returns out = a * b mod 2^255 - 19 (it is used for squaring too, with a == b). Elements are
 * ten limbs in radix 2^25.5: limb i sits at bit 0, 26, 51, 77, 102, 128, 153, 179, 204, 230
 * and is 26 bits wide for even i, 25 for odd i. Inputs have limbs below 2^28 (sums and
 * differences of outputs). The output must be carried: even limbs below 2^26, odd limbs
 * below 2^25, except limb 1 which may reach 2^25 + 2^17; it need not be fully reduced.
 * out may alias a or b. It must run in time independent of the values. The portable C
 * multiply is the default and the reference; test/fe_mul_ref.c is a loop-form example that
 * `make test-crypto` runs the known answers through. */

#ifdef __cplusplus
}
#endif

#endif /* HW_CRYPTO_H */

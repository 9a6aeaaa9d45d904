/* Internal helpers shared by the primitives: little-endian loads and stores, rotation, and
 * word access that takes the fast path only when the platform allows it. Not part of the API. */
#ifndef HW_UTIL_H
#define HW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Compilers fold this shape into one rotate instruction where the core has one (Xtensa LX6,
 * RISC-V Zbb, x86) and into shift/shift/or where it does not (RV32IMC, lx106). n is never 0. */
#define HW_ROTL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* Word-at-a-time access when the target is little-endian and the pointer is 4-aligned:
 * a load is one instruction instead of four byte loads and three shift/ors. Alignment is a
 * property of the buffer address, never of secret data. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    defined(__GNUC__)
#define HW_LE_WORDS 1
#define HW_ALIGNED4(p) ((((uintptr_t)(p)) & 3u) == 0)
#else
#define HW_LE_WORDS 0
#define HW_ALIGNED4(p) 0
#endif

static inline uint32_t hw_load32_le(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void hw_store32_le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline void hw_store64_le(uint8_t *p, uint64_t v) {
  hw_store32_le(p, (uint32_t)v);
  hw_store32_le(p + 4, (uint32_t)(v >> 32));
}

#if HW_LE_WORDS
/* p must be 4-aligned (checked by the caller with HW_ALIGNED4). memcpy keeps this free of
 * aliasing trouble; with the alignment promise it compiles to a single load or store. */
static inline uint32_t hw_load32_aligned(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, __builtin_assume_aligned(p, 4), 4);
  return v;
}
static inline void hw_store32_aligned(uint8_t *p, uint32_t v) {
  memcpy(__builtin_assume_aligned(p, 4), &v, 4);
}
#endif

/* memcpy for the short copies on hot paths, word-wide when both ends are aligned. */
static inline void hw_copy(uint8_t *dst, const uint8_t *src, size_t n) {
#if HW_LE_WORDS
  if (HW_ALIGNED4(dst) && HW_ALIGNED4(src)) {
    for (; n >= 4; n -= 4, dst += 4, src += 4) hw_store32_aligned(dst, hw_load32_aligned(src));
  }
#endif
  for (; n > 0; n--) *dst++ = *src++;
}

/* Zero n bytes (not a wipe: the compiler may drop it if unused). Word stores once aligned,
 * because a small libc's memset may go byte by byte. */
static inline void hw_zero(uint8_t *p, size_t n) {
  while (n > 0 && !HW_ALIGNED4(p)) {
    *p++ = 0;
    n--;
  }
#if HW_LE_WORDS
  for (; n >= 4; n -= 4, p += 4) hw_store32_aligned(p, 0);
#endif
  for (; n > 0; n--) *p++ = 0;
}


/* ---- Internal interfaces between primitives ---- */

/* Poly1305 in 26-bit limbs so that every product is a 32x32->64 multiply. */
typedef struct {
  uint32_t r[5];
  uint32_t h[5];
  uint32_t pad[4]; /* s, the second half of the one-time key */
} hw_poly1305_state;

void hw_poly1305_init(hw_poly1305_state *st, const uint8_t key[32]);
/* len must be a multiple of 16; hibit is 1 for full message blocks (the 2^128 term). */
void hw_poly1305_blocks(hw_poly1305_state *st, const uint8_t *m, size_t len, uint32_t hibit);
/* Writes the tag and wipes the state. */
void hw_poly1305_finish(hw_poly1305_state *st, uint8_t tag[16]);

/* RFC 8439 AEAD with any 96-bit nonce (the RFC's own vectors use a non-WireGuard nonce). */
void hw_chacha20poly1305_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                              const uint8_t nonce[12], const uint8_t key[32]);
int hw_chacha20poly1305_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t ad_len,
                             const uint8_t nonce[12], const uint8_t key[32]);

/* The constant-time check (test/ct_valgrind.c) marks secrets undefined for valgrind; results
 * the protocol is allowed to learn (did the tag verify?) are declared public here. A no-op in
 * every normal build. */
#ifdef HW_VALGRIND_CT
#include <valgrind/memcheck.h>
#define HW_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define HW_DECLASSIFY(p, n) ((void)0)
#endif

#endif /* HW_UTIL_H */

/* Constant-time comparison and wiping, shared by every primitive. */
#include "hw_crypto.h"
#include "hw_util.h"

int hw_ct_equal(const uint8_t *a, const uint8_t *b, size_t len) {
  uint32_t diff = 0;
  size_t i;
  for (i = 0; i < len; i++) diff |= (uint32_t)(a[i] ^ b[i]);
  /* diff is 0..255: (diff - 1) >> 8 is 1 only for 0, without a branch on the data. */
  return (int)(1u & ((diff - 1u) >> 8));
}

void hw_wipe(void *p, size_t len) {
  /* Writes through a volatile pointer are observable, so they survive dead-store elimination.
   * Whole words where the buffer allows it: wiping runs on every call of every primitive, and
   * a small libc's memset may well go byte by byte. */
  volatile uint8_t *v = (volatile uint8_t *)p;
  size_t i = 0;
#if HW_LE_WORDS
  if (HW_ALIGNED4(p)) {
    /* may_alias: the buffer may be a byte array; GCC and clang then allow word stores to it. */
    typedef uint32_t __attribute__((may_alias)) word;
    volatile word *w = (volatile word *)p;
    for (; i + 8 <= len; i += 8, w += 2) {
      w[0] = 0;
      w[1] = 0;
    }
  }
#endif
  for (; i < len; i++) v[i] = 0;
}

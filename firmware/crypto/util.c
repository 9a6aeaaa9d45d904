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
#if defined(__GNUC__)
  /* memset runs word-wide (wiping happens on every call of every primitive); the empty asm
   * that claims to read the memory keeps the compiler from dropping it as a dead store. */
  if (len == 0) return;
  memset(p, 0, len);
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  /* Writes through a volatile pointer are observable, so they survive dead-store elimination. */
  volatile uint8_t *v = (volatile uint8_t *)p;
  size_t i;
  for (i = 0; i < len; i++) v[i] = 0;
#endif
}

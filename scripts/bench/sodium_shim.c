/* The few libsodium runtime helpers that its portable primitives call, so they can be linked
 * without libsodium's utils.c/randombytes.c (which pull in OS and CPU-feature code). Each is
 * as cheap as the real one, so the instruction counts stay fair. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void sodium_memzero(void *const pnt, const size_t len) {
  /* volatile keeps the wipe like the original: a store per byte the compiler cannot drop */
  volatile unsigned char *p = (volatile unsigned char *)pnt;
  size_t i;
  for (i = 0; i < len; i++) p[i] = 0;
}

int sodium_is_zero(const unsigned char *n, const size_t nlen) {
  unsigned char acc = 0;
  size_t i;
  for (i = 0; i < nlen; i++) acc |= n[i];
  return 1 & ((acc - 1) >> 8);
}

void sodium_misuse(void) {
  for (;;) {
  }
}

/* Only the keygen helpers reference it; the benchmark never generates keys through libsodium. */
void randombytes_buf(void *const buf, const size_t size) { memset(buf, 0, size); }

/* The C library pieces the crypto code may call (memcpy, memset, memmove, memcmp), for a
 * -nostdlib image. Word-wide when both pointers are 4-aligned, bytewise otherwise: roughly
 * what a small libc does, and the same for homewire and libsodium. */
#include <stddef.h>
#include <stdint.h>

/* GCC would otherwise recognise the copy loops below and turn them into calls to memcpy. */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
    for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t *)d = *(const uint32_t *)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  if (((uintptr_t)d & 3u) == 0) {
    uint32_t w = (uint8_t)c * 0x01010101u;
    for (; n >= 4; n -= 4, d += 4) *(uint32_t *)d = w;
  }
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  size_t i;
  for (i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

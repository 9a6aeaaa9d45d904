/* libFuzzer harness for X25519: Diffie-Hellman agreement from fuzzer-chosen scalars, base
 * multiply against the generic ladder on u = 9, and the all-zero report on arbitrary points. */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t a[32] = {0}, b[32] = {0}, u[32] = {0}, pa[32], pb[32], ka[32], kb[32], out[32];
  static const uint8_t nine[32] = {9};
  size_t i;
  int rc, zero = 1;
  memcpy(a, data, size < 32 ? size : 32);
  if (size > 32) memcpy(b, data + 32, size - 32 < 32 ? size - 32 : 32);
  if (size > 64) memcpy(u, data + 64, size - 64 < 32 ? size - 64 : 32);

  hw_x25519_base(pa, a);
  if (hw_x25519(out, a, nine) != 0 || memcmp(out, pa, 32) != 0) abort();
  hw_x25519_base(pb, b);
  /* a * (b * 9) == b * (a * 9); never zero for the prime-order base point. */
  if (hw_x25519(ka, a, pb) != 0 || hw_x25519(kb, b, pa) != 0) abort();
  if (memcmp(ka, kb, 32) != 0) abort();

  /* An arbitrary point: the return code must say exactly whether the output is all zero. */
  rc = hw_x25519(out, a, u);
  for (i = 0; i < 32; i++) zero &= out[i] == 0;
  if (rc != (zero ? -1 : 0)) abort();
  /* Bit 255 of the point is ignored. */
  u[31] ^= 0x80;
  if (hw_x25519(ka, a, u) != rc || memcmp(ka, out, 32) != 0) abort();
  return 0;
}

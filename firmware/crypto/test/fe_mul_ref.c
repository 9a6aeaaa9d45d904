/* A stand-in for a board's HW_FE_MUL (see hw_crypto.h): the field multiply written as plain
 * loops, independently of x25519.c's unrolled columns. The known-answer tests are built once
 * more with -DHW_FE_MUL=hw_test_fe_mul, which checks the hook and this second formulation. */
#include <stdint.h>

void hw_test_fe_mul(uint32_t out[10], const uint32_t a[10], const uint32_t b[10]);

void hw_test_fe_mul(uint32_t out[10], const uint32_t a[10], const uint32_t b[10]) {
  uint64_t col[10] = {0}, c;
  int i, j;
  for (i = 0; i < 10; i++) {
    for (j = 0; j < 10; j++) {
      /* limb i sits at ceil(25.5 i) bits: two odd limbs overshoot their product's column
       * by one bit, and columns from 10 on wrap with 2^255 = 19. */
      uint64_t m = (uint64_t)a[i] * b[j];
      if ((i & 1) && (j & 1)) m *= 2;
      if (i + j >= 10) m *= 19;
      col[(i + j) % 10] += m;
    }
  }
  for (i = 0; i < 9; i++) {
    c = col[i] >> ((i & 1) ? 25 : 26);
    col[i] &= (i & 1) ? 0x1ffffffu : 0x3ffffffu;
    col[i + 1] += c;
  }
  c = col[9] >> 25;
  col[9] &= 0x1ffffffu;
  col[0] += 19 * c;
  c = col[0] >> 26;
  col[0] &= 0x3ffffffu;
  col[1] += c;
  for (i = 0; i < 10; i++) out[i] = (uint32_t)col[i];
}

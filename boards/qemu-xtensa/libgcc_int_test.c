/* The board's integer helpers (libgcc_int.c) against the host's native 64-bit arithmetic:
 * edge operands (0, 1, 16-bit and 32-bit boundaries, all ones) crossed with each other, then
 * random operands of random widths. The helpers are compiled here under other names so they
 * cannot clash with the host's own libgcc; __udivmoddi4, which the board takes from libgcc,
 * is stood in for by native division. `make test-qemu-libgcc`. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#define __umulsidi3 t_umulsidi3
#define __muldi3 t_muldi3
#define __udivsi3 t_udivsi3
#define __umodsi3 t_umodsi3
#define __divsi3 t_divsi3
#define __udivdi3 t_udivdi3
#define __umoddi3 t_umoddi3
#define __divdi3 t_divdi3
#define __udivmoddi4 t_udivmoddi4
#include "libgcc_int.c"

uint64_t t_udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem) {
  if (rem) *rem = n % d;
  return n / d;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { /* xorshift64*: reproducible operands */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}
/* Operands of every width, so short dividends and small divisors are covered too. */
static uint32_t r32(void) { uint64_t x = next(); return (uint32_t)x >> (x >> 59); }
static uint64_t r64(void) { uint64_t x = next(); return next() >> (x >> 58); }

static unsigned long failures, checks;
#define CHECK(cond, fmt, ...)                                              \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond) && failures++ < 10) fprintf(stderr, "FAIL " fmt "\n", __VA_ARGS__); \
  } while (0)

static void check32(uint32_t a, uint32_t b) {
  CHECK(t_umulsidi3(a, b) == (uint64_t)a * b, "umulsidi3 %08" PRIx32 " %08" PRIx32, a, b);
  if (b) {
    CHECK(t_udivsi3(a, b) == a / b, "udivsi3 %" PRIu32 " %" PRIu32, a, b);
    CHECK(t_umodsi3(a, b) == a % b, "umodsi3 %" PRIu32 " %" PRIu32, a, b);
    int32_t sa = (int32_t)a, sb = (int32_t)b;
    if (!(sa == INT32_MIN && sb == -1)) CHECK(t_divsi3(sa, sb) == sa / sb, "divsi3 %" PRId32 " %" PRId32, sa, sb);
  }
}

static void check64(uint64_t a, uint64_t b) {
  CHECK(t_muldi3(a, b) == a * b, "muldi3 %016" PRIx64 " %016" PRIx64, a, b);
  if (b) {
    CHECK(t_udivdi3(a, b) == a / b, "udivdi3 %" PRIu64 " %" PRIu64, a, b);
    CHECK(t_umoddi3(a, b) == a % b, "umoddi3 %" PRIu64 " %" PRIu64, a, b);
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    if (!(sa == INT64_MIN && sb == -1)) CHECK(t_divdi3(sa, sb) == sa / sb, "divdi3 %" PRId64 " %" PRId64, sa, sb);
  }
}

int main(void) {
  static const uint32_t edge32[] = {0, 1, 2, 3, 7, 10, 0x7fff, 0x8000, 0xffff, 0x10000, 0x10001, 0x1ffff,
                                    0x3ffffff, 0x7fffffff, 0x80000000u, 0x80000001u, 0xfffeffffu, 0xffff0000u,
                                    0xffff0001u, 0xfffffffeu, 0xffffffffu};
  const unsigned n32 = sizeof edge32 / sizeof edge32[0];
  for (unsigned i = 0; i < n32; i++)
    for (unsigned j = 0; j < n32; j++) {
      check32(edge32[i], edge32[j]);
      check64(((uint64_t)edge32[i] << 32) | edge32[j], ((uint64_t)edge32[j] << 32) | edge32[i]);
      check64(edge32[i], edge32[j]);
    }
  for (unsigned long k = 0; k < 2000000; k++) {
    check32(r32(), r32());
    check64(r64(), r64());
  }
  printf("libgcc_int: %lu checks, %lu failures\n", checks, failures);
  return failures != 0;
}

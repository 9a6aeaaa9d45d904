/* Differential test of softdouble.c against the host's hardware doubles (x86-64 SSE2, which
 * rounds to nearest-even and keeps subnormals): millions of operands drawn to hit the hard
 * cases (cancellation, carries, subnormals, overflow, ties, specials). Exits non-zero on
 * the first mismatches. Run by `make test-qemu-softdouble`. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

double qb___adddf3(double a, double b);
double qb___subdf3(double a, double b);
double qb___muldf3(double a, double b);
double qb___divdf3(double a, double b);
double qb___floatsidf(int32_t i);
double qb___floatunsidf(uint32_t u);
int32_t qb___fixdfsi(double a);
uint32_t qb___fixunsdfsi(double a);
double qb___extendsfdf2(float f);
float qb___truncdfsf2(double a);

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { /* xorshift64*: reproducible, no libc rand */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545f4914f6cdd1dull;
}

static uint64_t bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static double dbl(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

static const uint64_t specials[] = {
    0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
    0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff0000000000001ull, 0x3fefffffffffffffull,
    0x4340000000000000ull, 0x3ca0000000000000ull, 0x0008000000000000ull, 0x41dfffffffc00000ull,
};

/* Operands: random bits, or a random exponent near the other operand's, or a special. */
static double operand(double other) {
  uint64_t r = next();
  switch (r % 8) {
    case 0: return dbl(specials[(r >> 8) % (sizeof specials / sizeof *specials)]);
    case 1: return dbl(next() & 0x801fffffffffffffull); /* subnormal or barely normal */
    case 2:
    case 3: { /* same or adjacent exponent: cancellation and carries */
      uint64_t o = bits(other), e = (o >> 52) & 0x7ff;
      e = (e + (next() % 5) - 2) & 0x7ff;
      if (e == 0x7ff) e = 0x7fe;
      return dbl((next() & 0x800fffffffffffffull) | (e << 52));
    }
    case 4: return (double)(int32_t)next() / (double)(1 + (next() % 1000)); /* JS-ish values */
    case 5: return dbl((next() & 0x800fffffffffffffull) | ((uint64_t)(0x7f0 + next() % 15) << 52)); /* near overflow */
    default: return dbl(next());
  }
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || bits(a) == bits(b); }

static long failures;
static void check(const char *op, double x, double y, double got, double want) {
  if (same(got, want)) return;
  if (failures++ < 10)
    printf("MISMATCH %s(%a, %a): got %a (%016" PRIx64 ") want %a (%016" PRIx64 ")\n", op, x, y, got, bits(got), want,
           bits(want));
}

int main(void) {
  const long n = 2000000;
  volatile double vx, vy; /* keep the compiler from folding the reference operations */
  for (long i = 0; i < n; i++) {
    double x = operand(1.0), y = operand(x);
    vx = x;
    vy = y;
    check("add", x, y, qb___adddf3(x, y), vx + vy);
    check("sub", x, y, qb___subdf3(x, y), vx - vy);
    check("mul", x, y, qb___muldf3(x, y), vx * vy);
    check("div", x, y, qb___divdf3(x, y), vx / vy);
    check("trunc-to-float", x, 0, (double)qb___truncdfsf2(x), (double)(float)vx);
    float f;
    uint32_t fb = (uint32_t)next();
    memcpy(&f, &fb, 4);
    check("extend-float", (double)f, 0, qb___extendsfdf2(f), (double)f);
    int32_t si = (int32_t)next();
    check("from-int32", si, 0, qb___floatsidf(si), (double)si);
    check("from-uint32", (uint32_t)si, 0, qb___floatunsidf((uint32_t)si), (double)(uint32_t)si);
    if (!isnan(x) && x > -2147483649.0 && x < 2147483648.0 && qb___fixdfsi(x) != (int32_t)vx) {
      if (failures++ < 10) printf("MISMATCH fixdfsi(%a): got %" PRId32 "\n", x, qb___fixdfsi(x));
    }
    double ux = fabs(x);
    vx = ux;
    if (!isnan(ux) && ux < 4294967296.0 && qb___fixunsdfsi(ux) != (uint32_t)vx) {
      if (failures++ < 10) printf("MISMATCH fixunsdfsi(%a): got %" PRIu32 "\n", ux, qb___fixunsdfsi(ux));
    }
  }
  /* Exact ties, both directions: 1 + 2^-53 (to even, down) and 1 + 3*2^-53 (to even, up). */
  check("tie-down", 1.0, 0x1p-53, qb___adddf3(1.0, 0x1p-53), 1.0);
  check("tie-up", 1.0, 0x3p-53, qb___adddf3(1.0, 0x3p-53), 1.0 + 0x1p-51);
  printf("softdouble: %ld cases x 10 operations, %ld mismatches\n", n, failures);
  return failures != 0;
}

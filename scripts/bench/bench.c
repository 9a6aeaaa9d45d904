/* Crypto benchmark harness: counts the instructions one operation retires.
 *
 * Built once per (implementation, operation group, target):
 *   -DBENCH_HOMEWIRE or -DBENCH_LIBSODIUM      whose code is measured
 *   -DBENCH_GROUP_<X25519|X25519_BASE|AEAD_SEAL|AEAD_OPEN|PARTS|BLAKE2S>
 * One group per image, so the linker keeps only that group's code and the map file gives its
 * code size. Inputs are fixed patterns; every result is printed (hex or FNV-1a) so the driver
 * can check it against an independent implementation: a fast wrong answer is not a result.
 *
 * Output lines (parsed by scripts/bench/crypto.ts):
 *   OVERHEAD <raw>                        cost of an empty measured call
 *   ROW <primitive> <bytes> <raw> <raw>…  one raw count per repetition
 *   STACK <primitive> <bytes> <depth>     deepest stack use in bytes (bare-metal targets)
 *   OUT <primitive> <bytes> <hex>         the operation's result
 *   DONE
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bench_port.h"

#if defined(BENCH_HOMEWIRE)
#include "hw_crypto.h"
#elif defined(BENCH_LIBSODIUM)
#include "crypto_aead_chacha20poly1305.h"
#include "crypto_onetimeauth_poly1305.h"
#include "crypto_scalarmult_curve25519.h"
#include "crypto_stream_chacha20.h"
#else
#error "define BENCH_HOMEWIRE or BENCH_LIBSODIUM"
#endif

#define REPS 3
#define MAX_MSG 1420

/* ---- output -------------------------------------------------------------------------- */

static void put_str(const char *s) {
  while (*s) bench_putc(*s++);
}

/* Decimal without 64-bit division, which the lx106's libgcc does not have. */
static void put_u64(uint64_t v) {
  static const uint64_t pow10[20] = {
      10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull, 10000000000000000ull,
      1000000000000000ull,     100000000000000ull,     10000000000000ull,     1000000000000ull,
      100000000000ull,         10000000000ull,         1000000000ull,         100000000ull,
      10000000ull,             1000000ull,             100000ull,             10000ull,
      1000ull,                 100ull,                 10ull,                 1ull};
  int i, started = 0;
  for (i = 0; i < 20; i++) {
    char d = '0';
    while (v >= pow10[i]) {
      v -= pow10[i];
      d++;
    }
    if (d != '0' || started || i == 19) {
      bench_putc(d);
      started = 1;
    }
  }
}

static void put_hex(const uint8_t *p, size_t len) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < len; i++) {
    bench_putc(digits[p[i] >> 4]);
    bench_putc(digits[p[i] & 15]);
  }
}

/* FNV-1a, only to summarise long outputs in a line; not a security function. */
static uint32_t fnv1a(const uint8_t *p, size_t len) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < len; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

static void put_out(const char *prim, size_t bytes, const uint8_t *p, size_t len) {
  put_str("OUT ");
  put_str(prim);
  bench_putc(' ');
  put_u64(bytes);
  bench_putc(' ');
  put_hex(p, len);
  bench_putc('\n');
}

static void put_out_fnv(const char *prim, size_t bytes, const uint8_t *p, size_t len) {
  uint8_t h[4];
  uint32_t v = fnv1a(p, len);
  h[0] = (uint8_t)(v >> 24);
  h[1] = (uint8_t)(v >> 16);
  h[2] = (uint8_t)(v >> 8);
  h[3] = (uint8_t)v;
  put_out(prim, bytes, h, 4);
}

/* ---- inputs (4-aligned, as lwIP pbuf payloads are) ----------------------------------- */

static uint8_t key[32] __attribute__((aligned(4)));
static uint8_t scalar[32] __attribute__((aligned(4)));
static uint8_t point[32] __attribute__((aligned(4)));
static uint8_t out32[32] __attribute__((aligned(4)));
static uint8_t msg[MAX_MSG] __attribute__((aligned(4)));
static uint8_t sealed[MAX_MSG + 16] __attribute__((aligned(4)));
static uint8_t opened[MAX_MSG] __attribute__((aligned(4)));
static size_t cur_len;
static int cur_rc;
static const uint64_t counter = 0x0706050403020100ull;

static void fill(uint8_t *p, size_t len, unsigned mul, unsigned add) {
  size_t i;
  for (i = 0; i < len; i++) p[i] = (uint8_t)(i * mul + add);
}

static void setup_inputs(void) {
  fill(key, sizeof key, 7, 1);
  fill(scalar, sizeof scalar, 13, 5);
  fill(point, sizeof point, 29, 9);
  point[31] &= 0x7f;
  fill(msg, sizeof msg, 31, 7);
}

/* ---- the operations, each behind the same call shape --------------------------------- */

typedef void (*op_fn)(void);

static __attribute__((noinline)) void op_empty(void) { __asm__ volatile(""); }

#if defined(BENCH_LIBSODIUM)
static void wg_nonce(uint8_t nonce[12]) {
  /* WireGuard's nonce: 32 zero bits, then the 64-bit counter little-endian */
  int i;
  for (i = 0; i < 4; i++) nonce[i] = 0;
  for (i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}
#endif

static __attribute__((noinline)) void op_x25519(void) {
#if defined(BENCH_HOMEWIRE)
  cur_rc = hw_x25519(out32, scalar, point);
#else
  cur_rc = crypto_scalarmult_curve25519(out32, scalar, point);
#endif
}

static __attribute__((noinline)) void op_x25519_base(void) {
#if defined(BENCH_HOMEWIRE)
  hw_x25519_base(out32, scalar);
  cur_rc = 0;
#else
  cur_rc = crypto_scalarmult_curve25519_base(out32, scalar);
#endif
}

static __attribute__((noinline)) void op_aead_seal(void) {
#if defined(BENCH_HOMEWIRE)
  hw_aead_seal(sealed, msg, cur_len, NULL, 0, counter, key);
  cur_rc = 0;
#else
  uint8_t nonce[12];
  unsigned long long clen;
  wg_nonce(nonce);
  cur_rc = crypto_aead_chacha20poly1305_ietf_encrypt(sealed, &clen, msg, cur_len, NULL, 0, NULL, nonce, key);
#endif
}

static __attribute__((noinline)) void op_aead_open(void) {
#if defined(BENCH_HOMEWIRE)
  cur_rc = hw_aead_open(opened, sealed, cur_len + 16, NULL, 0, counter, key);
#else
  uint8_t nonce[12];
  unsigned long long mlen;
  wg_nonce(nonce);
  cur_rc = crypto_aead_chacha20poly1305_ietf_decrypt(opened, &mlen, NULL, sealed, cur_len + 16, NULL, 0, nonce, key);
#endif
}

/* The AEAD's two halves, to see where its instructions go (same inputs as the AEAD). */
static __attribute__((noinline)) void op_chacha20(void) {
  static const uint8_t nonce[12] = {0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
#if defined(BENCH_HOMEWIRE)
  hw_chacha20_xor(sealed, msg, cur_len, key, 1, nonce);
#else
  crypto_stream_chacha20_ietf_xor_ic(sealed, msg, cur_len, nonce, 1, key);
#endif
}

static __attribute__((noinline)) void op_poly1305(void) {
#if defined(BENCH_HOMEWIRE)
  hw_poly1305(out32, msg, cur_len, key);
#else
  crypto_onetimeauth_poly1305(out32, msg, cur_len, key);
#endif
}

#if defined(BENCH_HOMEWIRE)
static __attribute__((noinline)) void op_blake2s(void) { cur_rc = hw_blake2s(out32, 32, msg, cur_len, NULL, 0); }
#endif

/* ---- measuring ------------------------------------------------------------------------ */

static char label[40];

static void make_label(const char *prim, size_t bytes, int rep) {
  /* "<prim>:<bytes>:<rep>", the host driver's key for a callgrind dump */
  char *p = label;
  char tmp[12];
  int n = 0;
  while (*prim && p < label + 24) *p++ = *prim++;
  *p++ = ':';
  do {
    tmp[n++] = (char)('0' + (int)(bytes % 10u));
    bytes /= 10u;
  } while (bytes != 0 && n < 11);
  while (n > 0) *p++ = tmp[--n];
  *p++ = ':';
  *p++ = (char)('0' + rep);
  *p = 0;
}

static uint64_t measure_once(op_fn volatile *fn, const char *prim, size_t bytes, int rep) {
  uint64_t a, b;
  make_label(prim, bytes, rep);
  a = bench_begin();
  (*fn)();
  b = bench_end(label);
  return b - a;
}

#if defined(BENCH_SP)
/* Stack depth of an operation: fill the stack below the current frame with a pattern, run the
 * operation once, then find the deepest byte that changed. The reference point is the stack
 * pointer inside stack_paint, one call level below run(), so the figure is the operation's
 * own use within a few words. Only on the bare-metal targets: nothing else runs there. */
#define STACK_PROBE 16384u
#define STACK_FILL 0xa5u
static uintptr_t stack_ref;

static __attribute__((noinline)) void stack_paint(void) {
  uintptr_t sp;
  volatile uint8_t *p;
  BENCH_SP(sp);
  stack_ref = sp;
  for (p = (volatile uint8_t *)(sp - STACK_PROBE); p < (volatile uint8_t *)(sp - 16); p++) *p = STACK_FILL;
}

static __attribute__((noinline)) uint32_t stack_depth(void) {
  const volatile uint8_t *p = (const volatile uint8_t *)(stack_ref - STACK_PROBE);
  while (p < (const volatile uint8_t *)(stack_ref - 16) && *p == STACK_FILL) p++;
  return (uint32_t)(stack_ref - (uintptr_t)p);
}

static void put_stack(const char *prim, size_t bytes, op_fn f) {
  stack_paint();
  f();
  put_str("STACK ");
  put_str(prim);
  bench_putc(' ');
  put_u64(bytes);
  bench_putc(' ');
  put_u64(stack_depth());
  bench_putc('\n');
}
#endif

static void run(const char *prim, size_t bytes, op_fn f) {
  /* the call goes through a volatile pointer so the empty call and the real one cost the same */
  static op_fn volatile fn;
  int rep;
  fn = f;
  f(); /* warm-up: first-call effects (host lazy binding) stay out of the counts */
  put_str("ROW ");
  put_str(prim);
  bench_putc(' ');
  put_u64(bytes);
  for (rep = 0; rep < REPS; rep++) {
    bench_putc(' ');
    put_u64(measure_once(&fn, prim, bytes, rep));
  }
  bench_putc('\n');
#if defined(BENCH_SP)
  put_stack(prim, bytes, f);
#endif
}

static void run_overhead(void) {
  static op_fn volatile fn;
  uint64_t best = 0;
  int rep;
  fn = op_empty;
  for (rep = 0; rep < REPS; rep++) {
    uint64_t c = measure_once(&fn, "empty", 0, rep);
    if (rep == 0 || c < best) best = c;
  }
  put_str("OVERHEAD ");
  put_u64(best);
  bench_putc('\n');
}

static void rc_line(const char *prim, size_t bytes) {
  uint8_t rc = (uint8_t)(cur_rc & 0xff);
  put_out(prim, bytes, &rc, 1);
}

int main(void) {
  static const size_t sizes[2] = {64, 1420};
  size_t i;
  (void)sizes;
  (void)i;
  setup_inputs();
  put_str("BEGIN " BENCH_ISA "\n");
  run_overhead();
#if defined(BENCH_GROUP_X25519)
  run("x25519", 32, op_x25519);
  put_out("x25519", 32, out32, 32);
  rc_line("x25519_rc", 32);
#elif defined(BENCH_GROUP_X25519_BASE)
  run("x25519_base", 32, op_x25519_base);
  put_out("x25519_base", 32, out32, 32);
#elif defined(BENCH_GROUP_AEAD_SEAL)
  for (i = 0; i < 2; i++) {
    cur_len = sizes[i];
    run("aead_seal", cur_len, op_aead_seal);
    put_out_fnv("aead_seal", cur_len, sealed, cur_len + 16);
  }
#elif defined(BENCH_GROUP_AEAD_OPEN)
  for (i = 0; i < 2; i++) {
    cur_len = sizes[i];
    /* the sealed input comes from the same implementation, outside the measurement */
    op_aead_seal();
    run("aead_open", cur_len, op_aead_open);
    put_out_fnv("aead_open", cur_len, opened, cur_len);
    rc_line("aead_open_rc", cur_len);
  }
#elif defined(BENCH_GROUP_PARTS)
  cur_len = 1420;
  run("chacha20", cur_len, op_chacha20);
  put_out_fnv("chacha20", cur_len, sealed, cur_len);
  run("poly1305", cur_len, op_poly1305);
  put_out("poly1305", cur_len, out32, 16);
#elif defined(BENCH_GROUP_BLAKE2S)
#if defined(BENCH_HOMEWIRE)
  for (i = 0; i < 2; i++) {
    cur_len = sizes[i];
    run("blake2s", cur_len, op_blake2s);
    put_out("blake2s", cur_len, out32, 32);
  }
#endif
#else
#error "define one BENCH_GROUP_*"
#endif
  put_str("DONE\n");
  bench_exit(0);
  return 0;
}

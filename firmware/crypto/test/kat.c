/* Known-answer tests: reads the vector files in a directory (see the vectors directory for sources
 * and fields) and checks every primitive against them, plus the RFC 7693 appendix E
 * self-test. Usage: kat <vectors-dir> [--slow]. Exits 1 on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"
#include "../hw_util.h"

#define MAX_FIELDS 8
#define MAX_VALUE 2048

typedef struct {
  char name[MAX_FIELDS][16];
  char text[MAX_FIELDS][16]; /* start of the raw value, for decimal fields */
  uint8_t val[MAX_FIELDS][MAX_VALUE];
  size_t len[MAX_FIELDS];
  int n;
  int line; /* line where the record ends, for messages */
} record;

static int failures, passes;
static const char *current_file;

static void fail(const record *r, const char *what) {
  failures++;
  fprintf(stderr, "FAIL %s (record ending at line %d): %s\n", current_file, r->line, what);
}

static void check(const record *r, int ok, const char *what) {
  if (ok) passes++;
  else fail(r, what);
}

static const uint8_t *field(const record *r, const char *name, size_t *len) {
  int i;
  for (i = 0; i < r->n; i++) {
    if (strcmp(r->name[i], name) == 0) {
      if (len) *len = r->len[i];
      return r->val[i];
    }
  }
  return NULL;
}

/* A field that must be there with an exact length. */
static const uint8_t *need(const record *r, const char *name, size_t want) {
  size_t len;
  const uint8_t *v = field(r, name, &len);
  if (!v || len != want) {
    fprintf(stderr, "bad vector file %s line %d: field %s missing or not %zu bytes\n", current_file, r->line, name,
            want);
    exit(2);
  }
  return v;
}

static long number(const record *r, const char *name, long dflt) {
  int i;
  for (i = 0; i < r->n; i++)
    if (strcmp(r->name[i], name) == 0) return strtol(r->text[i], NULL, 10);
  return dflt;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses "name = value" lines; a blank line or EOF ends a record. Returns 1 with a record,
 * 0 at end of file. Hex values and decimal values share the line format. */
static int read_record(FILE *f, record *r, int *lineno) {
  static char line[2 * MAX_VALUE + 64];
  memset(r, 0, sizeof *r);
  while (fgets(line, sizeof line, f)) {
    char *eq, *name, *value, *end;
    size_t vlen, i;
    (*lineno)++;
    if (!strchr(line, '\n') && !feof(f)) {
      fprintf(stderr, "%s:%d: line too long\n", current_file, *lineno);
      exit(2);
    }
    if (line[0] == '#') continue;
    for (end = line + strlen(line); end > line && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '); end--) *(end - 1) = 0;
    if (line[0] == 0) {
      if (r->n > 0) {
        r->line = *lineno;
        return 1;
      }
      continue;
    }
    eq = strchr(line, '=');
    if (!eq || r->n == MAX_FIELDS) {
      fprintf(stderr, "%s:%d: expected 'name = value'\n", current_file, *lineno);
      exit(2);
    }
    *eq = 0;
    name = line;
    while (*name == ' ') name++;
    for (end = eq; end > name && end[-1] == ' '; end--) end[-1] = 0;
    value = eq + 1;
    while (*value == ' ') value++;
    vlen = strlen(value);
    if (strlen(name) >= sizeof r->name[0] || vlen / 2 > MAX_VALUE) {
      fprintf(stderr, "%s:%d: bad field\n", current_file, *lineno);
      exit(2);
    }
    strcpy(r->name[r->n], name);
    strncpy(r->text[r->n], value, sizeof r->text[0] - 1);
    /* Decimal fields ("rc = -1") are read from text[]; they need not be valid hex. */
    r->len[r->n] = vlen % 2 == 0 ? vlen / 2 : 0;
    for (i = 0; i < r->len[r->n]; i++) {
      int hi = hexval(value[2 * i]), lo = hexval(value[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        r->len[r->n] = 0;
        break;
      }
      r->val[r->n][i] = (uint8_t)(hi * 16 + lo);
    }
    r->n++;
  }
  if (r->n > 0) {
    r->line = *lineno;
    return 1;
  }
  return 0;
}

/* ---- per-file checks ---- */

static void x25519_record(const record *r, int slow) {
  uint8_t out[32];
  const uint8_t *scalar = need(r, "scalar", 32), *u = need(r, "u", 32), *want = need(r, "out", 32);
  int rc = hw_x25519(out, scalar, u);
  (void)slow;
  check(r, memcmp(out, want, 32) == 0, "x25519 output");
  check(r, rc == (int)number(r, "rc", 0), "x25519 return code");
  if (u[0] == 9 && field(r, "u", NULL)[1] == 0) {
    static const uint8_t nine[32] = {9};
    if (memcmp(u, nine, 32) == 0) {
      hw_x25519_base(out, scalar);
      check(r, memcmp(out, want, 32) == 0, "x25519_base output");
    }
  }
}

static void x25519_iter_record(const record *r, int slow) {
  uint8_t k[32] = {9}, u[32] = {9}, next[32];
  long i, n = number(r, "iterations", 0);
  const uint8_t *want = need(r, "out", 32);
  if (number(r, "slow", 0) && !slow) {
    printf("  SKIPPED: X25519 %ld iterations (slow; runs under `make fuzz`, kat --slow)\n", n);
    return;
  }
  for (i = 0; i < n; i++) {
    (void)hw_x25519(next, k, u);
    memcpy(u, k, 32);
    memcpy(k, next, 32);
  }
  check(r, memcmp(k, want, 32) == 0, "iterated x25519");
  printf("  x25519 iterated %ld times: ok\n", n);
}

static void chacha20_record(const record *r, int slow) {
  size_t in_len = 0, out_len = 0, off;
  const uint8_t *key = need(r, "key", 32), *nonce = need(r, "nonce", 12);
  const uint8_t *in = field(r, "in", &in_len), *want = field(r, "out", &out_len);
  uint32_t counter = (uint32_t)number(r, "counter", 0);
  static uint8_t buf[MAX_VALUE + 8], zero[64];
  (void)slow;
  if (!in) {
    uint8_t block[64];
    need(r, "out", 64);
    hw_chacha20_block(block, key, counter, nonce);
    check(r, memcmp(block, want, 64) == 0, "chacha20 block");
    hw_chacha20_xor(block, zero, 64, key, counter, nonce);
    check(r, memcmp(block, want, 64) == 0, "chacha20 xor of zeros");
    return;
  }
  if (out_len != in_len) exit(2);
  /* aligned, unaligned and in place */
  for (off = 0; off < 4; off++) {
    memcpy(buf + off, in, in_len);
    hw_chacha20_xor(buf + off, buf + off, in_len, key, counter, nonce);
    check(r, memcmp(buf + off, want, in_len) == 0, "chacha20 xor (in place, offset)");
  }
}

static void poly1305_record(const record *r, int slow) {
  size_t msg_len = 0;
  uint8_t tag[16];
  static uint8_t buf[MAX_VALUE + 8];
  const uint8_t *key = need(r, "key", 32), *msg = field(r, "msg", &msg_len), *want = need(r, "tag", 16);
  (void)slow;
  hw_poly1305(tag, msg, msg_len, key);
  check(r, memcmp(tag, want, 16) == 0, "poly1305 tag");
  memcpy(buf + 1, msg, msg_len); /* unaligned message */
  hw_poly1305(tag, buf + 1, msg_len, key);
  check(r, memcmp(tag, want, 16) == 0, "poly1305 tag (unaligned)");
}

/* seal == ct; open(ct) == pt; open of a tampered ct fails and zeroes dst. */
static void aead_checks(const record *r, int x, const uint8_t *key, const uint8_t *nonce) {
  size_t ad_len = 0, pt_len = 0, ct_len = 0;
  const uint8_t *ad = field(r, "ad", &ad_len), *pt = field(r, "pt", &pt_len), *ct = field(r, "ct", &ct_len);
  static uint8_t out[MAX_VALUE + 16], bad[MAX_VALUE + 16];
  size_t i;
  int rc;
  if (!pt || !ct || ct_len != pt_len + 16) exit(2);
  if (x) hw_xaead_seal(out, pt, pt_len, ad, ad_len, nonce, key);
  else hw_chacha20poly1305_seal(out, pt, pt_len, ad, ad_len, nonce, key);
  check(r, memcmp(out, ct, ct_len) == 0, "aead seal");
  memset(out, 0xaa, sizeof out);
  rc = x ? hw_xaead_open(out, ct, ct_len, ad, ad_len, nonce, key)
         : hw_chacha20poly1305_open(out, ct, ct_len, ad, ad_len, nonce, key);
  check(r, rc == 0 && memcmp(out, pt, pt_len) == 0, "aead open");
  /* Flip one bit in the ciphertext, the tag, and the ad in turn. */
  for (i = 0; i < 3; i++) {
    size_t at = i == 0 ? 0 : ct_len - 1;
    uint8_t ad_copy[64];
    const uint8_t *use_ad = ad;
    int zeroed = 1;
    size_t j;
    memcpy(bad, ct, ct_len);
    if (i < 2) bad[at] ^= 1;
    if (i == 2) {
      memcpy(ad_copy, ad, ad_len);
      ad_copy[0] ^= 0x80;
      use_ad = ad_copy;
    }
    memset(out, 0xaa, sizeof out);
    rc = x ? hw_xaead_open(out, bad, ct_len, use_ad, ad_len, nonce, key)
           : hw_chacha20poly1305_open(out, bad, ct_len, use_ad, ad_len, nonce, key);
    for (j = 0; j < pt_len; j++) zeroed &= out[j] == 0;
    check(r, rc == -1 && zeroed, "aead open of tampered input fails and zeroes dst");
  }
  /* Too short to hold a tag. */
  rc = x ? hw_xaead_open(out, ct, 15, ad, ad_len, nonce, key) : hw_chacha20poly1305_open(out, ct, 15, ad, ad_len, nonce, key);
  check(r, rc == -1, "aead open of 15 bytes fails");
}

static void aead_record(const record *r, int slow) {
  const uint8_t *key = need(r, "key", 32), *nonce = need(r, "nonce", 12);
  (void)slow;
  aead_checks(r, 0, key, nonce);
}

static void xchacha_record(const record *r, int slow) {
  const uint8_t *key = need(r, "key", 32);
  size_t nonce_len;
  const uint8_t *nonce = field(r, "nonce", &nonce_len);
  (void)slow;
  if (nonce && nonce_len == 16) {
    uint8_t out[32];
    hw_hchacha20(out, key, nonce);
    check(r, memcmp(out, need(r, "out", 32), 32) == 0, "hchacha20");
    return;
  }
  aead_checks(r, 1, key, need(r, "nonce", 24));
}

static void blake2s_record(const record *r, int slow) {
  size_t key_len = 0, in_len = 0, pieces[] = {1, 3, 63, 64, 65};
  const uint8_t *key = field(r, "key", &key_len), *in = field(r, "in", &in_len);
  size_t out_len = (size_t)number(r, "outlen", 32), p, at;
  const uint8_t *want = need(r, "out", out_len);
  uint8_t out[32];
  hw_blake2s_state s;
  (void)slow;
  memset(out, 0, sizeof out);
  check(r, hw_blake2s(out, out_len, in, in_len, key, key_len) == 0 && memcmp(out, want, out_len) == 0,
        "blake2s one-shot");
  /* The same digest when the input arrives in pieces. */
  for (p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
    hw_blake2s_init(&s, out_len, key, key_len);
    for (at = 0; at < in_len; at += pieces[p])
      hw_blake2s_update(&s, in + at, in_len - at < pieces[p] ? in_len - at : pieces[p]);
    hw_blake2s_final(&s, out);
    check(r, memcmp(out, want, out_len) == 0, "blake2s incremental");
  }
}

/* HMAC-BLAKE2s: the known answer, again with unaligned key and input, and with out aliasing
 * the input (the header allows it). */
static void hmac_blake2s_record(const record *r, int slow) {
  size_t key_len = 0, in_len = 0;
  const uint8_t *key = field(r, "key", &key_len), *in = field(r, "in", &in_len), *want = need(r, "out", 32);
  static uint8_t kbuf[64 + 1], ibuf[MAX_VALUE + 32 + 1];
  uint8_t out[32];
  (void)slow;
  memset(out, 0, sizeof out);
  check(r, hw_hmac_blake2s(out, key_len ? key : NULL, key_len, in_len ? in : NULL, in_len) == 0 &&
               memcmp(out, want, 32) == 0,
        "hmac-blake2s");
  if (key_len > 64) exit(2);
  memcpy(kbuf + 1, key, key_len);
  memcpy(ibuf + 1, in, in_len);
  memset(out, 0, sizeof out);
  check(r, hw_hmac_blake2s(out, kbuf + 1, key_len, ibuf + 1, in_len) == 0 && memcmp(out, want, 32) == 0,
        "hmac-blake2s (unaligned)");
  check(r, hw_hmac_blake2s(ibuf + 1, kbuf + 1, key_len, ibuf + 1, in_len) == 0 && memcmp(ibuf + 1, want, 32) == 0,
        "hmac-blake2s (out aliases in)");
}

/* RFC 7693 appendix E: hash every combination of four digest lengths and six input lengths,
 * keyed and unkeyed, with inputs from a fixed Fibonacci-style generator, and hash all the
 * digests together; the result is a published constant. */
static void rfc7693_seq(uint8_t *out, size_t len, uint32_t seed) {
  uint32_t a = 0xdead4badu * seed, b = 1, t;
  size_t i;
  for (i = 0; i < len; i++) {
    t = a + b;
    a = b;
    b = t;
    out[i] = (uint8_t)(t >> 24);
  }
}

static void blake2s_selftest(void) {
  static const uint8_t want[32] = {0x6a, 0x41, 0x1f, 0x08, 0xce, 0x25, 0xad, 0xcd, 0xfb, 0x02, 0xab,
                                   0xa6, 0x41, 0x45, 0x1c, 0xec, 0x53, 0xc5, 0x98, 0xb2, 0x4f, 0x4f,
                                   0xc7, 0x87, 0xfb, 0xdc, 0x88, 0x79, 0x7f, 0x4c, 0x1d, 0xfe};
  static const size_t out_lens[] = {16, 20, 28, 32}, in_lens[] = {0, 3, 64, 65, 255, 1024};
  uint8_t in[1024], key[32], md[32], result[32];
  hw_blake2s_state all;
  size_t i, j;
  record r;
  memset(&r, 0, sizeof r);
  current_file = "RFC 7693 appendix E self-test";
  hw_blake2s_init(&all, 32, NULL, 0);
  for (i = 0; i < 4; i++) {
    for (j = 0; j < 6; j++) {
      rfc7693_seq(in, in_lens[j], (uint32_t)in_lens[j]);
      hw_blake2s(md, out_lens[i], in, in_lens[j], NULL, 0);
      hw_blake2s_update(&all, md, out_lens[i]);
      rfc7693_seq(key, out_lens[i], (uint32_t)out_lens[i]);
      hw_blake2s(md, out_lens[i], in, in_lens[j], key, out_lens[i]);
      hw_blake2s_update(&all, md, out_lens[i]);
    }
  }
  hw_blake2s_final(&all, result);
  check(&r, memcmp(result, want, 32) == 0, "blake2s RFC 7693 self-test");
  printf("kat: %-28s %s\n", current_file, memcmp(result, want, 32) == 0 ? "ok" : "FAILED");
}

/* Argument checks that no vector file exercises. */
static void api_edges(void) {
  uint8_t out[33], key[33];
  hw_blake2s_state s;
  record r;
  int failed = failures;
  memset(&r, 0, sizeof r);
  memset(key, 1, sizeof key);
  current_file = "API edge cases";
  check(&r, hw_blake2s(out, 0, NULL, 0, NULL, 0) == -1, "blake2s out_len 0 rejected");
  check(&r, hw_blake2s(out, 33, NULL, 0, NULL, 0) == -1, "blake2s out_len 33 rejected");
  check(&r, hw_blake2s(out, 32, NULL, 0, key, 33) == -1, "blake2s key_len 33 rejected");
  check(&r, hw_blake2s_init(&s, 32, NULL, 5) == -1, "blake2s NULL key with length rejected");
  check(&r, hw_ct_equal(key, key + 1, 32) == 1 && hw_ct_equal(out, key, 0) == 1, "ct_equal equal");
  key[31] = 2;
  check(&r, hw_ct_equal(key, key + 1, 31) == 0, "ct_equal differs at the end");
  hw_wipe(key, sizeof key);
  check(&r, key[0] == 0 && key[32] == 0, "wipe");
  {
    /* Empty inputs may come as NULL. BLAKE2s-256 of nothing is a well-known value. */
    static const uint8_t empty[32] = {0x69, 0x21, 0x7a, 0x30, 0x79, 0x90, 0x80, 0x94, 0xe1, 0x11, 0x21,
                                      0xd0, 0x42, 0x35, 0x4a, 0x7c, 0x1f, 0x55, 0xb6, 0x48, 0x2c, 0xa1,
                                      0xa5, 0x1e, 0x1b, 0x25, 0x0d, 0xfd, 0x1e, 0xd0, 0xee, 0xf9};
    uint8_t k32[32], tag1[16], tag2[16], none[1];
    memset(k32, 7, sizeof k32);
    check(&r, hw_blake2s(out, 32, NULL, 0, NULL, 0) == 0 && memcmp(out, empty, 32) == 0, "blake2s of NULL, 0");
    hw_aead_seal(tag1, NULL, 0, NULL, 0, 5, k32);
    hw_aead_seal(tag2, none, 0, none, 0, 5, k32);
    check(&r, memcmp(tag1, tag2, 16) == 0, "aead seal of NULL, 0");
    check(&r, hw_aead_open(NULL, tag1, 16, NULL, 0, 5, k32) == 0, "aead open to NULL, 0");
    tag1[0] ^= 1;
    check(&r, hw_aead_open(NULL, tag1, 16, NULL, 0, 5, k32) == -1, "aead open to NULL, 0 with a bad tag");
    check(&r, hw_xaead_open(NULL, tag1, 3, NULL, 0, k32, k32) == -1, "xaead open of 3 bytes");
  }
  {
    /* HMAC-BLAKE2s arguments: keys past one block are refused (not hashed), NULL only with 0. */
    uint8_t k65[65], mac[32], before[32];
    memset(k65, 0x42, sizeof k65);
    memset(mac, 0xee, sizeof mac);
    memcpy(before, mac, sizeof mac);
    check(&r, hw_hmac_blake2s(mac, k65, 65, k65, 3) == -1 && memcmp(mac, before, 32) == 0,
          "hmac key_len 65 rejected, out untouched");
    check(&r, hw_hmac_blake2s(mac, NULL, 1, k65, 3) == -1, "hmac NULL key with length rejected");
    check(&r, hw_hmac_blake2s(mac, k65, 3, NULL, 1) == -1, "hmac NULL input with length rejected");
    check(&r, hw_hmac_blake2s(NULL, k65, 3, k65, 3) == -1, "hmac NULL out rejected");
    check(&r, hw_hmac_blake2s(mac, k65, 64, NULL, 0) == 0 && memcmp(mac, before, 32) != 0, "hmac 64-byte key accepted");
    /* A key is zero-padded to the block, so k and k || 0x00 give the same MAC (RFC 2104). */
    memcpy(before, mac, sizeof mac);
    k65[63] = 0;
    check(&r, hw_hmac_blake2s(mac, k65, 63, NULL, 0) == 0 && hw_hmac_blake2s(before, k65, 64, NULL, 0) == 0 &&
                  memcmp(mac, before, 32) == 0,
          "hmac key zero-padding");
  }
  printf("kat: %-28s %s\n", current_file, failures > failed ? "FAILED" : "ok");
}

static void run_file(const char *dir, const char *name, void (*fn)(const record *, int), int slow) {
  static char path[1024];
  static record r;
  int lineno = 0, before = passes, failed = failures, records = 0;
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "r");
  current_file = name;
  if (!f) {
    fprintf(stderr, "FAIL cannot open %s\n", path);
    failures++;
    return;
  }
  while (read_record(f, &r, &lineno)) {
    fn(&r, slow);
    records++;
  }
  fclose(f);
  printf("kat: %-28s %d records, %d checks passed, %d failed\n", name, records, passes - before, failures - failed);
}

int main(int argc, char **argv) {
  int slow = argc > 2 && strcmp(argv[2], "--slow") == 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s <vectors-dir> [--slow]\n", argv[0]);
    return 2;
  }
  run_file(argv[1], "x25519.txt", x25519_record, slow);
  run_file(argv[1], "x25519-iter.txt", x25519_iter_record, slow);
  run_file(argv[1], "chacha20.txt", chacha20_record, slow);
  run_file(argv[1], "poly1305.txt", poly1305_record, slow);
  run_file(argv[1], "aead.txt", aead_record, slow);
  run_file(argv[1], "xchacha.txt", xchacha_record, slow);
  run_file(argv[1], "blake2s.txt", blake2s_record, slow);
  run_file(argv[1], "blake2s-kat.txt", blake2s_record, slow);
  run_file(argv[1], "hmac-blake2s.txt", hmac_blake2s_record, slow);
  blake2s_selftest();
  api_edges();
  printf("kat: %d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}

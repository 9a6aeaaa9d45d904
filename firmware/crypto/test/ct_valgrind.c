/* Constant-time check under valgrind memcheck: secret inputs are marked undefined, so any
 * branch or memory index that depends on them is reported as a use of uninitialised data
 * (run with --error-exitcode=1). Outputs are declared defined again before they are compared.
 * Built together with the library sources and -DHW_VALGRIND_CT, which lets aead.c declassify
 * the one bit the protocol may learn: whether the tag verified.
 *
 * `ct_valgrind --control` branches on a secret on purpose; the make target expects valgrind
 * to fail it, which shows the check can fail. */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "../hw_crypto.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static void expect(int ok, const char *what) {
  if (!ok) {
    failures++;
    fprintf(stderr, "FAIL %s\n", what);
  }
}

static void fill(uint8_t *p, size_t n, uint8_t seed) {
  size_t i;
  for (i = 0; i < n; i++) p[i] = (uint8_t)(seed + 7 * i);
}

int main(int argc, char **argv) {
  static uint8_t key[32], scalar[32], point[32], pub[32], out[32], nonce[24];
  static uint8_t pt[1420], ad[32], ct[1420 + 16], dec[1420], digest[32];
  static const size_t lens[] = {0, 1, 16, 63, 64, 65, 1420};
  uint8_t tag[16];
  size_t i;
  int rc;

  if (argc > 1 && strcmp(argv[1], "--control") == 0) {
    /* Deliberately leaky: a data-dependent early exit, as memcmp on a MAC would be. */
    fill(key, 32, 1);
    SECRET(key, 32);
    for (i = 0; i < 32; i++)
      if (key[i] != 0x55) break;
    printf("control: stopped at %d\n", (int)(i == 32));
    return 0;
  }

  /* X25519: the scalar is secret, the point public. */
  fill(scalar, 32, 3);
  fill(point, 32, 9);
  hw_x25519_base(pub, scalar); /* reference result with defined data */
  SECRET(scalar, 32);
  hw_x25519_base(out, scalar);
  PUBLIC(out, 32);
  expect(memcmp(out, pub, 32) == 0, "x25519_base");
  rc = hw_x25519(out, scalar, point);
  PUBLIC(&rc, sizeof rc);
  PUBLIC(out, 32);
  expect(rc == 0, "x25519 rc");
  /* A low-order point: the all-zero report must not branch either. */
  memset(point, 0, 32);
  rc = hw_x25519(out, scalar, point);
  PUBLIC(&rc, sizeof rc);
  expect(rc == -1, "x25519 low-order rc");
  PUBLIC(scalar, 32);

  /* AEAD: key and plaintext are secret; ad, counter and the ciphertext are public. */
  fill(key, 32, 5);
  fill(ad, sizeof ad, 11);
  fill(nonce, 24, 13);
  for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t n = lens[i];
    fill(pt, n, (uint8_t)(17 + i));
    SECRET(key, 32);
    SECRET(pt, n);
    hw_aead_seal(ct, pt, n, ad, sizeof ad, 0x0102030405060708ull, key);
    PUBLIC(ct, n + 16);
    rc = hw_aead_open(dec, ct, n + 16, ad, sizeof ad, 0x0102030405060708ull, key);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(dec, n);
    PUBLIC(pt, n);
    expect(rc == 0 && memcmp(dec, pt, n) == 0, "aead round trip");
    ct[n] ^= 1; /* bad tag: the failure path is constant time too */
    rc = hw_aead_open(dec, ct, n + 16, ad, sizeof ad, 0x0102030405060708ull, key);
    PUBLIC(&rc, sizeof rc);
    expect(rc == -1, "aead bad tag");

    SECRET(pt, n);
    hw_xaead_seal(ct, pt, n, ad, sizeof ad, nonce, key);
    PUBLIC(ct, n + 16);
    rc = hw_xaead_open(dec, ct, n + 16, ad, sizeof ad, nonce, key);
    PUBLIC(&rc, sizeof rc);
    PUBLIC(dec, n);
    PUBLIC(pt, n);
    expect(rc == 0 && memcmp(dec, pt, n) == 0, "xaead round trip");
    ct[0] ^= 1;
    rc = hw_xaead_open(dec, ct, n + 16, ad, sizeof ad, nonce, key);
    PUBLIC(&rc, sizeof rc);
    expect(rc == -1, "xaead bad tag");

    /* Poly1305 with a secret one-time key and message. */
    SECRET(pt, n);
    hw_poly1305(tag, pt, n, key);
    PUBLIC(tag, 16);

    /* BLAKE2s keyed: key and message secret; lengths public. */
    SECRET(pt, n);
    rc = hw_blake2s(digest, 32, pt, n, key, 32);
    expect(rc == 0, "blake2s keyed");
    rc = hw_blake2s(digest, 16, pt, n, NULL, 0);
    expect(rc == 0, "blake2s unkeyed");
    PUBLIC(digest, 32);

    /* HMAC-BLAKE2s: the (chaining) key and the message secret; key_len public. 32 is
     * WireGuard's key, 64 a full block; the message runs through every length above. */
    SECRET(key, 32);
    SECRET(pt, n);
    rc = hw_hmac_blake2s(digest, key, 32, pt, n);
    PUBLIC(&rc, sizeof rc);
    expect(rc == 0, "hmac-blake2s 32-byte key");
    SECRET(pt, 64 < n ? 64 : n);
    rc = hw_hmac_blake2s(digest, pt, 64 < n ? 64 : n, key, 32);
    PUBLIC(&rc, sizeof rc);
    expect(rc == 0, "hmac-blake2s key up to 64 bytes");
    PUBLIC(digest, 32);
    PUBLIC(key, 32);
    PUBLIC(pt, n);
  }

  /* The comparison itself. */
  fill(tag, 16, 1);
  memcpy(out, tag, 16);
  SECRET(out, 16);
  rc = hw_ct_equal(tag, out, 16);
  PUBLIC(&rc, sizeof rc);
  expect(rc == 1, "ct_equal");

  printf("ct_valgrind: %s\n", failures ? "FAILED" : "all primitives ran with secret inputs");
  return failures ? 1 : 0;
}

/* hwcrypto-cli: the C primitives behind a pipe, for the differential test against @noble
 * (scripts/crypto-differential.ts). Reads requests from stdin until EOF:
 *     op:u8  nfields:u8  { len:u32le  bytes[len] } * nfields
 * and answers each with
 *     status:u8 (0 ok, 1 the primitive reported failure)  len:u32le  bytes[len]
 * Field layouts per op are in the switch below. Malformed requests abort with exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"

#define MAX_FIELDS 4
#define MAX_FIELD 8192

enum {
  OP_X25519 = 1,
  OP_X25519_BASE = 2,
  OP_AEAD_SEAL = 3,
  OP_AEAD_OPEN = 4,
  OP_XAEAD_SEAL = 5,
  OP_XAEAD_OPEN = 6,
  OP_BLAKE2S = 7,
  OP_BLAKE2S_SPLIT = 8,
  OP_CHACHA20 = 9,
  OP_POLY1305 = 10,
  OP_HCHACHA20 = 11,
  OP_HMAC_BLAKE2S = 12
};

static uint8_t field[MAX_FIELDS][MAX_FIELD + 64];
static size_t flen[MAX_FIELDS];
static uint8_t out[MAX_FIELD + 64];

static void die(const char *why) {
  fprintf(stderr, "hwcrypto-cli: %s\n", why);
  exit(2);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32); }

static void need(int i, size_t len) {
  if (flen[i] != len) die("field has the wrong length");
}

static void reply(int status, size_t len) {
  uint8_t hdr[5];
  hdr[0] = (uint8_t)status;
  hdr[1] = (uint8_t)len;
  hdr[2] = (uint8_t)(len >> 8);
  hdr[3] = (uint8_t)(len >> 16);
  hdr[4] = (uint8_t)(len >> 24);
  if (fwrite(hdr, 1, 5, stdout) != 5 || fwrite(out, 1, len, stdout) != len) die("write failed");
}

int main(void) {
  uint8_t hdr[4];
  int c;
  /* Field offset 1 in the buffers: the primitives must not depend on aligned input. The
   * driver asks for it with an extra byte in the op (bit 7). */
  while ((c = getchar()) != EOF) {
    int op = c & 0x7f, off = (c & 0x80) ? 1 : 0, n = getchar(), i;
    if (n < 0 || n > MAX_FIELDS) die("bad field count");
    for (i = 0; i < n; i++) {
      if (fread(hdr, 1, 4, stdin) != 4) die("short header");
      flen[i] = get32(hdr);
      if (flen[i] > MAX_FIELD) die("field too long");
      if (fread(field[i] + off, 1, flen[i], stdin) != flen[i]) die("short field");
    }
#define F(i) (field[i] + off)
    switch (op) {
      case OP_X25519: /* scalar, point */
        need(0, 32), need(1, 32);
        reply(hw_x25519(out, F(0), F(1)) == 0 ? 0 : 1, 32);
        break;
      case OP_X25519_BASE: /* scalar */
        need(0, 32);
        hw_x25519_base(out, F(0));
        reply(0, 32);
        break;
      case OP_AEAD_SEAL: /* key, counter (8 bytes LE), plaintext, ad */
        need(0, 32), need(1, 8);
        hw_aead_seal(out + off, F(2), flen[2], F(3), flen[3], get64(F(1)), F(0));
        memmove(out, out + off, flen[2] + 16);
        reply(0, flen[2] + 16);
        break;
      case OP_AEAD_OPEN: { /* key, counter, ciphertext, ad; answers dst, zeroed on failure */
        int rc;
        size_t n_out = flen[2] >= 16 ? flen[2] - 16 : 0;
        need(0, 32), need(1, 8);
        memset(out, 0x5a, sizeof out);
        rc = hw_aead_open(out, F(2), flen[2], F(3), flen[3], get64(F(1)), F(0));
        reply(rc == 0 ? 0 : 1, n_out);
        break;
      }
      case OP_XAEAD_SEAL: /* key, nonce (24), plaintext, ad */
        need(0, 32), need(1, 24);
        hw_xaead_seal(out, F(2), flen[2], F(3), flen[3], F(1), F(0));
        reply(0, flen[2] + 16);
        break;
      case OP_XAEAD_OPEN: {
        int rc;
        size_t n_out = flen[2] >= 16 ? flen[2] - 16 : 0;
        need(0, 32), need(1, 24);
        memset(out, 0x5a, sizeof out);
        rc = hw_xaead_open(out, F(2), flen[2], F(3), flen[3], F(1), F(0));
        reply(rc == 0 ? 0 : 1, n_out);
        break;
      }
      case OP_BLAKE2S: { /* out_len (1 byte), data, key */
        size_t ol;
        need(0, 1);
        ol = F(0)[0];
        if (hw_blake2s(out, ol, F(1), flen[1], flen[2] ? F(2) : NULL, flen[2]) != 0) reply(1, 0);
        else reply(0, ol);
        break;
      }
      case OP_BLAKE2S_SPLIT: { /* out_len, data, key, piece lengths (u16le each, cycled) */
        hw_blake2s_state s;
        size_t ol, at = 0, k = 0, pieces = flen[3] / 2;
        need(0, 1);
        ol = F(0)[0];
        if (pieces == 0) die("no pieces");
        if (hw_blake2s_init(&s, ol, flen[2] ? F(2) : NULL, flen[2]) != 0) {
          reply(1, 0);
          break;
        }
        while (at < flen[1]) {
          size_t p = (size_t)F(3)[2 * k] | ((size_t)F(3)[2 * k + 1] << 8);
          if (p > flen[1] - at) p = flen[1] - at;
          hw_blake2s_update(&s, F(1) + at, p);
          at += p;
          k = (k + 1) % pieces;
        }
        hw_blake2s_final(&s, out);
        reply(0, ol);
        break;
      }
      case OP_CHACHA20: /* key, nonce (12), counter (4 LE), data; in place */
        need(0, 32), need(1, 12), need(2, 4);
        hw_chacha20_xor(F(3), F(3), flen[3], F(0), get32(F(2)), F(1));
        memcpy(out, F(3), flen[3]);
        reply(0, flen[3]);
        break;
      case OP_POLY1305: /* key, message */
        need(0, 32);
        hw_poly1305(out, F(1), flen[1], F(0));
        reply(0, 16);
        break;
      case OP_HCHACHA20: /* key, nonce (16) */
        need(0, 32), need(1, 16);
        hw_hchacha20(out, F(0), F(1));
        reply(0, 32);
        break;
      case OP_HMAC_BLAKE2S: /* key (0..64 accepted; longer must be refused), data */
        reply(hw_hmac_blake2s(out, flen[0] ? F(0) : NULL, flen[0], flen[1] ? F(1) : NULL, flen[1]) == 0 ? 0 : 1,
              flen[0] <= 64 ? 32 : 0);
        break;
      default:
        die("unknown op");
    }
#undef F
  }
  return fflush(stdout) == 0 ? 0 : 1;
}

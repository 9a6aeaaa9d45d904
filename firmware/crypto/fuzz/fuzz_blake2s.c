/* libFuzzer harness for BLAKE2s: out_len[1] key_len[1] split[1] key data. Incremental hashing
 * with fuzzer-chosen piece sizes equals one-shot; bad lengths are refused; a digest of length
 * n is not a prefix of the length-32 digest (the length is a parameter), but recomputing it is
 * stable. The same bytes also drive HMAC-BLAKE2s (key_len byte % 72, so 65..71 must be refused):
 * it must equal RFC 2104 spelled out over the one-shot hash, and accept an output that aliases
 * its input. */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"

/* RFC 2104 written out: H((K ^ opad) || H((K ^ ipad) || m)), K zero-padded to 64 bytes. */
static void hmac_reference(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len) {
  uint8_t *inner = malloc(64 + len), outer[64 + 32];
  size_t i;
  if (!inner) abort();
  for (i = 0; i < 64; i++) {
    uint8_t k = i < key_len ? key[i] : 0;
    inner[i] = (uint8_t)(k ^ 0x36);
    outer[i] = (uint8_t)(k ^ 0x5c);
  }
  if (len) memcpy(inner + 64, msg, len);
  if (hw_blake2s(outer + 64, 32, inner, 64 + len, NULL, 0) != 0) abort();
  if (hw_blake2s(out, 32, outer, sizeof outer, NULL, 0) != 0) abort();
  free(inner);
}

static void check_hmac(const uint8_t *data, size_t size) {
  uint8_t mac[32], want[32], *copy;
  size_t key_len, len;
  if (size < 3) return;
  key_len = data[1] % 72;
  data += 3;
  size -= 3;
  if (key_len > size && key_len <= 64) key_len = size;
  if (key_len > 64) {
    if (hw_hmac_blake2s(mac, data, key_len, data, 0) != -1) abort();
    return;
  }
  len = size - key_len;
  copy = malloc(len + 32);
  if (!copy) abort();
  if (len) memcpy(copy, data + key_len, len);
  if (hw_hmac_blake2s(mac, key_len ? data : NULL, key_len, len ? copy : NULL, len) != 0) abort();
  hmac_reference(want, data, key_len, copy, len);
  if (memcmp(mac, want, 32) != 0) abort();
  /* out over the input: the input is read before out is written. */
  if (hw_hmac_blake2s(copy, key_len ? data : NULL, key_len, copy, len) != 0 || memcmp(copy, want, 32) != 0) abort();
  free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t one[32], inc[32], again[32];
  size_t out_len, key_len, piece, at, len;
  const uint8_t *key, *msg;
  uint8_t *copy;
  hw_blake2s_state s;
  check_hmac(data, size);
  if (size < 3) return 0;
  out_len = data[0] % 40; /* 33..39 and 0 must be refused */
  key_len = data[1] % 40;
  piece = (size_t)data[2] + 1;
  data += 3;
  size -= 3;
  if (key_len > size) key_len = size;
  key = data;
  msg = data + key_len;
  len = size - key_len;
  copy = malloc(len ? len : 1);
  if (!copy) abort();
  memcpy(copy, msg, len);

  if (out_len < 1 || out_len > 32 || key_len > 32) {
    if (hw_blake2s(one, out_len, copy, len, key, key_len) != -1) abort();
    if (hw_blake2s_init(&s, out_len, key, key_len) != -1) abort();
    free(copy);
    return 0;
  }
  if (hw_blake2s(one, out_len, copy, len, key_len ? key : NULL, key_len) != 0) abort();
  if (hw_blake2s_init(&s, out_len, key_len ? key : NULL, key_len) != 0) abort();
  for (at = 0; at < len; at += piece) hw_blake2s_update(&s, copy + at, len - at < piece ? len - at : piece);
  hw_blake2s_update(&s, copy, 0);
  hw_blake2s_final(&s, inc);
  if (memcmp(one, inc, out_len) != 0) abort();
  if (hw_blake2s(again, out_len, copy, len, key_len ? key : NULL, key_len) != 0 || memcmp(again, one, out_len) != 0)
    abort();
  free(copy);
  return 0;
}

/* libFuzzer harness for BLAKE2s: out_len[1] key_len[1] split[1] key data. Incremental hashing
 * with fuzzer-chosen piece sizes equals one-shot; bad lengths are refused; a digest of length
 * n is not a prefix of the length-32 digest (the length is a parameter), but recomputing it is
 * stable. */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t one[32], inc[32], again[32];
  size_t out_len, key_len, piece, at, len;
  const uint8_t *key, *msg;
  uint8_t *copy;
  hw_blake2s_state s;
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

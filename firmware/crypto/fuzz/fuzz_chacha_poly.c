/* libFuzzer harness for the lower-level primitives: key[32] nonce[12] counter[4] data.
 * ChaCha20: xor twice is the identity, in place equals out of place, and the stream equals
 * concatenated hw_chacha20_block outputs. Poly1305: the one-shot tag equals the streaming
 * internal API fed the same padded blocks. */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"
#include "../hw_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t key[32], nonce[12], block[64], tag1[16], tag2[16], last[16];
  uint32_t counter;
  size_t len, i, full;
  uint8_t *msg, *x, *y;
  hw_poly1305_state st;
  if (size < 48) return 0;
  memcpy(key, data, 32);
  memcpy(nonce, data + 32, 12);
  counter = (uint32_t)data[44] | ((uint32_t)data[45] << 8) | ((uint32_t)data[46] << 16) | ((uint32_t)data[47] << 24);
  data += 48;
  len = size - 48;
  msg = malloc(len ? len : 1);
  x = malloc(len ? len : 1);
  y = malloc(len ? len : 1);
  if (!msg || !x || !y) abort();
  memcpy(msg, data, len);

  hw_chacha20_xor(x, msg, len, key, counter, nonce);
  memcpy(y, msg, len);
  hw_chacha20_xor(y, y, len, key, counter, nonce);
  if (len && memcmp(x, y, len) != 0) abort();
  for (i = 0; i < len; i += 64) {
    size_t n = len - i < 64 ? len - i : 64, j;
    hw_chacha20_block(block, key, counter + (uint32_t)(i / 64), nonce);
    for (j = 0; j < n; j++)
      if ((uint8_t)(msg[i + j] ^ block[j]) != x[i + j]) abort();
  }
  hw_chacha20_xor(x, x, len, key, counter, nonce);
  if (len && memcmp(x, msg, len) != 0) abort();

  hw_poly1305(tag1, msg, len, key);
  hw_poly1305_init(&st, key);
  full = len & ~(size_t)15;
  for (i = 0; i < full; i += 16) hw_poly1305_blocks(&st, msg + i, 16, 1);
  if (len > full) {
    memset(last, 0, sizeof last);
    memcpy(last, msg + full, len - full);
    last[len - full] = 1;
    hw_poly1305_blocks(&st, last, 16, 0);
  }
  hw_poly1305_finish(&st, tag2);
  if (memcmp(tag1, tag2, 16) != 0) abort();

  free(msg);
  free(x);
  free(y);
  return 0;
}

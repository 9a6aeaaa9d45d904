/* libFuzzer harness for ChaCha20-Poly1305 with the WireGuard counter nonce. Layout of the
 * input: key[32] counter[8] ad_len[1] flip[2] then ad and plaintext. Checks: seal then open
 * returns the plaintext, in-place operation matches, any flipped bit or wrong counter fails
 * and zeroes dst, short inputs fail. Buffers are exact-size heap copies so ASan sees overreads. */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t key[32];
  uint64_t counter = 0;
  size_t ad_len, pt_len, i, flip;
  uint8_t *ad, *pt, *ct, *dec, *inplace;
  int j;
  if (size < 43) return 0;
  memcpy(key, data, 32);
  for (j = 0; j < 8; j++) counter |= (uint64_t)data[32 + j] << (8 * j);
  ad_len = data[40];
  flip = (size_t)data[41] | ((size_t)data[42] << 8);
  data += 43;
  size -= 43;
  if (ad_len > size) ad_len = size;
  pt_len = size - ad_len;
  ad = malloc(ad_len ? ad_len : 1);
  pt = malloc(pt_len ? pt_len : 1);
  ct = malloc(pt_len + 16);
  dec = malloc(pt_len ? pt_len : 1);
  inplace = malloc(pt_len + 16);
  if (!ad || !pt || !ct || !dec || !inplace) abort();
  memcpy(ad, data, ad_len);
  memcpy(pt, data + ad_len, pt_len);

  hw_aead_seal(ct, pt, pt_len, ad, ad_len, counter, key);
  if (hw_aead_open(dec, ct, pt_len + 16, ad, ad_len, counter, key) != 0) abort();
  if (pt_len && memcmp(dec, pt, pt_len) != 0) abort();

  /* dst == src */
  if (pt_len) memcpy(inplace, pt, pt_len);
  hw_aead_seal(inplace, inplace, pt_len, ad, ad_len, counter, key);
  if (memcmp(inplace, ct, pt_len + 16) != 0) abort();
  if (hw_aead_open(inplace, inplace, pt_len + 16, ad, ad_len, counter, key) != 0) abort();
  if (pt_len && memcmp(inplace, pt, pt_len) != 0) abort();

  /* One flipped bit anywhere in ciphertext or tag. */
  ct[(flip >> 3) % (pt_len + 16)] ^= (uint8_t)(1u << (flip & 7));
  memset(dec, 0x5a, pt_len ? pt_len : 1);
  if (hw_aead_open(dec, ct, pt_len + 16, ad, ad_len, counter, key) != -1) abort();
  for (i = 0; i < pt_len; i++)
    if (dec[i] != 0) abort();
  ct[(flip >> 3) % (pt_len + 16)] ^= (uint8_t)(1u << (flip & 7));

  /* The wrong counter. */
  if (hw_aead_open(dec, ct, pt_len + 16, ad, ad_len, counter + 1, key) != -1) abort();
  /* Too short for a tag. */
  if (hw_aead_open(dec, ct, flip % 16, ad, ad_len, counter, key) != -1) abort();

  free(ad);
  free(pt);
  free(ct);
  free(dec);
  free(inplace);
  return 0;
}

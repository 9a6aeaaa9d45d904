/* libFuzzer harness for XChaCha20-Poly1305: key[32] nonce[24] ad_len[1] flip[2] ad plaintext.
 * Seal/open round trip, tamper detection with dst zeroed, and agreement with the manual
 * construction (HChaCha20 subkey, then the 96-bit AEAD on 0^32 || nonce[16..24]). */
#include <stdlib.h>
#include <string.h>

#include "../hw_crypto.h"
#include "../hw_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t key[32], nonce[24], subkey[32], n12[12] = {0};
  size_t ad_len, pt_len, i, flip;
  uint8_t *ad, *pt, *ct, *ct2, *dec;
  if (size < 59) return 0;
  memcpy(key, data, 32);
  memcpy(nonce, data + 32, 24);
  ad_len = data[56];
  flip = (size_t)data[57] | ((size_t)data[58] << 8);
  data += 59;
  size -= 59;
  if (ad_len > size) ad_len = size;
  pt_len = size - ad_len;
  ad = malloc(ad_len ? ad_len : 1);
  pt = malloc(pt_len ? pt_len : 1);
  ct = malloc(pt_len + 16);
  ct2 = malloc(pt_len + 16);
  dec = malloc(pt_len ? pt_len : 1);
  if (!ad || !pt || !ct || !ct2 || !dec) abort();
  memcpy(ad, data, ad_len);
  memcpy(pt, data + ad_len, pt_len);

  hw_xaead_seal(ct, pt, pt_len, ad, ad_len, nonce, key);
  hw_hchacha20(subkey, key, nonce);
  memcpy(n12 + 4, nonce + 16, 8);
  hw_chacha20poly1305_seal(ct2, pt, pt_len, ad, ad_len, n12, subkey);
  if (memcmp(ct, ct2, pt_len + 16) != 0) abort();

  if (hw_xaead_open(dec, ct, pt_len + 16, ad, ad_len, nonce, key) != 0) abort();
  if (pt_len && memcmp(dec, pt, pt_len) != 0) abort();

  ct[(flip >> 3) % (pt_len + 16)] ^= (uint8_t)(1u << (flip & 7));
  memset(dec, 0x5a, pt_len ? pt_len : 1);
  if (hw_xaead_open(dec, ct, pt_len + 16, ad, ad_len, nonce, key) != -1) abort();
  for (i = 0; i < pt_len; i++)
    if (dec[i] != 0) abort();
  ct[(flip >> 3) % (pt_len + 16)] ^= (uint8_t)(1u << (flip & 7));
  nonce[flip % 24] ^= 1;
  if (hw_xaead_open(dec, ct, pt_len + 16, ad, ad_len, nonce, key) != -1) abort();

  free(ad);
  free(pt);
  free(ct);
  free(ct2);
  free(dec);
  return 0;
}

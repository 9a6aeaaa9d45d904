/* HMAC (RFC 2104) with BLAKE2s-256 as the hash, block 64: WireGuard's HMAC, the building block
 * of its KDF1/2/3. In C because a handshake runs ~30 of them and an interpreter pays dearly
 * for the byte-wise padding of the key. */
#include "hw_crypto.h"
#include "hw_util.h"

#define IPAD 0x36u
#define OPAD 0x5cu

int hw_hmac_blake2s(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len) {
  hw_blake2s_state s;
  uint32_t block_words[HW_BLAKE2S_BLOCK_LEN / 4]; /* aligned, so BLAKE2s reads it word-wise */
  uint8_t *block = (uint8_t *)block_words;
  uint8_t inner[HW_BLAKE2S_MAX_OUT];
  size_t i;
  /* Longer keys would have to be hashed first (RFC 2104 section 2); WireGuard never has one. */
  if (!out || key_len > HW_HMAC_MAX_KEY || (key_len > 0 && !key) || (in_len > 0 && !in)) return -1;

  /* key_len is public: the branch below depends on the position, never on key bytes. */
  for (i = 0; i < HW_BLAKE2S_BLOCK_LEN; i++) block[i] = (uint8_t)((i < key_len ? key[i] : 0u) ^ IPAD);
  (void)hw_blake2s_init(&s, 32, NULL, 0);
  hw_blake2s_update(&s, block, HW_BLAKE2S_BLOCK_LEN);
  hw_blake2s_update(&s, in, in_len);
  hw_blake2s_final(&s, inner);

  /* (k ^ ipad) ^ (ipad ^ opad) = k ^ opad: the outer block without touching the key again. */
  for (i = 0; i < HW_BLAKE2S_BLOCK_LEN; i++) block[i] = (uint8_t)(block[i] ^ (IPAD ^ OPAD));
  (void)hw_blake2s_init(&s, 32, NULL, 0);
  hw_blake2s_update(&s, block, HW_BLAKE2S_BLOCK_LEN);
  hw_blake2s_update(&s, inner, sizeof inner);
  hw_blake2s_final(&s, out); /* final wipes s */

  /* Both the padded key and the inner hash are derived from the (chaining) key. */
  hw_wipe(block_words, sizeof block_words);
  hw_wipe(inner, sizeof inner);
  return 0;
}

/* Randomness on the QEMU board.
 *
 * *** QEMU's lx60 board has no hardware RNG. This generator is ChaCha20 keyed with a 32-byte
 * *** seed that the runner writes into the boot page before every boot (test-hil draws it
 * *** from the host's CSPRNG). It exists so the firmware can run under QEMU; real boards
 * *** (boards/esp32) use the chip's hardware RNG and never this file.
 *
 * Fast key erasure: every request first draws a new key from the current one and wipes the
 * old, so a later compromise of the state does not reveal earlier outputs. */
#include <string.h>

#include "boot.h"
#include "bootparse.h"
#include "hw_crypto.h"
#include "qemu_board.h"

static uint8_t key[32];
static int seeded;
static const uint8_t nonce[12] = {'h', 'w', '-', 'q', 'e', 'm', 'u', '-', 'r', 'n', 'g', 0};

int qb_rng_seed(void) {
  char hex[65];
  if (qb_boot_copy("seed", hex, sizeof hex) != 0 || qb_parse_hex(hex, key, 32) != 0) return -1;
  hw_wipe(hex, sizeof hex);
  seeded = 1;
  return 0;
}

int qb_rng_bytes(uint8_t *out, size_t len) {
  if (!seeded) return -1; /* never hand out predictable bytes */
  uint8_t block[64];
  hw_chacha20_block(block, key, 0, nonce);
  memcpy(key, block, 32); /* the next key; block[32..63] start this request's output */
  uint32_t counter = 1;
  size_t from_first = len < 32 ? len : 32;
  memcpy(out, block + 32, from_first);
  for (size_t done = from_first; done < len; done += 64) {
    hw_chacha20_block(block, key, counter++, nonce);
    memcpy(out + done, block, len - done < 64 ? len - done : 64);
  }
  if (len > 32) { /* output came from the new key too: step it once more */
    hw_chacha20_block(block, key, counter, nonce);
    memcpy(key, block, 32);
  }
  hw_wipe(block, sizeof block);
  return 0;
}

/* Randomness on the QEMU board.
 *
 * *** QEMU's lx60 board has no hardware RNG. This generator is ChaCha20 keyed with a 32-byte
 * *** seed that the runner writes into the boot page before every boot (test-hil draws it
 * *** from the host's CSPRNG). It exists so the firmware can run under QEMU; real boards
 * *** (boards/esp32) use the chip's hardware RNG and never this file.
 *
 * The page's seed stays the same across resets of one QEMU run (QEMU reloads the page), so the
 * key is derived from it and a reset counter that survives resets (.noinit): no two boots of a
 * run draw the same bytes (the device key made after a wipe-store differs from the last one).
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
/* Not zeroed by start.S: counts the boots since QEMU started (magic set on the first one). */
static struct {
  uint32_t magic, boots;
} resets __attribute__((section(".noinit")));
#define RESETS_MAGIC 0x68777273u
static const uint8_t nonce[12] = {'h', 'w', '-', 'q', 'e', 'm', 'u', '-', 'r', 'n', 'g', 0};

int qb_rng_seed(void) {
  char hex[65];
  uint8_t page_seed[32];
  if (qb_boot_copy("seed", hex, sizeof hex) != 0 || qb_parse_hex(hex, page_seed, 32) != 0) return -1;
  hw_wipe(hex, sizeof hex);
  if (resets.magic != RESETS_MAGIC) {
    resets.magic = RESETS_MAGIC;
    resets.boots = 0;
  }
  uint32_t boot = resets.boots++;
  const uint8_t label[16] = {'q', 'e', 'm', 'u', '-', 'r', 'n', 'g', '-', 'b', 'o', 'o', 't',
                             (uint8_t)boot, (uint8_t)(boot >> 8), (uint8_t)(boot >> 16)};
  int r = hw_blake2s(key, 32, label, sizeof label, page_seed, 32);
  hw_wipe(page_seed, sizeof page_seed);
  if (r != 0) return -1;
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

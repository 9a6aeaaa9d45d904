/* A retained region kept in memory that survives resets and deep sleep (a .noinit area on the
 * QEMU board, RTC memory on ESP32 chips): the board places one hw_retained_ram there and
 * implements board.h's hw_board_retained_* with these functions.
 *
 * Two slots, each with a sequence number and a CRC; the valid slot with the higher sequence is the
 * contents. A write fills the other slot and only then wipes the old one, so a reset at any point
 * leaves the old contents or the new (atomic), and no superseded record (a session's keys) stays
 * behind in memory. Memory that was never written (power-on garbage) reads as empty. */
#ifndef HW_RETAINED_RAM_H
#define HW_RETAINED_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"

typedef struct {
  uint32_t magic;
  uint32_t seq;
  uint32_t len;
  uint32_t crc; /* CRC-32 over seq, len and data[0, len) */
  uint8_t data[HW_RETAINED_CAPACITY];
} hw_retained_slot;

typedef struct {
  hw_retained_slot slot[2];
} hw_retained_ram;

size_t hw_retained_ram_read(const hw_retained_ram *r, uint8_t *out, size_t cap);
/* 0, or -1 if len exceeds HW_RETAINED_CAPACITY (nothing changed). */
int hw_retained_ram_write(hw_retained_ram *r, const uint8_t *data, size_t len);

#endif

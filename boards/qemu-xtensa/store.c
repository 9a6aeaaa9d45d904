/* The persistent store on the board's CFI flash (QEMU's pflash_cfi01 behind
 * `-drive if=pflash,format=raw,file=store.bin`, 4 MiB, 64 KiB sectors, 16-bit bus), so it
 * survives QEMU restarts exactly as a flash sector survives a power cycle.
 *
 * Layout: sector 0 is an append-only log of records `key=value\n`; erased flash reads 0xff,
 * which ends the log. A get returns the last record of its key. When a put does not fit,
 * the live records are gathered in RAM, the sector is erased and rewritten (a power cut in
 * that window loses the store; the firmware treats a lost store like a first boot). */
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "qemu_board.h"

#define FLASH16(off) (*(volatile uint16_t *)(QB_FLASH + (off)))
#define FLASH8(off) (*(volatile uint8_t *)(QB_FLASH + (off)))
#define CMD_READ_ARRAY 0xffu
#define CMD_READ_STATUS 0x70u
#define CMD_CLEAR_STATUS 0x50u
#define CMD_PROGRAM 0x40u
#define CMD_ERASE 0x20u
#define CMD_CONFIRM 0xd0u
#define STATUS_READY 0x80u
#define STATUS_ERRORS 0x3au /* erase, program, Vpp, lock errors */

#define SECTOR QB_FLASH_SECTOR
#define MAX_RECORD (HW_STORE_KEY_MAX + 1 + HW_STORE_VALUE_MAX + 1)
#define MAX_ENTRIES 16

static int wait_ready(void) {
  for (unsigned n = 0; n < 1000000; n++) {
    uint16_t s = FLASH16(0);
    if (s & STATUS_READY) {
      FLASH16(0) = CMD_CLEAR_STATUS;
      FLASH16(0) = CMD_READ_ARRAY;
      return (s & STATUS_ERRORS) ? -1 : 0;
    }
  }
  FLASH16(0) = CMD_READ_ARRAY;
  return -1;
}

static int erase_sector(void) {
  FLASH16(0) = CMD_ERASE;
  FLASH16(0) = CMD_CONFIRM;
  return wait_ready();
}

/* Programs len bytes at an even offset, 16 bits at a time (an odd tail is padded with 0xff,
 * which leaves the erased byte as it was). */
static int program(uint32_t off, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i += 2) {
    uint16_t w = (uint16_t)(p[i] | ((i + 1 < len ? p[i + 1] : 0xffu) << 8));
    FLASH16(off + i) = CMD_PROGRAM;
    FLASH16(off + i) = w;
    if (wait_ready() != 0) return -1;
  }
  return 0;
}

/* Length of the log: up to the first erased byte. Records are padded to even lengths with
 * a '\n', so the log always ends on an even offset. */
static uint32_t log_end(void) {
  uint32_t off = 0;
  while (off < SECTOR && FLASH8(off) != 0xffu) off++;
  return off;
}

static int valid_key(const char *key) {
  size_t n = strlen(key);
  return n >= 1 && n <= HW_STORE_KEY_MAX && !memchr(key, '=', n) && !memchr(key, '\n', n);
}

/* Finds the last record for key; returns the value's offset and length, or -1. */
static long find(const char *key, size_t *vlen) {
  size_t klen = strlen(key);
  uint32_t end = log_end(), off = 0;
  long found = -1;
  while (off < end) {
    uint32_t line = off;
    while (off < end && FLASH8(off) != '\n') off++;
    if (off - line > klen && FLASH8(line + klen) == '=') {
      int match = 1;
      for (size_t i = 0; i < klen && match; i++) match = FLASH8(line + i) == (uint8_t)key[i];
      if (match) {
        found = (long)(line + klen + 1);
        *vlen = off - (line + klen + 1);
      }
    }
    off++;
  }
  return found;
}

long hw_board_store_get(const char *key, char *out, size_t cap) {
  if (!valid_key(key)) return -1;
  size_t len = 0;
  long at = find(key, &len);
  if (at < 0) return -1;
  if (len <= cap)
    for (size_t i = 0; i < len; i++) out[i] = (char)FLASH8((uint32_t)at + i);
  return (long)len;
}

static size_t make_record(uint8_t *rec, const char *key, const char *value, size_t len) {
  size_t klen = strlen(key), n = 0;
  memcpy(rec, key, klen);
  n = klen;
  rec[n++] = '=';
  memcpy(rec + n, value, len);
  n += len;
  rec[n++] = '\n';
  if (n & 1) rec[n++] = '\n'; /* keep records even-aligned for the 16-bit bus */
  return n;
}

static int compact(void);

int hw_board_store_put(const char *key, const char *value, size_t len) {
  if (!valid_key(key) || len > HW_STORE_VALUE_MAX || memchr(value, '\n', len)) return -1;
  static uint8_t rec[MAX_RECORD + 1];
  size_t n = make_record(rec, key, value, len);
  uint32_t end = log_end();
  if (end + n > SECTOR) {
    if (compact() != 0) return -1;
    end = log_end();
    if (end + n > SECTOR) return -1;
  }
  return program(end, rec, n);
}

typedef struct {
  char key[HW_STORE_KEY_MAX + 1];
  char value[HW_STORE_VALUE_MAX];
  size_t len;
} live_entry;

/* Rewrites the sector with only the latest record of each key. The live records are held on
 * the heap for the moment of the rewrite (9 KiB, rarely needed: not worth a static). */
static int compact_into(live_entry *live);
static int compact(void) {
  live_entry *live = malloc(MAX_ENTRIES * sizeof *live);
  if (!live) return -1;
  int r = compact_into(live);
  free(live);
  return r;
}

static int compact_into(live_entry *live) {
  int count = 0;
  uint32_t end = log_end(), off = 0;
  while (off < end) {
    uint32_t line = off, eq = 0;
    while (off < end && FLASH8(off) != '\n') {
      if (!eq && FLASH8(off) == '=') eq = off;
      off++;
    }
    if (eq > line && eq - line <= HW_STORE_KEY_MAX && off - eq - 1 <= HW_STORE_VALUE_MAX) {
      char key[HW_STORE_KEY_MAX + 1];
      for (uint32_t i = line; i < eq; i++) key[i - line] = (char)FLASH8(i);
      key[eq - line] = 0;
      int at = count;
      for (int i = 0; i < count; i++)
        if (strcmp(live[i].key, key) == 0) at = i;
      if (at == count && count == MAX_ENTRIES) return -1;
      if (at == count) count++;
      strcpy(live[at].key, key);
      live[at].len = off - eq - 1;
      for (size_t i = 0; i < live[at].len; i++) live[at].value[i] = (char)FLASH8(eq + 1 + i);
    }
    off++;
  }
  if (erase_sector() != 0) return -1;
  uint32_t at = 0;
  static uint8_t rec[MAX_RECORD + 1];
  for (int i = 0; i < count; i++) {
    size_t n = make_record(rec, live[i].key, live[i].value, live[i].len);
    if (program(at, rec, n) != 0) return -1;
    at += (uint32_t)n;
  }
  return 0;
}

/* The persistent store on the board's CFI flash (QEMU's pflash_cfi01 behind
 * `-drive if=pflash,format=raw,file=store.bin`, 4 MiB, 64 KiB sectors, 16-bit bus), so it
 * survives QEMU restarts exactly as a flash sector survives a power cycle.
 *
 * It holds the device's identity (its private key and enrolled config), so neither a power
 * cut nor a full log may ever lose it. Two sectors take turns:
 *
 *   offset 0      "#homewire-store 2 gen=XXXXXXXX\n\n" (32 bytes; programmed last)
 *   offset 32...  records "CCCCCCCC key=value\n" (CRC-32 of "key=value" in hex), each padded
 *                 to an even length with '\n'; erased flash (0xff) ends the log
 *
 * The active sector is the one with a valid header and the highest generation. A put appends a
 * record; a record torn by a power cut fails its CRC and is skipped (and terminated before the
 * next append, so it cannot swallow it). When the log is full, the latest valid record of every
 * key is copied into the other sector, the new record after them, and only then that sector's
 * header is written with the next generation: until that moment the old sector is the store,
 * afterwards the new one; the old sector is erased last. Nothing is gathered in RAM. */
#include <stdio.h>
#include <string.h>

#include "bindings.h"
#include "board.h"
#include "console.h"
#include "qemu_board.h"

#define FLASH16(off) (*(volatile uint16_t *)(QB_FLASH + (off)))
#define FLASH8(off) (*(volatile uint8_t *)(QB_FLASH + (off)))
#define CMD_READ_ARRAY 0xffu
#define CMD_CLEAR_STATUS 0x50u
#define CMD_PROGRAM 0x40u
#define CMD_ERASE 0x20u
#define CMD_CONFIRM 0xd0u
#define STATUS_READY 0x80u
#define STATUS_ERRORS 0x3au /* erase, program, Vpp, lock errors */

#define SECTOR QB_FLASH_SECTOR
#define HEADER_LEN 32u
#define HEADER_PREFIX "#homewire-store 2 gen="
#define CRC_LEN 8u
/* "CCCCCCCC " + key + "=" + value + "\n" + one padding byte */
#define MAX_RECORD (CRC_LEN + 1 + HW_STORE_KEY_MAX + 1 + HW_STORE_VALUE_MAX + 2)

static int wait_ready(uint32_t at) {
  for (unsigned n = 0; n < 1000000; n++) {
    uint16_t s = FLASH16(at);
    if (s & STATUS_READY) {
      FLASH16(at) = CMD_CLEAR_STATUS;
      FLASH16(at) = CMD_READ_ARRAY;
      return (s & STATUS_ERRORS) ? -1 : 0;
    }
  }
  FLASH16(at) = CMD_READ_ARRAY;
  return -1;
}

static int erase_sector(uint32_t base) {
  FLASH16(base) = CMD_ERASE;
  FLASH16(base) = CMD_CONFIRM;
  return wait_ready(base);
}

/* Programs len bytes at an even offset, 16 bits at a time (an odd tail is padded with 0xff,
 * which leaves the erased byte as it was). */
static int program(uint32_t off, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i += 2) {
    uint16_t w = (uint16_t)(p[i] | ((i + 1 < len ? p[i + 1] : 0xffu) << 8));
    FLASH16(off + i) = CMD_PROGRAM;
    FLASH16(off + i) = w;
    if (wait_ready(off + i) != 0) return -1;
  }
  return 0;
}

static int hex_digit(uint8_t c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* The generation of the sector at base, or 0 if its header is not valid. */
static uint32_t generation(uint32_t base) {
  const size_t plen = sizeof HEADER_PREFIX - 1;
  for (size_t i = 0; i < plen; i++)
    if (FLASH8(base + i) != (uint8_t)HEADER_PREFIX[i]) return 0;
  uint32_t gen = 0;
  for (size_t i = 0; i < 8; i++) {
    int d = hex_digit(FLASH8(base + plen + i));
    if (d < 0) return 0;
    gen = gen << 4 | (uint32_t)d;
  }
  if (FLASH8(base + plen + 8) != '\n' || FLASH8(base + plen + 9) != '\n') return 0;
  return gen;
}

/* The active sector's base, or -1 if the store is blank. */
static long active(void) {
  uint32_t g0 = generation(0), g1 = generation(SECTOR);
  if (!g0 && !g1) return -1;
  return g1 > g0 ? (long)SECTOR : 0;
}

/* Offset of the first erased byte after the records (the log's end) in the sector at base. */
static uint32_t log_end(uint32_t base) {
  uint32_t off = HEADER_LEN;
  while (off < SECTOR && FLASH8(base + off) != 0xffu) off++;
  return off;
}

/* One record, as read from flash: where its key and value are. Valid only if the CRC holds. */
typedef struct {
  uint32_t key, key_len, value, value_len;
} record;

/* Parses the line at base+off (ending before `end`); returns the offset after it and sets
 * *valid when it is a well-formed record whose CRC matches. */
static uint32_t read_record(uint32_t base, uint32_t off, uint32_t end, record *r, int *valid) {
  uint32_t line = off;
  while (off < end && FLASH8(base + off) != '\n') off++;
  *valid = 0;
  uint32_t len = off - line;
  if (len >= CRC_LEN + 3 && FLASH8(base + line + CRC_LEN) == ' ') {
    uint32_t want = 0;
    int ok = 1;
    for (uint32_t i = 0; i < CRC_LEN && ok; i++) {
      int d = hex_digit(FLASH8(base + line + i));
      ok = d >= 0;
      want = want << 4 | (uint32_t)(ok ? d : 0);
    }
    uint32_t body = line + CRC_LEN + 1, eq = body;
    while (ok && eq < off && FLASH8(base + eq) != '=') eq++;
    if (ok && eq > body && eq < off && eq - body <= HW_STORE_KEY_MAX && off - eq - 1 <= HW_STORE_VALUE_MAX) {
      uint32_t crc = ~0u;
      for (uint32_t i = body; i < off; i++) { /* hw_crc32, byte by byte from flash */
        crc ^= FLASH8(base + i);
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
      }
      if (~crc == want) {
        r->key = body;
        r->key_len = eq - body;
        r->value = eq + 1;
        r->value_len = off - eq - 1;
        *valid = 1;
      }
    }
  }
  return off < end ? off + 1 : off;
}

static int key_is(uint32_t base, const record *r, const char *key, size_t klen) {
  if (r->key_len != klen) return 0;
  for (size_t i = 0; i < klen; i++)
    if (FLASH8(base + r->key + i) != (uint8_t)key[i]) return 0;
  return 1;
}

/* The last valid record of key in the sector at base. */
static int find(uint32_t base, const char *key, size_t klen, record *out) {
  uint32_t end = log_end(base), off = HEADER_LEN;
  int found = 0;
  while (off < end) {
    record r;
    int valid;
    off = read_record(base, off, end, &r, &valid);
    if (valid && key_is(base, &r, key, klen)) {
      *out = r;
      found = 1;
    }
  }
  return found;
}

static int valid_key(const char *key) {
  size_t n = strlen(key);
  if (n < 1 || n > HW_STORE_KEY_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (key[i] == '=' || key[i] == '\n' || key[i] == ' ') return 0;
  return 1;
}

long hw_board_store_get(const char *key, char *out, size_t cap) {
  long base = active();
  record r;
  if (!valid_key(key) || base < 0 || !find((uint32_t)base, key, strlen(key), &r)) return -1;
  if (r.value_len <= cap)
    for (uint32_t i = 0; i < r.value_len; i++) out[i] = (char)FLASH8((uint32_t)base + r.value + i);
  return (long)r.value_len;
}

static uint8_t rec_buf[MAX_RECORD + 1];

static size_t make_record(const char *key, const char *value, size_t len) {
  size_t klen = strlen(key), n = CRC_LEN + 1;
  memcpy(rec_buf + n, key, klen);
  n += klen;
  rec_buf[n++] = '=';
  memcpy(rec_buf + n, value, len);
  n += len;
  uint32_t crc = hw_crc32(rec_buf + CRC_LEN + 1, n - CRC_LEN - 1);
  for (int i = 0; i < 8; i++) rec_buf[i] = (uint8_t)"0123456789abcdef"[(crc >> (28 - 4 * i)) & 15u];
  rec_buf[CRC_LEN] = ' ';
  rec_buf[n++] = '\n';
  if (n & 1) rec_buf[n++] = '\n'; /* keep records even-aligned for the 16-bit bus */
  return n;
}

static int write_header(uint32_t base, uint32_t gen) {
  char h[HEADER_LEN + 1];
  snprintf(h, sizeof h, HEADER_PREFIX "%08lx\n\n", (unsigned long)gen);
  return program(base, (const uint8_t *)h, HEADER_LEN);
}

/* Appends the record in rec_buf (n bytes) to the sector at base; -1 if it does not fit. */
static int append(uint32_t base, size_t n) {
  uint32_t end = log_end(base);
  if (end > HEADER_LEN && FLASH8(base + end - 1) != '\n') { /* a torn record: end its line */
    static const uint8_t nl[2] = {'\n', '\n'};
    if (end + 2 > SECTOR || program(base + end, nl, 2) != 0) return -1;
    end += 2;
  }
  if (end + n > SECTOR) return -1;
  return program(base + end, rec_buf, n);
}

#define MAX_KEYS 16 /* distinct keys in the store (the firmware uses a handful) */

/* Copies the live records of `from` (the latest valid record of each key other than `skip`)
 * into the erased sector `to`, then the record in rec_buf (n bytes), then the header. */
static int compact(uint32_t from, uint32_t to, const char *skip, size_t n) {
  static struct {
    char key[HW_STORE_KEY_MAX + 1];
    record latest;
  } live[MAX_KEYS];
  int count = 0;
  uint32_t end = log_end(from), off = HEADER_LEN;
  size_t slen = strlen(skip);
  while (off < end) { /* one pass: the latest valid record of each key */
    record r;
    int valid;
    off = read_record(from, off, end, &r, &valid);
    if (!valid || key_is(from, &r, skip, slen)) continue;
    int at = 0;
    while (at < count && !key_is(from, &r, live[at].key, strlen(live[at].key))) at++;
    if (at == count) {
      if (count == MAX_KEYS) return -1;
      for (uint32_t i = 0; i < r.key_len; i++) live[at].key[i] = (char)FLASH8(from + r.key + i);
      live[at].key[r.key_len] = 0;
      count++;
    }
    live[at].latest = r;
  }
  if (erase_sector(to) != 0) return -1;
  uint32_t at = HEADER_LEN;
  for (int k = 0; k < count; k++) { /* each record's bytes as they are (CRC included) */
    const record *r = &live[k].latest;
    uint32_t start = r->key - CRC_LEN - 1, len = r->value + r->value_len + 1 - start;
    for (uint32_t done = 0; done < len;) {
      uint8_t chunk[64];
      uint32_t c = len - done < sizeof chunk ? len - done : sizeof chunk;
      for (uint32_t i = 0; i < c; i++) chunk[i] = FLASH8(from + start + done + i);
      done += c;
      if (done == len && (len & 1)) chunk[c++] = '\n'; /* only a short last chunk is odd */
      if (at + c > SECTOR || program(to + at, chunk, c) != 0) return -1;
      at += c;
    }
  }
  if (at + n > SECTOR || program(to + at, rec_buf, n) != 0) return -1;
  if (write_header(to, generation(from) + 1) != 0) return -1; /* from here on `to` is the store */
  return erase_sector(from);
}

int hw_board_store_put(const char *key, const char *value, size_t len) {
  if (!valid_key(key) || len > HW_STORE_VALUE_MAX || memchr(value, '\n', len)) return -1;
  size_t n = make_record(key, value, len);
  long base = active();
  if (base < 0) { /* a blank store: sector 0, generation 1 */
    if (erase_sector(0) != 0 || write_header(0, 1) != 0) return -1;
    base = 0;
  }
  if (append((uint32_t)base, n) == 0) return 0;
  return compact((uint32_t)base, base == 0 ? SECTOR : 0, key, n);
}

int hw_board_store_wipe(void) {
  return erase_sector(0) == 0 && erase_sector(SECTOR) == 0 ? 0 : -1;
}

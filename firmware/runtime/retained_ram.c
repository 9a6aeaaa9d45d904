/* Two-slot retained region in memory: see retained_ram.h. */
#include "retained_ram.h"

#include <string.h>

#include "console.h" /* hw_crc32 */
#include "hw_crypto.h" /* hw_wipe */

#define SLOT_MAGIC 0x68777274u /* "hwrt" */

static uint32_t slot_crc(const hw_retained_slot *s) {
  uint8_t head[8];
  for (int i = 0; i < 4; i++) {
    head[i] = (uint8_t)(s->seq >> (8 * i));
    head[4 + i] = (uint8_t)(s->len >> (8 * i));
  }
  /* One buffer: hw_crc32 takes its input in one piece. It holds key material: wiped after. */
  uint8_t buf[8 + HW_RETAINED_CAPACITY];
  memcpy(buf, head, 8);
  memcpy(buf + 8, s->data, s->len);
  uint32_t c = hw_crc32(buf, 8 + s->len);
  hw_wipe(buf, sizeof buf);
  return c;
}

static int slot_valid(const hw_retained_slot *s) {
  return s->magic == SLOT_MAGIC && s->len <= HW_RETAINED_CAPACITY && slot_crc(s) == s->crc;
}

/* The slot holding the contents, or -1 (empty). */
static int current(const hw_retained_ram *r) {
  int v0 = slot_valid(&r->slot[0]), v1 = slot_valid(&r->slot[1]);
  if (v0 && v1) return (int32_t)(r->slot[1].seq - r->slot[0].seq) > 0 ? 1 : 0;
  return v0 ? 0 : v1 ? 1 : -1;
}

size_t hw_retained_ram_read(const hw_retained_ram *r, uint8_t *out, size_t cap) {
  int at = current(r);
  if (at < 0) return 0;
  const hw_retained_slot *s = &r->slot[at];
  size_t n = s->len < cap ? s->len : cap;
  memcpy(out, s->data, n);
  return n;
}

int hw_retained_ram_write(hw_retained_ram *r, const uint8_t *data, size_t len) {
  if (len > HW_RETAINED_CAPACITY) return -1;
  int at = current(r);
  int to = at == 0 ? 1 : 0;
  hw_retained_slot *s = &r->slot[to];
  s->magic = 0; /* invalid while it is being filled */
  s->seq = at < 0 ? 1 : r->slot[at].seq + 1;
  s->len = (uint32_t)len;
  if (len) memcpy(s->data, data, len);
  memset(s->data + len, 0, HW_RETAINED_CAPACITY - len);
  s->crc = slot_crc(s);
  s->magic = SLOT_MAGIC; /* the new contents count from here */
  if (at >= 0) hw_wipe(&r->slot[at], sizeof r->slot[at]); /* the superseded record's keys */
  return 0;
}

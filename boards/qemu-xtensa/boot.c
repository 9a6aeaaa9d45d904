/* Reads the boot page (see boot.h). The page is untrusted input from outside the firmware:
 * every scan is bounded by the page size and stops at the first NUL. */
#include "boot.h"

#include <string.h>

extern const char __boot_page[];
#define BOOT_SIZE (16u * 1024u)
static const char header[] = "homewire-boot 1\n";

static size_t page_len(void) {
  const char *end = memchr(__boot_page, 0, BOOT_SIZE);
  return end ? (size_t)(end - __boot_page) : 0;
}

int qb_boot_valid(void) {
  size_t n = page_len();
  return n >= sizeof header - 1 && memcmp(__boot_page, header, sizeof header - 1) == 0 ? 0 : -1;
}

const char *qb_boot_get(const char *key, size_t *len) {
  if (qb_boot_valid() != 0) return NULL;
  size_t total = page_len(), klen = strlen(key);
  const char *p = __boot_page, *end = __boot_page + total;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = nl ? nl : end;
    if ((size_t)(line_end - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
      *len = (size_t)(line_end - p) - klen - 1;
      return p + klen + 1;
    }
    p = line_end + 1;
  }
  return NULL;
}

int qb_boot_copy(const char *key, char *out, size_t cap) {
  size_t len;
  const char *v = qb_boot_get(key, &len);
  if (!v || len >= cap) return -1;
  memcpy(out, v, len);
  out[len] = 0;
  return 0;
}

/* Strict, allocation-free parsers for boot-page values (no scanf: it drags float code in). */
#include "bootparse.h"

#include <string.h>

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int qb_parse_hex(const char *s, uint8_t *out, unsigned n) {
  if (strlen(s) != 2u * n) return -1;
  for (unsigned i = 0; i < n; i++) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int qb_parse_mac(const char *s, uint8_t mac[6]) {
  if (strlen(s) != 17) return -1;
  for (int i = 0; i < 6; i++) {
    int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) return -1;
    mac[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

/* Reads a decimal number of at most 3 digits and at most max; advances *s. */
static int number(const char **s, unsigned max, unsigned *out) {
  unsigned v = 0, digits = 0;
  while (**s >= '0' && **s <= '9' && digits < 3) {
    v = v * 10 + (unsigned)(**s - '0');
    (*s)++;
    digits++;
  }
  if (digits == 0 || v > max || (**s >= '0' && **s <= '9')) return -1;
  *out = v;
  return 0;
}

int qb_parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask) {
  unsigned b[4], prefix = 32;
  for (int i = 0; i < 4; i++) {
    if (number(&s, 255, &b[i]) != 0) return -1;
    if (i < 3 && *s++ != '.') return -1;
  }
  if (*s == '/') {
    s++;
    if (number(&s, 32, &prefix) != 0) return -1;
  }
  if (*s != 0) return -1;
  IP4_ADDR(ip, b[0], b[1], b[2], b[3]);
  ip4_addr_set_u32(mask, lwip_htonl(prefix ? 0xffffffffu << (32 - prefix) : 0));
  return 0;
}

int qb_parse_cidr6(const char *s, hw_ip *ip) {
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (slash && strcmp(slash, "/64") != 0) return -1;
  return hw_ip_parse(s, n, ip) == 0 && ip->version == 6 ? 0 : -1;
}

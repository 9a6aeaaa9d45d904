/* Address text, both ways (hw_ip.h). The per-packet path formats every datagram's source and
 * parses every destination, so no printf or scanf: on the QEMU board picolibc's integer
 * conversion cost more than the rest of the runtime's dispatch (make profile-qemu). */
#include "hw_ip.h"

#include <string.h>

int hw_parse_ip4(const char *s, size_t len, uint8_t out[4]) {
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= len || s[i] != '.') return -1;
      i++;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + (unsigned)(s[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0')) return -1;
    out[part] = (uint8_t)v;
  }
  return i == len ? 0 : -1;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The groups of one side of "::" ("a:b:c", the last may be a dotted IPv4 when ipv4_tail):
 * 16-bit values into groups[], at most max of them. Returns how many, or -1. */
static int parse_groups(const char *s, size_t len, int ipv4_tail, uint16_t *groups, int max) {
  if (len == 0) return 0;
  int n = 0;
  size_t i = 0;
  for (;;) {
    size_t end = i;
    while (end < len && s[end] != ':') end++;
    if (ipv4_tail && end == len && memchr(s + i, '.', len - i)) {
      uint8_t v4[4];
      if (n + 2 > max || hw_parse_ip4(s + i, len - i, v4) != 0) return -1;
      groups[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
      groups[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
      return n;
    }
    if (end == i || end - i > 4 || n == max) return -1;
    unsigned v = 0;
    for (size_t k = i; k < end; k++) {
      int h = hex_value(s[k]);
      if (h < 0) return -1;
      v = v << 4 | (unsigned)h;
    }
    groups[n++] = (uint16_t)v;
    if (end == len) return n;
    i = end + 1; /* past the ':'; a trailing ':' leaves an empty group: refused above */
  }
}

static int parse_ip6(const char *s, size_t len, uint8_t out[16]) {
  uint16_t head[8], tail[8];
  int nh, nt;
  const char *gap = NULL;
  for (size_t i = 0; i + 1 < len; i++)
    if (s[i] == ':' && s[i + 1] == ':') {
      gap = s + i;
      break;
    }
  if (!gap) {
    nh = parse_groups(s, len, 1, head, 8);
    if (nh != 8) return -1;
    nt = 0;
  } else {
    size_t at = (size_t)(gap - s);
    for (size_t i = at + 2; i + 1 < len; i++)
      if (s[i] == ':' && s[i + 1] == ':') return -1; /* at most one "::" */
    nh = parse_groups(s, at, 0, head, 8);
    nt = parse_groups(s + at + 2, len - at - 2, 1, tail, 8);
    if (nh < 0 || nt < 0 || nh + nt > 7) return -1; /* "::" stands for at least one group */
  }
  uint16_t g[8] = {0};
  for (int i = 0; i < nh; i++) g[i] = head[i];
  for (int i = 0; i < nt; i++) g[8 - nt + i] = tail[i];
  for (int i = 0; i < 8; i++) {
    out[2 * i] = (uint8_t)(g[i] >> 8);
    out[2 * i + 1] = (uint8_t)g[i];
  }
  return 0;
}

int hw_ip_parse(const char *s, size_t len, hw_ip *out) {
  memset(out, 0, sizeof *out);
  if (memchr(s, ':', len)) {
    if (parse_ip6(s, len, out->bytes) != 0) return -1;
    out->version = 6;
    return 0;
  }
  if (hw_parse_ip4(s, len, out->bytes) != 0) return -1;
  out->version = 4;
  return 0;
}

int hw_ip_bits(const hw_ip *ip) { return ip->version == 6 ? 128 : 32; }

static char *decimal(char *o, unsigned v) {
  unsigned hundreds = 0, tens = 0;
  while (v >= 100) {
    v -= 100;
    hundreds++;
  }
  while (v >= 10) {
    v -= 10;
    tens++;
  }
  if (hundreds) *o++ = (char)('0' + hundreds);
  if (hundreds || tens) *o++ = (char)('0' + tens);
  *o++ = (char)('0' + v);
  return o;
}

static char *hex_group(char *o, unsigned v) {
  static const char digits[] = "0123456789abcdef";
  int started = 0;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 15;
    if (d || started || shift == 0) {
      *o++ = digits[d];
      started = 1;
    }
  }
  return o;
}

size_t hw_ip_format(const hw_ip *ip, char out[HW_IP_TEXT_MAX]) {
  char *o = out;
  if (ip->version != 6) {
    for (int i = 0; i < 4; i++) {
      o = decimal(o, ip->bytes[i]);
      if (i < 3) *o++ = '.';
    }
    *o = 0;
    return (size_t)(o - out);
  }
  unsigned g[8];
  for (int i = 0; i < 8; i++) g[i] = (unsigned)ip->bytes[2 * i] << 8 | ip->bytes[2 * i + 1];
  int best_at = -1, best_len = 1; /* a single zero group is never compressed (RFC 5952) */
  for (int s = 0; s < 8; s++) {
    int e = s;
    while (e < 8 && g[e] == 0) e++;
    if (e - s > best_len) {
      best_at = s;
      best_len = e - s;
    }
    if (e > s) s = e;
  }
  for (int i = 0; i < 8; i++) {
    if (i == best_at) {
      *o++ = ':';
      *o++ = ':';
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best_at + best_len) *o++ = ':';
    o = hex_group(o, g[i]);
  }
  *o = 0;
  return (size_t)(o - out);
}

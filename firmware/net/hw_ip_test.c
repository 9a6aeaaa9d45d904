/* hw_ip.c against the vectors the TypeScript side's parseIp / formatIp made
 * (firmware/net/test/ip-vectors.txt, scripts/ip-vectors.ts), then a round trip of every
 * formatted address. Usage: hw_ip_test <ip-vectors.txt>. */
#include <stdio.h>
#include <string.h>

#include "hw_ip.h"

static int failures, checked;

static int unhex(const char *s, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (uint8_t)v;
  }
  return 0;
}

static void fail(int line, const char *what, const char *text) {
  printf("FAIL line %d: %s \"%s\"\n", line, what, text);
  failures++;
}

int main(int argc, char **argv) {
  FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
  if (!f) {
    fprintf(stderr, "usage: hw_ip_test firmware/net/test/ip-vectors.txt\n");
    return 2;
  }
  char line[256];
  int n = 0, formats = 0, parses = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    line[strcspn(line, "\n")] = 0;
    char *a = strchr(line, '\t'), *b = a ? strchr(a + 1, '\t') : NULL;
    if (!a || !b) {
      fail(n, "malformed vector line", line);
      continue;
    }
    *a++ = 0;
    *b++ = 0;
    checked++;
    if (!strcmp(line, "F")) {
      formats++;
      hw_ip ip = {.version = strlen(a) == 8 ? 4 : 6};
      unhex(a, ip.bytes, ip.version == 4 ? 4 : 16);
      char text[HW_IP_TEXT_MAX];
      size_t len = hw_ip_format(&ip, text);
      if (strcmp(text, b) != 0 || len != strlen(b)) fail(n, "format gives", text);
      hw_ip back;
      if (hw_ip_parse(text, len, &back) != 0 || memcmp(&back, &ip, sizeof ip) != 0) fail(n, "no round trip of", text);
    } else if (!strcmp(line, "P")) {
      parses++;
      hw_ip ip;
      int r = hw_ip_parse(a, strlen(a), &ip);
      if (!strcmp(b, "-")) {
        if (r == 0) fail(n, "accepted", a);
        continue;
      }
      uint8_t want[16];
      size_t wlen = strlen(b) / 2;
      unhex(b, want, wlen);
      if (r != 0) fail(n, "refused", a);
      else if (ip.version != (wlen == 4 ? 4 : 6) || memcmp(ip.bytes, want, wlen) != 0) fail(n, "parsed wrong", a);
    } else {
      fail(n, "unknown vector kind", line);
    }
  }
  fclose(f);
  /* The length is honoured: no NUL is needed after the text. */
  hw_ip ip;
  if (hw_ip_parse("fd00::12", 7, &ip) != 0 || ip.bytes[15] != 1) fail(0, "length not honoured", "fd00::12");
  if (hw_parse_ip4("1.2.3.4", 5, ip.bytes) != -1) fail(0, "ip4 length not honoured", "1.2.3.4");
  if (formats < 256 || parses < 40) fail(0, "too few vectors", argv[1]);
  printf("hw_ip_test: %d vectors (%d format, %d parse)%s\n", checked, formats, parses, failures ? "" : ", all passed");
  return failures ? 1 : 0;
}

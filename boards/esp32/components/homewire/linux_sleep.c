/* The linux target's deep sleep: the retained region is the file HOMEWIRE_RETAINED names (none
 * without it), written durably (temporary file, fsync, rename). A sleep waits, writes the clock
 * to <region>.clock and restarts (esp_restart ends the process; whoever runs it powers it on
 * again), and the next boot goes on from that clock and deletes the file, so only the boot right
 * after a sleep continues the clock. */
#define LWIP_HDR_LINUX_SYS_SOCKETS_H /* the system's fcntl.h, not lwIP's wrapper (see linux_tapdev.c) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "esp_system.h"
#include "hw_idf.h"

static int64_t base_us = -1;

static const char *region(void) { return getenv("HOMEWIRE_RETAINED"); }

static int clock_path(char *out, size_t cap) {
  const char *r = region();
  return r && snprintf(out, cap, "%s.clock", r) < (int)cap ? 0 : -1;
}

static int write_durably(const char *path, const void *data, size_t len) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  int ok = len == 0 || write(fd, data, len) == (ssize_t)len;
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

int64_t hw_idf_clock_base_us(void) {
  if (base_us < 0) {
    base_us = 0;
    char path[4096];
    FILE *f = clock_path(path, sizeof path) == 0 ? fopen(path, "r") : NULL;
    long long us;
    if (f) {
      if (fscanf(f, "%lld", &us) == 1 && us > 0) base_us = us;
      fclose(f);
      unlink(path);
    }
  }
  return base_us;
}

void hw_board_deep_sleep(uint32_t ms) {
  char path[4096], text[32];
  struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
  nanosleep(&t, NULL);
  int n = snprintf(text, sizeof text, "%lld\n", (long long)hw_idf_now_us());
  if (clock_path(path, sizeof path) == 0) write_durably(path, text, (size_t)n);
  fflush(stdout);
  esp_restart();
}

size_t hw_board_retained_capacity(void) { return region() ? HW_RETAINED_CAPACITY : 0; }

size_t hw_board_retained_read(uint8_t *out, size_t cap) {
  const char *r = region();
  int fd = r ? open(r, O_RDONLY) : -1;
  if (fd < 0) return 0;
  ssize_t n = read(fd, out, cap);
  close(fd);
  return n > 0 ? (size_t)n : 0;
}

int hw_board_retained_write(const uint8_t *data, size_t len) {
  const char *r = region();
  if (!r || len > HW_RETAINED_CAPACITY) return -1;
  return write_durably(r, data, len);
}

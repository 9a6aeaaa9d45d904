/* Deep sleep on the host board (board.h). The retained region is a file written durably
 * (store.c's write: temporary file, fsync, rename), so it also survives a power-off, which RTC
 * memory would not. A sleep drops every bit of RAM state: the process waits out the sleep with
 * nothing running, then re-executes itself (a wake is a boot, as on a chip). What the next boot
 * must know, the clock at the sleep, crosses the exec in the environment, and only then: a
 * power-on (a new process) or a reset starts the clock at zero. */
#include "sleep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "store.h"

#define WAKE_ENV "HW_HOST_WAKE"           /* "<board ms at sleep> <host monotonic ns at sleep>" */
#define WRITES_ENV "HW_HOST_RETAINED_WRITES" /* writes since power-on; -1 once the fault fired */

static const char *region_path;
static double rate = 1, base_ms;
static long crash_after, writes;
static char **boot_argv;
static volatile int *stop_flag;

static double host_monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

void hw_host_sleep_setup(const char *retained, double clock_rate, long crash, char **argv, volatile int *stop) {
  region_path = retained;
  rate = clock_rate;
  crash_after = crash;
  boot_argv = argv;
  stop_flag = stop;
  const char *wake = getenv(WAKE_ENV);
  double at_ms, at_ns;
  /* A wake: the clock goes on from the sleep, by the host time that passed (at this rate). */
  if (wake && sscanf(wake, "%lf %lf", &at_ms, &at_ns) == 2) base_ms = at_ms + rate * (host_monotonic_ns() - at_ns) / 1e6;
  unsetenv(WAKE_ENV);
  const char *w = getenv(WRITES_ENV);
  writes = w ? strtol(w, NULL, 10) : 0;
  unsetenv(WRITES_ENV);
}

double hw_host_clock_ms(double host_elapsed_ms) { return base_ms + rate * host_elapsed_ms; }

void hw_host_sleep_before_reset(void) {
  char text[24];
  snprintf(text, sizeof text, "%ld", writes);
  setenv(WRITES_ENV, text, 1);
}

/* Boots again with the clock carried over (the sleep already waited out). */
static void wake(void) __attribute__((noreturn));
static void wake(void) {
  char text[64];
  snprintf(text, sizeof text, "%.3f %.0f", hw_board_now_ms(), host_monotonic_ns());
  setenv(WAKE_ENV, text, 1);
  hw_host_sleep_before_reset();
  fflush(stdout);
  execv("/proc/self/exe", boot_argv); /* the TAP fd is close-on-exec: frames queued while asleep are gone */
  fprintf(stderr, "homewire-host: wake: %s\n", strerror(errno));
  _exit(1);
}

void hw_board_deep_sleep(uint32_t ms) {
  double until = host_monotonic_ns() + (double)ms / rate * 1e6;
  for (;;) {
    if (*stop_flag) { /* switched off while asleep */
      printf("[board] powered off while asleep\n");
      fflush(stdout);
      exit(0);
    }
    double left = until - host_monotonic_ns();
    if (left <= 0) break;
    if (left > 100e6) left = 100e6; /* wake up to look at the power switch */
    struct timespec t = {.tv_sec = 0, .tv_nsec = (long)left};
    nanosleep(&t, NULL);
  }
  wake();
}

size_t hw_board_retained_capacity(void) { return region_path ? HW_RETAINED_CAPACITY : 0; }

size_t hw_board_retained_read(uint8_t *out, size_t cap) {
  if (!region_path) return 0;
  int fd = open(region_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0; /* never written */
  ssize_t n = read(fd, out, cap);
  close(fd);
  return n > 0 ? (size_t)n : 0;
}

int hw_board_retained_write(const uint8_t *data, size_t len) {
  if (!region_path || len > HW_RETAINED_CAPACITY) return -1;
  if (hw_host_write_durably(region_path, data, len) != 0) return -1;
  if (writes >= 0 && ++writes == crash_after && crash_after > 0) {
    /* Test fault (--test-crash-after-retained-write): a watchdog reset right after this write. */
    printf("[board] test fault: reset after retained write %ld (clock and retained region kept)\n", writes);
    writes = -1;
    wake();
  }
  return 0;
}

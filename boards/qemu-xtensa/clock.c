/* Milliseconds since boot from the lx106 cycle counter (CCOUNT). CCOUNT is 32 bits and wraps
 * every 107 s at 40 MHz, so it is extended in software; the event loop reads the clock many
 * times a second, far more often than it wraps. */
#include "qemu_board.h"

uint32_t qb_ccount(void) {
  uint32_t c;
  __asm__ volatile("rsr.ccount %0" : "=a"(c));
  return c;
}

static uint32_t last_low, high;

uint64_t qb_cycles(void) {
  uint32_t now = qb_ccount();
  if (now < last_low) high++;
  last_low = now;
  return ((uint64_t)high << 32) | now;
}

/* Whole milliseconds: integer division first, so no soft-float division on every call. */
double qb_now_ms(void) { return (double)(qb_cycles() / (QB_CPU_HZ / 1000u)); }

/* The C library's wall clock (Duktape's Date). The board has no RTC and is not told the
 * time: it reads as 1970-01-01 plus the uptime, and the firmware is told the same through
 * hw_board_wall_clock_ms (no wall clock), so nothing mistakes it for real time. */
#include <sys/time.h>
int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  uint64_t us = qb_cycles() / (QB_CPU_HZ / 1000000u);
  tv->tv_sec = (time_t)(us / 1000000u);
  tv->tv_usec = (suseconds_t)(us % 1000000u);
  return 0;
}

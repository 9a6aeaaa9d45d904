/* Milliseconds since boot from the lx106 cycle counter (CCOUNT). CCOUNT is 32 bits and wraps
 * every 107 s at 40 MHz, so it is extended in software; the event loop reads the clock many
 * times a second, far more often than it wraps. QEMU's system reset does not zero CCOUNT (a
 * chip's does), so the clock counts from the CCOUNT read at boot (qb_clock_start): else every
 * boot after a reset or a deep sleep would start its uptime at QEMU's, not at zero. */
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

/* Whole milliseconds, kept as a running count plus the cycles not yet a whole millisecond,
 * so a call divides only the few cycles since the last one (32-bit) instead of all cycles
 * since boot (64-bit: libgcc's __udivmoddi4 and four 32-bit divisions, ~500 instructions,
 * and the event loop asks several times per packet). Same value as cycles / 40000. */
static uint64_t ms_cycles; /* cycles accounted for in ms_count */
static uint64_t ms_count;
static uint64_t boot_at;   /* qb_cycles() at boot */

uint64_t qb_clock_start(void) {
  boot_at = ms_cycles = qb_cycles();
  ms_count = 0;
  return boot_at;
}

uint64_t qb_uptime_ms(void) {
  const uint32_t per_ms = QB_CPU_HZ / 1000u;
  uint64_t delta = qb_cycles() - ms_cycles;
  if (delta >> 32) { /* not asked for over 107 s: the plain division, once */
    ms_count += delta / per_ms;
    ms_cycles += delta - (delta % per_ms);
    delta %= per_ms;
  }
  uint32_t whole = (uint32_t)delta / per_ms;
  ms_count += whole;
  ms_cycles += (uint64_t)whole * per_ms;
  return ms_count;
}

double qb_now_ms(void) { return (double)qb_uptime_ms(); }

/* The C library's wall clock (Duktape's Date). The board has no RTC and is not told the
 * time: it reads as 1970-01-01 plus the uptime, and the firmware is told the same through
 * hw_board_wall_clock_ms (no wall clock), so nothing mistakes it for real time. */
#include <sys/time.h>
int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  uint64_t us = (qb_cycles() - boot_at) / (QB_CPU_HZ / 1000000u);
  tv->tv_sec = (time_t)(us / 1000000u);
  tv->tv_usec = (suseconds_t)(us % 1000000u);
  return 0;
}

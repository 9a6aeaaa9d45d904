/* Deep sleep on the QEMU board (board.h). lx60 has no RTC domain, so the board keeps what a chip
 * keeps in RTC memory in a .noinit area that start.S does not zero and QEMU keeps across a system
 * reset (as rng.c's reset counter): the retained region (two slots, retained_ram.c) and the
 * clock at the moment of the reset. A sleep spins out its time with nothing served (the NIC's
 * frames are lost, as with the radio off), then resets the whole system: everything else in RAM
 * is gone and the wake is a boot. The clock: CCOUNT restarts with the reset, so the board's clock
 * is the clock kept at the reset plus the uptime since. A power-on (QEMU started) finds the area
 * without its magic: region empty, clock at zero, and so does a boot after an ordinary reset
 * (console `reset`), which does not mark the area. */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "qemu_board.h"
#include "retained_ram.h"

#define KEEP_MAGIC 0x68777370u

static struct {
  uint32_t magic;
  uint32_t woke;        /* 1: this reset ended a sleep (or was the test fault): the clock goes on */
  uint64_t clock_ms;    /* the board's clock at that reset */
  uint32_t writes;      /* retained-region writes since power-on (the test fault counts them) */
  uint32_t fault_fired;
  hw_retained_ram region;
} keep __attribute__((section(".noinit")));

static uint64_t base_ms;
static uint32_t rate = 1;
static uint32_t crash_after;

void qb_sleep_boot(uint32_t clock_rate, uint32_t crash_after_writes) {
  if (keep.magic != KEEP_MAGIC) {
    memset(&keep, 0, sizeof keep);
    keep.magic = KEEP_MAGIC;
  }
  rate = clock_rate ? clock_rate : 1;
  crash_after = crash_after_writes;
  base_ms = keep.woke ? keep.clock_ms : 0;
  if (keep.woke) printf("[board] wake: the clock goes on from %lu ms\n", (unsigned long)base_ms);
  keep.woke = 0; /* consumed: a reset from here on starts the clock at zero */
}

uint64_t qb_board_ms(void) { return base_ms + (uint64_t)rate * qb_uptime_ms(); }

/* A reset that keeps the clock going (the end of a sleep, or the test fault). */
static void reset_keeping_clock(void) __attribute__((noreturn));
static void reset_keeping_clock(void) {
  keep.clock_ms = qb_board_ms();
  keep.woke = 1;
  hw_qemu_reset();
}

void hw_board_deep_sleep(uint32_t ms) {
  uint64_t until = qb_uptime_ms() + ms / rate;
  while (qb_uptime_ms() < until) {
  }
  reset_keeping_clock();
}

size_t hw_board_retained_capacity(void) { return HW_RETAINED_CAPACITY; }

size_t hw_board_retained_read(uint8_t *out, size_t cap) { return hw_retained_ram_read(&keep.region, out, cap); }

int hw_board_retained_write(const uint8_t *data, size_t len) {
  if (hw_retained_ram_write(&keep.region, data, len) != 0) return -1;
  if (crash_after && !keep.fault_fired && ++keep.writes == crash_after) {
    /* Test fault (boot page test-crash-after-retained-write=N): a watchdog reset right here. */
    keep.fault_fired = 1;
    printf("[board] test fault: reset after retained write %lu (clock and retained region kept)\n", (unsigned long)crash_after);
    reset_keeping_clock();
  }
  return 0;
}

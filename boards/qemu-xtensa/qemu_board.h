/* Internals of the QEMU Xtensa board (`-M lx60-nommu -cpu lx106`): device addresses and
 * the pieces the board's files share. The firmware sees only firmware/runtime/board.h. */
#ifndef HW_QEMU_BOARD_H
#define HW_QEMU_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Uncached I/O window of the xtfpga board on a no-MMU core. */
#define QB_IO_BASE 0x90000000u
#define QB_FPGA_REGS (QB_IO_BASE + 0x0d020000u) /* clock Hz at +4, reset at +0x10 */
#define QB_ETH_REGS (QB_IO_BASE + 0x0d030000u)
#define QB_ETH_DESC (QB_IO_BASE + 0x0d030400u)
#define QB_ETH_RAM (QB_IO_BASE + 0x0d800000u)
#define QB_ETH_RAM_SIZE 16384u
#define QB_UART (QB_IO_BASE + 0x0d050020u)
#define QB_FLASH (QB_IO_BASE + 0x08000000u) /* CFI flash, present with -drive if=pflash */
#define QB_FLASH_SIZE 0x400000u
#define QB_FLASH_SECTOR 0x10000u

/* The lx106 core's clock in QEMU: CCOUNT counts at 40 MHz of virtual time (with -icount
 * shift=N, 2^N ns per instruction). */
#define QB_CPU_HZ 40000000u

/* console.c */
void qb_uart_init(void);
void qb_uart_putc(char c);
int qb_uart_getc(void); /* -1 if nothing is waiting */
void qb_console_write(const char *s, size_t len);
/* Asks the board's FPGA to reset the whole system (what a watchdog would do). */
void hw_qemu_reset(void) __attribute__((noreturn));
/* Most stack used since boot, in bytes (start.S paints the stack). */
size_t qb_stack_peak(void);
/* Ends QEMU through semihosting (only with -semihosting; tests and benchmarks). */
void qb_semihost_exit(int code) __attribute__((noreturn));

/* clock.c */
uint32_t qb_ccount(void);
uint64_t qb_cycles(void); /* CCOUNT extended to 64 bits; call at least every 100 s */
uint64_t qb_clock_start(void); /* first thing at boot: the clock counts from here; returns qb_cycles() */
uint64_t qb_uptime_ms(void); /* whole ms since boot, = (qb_cycles() - boot) / (QB_CPU_HZ / 1000) */
double qb_now_ms(void);

/* sleep.c: deep sleep and the retained region (board.h). Once at boot, before the clock is read:
 * clock_rate (test-only, boot page clock-rate=N, else 1) multiplies the board's clock;
 * crash_after_writes (test-only, 0 = off) resets the board like a watchdog right after that many
 * retained-region writes since power-on, once. */
void qb_sleep_boot(uint32_t clock_rate, uint32_t crash_after_writes);
uint64_t qb_board_ms(void); /* the board's clock: kept across sleeps, x clock_rate */

/* alloc.c */
typedef struct {
  size_t arena;            /* the linker map's heap */
  size_t slab_area;        /* taken by slab pages (small objects), from the top */
  size_t slab_pages;
  size_t slab_bytes, slab_bytes_peak; /* small objects in use (class sizes) */
  size_t large_arena, large_arena_peak; /* picolibc's malloc (large objects), from the bottom */
  size_t failures;         /* requests refused: the heap was full */
} qb_alloc_stats;
void qb_alloc_get_stats(qb_alloc_stats *out);
/* The size of a block this allocator handed out (for the engine's heap accounting). */
size_t qb_alloc_block_size(void *p);
/* Duktape's 16-bit heap pointer encoding (duk_board_overrides.h). */
uint16_t qb_heapptr_enc16(const void *p);

#endif

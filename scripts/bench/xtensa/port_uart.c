/* bench_port for the QEMU xtfpga board: output on its 16550 UART (registers 4 bytes apart
 * at 0x9d050020, the uncached I/O window), exit through QEMU semihosting. */
#include <stdint.h>

#include "bench_port.h"

#define UART_BASE 0x9d050020u
#define UART_THR (*(volatile uint32_t *)(UART_BASE + 0 * 4))
#define UART_LSR (*(volatile uint32_t *)(UART_BASE + 5 * 4))
#define LSR_THRE 0x20u

void bench_putc(char c) {
  /* bounded wait: QEMU's UART is always ready, a stuck one must not hang the benchmark */
  unsigned n = 100000;
  while (!(UART_LSR & LSR_THRE) && --n) {
  }
  UART_THR = (uint8_t)c;
}

void bench_exit(int code) {
  register int a2 __asm__("a2") = 1; /* SYS_exit */
  register int a3 __asm__("a3") = code;
  __asm__ volatile("simcall" : : "r"(a2), "r"(a3) : "memory");
  for (;;) {
  }
}

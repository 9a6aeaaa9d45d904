/* The board's console: the xtfpga 16550 UART (registers 4 bytes apart), wired to picolibc's
 * stdout/stderr so printf works, plus reset and semihosting exit. */
#include <stdio.h>

#include "qemu_board.h"

#define UART_REG(n) (*(volatile uint32_t *)(QB_UART + (n)*4u))
#define UART_RBR_THR 0
#define UART_LSR 5
#define LSR_DR 0x01u
#define LSR_THRE 0x20u

void qb_uart_putc(char c) {
  /* Bounded wait: QEMU's UART is always ready; a wedged one must not hang the firmware. */
  for (unsigned n = 100000; !(UART_REG(UART_LSR) & LSR_THRE) && n; n--) {
  }
  UART_REG(UART_RBR_THR) = (uint8_t)c;
}

/* The receive FIFO on (16 bytes, cleared): QEMU hands console input over up to 16 bytes at a
 * time instead of one byte per poll. */
void qb_uart_init(void) { UART_REG(2) = 0x07u; }

int qb_uart_getc(void) { return (UART_REG(UART_LSR) & LSR_DR) ? (int)(UART_REG(UART_RBR_THR) & 0xffu) : -1; }

void qb_console_write(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\n') qb_uart_putc('\r');
    qb_uart_putc(s[i]);
  }
}

static int console_put(char c, FILE *f) {
  (void)f;
  if (c == '\n') qb_uart_putc('\r');
  qb_uart_putc(c);
  return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;
FILE *const stderr = &console;
FILE *const stdin = &console;

void hw_qemu_reset(void) {
  *(volatile uint32_t *)(QB_FPGA_REGS + 0x10u) = 0xdead;
  for (;;) {
  }
}

void qb_semihost_exit(int code) {
  register int a2 __asm__("a2") = 1; /* SYS_exit */
  register int a3 __asm__("a3") = code;
  __asm__ volatile("simcall" : : "r"(a2), "r"(a3) : "memory");
  hw_qemu_reset(); /* not under -semihosting: a reset is the closest thing to an exit */
}

/* picolibc's abort() and exit() end here: print why, then reset like a watchdog would. */
void _exit(int code) {
  printf("\n[board] exit(%d): resetting\n", code);
  hw_qemu_reset();
}

/* abort() raises SIGABRT through kill(getpid()); there is one program and no signals. */
int getpid(void);
int kill(int pid, int sig);
int getpid(void) { return 1; }
int kill(int pid, int sig) {
  printf("\n[board] signal %d: resetting\n", sig);
  hw_qemu_reset();
}

/* Deepest stack use since boot: the painted words start.S left untouched. */
extern uint32_t __stack_bottom[], __stack_top[];
size_t qb_stack_peak(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == 0xa5a5a5a5u) p++;
  return (size_t)((const char *)__stack_top - (const char *)p);
}

/* Where the exception vectors (start.S) end: the cause, the faulting PC and address, then a
 * reset, as a watchdog would. Written with nothing but the UART: the heap or stack may be
 * what broke. kind: 1 debug, 2 NMI, 3 kernel, 5 user, 7 double exception. */
static void put_hex(const char *label, uint32_t v) {
  while (*label) qb_uart_putc(*label++);
  for (int shift = 28; shift >= 0; shift -= 4) qb_uart_putc("0123456789abcdef"[(v >> shift) & 15u]);
}

void qb_fatal(int kind) __attribute__((noreturn));
void qb_fatal(int kind) {
  uint32_t cause, vaddr, epc1, depc;
  __asm__ volatile("rsr.exccause %0" : "=a"(cause));
  __asm__ volatile("rsr.excvaddr %0" : "=a"(vaddr));
  __asm__ volatile("rsr.epc1 %0" : "=a"(epc1));
  __asm__ volatile("rsr.depc %0" : "=a"(depc));
  put_hex("\r\n[board] FATAL exception kind=", (uint32_t)kind);
  put_hex(" exccause=", cause);
  put_hex(" epc1=", epc1);
  put_hex(" depc=", depc);
  put_hex(" excvaddr=", vaddr);
  qb_uart_putc('\r');
  qb_uart_putc('\n');
  hw_qemu_reset();
}

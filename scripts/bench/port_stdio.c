/* bench_port for targets with a C library stdout: the host (glibc) and RV32 under QEMU
 * (picolibc, whose stdout and exit go through semihosting to the QEMU process). */
#include <stdio.h>
#include <stdlib.h>

#include "bench_port.h"

void bench_putc(char c) { putchar(c); }

void bench_exit(int code) {
  fflush(stdout);
  exit(code);
}

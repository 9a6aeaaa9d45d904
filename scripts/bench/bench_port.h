/* What the crypto benchmark needs from the machine it runs on: a retired-instruction counter
 * (or a profiler hook), a character sink and an exit. One block per target. */
#ifndef BENCH_PORT_H
#define BENCH_PORT_H

#include <stdint.h>

#if defined(__riscv)
/* instret is exact under qemu -icount; the hi/lo/hi loop survives a carry between reads. */
#define BENCH_ISA "rv32imc"
#define BENCH_COUNTS 1
static inline uint64_t bench_counter(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("rdinstreth %0" : "=r"(hi));
    __asm__ volatile("rdinstret %0" : "=r"(lo));
    __asm__ volatile("rdinstreth %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}
#define bench_begin() bench_counter()
#define bench_end(label) ((void)(label), bench_counter())
#define BENCH_SP(v) __asm__ volatile("mv %0, sp" : "=r"(v))

#elif defined(__XTENSA__)
/* lx106 has no instret: CCOUNT counts cycles, which under qemu -icount shift=7 on the 40 MHz
 * xtfpga board advance by exactly 5.12 per instruction (the driver divides). 32 bits wrap
 * after ~8e8 instructions, far above any single operation here. */
#define BENCH_ISA "xtensa-lx106"
#define BENCH_COUNTS 1
static inline uint64_t bench_counter(void) {
  uint32_t c;
  __asm__ volatile("rsr %0, ccount" : "=a"(c));
  return c;
}
#define bench_begin() bench_counter()
#define bench_end(label) ((void)(label), bench_counter())
#define BENCH_SP(v) __asm__ volatile("mov %0, a1" : "=a"(v))

#else
/* Host: callgrind counts; the harness zeroes its counters before an operation and dumps them
 * after it under the operation's label, the driver reads the dump files. */
#include <valgrind/callgrind.h>
#define BENCH_ISA "x86-64"
#define BENCH_COUNTS 0
static inline uint64_t bench_begin(void) {
  CALLGRIND_ZERO_STATS;
  return 0;
}
static inline uint64_t bench_end(const char *label) {
  CALLGRIND_DUMP_STATS_AT(label);
  return 0;
}
#endif

void bench_putc(char c);
void bench_exit(int code);

#endif

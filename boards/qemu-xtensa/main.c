/* The homewire firmware on the QEMU Xtensa board: the board side of firmware/runtime/board.h.
 * The boot page (boot.h) stands in for the hardware: MAC, address, RNG seed, and the app image
 * placed in the image area. The device's key and config live in the store (CFI flash) and come
 * through the console (console protocol 2), as on a real board. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "boot.h"
#include "bootparse.h"
#include "ethoc.h"
#include "hw_net.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "netif/ethernet.h"
#include "qemu_board.h"
#include "runtime.h"
#include "vm.h"

int qb_rng_seed(void);
int qb_rng_bytes(uint8_t *out, size_t len);

extern const uint8_t __image_page[];
extern char __heap_start[], __heap_end[], __bss_start[], __bss_end[], __data_start[], __data_end[];
extern char __stack_bottom[], __stack_top[];

static struct netif eth;
static uint8_t mac[6];
static ip4_addr_t nic_ip, nic_mask, nic_gw;
static hw_ip nic_ip6; /* version 0: no ip6= on the boot page */
static volatile int stop_requested;
/* Cycles spent waiting in hw_board_poll with nothing to do. Everything else is work (JS,
 * crypto, lwIP), so under -icount "busy = cycles - idle" counts the firmware's instructions
 * (cycles / 5.12 at shift=7) for the benchmark rows. */
static uint64_t idle_cycles;
/* CCOUNT at this boot: a console reset restarts the firmware but not QEMU's counter, and the
 * counters printed are this boot's (boot to [started] after an enrolment's reset). */
static uint64_t boot_cycles;
static uint64_t cycles_since_boot(void) { return qb_cycles() - boot_cycles; }
static uint32_t polls, polls_zero;

double hw_board_now_ms(void) { return (double)qb_board_ms(); }
int hw_board_wall_clock_ms(double *out) {
  (void)out;
  return -1; /* no RTC and no time source: the reboot-without-clock path is the normal one */
}
int hw_board_random(uint8_t *out, size_t len) { return qb_rng_bytes(out, len); }
int hw_board_wifi_join(const char *ssid, const char *password) { /* a wired board */
  (void)ssid;
  (void)password;
  return -1;
}
void hw_board_reset(void) { hw_qemu_reset(); }

/* Console input: the UART's bytes, kept here between polls. ENQ (0x05) is not console input:
 * it asks for the board's counters at once (the benchmarks bracket a burst with it). */
#define CONSOLE_ENQ 0x05
static char rx[256];
static unsigned rx_len;
static int enq_pending;
static void board_status(void);
/* Moves what the UART holds into rx, but never more than rx can keep: the rest waits in the
 * UART (QEMU holds the sender back), so no byte of a long line is ever dropped. */
static int uart_take(void) {
  int c, got = 0;
  while (rx_len < sizeof rx && (c = qb_uart_getc()) >= 0) {
    if (c == CONSOLE_ENQ) enq_pending = 1;
    else rx[rx_len++] = (char)c;
    got = 1;
  }
  return got;
}
size_t hw_board_console_read(char *out, size_t cap) {
  uart_take();
  if (enq_pending) {
    enq_pending = 0;
    board_status();
  }
  size_t n = rx_len < cap ? rx_len : cap;
  memcpy(out, rx, n);
  memmove(rx, rx + n, rx_len - n);
  rx_len -= (unsigned)n;
  return n;
}
/* After each runtime status line, the board's own: RAM use by owner and CPU cycles since
 * boot (under -icount shift=7, instructions = cycles / 5.12). */
static void board_status(void) {
  qb_alloc_stats st;
  qb_alloc_get_stats(&st);
  uint64_t now = cycles_since_boot();
  printf("[board] cycles=%llu busy=%llu polls=%lu/%lu stack-peak=%u arena=%u slabs=%u slab-objects=%u large=%u "
         "large-peak=%u refused=%u\n",
         (unsigned long long)now, (unsigned long long)(now - idle_cycles), (unsigned long)polls_zero, (unsigned long)polls,
         (unsigned)qb_stack_peak(), (unsigned)st.arena, (unsigned)st.slab_area,
         (unsigned)st.slab_bytes, (unsigned)st.large_arena, (unsigned)st.large_arena_peak, (unsigned)st.failures);
}

void hw_board_console(const char *line, size_t len) {
  qb_console_write(line, len);
  qb_console_write("\n", 1);
  if (len > 8 && (!memcmp(line, "[status]", 8) || !memcmp(line, "[started", 8) || !memcmp(line, "[exit] ", 7)))
    board_status();
  /* Protocol milestones get a cycle stamp too (boot-to-tunnel-up under -icount). */
  if (len >= 25 && !memcmp(line, "[info] handshake complete", 25))
    printf("[board] cycles=%llu busy=%llu at handshake complete\n", (unsigned long long)cycles_since_boot(),
           (unsigned long long)(cycles_since_boot() - idle_cycles));
  /* Wake to sleep: the app's work on one wake (make bench-networks' deep-sleep rows). */
  if ((len >= 16 && !memcmp(line, "[board] enrolled", 16)) || (len >= 18 && !memcmp(line, "[board] deep sleep", 18)))
    printf("[board] cycles=%llu busy=%llu at %.*s\n", (unsigned long long)cycles_since_boot(),
           (unsigned long long)(cycles_since_boot() - idle_cycles), (int)(len > 18 ? 18 : len) - 8, line + 8);
}

int hw_board_net_up(void) {
  if (!netif_add(&eth, &nic_ip, &nic_mask, &nic_gw, mac, qb_ethoc_netif_init, ethernet_input)) return -1;
  netif_set_default(&eth);
  netif_set_up(&eth);
  return nic_ip6.version ? hw_net_nic_ip6(&eth, &nic_ip6) : 0;
}

void hw_board_poll(uint32_t timeout_ms) {
  /* Polled NIC: spin until a frame arrives or the wait is over. */
  polls++;
  if (timeout_ms == 0) polls_zero++;
  uint64_t start = qb_cycles(), until = start + (uint64_t)timeout_ms * (QB_CPU_HZ / 1000u);
  for (;;) {
    uint64_t now = qb_cycles();
    /* Console input ends the wait (a command, or ENQ for the counters). */
    if (uart_take()) {
      idle_cycles += qb_cycles() - start;
      if (enq_pending) { /* after the idle time is counted, so "busy" excludes this wait */
        enq_pending = 0;
        board_status();
      }
      return;
    }
    if (qb_ethoc_poll(&eth) > 0 || now >= until) {
      idle_cycles += now - start;
      return;
    }
  }
}

static void fail(const char *why) {
  printf("[board] cannot start: %s\n", why);
  qb_semihost_exit(2);
}

int main(void) {
  boot_cycles = qb_clock_start();
  qb_uart_init();
  size_t arena = (size_t)(__heap_end - __heap_start);
  printf("[board] qemu-xtensa lx106: dram %u KiB = data %u + bss %u + heap %u + stack %u\n",
         (unsigned)((__stack_top - __data_start) / 1024), (unsigned)(__data_end - __data_start),
         (unsigned)(__bss_end - __bss_start), (unsigned)arena, (unsigned)(__stack_top - __stack_bottom));
  if (qb_boot_valid() != 0) fail("no boot page (the runner writes it with -device loader)");
  if (qb_rng_seed() != 0) fail("boot page has no seed=<64 hex> (QEMU has no hardware RNG)");
  char text[64];
  /* Test-only keys: a faster clock (expiry and long-life tests against a real-time peer) and a
   * watchdog-like reset after the Nth retained write (the crash between resuming and sending). */
  uint32_t clock_rate = 1, crash_after = 0;
  if (qb_boot_copy("clock-rate", text, sizeof text) == 0) {
    clock_rate = (uint32_t)strtoul(text, NULL, 10);
    if (clock_rate < 1 || clock_rate > 1000) fail("bad clock-rate= (1..1000)");
    printf("[board] TEST ONLY: the clock runs %lu times the board's\n", (unsigned long)clock_rate);
  }
  if (qb_boot_copy("test-crash-after-retained-write", text, sizeof text) == 0) crash_after = (uint32_t)strtoul(text, NULL, 10);
  qb_sleep_boot(clock_rate, crash_after);
  if (qb_boot_copy("mac", text, sizeof text) != 0 || qb_parse_mac(text, mac) != 0) fail("bad mac=");
  if (qb_boot_copy("ip", text, sizeof text) != 0 || qb_parse_cidr(text, &nic_ip, &nic_mask) != 0) fail("bad ip=");
  ip4_addr_set_zero(&nic_gw);
  if (qb_boot_copy("ip6", text, sizeof text) == 0 && qb_parse_cidr6(text, &nic_ip6) != 0) fail("bad ip6=");
  if (qb_boot_copy("gw", text, sizeof text) == 0) {
    ip4_addr_t unused;
    if (qb_parse_cidr(text, &nic_gw, &unused) != 0) fail("bad gw=");
  }
  hw_runtime_config rc = {.tick_ms = 100, .status_ms = 2000, .stop = &stop_requested};
  if (qb_boot_copy("image", text, sizeof text) != 0) fail("no image=");
  rc.image = __image_page;
  rc.image_len = strtoul(text, NULL, 10);
  rc.image_is_source = qb_boot_copy("image-kind", text, sizeof text) == 0 && strcmp(text, "source") == 0;
  if (qb_boot_copy("status-ms", text, sizeof text) == 0) rc.status_ms = (uint32_t)strtoul(text, NULL, 10);
  /* The engine may use the arena minus a reserve for malloc's own headers and the console's
   * strings: it collects garbage before it would get near the end. (JerryScript's heap is its
   * own static array; it ignores the limit.) */
  rc.heap_limit = arena > 32 * 1024 ? arena - 24 * 1024 : 0;
  printf("[board] %s, image %u bytes (%s), heap limit %u\n", hw_vm_engine_name(), (unsigned)rc.image_len,
         rc.image_is_source ? "source" : "bytecode", (unsigned)rc.heap_limit);
  int r = hw_runtime_run(&rc);
  qb_alloc_stats st;
  qb_alloc_get_stats(&st);
  printf("[board] runtime ended (%d); arena %u: slabs %u (objects peak %u) + large peak %u, refused %u\n", r,
         (unsigned)st.arena, (unsigned)st.slab_area, (unsigned)st.slab_bytes_peak, (unsigned)st.large_arena_peak,
         (unsigned)st.failures);
  qb_semihost_exit(r);
}

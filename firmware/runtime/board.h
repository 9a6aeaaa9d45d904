/* What every board provides to the runtime. A new board implements these, adds its NIC
 * netif to lwIP (as the default netif) and calls hw_runtime_run. */
#ifndef HW_BOARD_H
#define HW_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds since boot (restarts at 0 on a power-on or reset, but keeps counting
 * across a deep sleep: see hw_board_deep_sleep). */
double hw_board_now_ms(void);
/* Unix time in ms if the board knows it: 0, else -1. */
int hw_board_wall_clock_ms(double *out);
/* Cryptographically secure random bytes: 0, or -1 on failure. */
int hw_board_random(uint8_t *out, size_t len);
/* One console line (no trailing newline in line). */
void hw_board_console(const char *line, size_t len);
/* Console input, never blocking: copies up to cap bytes received since the last call and
 * returns how many (0: none). The runtime assembles lines (console protocol 2, console.c). */
size_t hw_board_console_read(char *out, size_t cap);
/* Persistent store: see hw_board_ops in bindings.h for the contract. */
long hw_board_store_get(const char *key, char *out, size_t cap);
int hw_board_store_put(const char *key, const char *value, size_t len);
/* Erases the whole store (a factory reset: the next boot makes a new device key). 0 or -1. */
int hw_board_store_wipe(void);
/* Reboots: the clock restarts at zero, the store is kept, nothing else survives. */
void hw_board_reset(void) __attribute__((noreturn));
/* Called once after lwIP is up and the tunnel netif added: the NIC netif must be lwIP's
 * default netif, up (an RTOS board may have added it before and just checks). 0 or -1. */
int hw_board_net_up(void);
/* Joins this Wi-Fi network as a station and keeps rejoining (the enrolled config's "wifi"). 0, or
 * -1 on a board without Wi-Fi. The password is a secret: never logged or kept beyond the radio. */
int hw_board_wifi_join(const char *ssid, const char *password);
/* ---- deep sleep (issue 11) ------------------------------------------------------------------
 * The retained region: a few bytes that keep their contents across a deep sleep and a reset (RTC
 * memory on ESP32 chips, a .noinit area on the QEMU board, a file on the host board and on IDF's
 * linux target). The core keeps one session record there (ts/wireguard/session.ts). Capacity 0 =
 * this board has none. A write replaces the contents atomically (a reset during it leaves the old
 * contents or the new, never a mix) and has happened when it returns 0. */
#define HW_RETAINED_CAPACITY 256
size_t hw_board_retained_capacity(void);
/* Copies the contents into out (cap >= the capacity); returns their length (0: empty). */
size_t hw_board_retained_read(uint8_t *out, size_t cap);
/* Replaces the contents with len bytes (0 = erase). 0, or -1 if not written. */
int hw_board_retained_write(const uint8_t *data, size_t len);
/* Sleeps ms with the radio and RAM off except the retained region, then boots again: a wake is a
 * boot (clock and retained region kept, everything else lost). Never returns. hw_board_now_ms
 * keeps counting across the sleep: after the wake it reads at least its value here plus ms. */
void hw_board_deep_sleep(uint32_t ms) __attribute__((noreturn));

/* NO_SYS boards only: wait at most timeout_ms for the NIC, feeding every received frame to
 * lwIP. (On an RTOS the NIC driver feeds lwIP's thread itself; see port.h.) */
void hw_board_poll(uint32_t timeout_ms);

#endif

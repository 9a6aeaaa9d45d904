/* What every board provides to the runtime. A new board implements these, adds its NIC
 * netif to lwIP (as the default netif) and calls hw_runtime_run. */
#ifndef HW_BOARD_H
#define HW_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds since boot (may restart at 0 on every boot). */
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
/* NO_SYS boards only: wait at most timeout_ms for the NIC, feeding every received frame to
 * lwIP. (On an RTOS the NIC driver feeds lwIP's thread itself; see port.h.) */
void hw_board_poll(uint32_t timeout_ms);

#endif

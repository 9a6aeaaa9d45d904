/* What board.c (common to every ESP-IDF target) needs from the per-target files:
 * chip_*.c on ESP32 chips, linux_*.c on IDF's linux target. */
#ifndef HW_IDF_H
#define HW_IDF_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "nvs.h"

#define HW_IDF_NVS_NAMESPACE "homewire"

/* Microseconds since boot, going on across deep sleep (chip_clock.c: esp_timer; linux_console.c:
 * CLOCK_MONOTONIC; both plus hw_idf_clock_base_us). */
int64_t hw_idf_now_us(void);
/* What the clock starts from at this boot: the clock at the sleep plus the sleep when this boot
 * is a wake from deep sleep, else 0 (chip_sleep.c, linux_sleep.c). hw_idf_now_us includes it. */
int64_t hw_idf_clock_base_us(void);
/* Whether the board may report a wall clock at all (linux: HOMEWIRE_WALL_CLOCK=off says no, a
 * board without an RTC; chips: yes once the time was set, e.g. by SNTP). */
int hw_idf_wall_clock_allowed(void);

/* Before nvs_flash_init (linux: the flash file that keeps NVS across restarts). */
esp_err_t hw_idf_flash_prepare(void);
/* The NIC: a Wi-Fi station (chips) or a TAP (linux), added as lwIP's default netif. */
esp_err_t hw_idf_net_start(void);
/* The app's hw.wifiJoin: 0 (joining, and rejoining after a loss), or -1 without Wi-Fi (linux). */
int hw_idf_wifi_join(const char *ssid, const char *password);
/* The runtime ends when this becomes non-zero (a console `stop`; SIGTERM on linux). */
extern volatile int hw_idf_stop;

/* The console's input side (UART driver on chips; stdin non-blocking and SIGTERM on linux). */
esp_err_t hw_idf_console_start(void);
/* linux_tapdev.c: the TAP device itself (Linux system calls only, no lwIP headers). */
int hw_idf_tap_open(const char *name);
int hw_idf_tap_write(const void *frame, size_t len);
/* One frame, or 0 when none is waiting (non-blocking). */
long hw_idf_tap_read(void *frame, size_t cap);

/* Console bytes received since the last call (non-blocking); 0 = none. */
size_t hw_idf_console_read(char *out, size_t cap);
/* Right after homewire's NVS namespace is opened, before anything reads it (linux: a test may
 * take one key away, as it could edit the flash file of a powered-off board; chips: nothing). */
esp_err_t hw_idf_store_opened(nvs_handle_t store);

#endif

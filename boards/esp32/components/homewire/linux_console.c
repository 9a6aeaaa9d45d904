#define LWIP_HDR_LINUX_SYS_SOCKETS_H /* the system's fcntl.h, not lwIP's wrapper (see linux_tapdev.c) */
/* The linux target's console, clock and per-boot switches: stdin/stdout stand for the UART, a
 * monotonic clock for esp_timer (which ESP-IDF v6.0 does not implement on linux), and the
 * environment for what a test sets per power-on (never anything device-specific). */
#include <errno.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw_idf.h"

int64_t hw_idf_now_us(void) {
  static struct timespec boot;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  if (boot.tv_sec == 0 && boot.tv_nsec == 0) boot = t; /* first call at start-up: clock at zero */
  return hw_idf_clock_base_us() + (int64_t)(t.tv_sec - boot.tv_sec) * 1000000 + (t.tv_nsec - boot.tv_nsec) / 1000;
}

/* HOMEWIRE_WALL_CLOCK=off: a board without an RTC, as after a power cut. */
int hw_idf_wall_clock_allowed(void) {
  const char *v = getenv("HOMEWIRE_WALL_CLOCK");
  return !(v && strcmp(v, "off") == 0);
}

static void on_signal(int sig) {
  (void)sig;
  hw_idf_stop = 1; /* the runtime sees it within a tick and prints [exit] */
}

esp_err_t hw_idf_console_start(void) {
  int nonblocking = 1; /* ioctl, not fcntl: see linux_tapdev.c */
  ioctl(STDIN_FILENO, FIONBIO, &nonblocking);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  return ESP_OK;
}

size_t hw_idf_console_read(char *out, size_t cap) {
  ssize_t n = read(STDIN_FILENO, out, cap);
  return n > 0 ? (size_t)n : 0;
}

/* HOMEWIRE_FORGET=<key>: the test-hil control that takes the TAI64N reservation away from a
 * powered-off board (as editing its flash file would), keeping the device's identity. */
esp_err_t hw_idf_store_opened(nvs_handle_t store) {
  const char *key = getenv("HOMEWIRE_FORGET");
  if (!key || !*key) return ESP_OK;
  esp_err_t e = nvs_erase_key(store, key);
  if (e == ESP_ERR_NVS_NOT_FOUND) return ESP_OK;
  return e == ESP_OK ? nvs_commit(store) : e;
}

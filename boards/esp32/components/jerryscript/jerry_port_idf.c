/* The JerryScript port functions the engine needs beyond jerry-port/common, for ESP-IDF (chips
 * and the linux target alike). The app never asks JerryScript for the date: time comes from
 * the board through hw.now / hw.wallClock, so the Date port is minimal. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "jerryscript-port.h"

int32_t jerry_port_local_tza(double unix_ms) {
  (void)unix_ms;
  return 0; /* the device keeps UTC */
}

double jerry_port_current_time(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}

void jerry_port_sleep(uint32_t sleep_time) { vTaskDelay(pdMS_TO_TICKS(sleep_time)); }

/* No module system is used by the app: paths are kept as given. */
jerry_char_t *jerry_port_path_normalize(const jerry_char_t *path_p, jerry_size_t path_size) {
  jerry_char_t *out = malloc(path_size + 1);
  if (!out) return NULL;
  memcpy(out, path_p, path_size);
  out[path_size] = 0;
  return out;
}

void jerry_port_path_free(jerry_char_t *path_p) { free(path_p); }

jerry_size_t jerry_port_path_base(const jerry_char_t *path_p) {
  const jerry_char_t *base = path_p;
  for (const jerry_char_t *p = path_p; *p; p++)
    if (*p == '/') base = p + 1;
  return (jerry_size_t)(base - path_p);
}

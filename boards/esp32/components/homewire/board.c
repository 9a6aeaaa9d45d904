/* firmware/runtime/board.h on ESP-IDF, the same on every target (chips and linux): the clock,
 * randomness, console, NVS store, and the homewire task that runs the runtime (and so the JS
 * engine) beside lwIP's tcpip thread. What differs per target sits in chip_*.c / linux_*.c
 * behind hw_idf.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "board.h"
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_random.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "homewire.h"
#include "hw_idf.h"
#include "nvs.h"
#include "nvs_flash.h"
#include "runtime.h"
#include "sdkconfig.h"
#include "vm.h"

/* The app image, embedded by the component's CMakeLists (target_add_binary_data). */
extern const uint8_t app_image_start[] asm("_binary_homewire_app_bin_start");
extern const uint8_t app_image_end[] asm("_binary_homewire_app_bin_end");

static nvs_handle_t store;
volatile int hw_idf_stop;

/* ---- board.h ----------------------------------------------------------------------------- */

double hw_board_now_ms(void) { return (double)hw_idf_now_us() / 1000.0; }

/* Unix time only once something set it (SNTP, or the linux host's clock): before 2024 the
 * clock was never set, and the core's TAI64N floor in the store covers that. */
int hw_board_wall_clock_ms(double *out) {
  struct timeval tv;
  if (!hw_idf_wall_clock_allowed() || gettimeofday(&tv, NULL) != 0 || tv.tv_sec < 1704067200) return -1;
  *out = (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
  return 0;
}

/* The hardware RNG on chips (true random while the radio runs: Wi-Fi starts before the
 * runtime); the host's getentropy on the linux target. */
int hw_board_random(uint8_t *out, size_t len) {
  esp_fill_random(out, len);
  return 0;
}

/* One printf per line, so that lines from other tasks never land inside ours. */
void hw_board_console(const char *line, size_t len) {
  printf("%.*s\n", (int)len, line);
  fflush(stdout);
}

/* NVS keys hold 15 characters; every key the app uses fits ("tai64n.reserved", "identity"). */
long hw_board_store_get(const char *key, char *out, size_t cap) {
  size_t len = 0;
  if (strlen(key) >= NVS_KEY_NAME_MAX_SIZE || nvs_get_blob(store, key, NULL, &len) != ESP_OK) return -1;
  if (len > cap) return (long)len; /* the caller sees it does not fit */
  if (nvs_get_blob(store, key, out, &len) != ESP_OK) return -1;
  return (long)len;
}

/* Durable when it returns 0: nvs_commit writes the entry to flash before returning. NVS
 * replaces a key's value atomically: a power cut leaves the old value or the new one. */
int hw_board_store_put(const char *key, const char *value, size_t len) {
  if (strlen(key) >= NVS_KEY_NAME_MAX_SIZE) {
    printf("[board] store: key %s is longer than NVS takes (%d)\n", key, NVS_KEY_NAME_MAX_SIZE - 1);
    return -1;
  }
  if (nvs_set_blob(store, key, value, len) != ESP_OK || nvs_commit(store) != ESP_OK) return -1;
  return 0;
}

/* A factory reset: every key of homewire's namespace (the next boot makes a new device key). */
int hw_board_store_wipe(void) { return nvs_erase_all(store) == ESP_OK && nvs_commit(store) == ESP_OK ? 0 : -1; }

/* The NIC was added by hw_idf_net_start before the runtime started (on chips it comes and goes
 * with the Wi-Fi link, and lwIP's default netif with it). */
int hw_board_net_up(void) { return 0; }

void hw_board_poll(uint32_t timeout_ms) { (void)timeout_ms; } /* NO_SYS boards only (port.h) */

int hw_board_wifi_join(const char *ssid, const char *password) { return hw_idf_wifi_join(ssid, password); }

/* Console protocol 2 (the runtime polls it every turn, at least once per tick). */
size_t hw_board_console_read(char *out, size_t cap) { return hw_idf_console_read(out, cap); }

/* A reboot: the clock restarts at zero, NVS is kept. On the linux target IDF's esp_restart ends
 * the process (exit 0); whoever runs it powers it on again. */
void hw_board_reset(void) {
  fflush(stdout);
  esp_restart();
}

/* ---- the homewire task -------------------------------------------------------------------- */

/* The runtime: console protocol 2, the device's identity from NVS (made on the first boot),
 * the tunnel and the app once enrolled. Nothing device-specific is handed to it. */
static void homewire_task(void *arg) {
  (void)arg;
  hw_runtime_config rc = {
      .image = app_image_start,
      .image_len = (size_t)(app_image_end - app_image_start),
      .image_is_source = HW_IMAGE_IS_SOURCE,
      .heap_limit = (size_t)CONFIG_HOMEWIRE_JS_HEAP_KB * 1024,
      .tick_ms = CONFIG_HOMEWIRE_TICK_MS,
      .status_ms = CONFIG_HOMEWIRE_STATUS_MS,
      .stop = &hw_idf_stop,
  };
  int r = hw_runtime_run(&rc);
  printf("[board] runtime ended (%d)\n", r);
  fflush(stdout);
#if CONFIG_IDF_TARGET_LINUX
  exit(r); /* the process is the board: it powers off */
#else
  vTaskDelete(NULL);
#endif
}

esp_err_t homewire_start(void) {
  esp_err_t e = hw_idf_flash_prepare();
  if (e == ESP_OK) {
    e = nvs_flash_init();
    if (e == ESP_ERR_NVS_NO_FREE_PAGES || e == ESP_ERR_NVS_NEW_VERSION_FOUND) {
      /* A partition NVS cannot use as it is (full, or written by a newer IDF) is erased. */
      printf("[board] NVS partition unusable (%s): erased\n", esp_err_to_name(e));
      e = nvs_flash_erase();
      if (e == ESP_OK) e = nvs_flash_init();
    }
  }
  if (e == ESP_OK) e = nvs_open(HW_IDF_NVS_NAMESPACE, NVS_READWRITE, &store);
  if (e == ESP_OK) e = hw_idf_store_opened(store);
  if (e != ESP_OK) {
    printf("[board] cannot start: NVS: %s\n", esp_err_to_name(e));
    return e;
  }
  e = hw_idf_console_start();
  if (e == ESP_OK) e = esp_netif_init();
  if (e == ESP_OK) {
    e = esp_event_loop_create_default();
    if (e == ESP_ERR_INVALID_STATE) e = ESP_OK; /* the app made it already */
  }
  if (e == ESP_OK) e = hw_idf_net_start();
  if (e != ESP_OK) {
    printf("[board] cannot start: network: %s\n", esp_err_to_name(e));
    return e;
  }
  printf("[board] esp-idf %s: engine %s, app image %u bytes (%s)\n", esp_get_idf_version(), hw_vm_engine_name(),
         (unsigned)(app_image_end - app_image_start), HW_IMAGE_IS_SOURCE ? "source" : "snapshot");
  if (xTaskCreate(homewire_task, "homewire", CONFIG_HOMEWIRE_TASK_STACK, NULL, CONFIG_HOMEWIRE_TASK_PRIORITY, NULL) !=
      pdPASS)
    return ESP_ERR_NO_MEM;
  return ESP_OK;
}

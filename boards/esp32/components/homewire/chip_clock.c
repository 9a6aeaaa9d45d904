/* Chips only (not run by any test here): the clock is esp_timer, microseconds since boot, on
 * from the clock kept across a deep sleep (chip_sleep.c). */
#include "esp_timer.h"
#include "hw_idf.h"

int64_t hw_idf_now_us(void) { return hw_idf_clock_base_us() + esp_timer_get_time(); }

/* A chip has no battery-backed clock: time counts once something set it (SNTP, the app). */
int hw_idf_wall_clock_allowed(void) { return 1; }

esp_err_t hw_idf_flash_prepare(void) { return ESP_OK; } /* the real flash keeps NVS */

/* Chips only (not run by any test here): the clock is esp_timer, microseconds since boot. */
#include "esp_timer.h"
#include "hw_idf.h"

int64_t hw_idf_now_us(void) { return esp_timer_get_time(); }

/* A chip has no battery-backed clock: time counts once something set it (SNTP, the app). */
int hw_idf_wall_clock_allowed(void) { return 1; }

esp_err_t hw_idf_flash_prepare(void) { return ESP_OK; } /* the real flash keeps NVS */

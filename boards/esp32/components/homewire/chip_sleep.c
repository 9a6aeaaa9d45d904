/* Chips only (syntax-checked by make check-esp32-chip, not run here): deep sleep with the
 * retained region in RTC slow memory (RTC_NOINIT_ATTR: kept across deep sleep and software or
 * watchdog resets, garbage after a power-on, which the region's magic and CRCs read as empty)
 * and the clock kept there too: esp_timer restarts at every boot, so the clock is the value
 * saved before the sleep (plus the sleep) and esp_timer since the wake. */
#include <string.h>

#include "board.h"
#include "esp_attr.h"
#include "esp_sleep.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "hw_idf.h"
#include "retained_ram.h"

#define KEEP_MAGIC 0x68777370u

static RTC_NOINIT_ATTR struct {
  uint32_t magic;
  int64_t clock_us; /* the board's clock at the moment of the wake */
  hw_retained_ram region;
} keep;

static int64_t base_us = -1;

int64_t hw_idf_clock_base_us(void) {
  if (base_us < 0) { /* first call, at start-up */
    if (keep.magic != KEEP_MAGIC) {
      memset(&keep, 0, sizeof keep);
      keep.magic = KEEP_MAGIC;
    }
    base_us = esp_reset_reason() == ESP_RST_DEEPSLEEP ? keep.clock_us : 0;
  }
  return base_us;
}

void hw_board_deep_sleep(uint32_t ms) {
  keep.clock_us = hw_idf_now_us() + (int64_t)ms * 1000;
  fflush(stdout);
  esp_deep_sleep((uint64_t)ms * 1000); /* RTC timer wake-up; the wake is a boot */
}

size_t hw_board_retained_capacity(void) { return HW_RETAINED_CAPACITY; }
size_t hw_board_retained_read(uint8_t *out, size_t cap) { return hw_retained_ram_read(&keep.region, out, cap); }
int hw_board_retained_write(const uint8_t *data, size_t len) { return hw_retained_ram_write(&keep.region, data, len); }

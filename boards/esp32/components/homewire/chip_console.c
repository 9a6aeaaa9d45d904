/* Chips only (not run by any test here): the console's input from the console UART through
 * IDF's UART driver, read without blocking by the runtime's loop. Output goes through stdout,
 * which IDF routes to the same UART. */
#include <stddef.h>

#include "driver/uart.h"
#include "hw_idf.h"
#include "sdkconfig.h"

#define CONSOLE_UART CONFIG_ESP_CONSOLE_UART_NUM
#define RX_BUFFER 2304 /* one full console line (HW_CONSOLE_LINE_MAX, firmware/runtime/console.h) */

esp_err_t hw_idf_console_start(void) {
  if (uart_is_driver_installed(CONSOLE_UART)) return ESP_OK;
  return uart_driver_install(CONSOLE_UART, RX_BUFFER * 2, 0, 0, NULL, 0);
}

size_t hw_idf_console_read(char *out, size_t cap) {
  int n = uart_read_bytes(CONSOLE_UART, out, cap, 0);
  return n > 0 ? (size_t)n : 0;
}

esp_err_t hw_idf_store_opened(nvs_handle_t store) {
  (void)store;
  return ESP_OK;
}

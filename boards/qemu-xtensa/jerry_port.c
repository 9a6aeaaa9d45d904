/* JerryScript's port functions (jerryscript-port.h) on the QEMU board: what the engine asks of
 * the platform it runs on. Linked only into the JerryScript image (ENGINE=jerryscript). */
#include <stdio.h>
#include <string.h>

#include "jerryscript-port.h"
#include "qemu_board.h"

void jerry_port_init(void) {}

/* The engine cannot go on (out of memory, a reference count at its limit, a failed assertion):
 * say which, then reset as a watchdog would. */
void jerry_port_fatal(jerry_fatal_code_t code) {
  printf("\n[board] JerryScript fatal error %d%s: resetting\n", (int)code,
         code == JERRY_FATAL_OUT_OF_MEMORY ? " (out of memory: the engine heap is full)" : "");
  hw_qemu_reset();
}

/* Engine messages (heap statistics, errors at the log level the runtime sets). */
void jerry_port_log(const char *message) { qb_console_write(message, strlen(message)); }

/* Date: the board has no RTC and is not told the time, so Date reads 1970-01-01 plus the uptime,
 * as the C library's clock does (clock.c); the firmware itself uses hw.wallClockMs (none). */
double jerry_port_current_time(void) { return (double)qb_uptime_ms(); }
int32_t jerry_port_local_tza(double unix_ms) {
  (void)unix_ms;
  return 0;
}

/* Modules: the app is one script, there is no file system to load modules from. */
jerry_char_t *jerry_port_path_normalize(const jerry_char_t *path, jerry_size_t size) {
  (void)path, (void)size;
  return NULL;
}
void jerry_port_path_free(jerry_char_t *path) { (void)path; }
jerry_size_t jerry_port_path_base(const jerry_char_t *path) {
  (void)path;
  return 0;
}
jerry_char_t *jerry_port_source_read(const char *name, jerry_size_t *size) {
  (void)name;
  *size = 0;
  return NULL;
}
void jerry_port_source_free(jerry_char_t *buffer) { (void)buffer; }

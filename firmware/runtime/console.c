/* Console protocol 2 (see console.h): line assembly and the command table. Commands that
 * touch the identity or the config are answered by the app in JS (ts/app/firmware-main.ts),
 * which owns the parser the host CLI uses too; the rest is the board's. */
#include "console.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board.h"

void hw_console_printf(const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  hw_board_console(line, (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n);
}

uint32_t hw_crc32(const uint8_t *p, size_t len) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < len; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void ok(const char *command, const char *result) {
  hw_console_printf("[console] ok %s%s%s", command, result && *result ? " " : "", result ? result : "");
}

static void refuse(const char *command, const char *reason) {
  hw_console_printf("[console] error %s: %.200s", command, reason);
}

static int parse_hex32(const char *s, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 8; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v << 4 | (uint32_t)d;
  }
  *out = v;
  return 0;
}

/* A JS entry point answering a command: its text result, or the message it threw. */
static void answer_from_js(hw_console *con, const char *command, const char *fn, const char *arg, const char *prefix) {
  if (!con->vm) {
    refuse(command, "the runtime is stopped (reset first)");
    return;
  }
  char text[200];
  hw_vm_arg a = {.kind = HW_ARG_STRING, .string = arg};
  int r = hw_vm_call_global_text(con->vm, fn, arg ? 1 : 0, &a, text, sizeof text);
  if (r == 0) {
    char result[220];
    snprintf(result, sizeof result, "%s%s", prefix, text);
    ok(command, result);
  } else {
    refuse(command, r == 1 ? "this app image has no such entry point" : text[0] ? text : "failed");
  }
}

static void enroll(hw_console *con, char *args) {
  /* "<crc32> <json>": the CRC catches a line damaged on the wire that still parses. */
  uint32_t want;
  if (strlen(args) < 10 || args[8] != ' ' || parse_hex32(args, &want) != 0) {
    refuse("enroll", "expected \"enroll <crc32 hex> <json>\"");
    return;
  }
  char *json = args + 9;
  size_t len = strlen(json);
  if (hw_crc32((const uint8_t *)json, len) != want) {
    char why[96];
    snprintf(why, sizeof why, "crc mismatch over %u bytes of JSON (the line was damaged; nothing stored)", (unsigned)len);
    refuse("enroll", why);
    return;
  }
  answer_from_js(con, "enroll", "homewire.enroll", json, "public-key=");
}

static void run_line(hw_console *con, char *line) {
  char *args = strchr(line, ' ');
  if (args) *args++ = 0;
  const char *cmd = line;
  if (!*cmd) return; /* an empty line: nothing asked */
  if (!strcmp(cmd, "enroll")) {
    enroll(con, args ? args : "");
    return;
  }
  if (args && *args) {
    refuse(cmd, "takes no arguments");
    return;
  }
  if (!strcmp(cmd, "public-key")) {
    answer_from_js(con, cmd, "homewire.publicKey", NULL, "");
  } else if (!strcmp(cmd, "status")) {
    if (!con->vm) {
      refuse(cmd, "the runtime is stopped (reset first)");
      return;
    }
    hw_vm_gc(con->vm); /* heap-current after a collection: comparable from one status to the next */
    hw_runtime_status(con->vm, "status");
    hw_vm_call_global(con->vm, "homewire.logStatus", 0, NULL);
    ok(cmd, NULL);
  } else if (!strcmp(cmd, "reset")) {
    ok(cmd, NULL);
    hw_board_reset();
  } else if (!strcmp(cmd, "stop")) {
    if (con->stopped) {
      refuse(cmd, "already stopped");
      return;
    }
    hw_runtime_stop(con);
    ok(cmd, NULL);
  } else if (!strcmp(cmd, "wipe-store")) {
    /* A running app would write its state again at once (timestamps, counters). */
    if (!con->stopped) {
      refuse(cmd, "stop first (the running app keeps writing the store)");
      return;
    }
    if (hw_board_store_wipe() != 0)
      refuse(cmd, "the board's store could not be erased");
    else
      ok(cmd, NULL);
  } else {
    refuse(cmd, "unknown command (enroll, public-key, status, reset, stop, wipe-store)");
  }
}

void hw_console_poll(hw_console *con) {
  char in[64];
  size_t n;
  while ((n = hw_board_console_read(in, sizeof in)) > 0) {
    for (size_t i = 0; i < n; i++) {
      char c = in[i];
      if (c == '\n') {
        if (con->overflow) {
          refuse("line", "longer than the console's limit (ignored)");
        } else {
          if (con->len && con->line[con->len - 1] == '\r') con->len--;
          con->line[con->len] = 0;
          /* A NUL inside a line would hide the rest of it from the parsers. */
          if (strlen(con->line) != con->len) refuse("line", "contains a NUL byte (ignored)");
          else run_line(con, con->line);
        }
        con->len = 0;
        con->overflow = 0;
      } else if (con->len < HW_CONSOLE_LINE_MAX) {
        con->line[con->len++] = c;
      } else {
        con->overflow = 1;
      }
    }
  }
}

/* console.c against a scripted console and a stand-in app on the real engine: line assembly,
 * the CRC on enroll, limits, and every command's one answer line. Run by make test-firmware-console. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "vm.h"

/* ---- the fake board: scripted input, captured output ------------------------------------- */

static const char *input;
static size_t input_len, input_at, chunk = 7; /* odd chunks: lines arrive in pieces */
static char output[16384];
static size_t output_len;
static int wipes, resets;
static jmp_buf reset_jump;

size_t hw_board_console_read(char *out, size_t cap) {
  size_t n = input_len - input_at;
  if (n > chunk) n = chunk;
  if (n > cap) n = cap;
  memcpy(out, input + input_at, n);
  input_at += n;
  return n;
}
void hw_board_console(const char *line, size_t len) {
  if (output_len + len + 1 >= sizeof output) abort();
  memcpy(output + output_len, line, len);
  output_len += len;
  output[output_len++] = '\n';
  output[output_len] = 0;
}
int hw_board_store_wipe(void) {
  wipes++;
  return 0;
}
void hw_board_reset(void) {
  resets++;
  longjmp(reset_jump, 1);
}

/* ---- the runtime's side --------------------------------------------------------------------- */

static int stops;
void hw_runtime_status(hw_vm *vm, const char *tag) {
  (void)vm;
  hw_console_printf("[%s] engine=test", tag);
}
void hw_runtime_stop(hw_console *con) {
  stops++;
  hw_console_printf("[exit] engine=test");
  con->vm = NULL;
  con->stopped = 1;
}

/* The app's entry points as the console uses them: enroll throws like the config parser does. */
static const char *APP =
    "var calls = [];"
    "var homewire = {"
    "  enroll: function (json) { calls.push(json); var c = JSON.parse(json);"
    "    if (c.port === 0) throw new TypeError('peer.endpoint: port 0 out of range 1..65535');"
    "    return 'PUBKEY='; },"
    "  publicKey: function () { return 'PUBKEY='; },"
    "  logStatus: function () { calls.push('status'); }"
    "};"
    "function callCount() { return String(calls.length); }";

static int failures;
static void expect(int ok, const char *what) {
  if (!ok) {
    failures++;
    fprintf(stderr, "FAIL: %s\n--- console output ---\n%s---\n", what, output);
  }
}

static hw_vm *vm;
static hw_console con;

/* Feeds text through the console; returns what the board printed. */
static const char *feed(const char *text) {
  input = text;
  input_len = strlen(text);
  input_at = 0;
  output_len = 0;
  output[0] = 0;
  if (!setjmp(reset_jump))
    while (input_at < input_len) hw_console_poll(&con);
  return output;
}

static int js_calls(void) {
  char n[16];
  hw_vm_call_global_text(vm, "callCount", 0, NULL, n, sizeof n);
  return atoi(n);
}

static void enroll_line(char *out, size_t cap, const char *json, int damage) {
  uint32_t crc = hw_crc32((const uint8_t *)json, strlen(json));
  snprintf(out, cap, "enroll %08lx %s\n", (unsigned long)(crc ^ (damage ? 1u : 0u)), json);
}

int main(void) {
  vm = hw_vm_create(0, NULL, NULL);
  if (!vm || hw_vm_run_source(vm, "app.js", APP, strlen(APP)) != 0) {
    fprintf(stderr, "engine setup failed\n");
    return 1;
  }
  con.vm = vm;
  char line[HW_CONSOLE_LINE_MAX * 2];

  expect(hw_crc32((const uint8_t *)"123456789", 9) == 0xcbf43926u, "CRC-32 check value");

  enroll_line(line, sizeof line, "{\"port\":1}", 0);
  expect(!strcmp(feed(line), "[console] ok enroll public-key=PUBKEY=\n"), "enroll: a line in 7-byte pieces reaches the app");
  expect(js_calls() == 1, "enroll: the app saw the JSON once");

  enroll_line(line, sizeof line, "{\"port\":1}", 1);
  expect(strstr(feed(line), "[console] error enroll: crc mismatch over 10 bytes") != NULL, "enroll: a damaged line is refused");
  expect(js_calls() == 1, "enroll: a damaged line never reaches the app");

  enroll_line(line, sizeof line, "{\"port\":0}", 0);
  expect(!strcmp(feed(line), "[console] error enroll: peer.endpoint: port 0 out of range 1..65535\n"),
         "enroll: the app's TypeError message is the answer");
  expect(!strcmp(feed("enroll {\"port\":1}\r\n"), "[console] error enroll: expected \"enroll <crc32 hex> <json>\"\n"),
         "enroll: no CRC, and CRLF is taken as a line end");
  expect(!strcmp(feed("enroll XYZW0000 {}\n"), "[console] error enroll: expected \"enroll <crc32 hex> <json>\"\n"), "enroll: a CRC that is not hex");

  /* A line over the limit is refused as a whole at its end; the next line is fine. */
  memset(line, 'x', HW_CONSOLE_LINE_MAX + 10);
  strcpy(line + HW_CONSOLE_LINE_MAX + 10, "\npublic-key\n");
  chunk = 64;
  expect(!strcmp(feed(line), "[console] error line: longer than the console's limit (ignored)\n[console] ok public-key PUBKEY=\n"),
         "an over-long line is refused and the next one answered");
  expect(!strcmp(feed("\n\n"), ""), "empty lines ask nothing");
  static const char with_nul[] = "status\0 stop\n";
  input = with_nul;
  input_len = sizeof with_nul - 1;
  input_at = 0;
  output_len = 0;
  while (input_at < input_len) hw_console_poll(&con);
  expect(!strcmp(output, "[console] error line: contains a NUL byte (ignored)\n") && stops == 0, "a NUL in a line: refused, not cut short");

  expect(!strcmp(feed("frobnicate\n"), "[console] error frobnicate: unknown command (enroll, public-key, status, reset, stop, wipe-store)\n"),
         "an unknown command");
  expect(!strcmp(feed("status now\n"), "[console] error status: takes no arguments\n"), "arguments where none are taken");
  int before = js_calls();
  expect(!strcmp(feed("status\n"), "[status] engine=test\n[console] ok status\n") && js_calls() == before + 1,
         "status: the runtime's line, the app's (logStatus), then ok");
  expect(!strcmp(feed("wipe-store\n"), "[console] error wipe-store: stop first (the running app keeps writing the store)\n") && wipes == 0,
         "wipe-store refused while the app runs");
  expect(!strcmp(feed("stop\nstop\nwipe-store\n"),
                 "[exit] engine=test\n[console] ok stop\n[console] error stop: already stopped\n[console] ok wipe-store\n") &&
             stops == 1 && wipes == 1,
         "stop ends the runtime once; then wipe-store erases the store");
  expect(!strcmp(feed("public-key\n"), "[console] error public-key: the runtime is stopped (reset first)\n"), "stopped: no app to ask");
  expect(!strcmp(feed("reset\npublic-key\n"), "[console] ok reset\n") && resets == 1, "reset answers, then reboots (nothing after it runs)");

  hw_vm_destroy(vm);
  printf("console_test: %s\n", failures ? "FAILED" : "all passed");
  return failures ? 1 : 0;
}

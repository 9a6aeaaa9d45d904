/* Console protocol 2: the lines a host (homewire enroll/monitor, test-hil) sends to a board and
 * the board's answers. Lines end in \n (a \r before it is ignored), at most HW_CONSOLE_LINE_MAX
 * bytes. Each command gets exactly one answer line, printed after anything the command prints:
 *   [console] ok <command>[ <result>]     or     [console] error <command>: <reason>
 *
 *   enroll <crc32> <json>   check the enrolled config (ts/app/config.ts) and store it with the
 *                           device key in one put; answers "public-key=<base64>". The CRC32
 *                           (IEEE, 8 lowercase hex digits) covers the JSON bytes.
 *   public-key              answers the device's public key
 *   status                  prints the runtime's status line and the app's
 *   reset                   reboots (clock at zero, store kept)
 *   stop                    ends the runtime ([exit] line); then only reset and wipe-store
 *   wipe-store              when stopped (or without an identity): erases the store
 *
 * Every boot prints "[board] homewire-console 2 ready", "[board] public-key <base64>" and
 * "[board] enrolled" or "[board] not enrolled". The private key never crosses the console. */
#ifndef HW_CONSOLE_H
#define HW_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#define HW_CONSOLE_LINE_MAX 2304 /* "enroll " + CRC + an identity-sized JSON (2048) */
#define HW_CONSOLE_READY "[board] homewire-console 2 ready"

typedef struct {
  hw_vm *vm;        /* the engine while the runtime runs; NULL once stopped */
  int stopped;      /* after "stop": the runtime has ended */
  size_t len;
  int overflow; /* the line being received is longer than the limit: dropped at its end */
  char line[HW_CONSOLE_LINE_MAX + 1];
} hw_console;

/* Reads what the board's console received and carries out every complete line. */
void hw_console_poll(hw_console *con);
/* One console line, printf-style (at most 255 bytes). */
void hw_console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* CRC-32 (IEEE 802.3, as zlib's crc32) of len bytes. */
uint32_t hw_crc32(const uint8_t *p, size_t len);

/* Implemented by the runtime: its status line ("[<tag>] engine=... heap-..."), and ending the
 * app for "stop" (prints [exit], destroys the engine, sets con->vm = NULL and con->stopped). */
void hw_runtime_status(hw_vm *vm, const char *tag);
void hw_runtime_stop(hw_console *con);

#endif

/* The boot page: 16 KiB at 0x60500000 that the runner (test-hil) fills before every QEMU start
 * with QEMU's `-device loader,file=boot.txt,addr=0x60500000,force-raw=on`. It stands in for
 * the hardware a real board has (its MAC, the address its network gives it) and, for QEMU only,
 * carries the RNG seed. Nothing device-specific: the key and the config live in the store and
 * arrive through the console (console protocol 2). Text, NUL-terminated, one `key=value` per line:
 *
 *   homewire-boot 1
 *   seed=<64 hex digits>          (required: QEMU's lx60 has no TRNG, see rng.c)
 *   mac=02:68:77:00:00:02
 *   ip=192.168.77.2/24
 *   ip6=fd00:77::2/64             (optional: the NIC's IPv6 address; a link-local one is made too)
 *   gw=192.168.77.1               (optional)
 *   image=<bytes>                 (length of the app image placed at 0x60600000)
 *   image-kind=source|bytecode
 *   status-ms=<ms>                (optional: runtime status line interval, 0 = none)
 */
#ifndef HW_QEMU_BOOT_H
#define HW_QEMU_BOOT_H

#include <stddef.h>

/* 0 if the page starts with the expected header and is NUL-terminated within 16 KiB. */
int qb_boot_valid(void);
/* The value of `key` (not NUL-terminated; *len receives its length), or NULL. */
const char *qb_boot_get(const char *key, size_t *len);
/* Copies the value into out as a C string; -1 if missing or it does not fit. */
int qb_boot_copy(const char *key, char *out, size_t cap);

#endif

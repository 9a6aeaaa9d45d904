/* Parsers for the boot page's values (shared by the board images). */
#ifndef HW_QEMU_BOOTPARSE_H
#define HW_QEMU_BOOTPARSE_H

#include <stdint.h>

#include "hw_ip.h"
#include "lwip/ip4_addr.h"

/* "02:68:77:00:00:02" -> 6 bytes. 0 or -1. */
int qb_parse_mac(const char *s, uint8_t mac[6]);
/* "A.B.C.D" or "A.B.C.D/prefix" (default /32) -> address and netmask. 0 or -1. */
int qb_parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask);
/* "fd00:77::2" or "fd00:77::2/64" -> an IPv6 address (lwIP takes a static one's /64 as on-link,
 * so no other prefix is taken). 0 or -1. */
int qb_parse_cidr6(const char *s, hw_ip *ip);
/* Exactly 2*n hex digits -> n bytes. 0 or -1. */
int qb_parse_hex(const char *s, uint8_t *out, unsigned n);

#endif

/* An IP address of either family as the natives, the runtime and the lwIP glue pass it, and
 * its text in exactly the forms the TypeScript side reads and writes (ts/wireguard/allowedips.ts
 * parseIp / formatIp): the core compares endpoint hosts as strings, so a datagram's source must
 * reach JS in the same text a config or a DNS answer gives for that address. No lwIP here: the
 * natives' tests build without it. */
#ifndef HW_IP_H
#define HW_IP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t version;   /* 4 or 6 */
  uint8_t bytes[16]; /* network order; IPv4 in bytes[0..3] */
} hw_ip;

/* The longest text hw_ip_format writes, with its NUL ("ffff:...:ffff"). */
#define HW_IP_TEXT_MAX 40

/* Strict dotted quad ("10.0.0.1": four parts, no leading zeros, no spaces); len is honoured, no
 * NUL needed. 0 or -1. */
int hw_parse_ip4(const char *s, size_t len, uint8_t out[4]);
/* A dotted quad, or IPv6 text: 1..4 hex digits per group, at most one "::" standing for at
 * least one zero group, an optional dotted IPv4 as the last two groups, no zone id. 0 or -1. */
int hw_ip_parse(const char *s, size_t len, hw_ip *out);
/* formatIp's text: a dotted quad; IPv6 as lowercase groups without leading zeros, the longest
 * run of two or more zero groups (the first of equal runs) written "::". Returns its length. */
size_t hw_ip_format(const hw_ip *ip, char out[HW_IP_TEXT_MAX]);
/* Bits in an address of ip's family (32 or 128). */
int hw_ip_bits(const hw_ip *ip);

#endif

/* Host board NIC driver: a TAP device (created beforehand with `ip tuntap add ... mode tap`,
 * or created on open when running as root). */
#ifndef HW_TAPIF_H
#define HW_TAPIF_H

#include <stdint.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

int hw_tap_open(const char *name, const uint8_t mac[6]);
/* Adds the TAP as lwIP's default netif, up. */
int hw_tap_add_netif(struct netif *netif, const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw);
/* Waits up to timeout_ms (capped at 1 s) for frames and feeds them to lwIP. Also returns
 * early when wake_fd (if >= 0) becomes readable (the console). */
void hw_tap_poll(struct netif *netif, uint32_t timeout_ms, int wake_fd);
/* Times reading stopped because lwIP's pbuf pool was empty (frames left in the kernel queue). */
uint32_t hw_tap_rx_deferred(void);

#endif

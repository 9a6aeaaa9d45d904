/* Network bring-up image: lwIP on the OpenCores NIC with the boot page's MAC and address,
 * answering ARP and ICMP echo until QEMU is stopped. Prints one status line a second (frame
 * counters), so a runner can see the NIC working from both sides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "bootparse.h"
#include "ethoc.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "qemu_board.h"

u32_t sys_now(void) { return (u32_t)(qb_cycles() / (QB_CPU_HZ / 1000u)); }
/* lwipopts routes inner destinations through these hooks; this image has no tunnel. */
struct netif *hw_net_route_hook(const ip4_addr_t *dest) {
  (void)dest;
  return NULL;
}
struct netif *hw_net_route_hook6(const ip6_addr_t *dest) {
  (void)dest;
  return NULL;
}
/* LWIP_RAND: this image only answers ARP and ping (no DNS, no secrets): the cycle counter will
 * do for lwIP's initial port and report delays. The firmware uses the board's RNG (rng.c). */
uint32_t hw_lwip_rand(void) { return (uint32_t)qb_cycles(); }


int main(void) {
  static uint8_t mac[6];
  char text[64];
  ip4_addr_t ip, mask, gw;
  printf("[board] qemu-xtensa netcheck\n");
  if (qb_boot_copy("mac", text, sizeof text) != 0 || qb_parse_mac(text, mac) != 0 ||
      qb_boot_copy("ip", text, sizeof text) != 0 || qb_parse_cidr(text, &ip, &mask) != 0) {
    printf("[board] boot page missing or without mac=/ip= lines: stopping\n");
    qb_semihost_exit(2);
  }
  ip4_addr_set_zero(&gw);
  lwip_init();
  static struct netif eth;
  if (!netif_add(&eth, &ip, &mask, &gw, mac, qb_ethoc_netif_init, ethernet_input)) {
    printf("[board] netif_add failed\n");
    qb_semihost_exit(2);
  }
  netif_set_default(&eth);
  netif_set_up(&eth);
  printf("[board] eth up %s mac %02x:%02x:%02x:%02x:%02x:%02x\n", text, mac[0], mac[1], mac[2], mac[3], mac[4],
         mac[5]);
  uint32_t next = sys_now() + 1000;
  for (;;) {
    qb_ethoc_poll(&eth);
    sys_check_timeouts();
    if ((int32_t)(sys_now() - next) >= 0) {
      const qb_ethoc_counters *c = qb_ethoc_counters_get();
      printf("[eth] rx=%lu tx=%lu rx-dropped=%lu rx-errors=%lu\n", (unsigned long)c->rx_frames,
             (unsigned long)c->tx_frames, (unsigned long)c->rx_dropped, (unsigned long)c->rx_errors);
      next += 1000;
    }
  }
}

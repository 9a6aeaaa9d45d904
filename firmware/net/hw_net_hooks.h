/* lwIP hooks (included by lwIP through LWIP_HOOK_FILENAME). */
#ifndef HW_NET_HOOKS_H
#define HW_NET_HOOKS_H

#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
struct netif;
/* The tunnel netif when dest lies in one of the peer's AllowedIPs (hw_net_add_route), else NULL. */
struct netif *hw_net_route_hook(const ip4_addr_t *dest);
struct netif *hw_net_route_hook6(const ip6_addr_t *dest);

#endif

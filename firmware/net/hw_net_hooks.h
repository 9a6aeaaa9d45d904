/* lwIP hooks (included by lwIP through LWIP_HOOK_FILENAME). */
#ifndef HW_NET_HOOKS_H
#define HW_NET_HOOKS_H

#include "lwip/ip4_addr.h"
struct netif;
struct netif *hw_net_route_hook(const ip4_addr_t *dest);

#endif

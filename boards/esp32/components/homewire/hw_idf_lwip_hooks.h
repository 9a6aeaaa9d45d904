/* Compiled into ESP-IDF's lwIP (ESP_IDF_LWIP_HOOK_FILENAME, set by this component's
 * CMakeLists): routes the peer's AllowedIPs into the tunnel netif (see lwip_hooks.c), and
 * carries the compatibility macros an older esp-lwip tree needs (hw_idf_lwip_compat.h). */
#ifndef HW_IDF_LWIP_HOOKS_H
#define HW_IDF_LWIP_HOOKS_H

#include "hw_idf_lwip_compat.h"
#include "lwip/ip4_addr.h"

struct netif;
struct netif *hw_idf_ip4_route_src(const ip4_addr_t *src, const ip4_addr_t *dest);

#undef LWIP_HOOK_IP4_ROUTE_SRC
#define LWIP_HOOK_IP4_ROUTE_SRC hw_idf_ip4_route_src

#endif

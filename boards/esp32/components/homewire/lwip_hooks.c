/* The AllowedIPs route hooks on ESP-IDF's lwIP. IPv4: IDF claims lwIP's one route hook slot for
 * its source-address routing (LWIP_HOOK_IP4_ROUTE_SRC = ip4_route_src_hook), which lwIP then asks
 * in place of LWIP_HOOK_IP4_ROUTE; hw_idf_lwip_hooks.h points the slot here, and this keeps IDF's
 * behaviour and adds ours: a destination in the peer's AllowedIPs goes into the tunnel. IPv6:
 * IDF leaves its hook to the application (CONFIG_LWIP_HOOK_IP6_ROUTE_CUSTOM, sdkconfig.defaults).
 * Both run in lwIP's context (core lock held). */
#include "hw_idf_lwip_hooks.h"

#include "hw_net_hooks.h"
#include "lwip_default_hooks.h"

struct netif *hw_idf_ip4_route_src(const ip4_addr_t *src, const ip4_addr_t *dest) {
  struct netif *by_source = ip4_route_src_hook(src, dest);
  if (by_source) return by_source;
  /* lwIP asks with src == NULL from ip4_route, after its subnet match and before the default. */
  return src == NULL ? hw_net_route_hook(dest) : NULL;
}

#if defined(CONFIG_LWIP_HOOK_IP6_ROUTE_CUSTOM)
struct netif *lwip_hook_ip6_route(const ip6_addr_t *src, const ip6_addr_t *dest) {
  (void)src;
  return hw_net_route_hook6(dest);
}
#elif defined(CONFIG_LWIP_IPV6)
#error "IPv6 AllowedIPs need lwIP's IPv6 route hook: CONFIG_LWIP_HOOK_IP6_ROUTE_CUSTOM=y (sdkconfig.defaults)"
#endif

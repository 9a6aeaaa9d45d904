/* The tunnel netif, the outer and app UDP pcbs, the AllowedIPs route hooks and DNS lookups,
 * for IPv4 and IPv6 alike. */
#include <string.h>

#include "hw_net.h"
#include "hw_net_hooks.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "lwip/ethip6.h"

#if !LWIP_IPV4 || !LWIP_IPV6 || !LWIP_DNS
#error "homewire's lwIP glue needs LWIP_IPV4, LWIP_IPV6 and LWIP_DNS"
#endif

static hw_net_handlers handlers;
static struct netif tunnel;
static struct udp_pcb *outer_pcb, *app_pcb;
static hw_net_counters counters;
/* The peer's AllowedIPs: network bytes (host bits cleared) and prefix, both families. */
static struct {
  hw_ip net;
  int prefix;
} routes[HW_MAX_ROUTES];
static int n_routes;

/* ---- addresses between lwIP and hw_ip ---------------------------------------------------- */

static void from_lwip(const ip_addr_t *a, hw_ip *out) {
  memset(out, 0, sizeof *out);
  if (IP_IS_V6(a)) {
    out->version = 6;
    memcpy(out->bytes, ip_2_ip6(a)->addr, 16); /* the words are in network order */
  } else {
    out->version = 4;
    memcpy(out->bytes, &ip_2_ip4(a)->addr, 4);
  }
}

/* A link-local destination belongs to the NIC's link (the only one outer traffic uses): lwIP
 * wants its zone set, or it refuses to route it. */
static void to_lwip(const hw_ip *a, ip_addr_t *out) {
  if (a->version == 6) {
    ip6_addr_t six;
    memcpy(six.addr, a->bytes, 16);
    ip6_addr_clear_zone(&six);
    if (netif_default) ip6_addr_assign_zone(&six, IP6_UNICAST, netif_default);
    ip_addr_copy_from_ip6(*out, six);
  } else {
    IP_ADDR4(out, a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
  }
}

/* The first `prefix` bits of a and net agree. */
static int prefix_match(const uint8_t *a, const uint8_t *net, int prefix) {
  int whole = prefix / 8, rest = prefix % 8;
  if (memcmp(a, net, (size_t)whole) != 0) return 0;
  if (!rest) return 1;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (a[whole] & mask) == net[whole];
}

static int prefix_valid(const hw_ip *ip, int prefix) {
  return (ip->version == 4 || ip->version == 6) && prefix >= 0 && prefix <= hw_ip_bits(ip);
}

/* ---- the AllowedIPs routes ----------------------------------------------------------------- */

static struct netif *route(int version, const uint8_t *dest) {
  if (!netif_is_up(&tunnel)) return NULL;
  for (int i = 0; i < n_routes; i++)
    if (routes[i].net.version == version && prefix_match(dest, routes[i].net.bytes, routes[i].prefix)) return &tunnel;
  return NULL;
}

struct netif *hw_net_route_hook(const ip4_addr_t *dest) { return route(4, (const uint8_t *)&dest->addr); }
struct netif *hw_net_route_hook6(const ip6_addr_t *dest) { return route(6, (const uint8_t *)dest->addr); }

int hw_net_add_route(const hw_ip *net, int prefix) {
  if (n_routes >= HW_MAX_ROUTES || !prefix_valid(net, prefix)) return -1;
  hw_ip masked = *net;
  int len = net->version == 6 ? 16 : 4;
  for (int i = 0; i < len; i++) {
    int keep = prefix - 8 * i;
    if (keep < 8) masked.bytes[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
  }
  routes[n_routes].net = masked;
  routes[n_routes].prefix = prefix;
  n_routes++;
  return 0;
}

/* ---- the tunnel netif ---------------------------------------------------------------------- */

/* lwIP's output for inner packets, either family: hand them to the runtime (and so to JS, later). */
static err_t tunnel_output_packet(struct pbuf *p) {
  counters.tunnel_out++;
  if (handlers.tunnel_output) handlers.tunnel_output(handlers.ctx, p);
  return ERR_OK;
}
static err_t tunnel_output4(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr) {
  (void)netif;
  (void)ipaddr;
  return tunnel_output_packet(p);
}
static err_t tunnel_output6(struct netif *netif, struct pbuf *p, const ip6_addr_t *ipaddr) {
  (void)netif;
  (void)ipaddr;
  return tunnel_output_packet(p);
}

static err_t tunnel_init(struct netif *netif) {
  netif->name[0] = 'w';
  netif->name[1] = 'g';
  netif->mtu = HW_TUNNEL_MTU;
  netif->output = tunnel_output4;
  netif->output_ip6 = tunnel_output6;
  /* Point to point: no ARP, no neighbour discovery, no broadcast, and no MLD (NETIF_FLAG_MLD6
   * off), so lwIP sends nothing into the tunnel that nobody asked for. */
  netif->flags = NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

/* ---- UDP --------------------------------------------------------------------------------- */

static void outer_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
  (void)arg;
  (void)pcb;
  counters.outer_rx++;
  hw_ip from;
  from_lwip(addr, &from);
  handlers.outer_datagram(handlers.ctx, p, &from, port);
}

static void app_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
  (void)arg;
  (void)pcb;
  (void)addr;
  (void)port;
  pbuf_free(p); /* the sensor only sends; replies are not used yet */
}

void hw_net_init(const hw_net_handlers *h) {
  handlers = *h;
#if NO_SYS
  lwip_init(); /* on an RTOS the system started lwIP's thread (tcpip_init) before us */
#endif
  ip4_addr_t any;
  ip4_addr_set_zero(&any);
  netif_add(&tunnel, &any, &any, &any, NULL, tunnel_init, ip_input);
}

int hw_net_configure(uint16_t listen_port, const hw_ip *addresses, const int *prefixes, int n) {
  if (outer_pcb || n < 1 || n > 2) return -1;
  for (int i = 0; i < n; i++)
    if (!prefix_valid(&addresses[i], prefixes[i]) || (i > 0 && addresses[i].version == addresses[0].version)) return -1;

  for (int i = 0; i < n; i++) {
    ip_addr_t a;
    to_lwip(&addresses[i], &a);
    if (addresses[i].version == 4) {
      ip4_addr_t mask, gw;
      ip4_addr_set_u32(&mask, lwip_htonl(prefixes[i] ? 0xffffffffu << (32 - prefixes[i]) : 0));
      ip4_addr_set_zero(&gw);
      netif_set_addr(&tunnel, ip_2_ip4(&a), &mask, &gw);
    } else {
      /* lwIP keeps no prefix for an IPv6 address (it takes a static one's /64 as on-link); the
       * peer's AllowedIPs reach the tunnel through the route hook whatever the prefix. */
      ip6_addr_clear_zone(ip_2_ip6(&a));
      netif_ip6_addr_set(&tunnel, 0, ip_2_ip6(&a));
      netif_ip6_addr_set_state(&tunnel, 0, IP6_ADDR_PREFERRED);
    }
  }
  netif_set_up(&tunnel);

  /* The outer socket takes both families: home may be reached over either. */
  outer_pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
  if (!outer_pcb || udp_bind(outer_pcb, IP_ANY_TYPE, listen_port) != ERR_OK) return -1;
  /* Outer traffic only from the NIC: an inner packet to the listen port is not WireGuard. */
  if (netif_default && netif_default != &tunnel) udp_bind_netif(outer_pcb, netif_default);
  udp_recv(outer_pcb, outer_recv, NULL);

  /* The app sends from the tunnel's address of the destination's family. */
  app_pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
  if (!app_pcb || udp_bind(app_pcb, IP_ANY_TYPE, HW_APP_PORT) != ERR_OK) return -1;
  udp_bind_netif(app_pcb, &tunnel);
  udp_recv(app_pcb, app_recv, NULL);
  return 0;
}

static int send_on(struct udp_pcb *pcb, const uint8_t *data, size_t len, const hw_ip *to, uint16_t port) {
  if (!pcb || len > 0xffff) return -1;
  struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
  if (!p) return -1;
  if (len) pbuf_take(p, data, (u16_t)len);
  ip_addr_t dst;
  to_lwip(to, &dst);
  err_t e = udp_sendto(pcb, p, &dst, port);
  pbuf_free(p);
  return e == ERR_OK ? 0 : -1;
}

int hw_net_outer_send(const uint8_t *data, size_t len, const hw_ip *to, uint16_t port) {
  int r = send_on(outer_pcb, data, len, to, port);
  if (r == 0)
    counters.outer_tx++;
  else
    counters.outer_tx_errors++;
  return r;
}

int hw_net_app_send(const uint8_t *data, size_t len, const hw_ip *to, uint16_t port) {
  int r = send_on(app_pcb, data, len, to, port);
  if (r == 0)
    counters.app_tx++;
  else
    counters.app_tx_errors++;
  return r;
}

int hw_net_tunnel_input(const uint8_t *packet, size_t len) {
  if (!netif_is_up(&tunnel) || len == 0 || len > HW_TUNNEL_MTU) {
    counters.tunnel_in_dropped++;
    return -1;
  }
  struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)len, PBUF_POOL);
  if (!p) {
    counters.tunnel_in_dropped++;
    return -1;
  }
  pbuf_take(p, packet, (u16_t)len);
  counters.tunnel_in++;
  if (tunnel.input(p, &tunnel) != ERR_OK) {
    pbuf_free(p);
    counters.tunnel_in_dropped++;
    return -1;
  }
  return 0;
}

/* ---- the NIC's IPv6 ------------------------------------------------------------------------ */

int hw_net_nic_ip6(struct netif *nic, const hw_ip *address) {
  if (address->version != 6 || !(nic->flags & NETIF_FLAG_ETHERNET)) return -1;
  ip_addr_t a;
  to_lwip(address, &a);
  if (ip6_addr_islinklocal(ip_2_ip6(&a)) || ip6_addr_ismulticast(ip_2_ip6(&a)) || ip6_addr_isany(ip_2_ip6(&a))) return -1;
  nic->output_ip6 = ethip6_output;
  /* MLD on: joining each address's solicited-node group is how neighbours find us. */
  nic->flags |= NETIF_FLAG_MLD6;
  netif_create_ip6_linklocal_address(nic, 1);
  netif_ip6_addr_set_state(nic, 0, IP6_ADDR_PREFERRED);
  ip6_addr_clear_zone(ip_2_ip6(&a));
  netif_ip6_addr_set(nic, 1, ip_2_ip6(&a));
  netif_ip6_addr_set_state(nic, 1, IP6_ADDR_PREFERRED);
  return 0;
}

/* ---- DNS --------------------------------------------------------------------------------- */

int hw_net_dns_server(int index, const hw_ip *server) {
  if (index < 0 || index >= DNS_MAX_SERVERS || (server->version != 4 && server->version != 6)) return -1;
  ip_addr_t a;
  to_lwip(server, &a);
  dns_setserver((u8_t)index, &a);
  return 0;
}

static void dns_found(const char *name, const ip_addr_t *address, void *arg) {
  (void)name;
  uint32_t id = (uint32_t)(uintptr_t)arg;
  if (!address) {
    handlers.resolved(handlers.ctx, id, NULL);
    return;
  }
  hw_ip a;
  from_lwip(address, &a);
  handlers.resolved(handlers.ctx, id, &a);
}

const char *hw_net_resolve(const char *name, uint32_t id) {
  /* The family the board reaches the world with comes first. */
  u8_t order = netif_default && !ip4_addr_isany_val(*netif_ip4_addr(netif_default)) ? LWIP_DNS_ADDRTYPE_IPV4_IPV6
                                                                                     : LWIP_DNS_ADDRTYPE_IPV6_IPV4;
  ip_addr_t at_hand;
  err_t e = dns_gethostbyname_addrtype(name, &at_hand, dns_found, (void *)(uintptr_t)id, order);
  switch (e) {
    case ERR_OK:
      dns_found(name, &at_hand, (void *)(uintptr_t)id); /* lwIP answered from what it had */
      return NULL;
    case ERR_INPROGRESS:
      return NULL;
    case ERR_VAL:
      return "no DNS server is set (the config's dns)";
    case ERR_MEM:
      return "lwIP's DNS table is busy with earlier lookups";
    default:
      return "lwIP refused the name";
  }
}

struct netif *hw_net_tunnel_netif(void) { return &tunnel; }
const hw_net_counters *hw_net_counters_get(void) { return &counters; }

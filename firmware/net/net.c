/* The tunnel netif, the outer and app UDP pcbs, and the AllowedIPs route hook. */
#include <string.h>

#include "hw_net.h"
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

static hw_net_handlers handlers;
static struct netif tunnel;
static struct udp_pcb *outer_pcb, *app_pcb;
static hw_net_counters counters;
static struct {
  ip4_addr_t net, mask;
} routes[HW_MAX_ROUTES];
static int n_routes;

static void ip4_from(ip4_addr_t *a, const uint8_t b[4]) { IP4_ADDR(a, b[0], b[1], b[2], b[3]); }

static ip4_addr_t mask_of(int prefix) {
  ip4_addr_t m;
  uint32_t bits = prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
  ip4_addr_set_u32(&m, lwip_htonl(bits));
  return m;
}

struct netif *hw_net_route_hook(const ip4_addr_t *dest) {
  if (!netif_is_up(&tunnel)) return NULL;
  for (int i = 0; i < n_routes; i++)
    if (ip4_addr_netcmp(dest, &routes[i].net, &routes[i].mask)) return &tunnel;
  return NULL;
}

/* lwIP's output for inner packets: hand them to the runtime (and so to JS, later). */
static err_t tunnel_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr) {
  (void)netif;
  (void)ipaddr;
  counters.tunnel_out++;
  if (handlers.tunnel_output) handlers.tunnel_output(handlers.ctx, p);
  return ERR_OK;
}

static err_t tunnel_init(struct netif *netif) {
  netif->name[0] = 'w';
  netif->name[1] = 'g';
  netif->mtu = HW_TUNNEL_MTU;
  netif->output = tunnel_output;
  netif->flags = NETIF_FLAG_LINK_UP; /* point to point: no ARP, no broadcast */
  return ERR_OK;
}

static void outer_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
  (void)arg;
  (void)pcb;
  counters.outer_rx++;
  uint32_t a = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
  uint8_t ip[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
  handlers.outer_datagram(handlers.ctx, p, ip, port);
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

int hw_net_configure(uint16_t listen_port, const uint8_t tunnel_ip4[4], int prefix) {
  if (outer_pcb || prefix < 0 || prefix > 32) return -1;
  ip4_addr_t ip, mask, gw;
  ip4_from(&ip, tunnel_ip4);
  mask = mask_of(prefix);
  ip4_addr_set_zero(&gw);
  netif_set_addr(&tunnel, &ip, &mask, &gw);
  netif_set_up(&tunnel);

  outer_pcb = udp_new();
  if (!outer_pcb || udp_bind(outer_pcb, IP4_ADDR_ANY, listen_port) != ERR_OK) return -1;
  /* Outer traffic only from the NIC: an inner packet to the listen port is not WireGuard. */
  if (netif_default && netif_default != &tunnel) udp_bind_netif(outer_pcb, netif_default);
  udp_recv(outer_pcb, outer_recv, NULL);

  app_pcb = udp_new();
  ip_addr_t local;
  ip_addr_copy_from_ip4(local, ip);
  if (!app_pcb || udp_bind(app_pcb, &local, HW_APP_PORT) != ERR_OK) return -1;
  udp_recv(app_pcb, app_recv, NULL);
  return 0;
}

int hw_net_add_route(const uint8_t ip4[4], int prefix) {
  if (n_routes >= HW_MAX_ROUTES || prefix < 0 || prefix > 32) return -1;
  routes[n_routes].mask = mask_of(prefix);
  ip4_from(&routes[n_routes].net, ip4);
  ip4_addr_set_u32(&routes[n_routes].net,
                   ip4_addr_get_u32(&routes[n_routes].net) & ip4_addr_get_u32(&routes[n_routes].mask));
  n_routes++;
  return 0;
}

static int send_on(struct udp_pcb *pcb, const uint8_t *data, size_t len, const uint8_t ip4[4], uint16_t port) {
  if (!pcb || len > 0xffff) return -1;
  struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
  if (!p) return -1;
  if (len) pbuf_take(p, data, (u16_t)len);
  ip_addr_t dst;
  IP_ADDR4(&dst, ip4[0], ip4[1], ip4[2], ip4[3]);
  err_t e = udp_sendto(pcb, p, &dst, port);
  pbuf_free(p);
  return e == ERR_OK ? 0 : -1;
}

int hw_net_outer_send(const uint8_t *data, size_t len, const uint8_t ip4[4], uint16_t port) {
  int r = send_on(outer_pcb, data, len, ip4, port);
  if (r == 0)
    counters.outer_tx++;
  else
    counters.outer_tx_errors++;
  return r;
}

int hw_net_app_send(const uint8_t *data, size_t len, const uint8_t ip4[4], uint16_t port) {
  int r = send_on(app_pcb, data, len, ip4, port);
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

struct netif *hw_net_tunnel_netif(void) { return &tunnel; }
const hw_net_counters *hw_net_counters_get(void) { return &counters; }

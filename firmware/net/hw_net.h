/* homewire networking on lwIP: the WireGuard tunnel netif, the outer UDP socket and the
 * application's UDP socket. The board adds its NIC netif and makes it the default. On an RTOS
 * every function here is called with lwIP's core lock held (firmware/runtime/port.h).
 *
 * Received outer datagrams and packets lwIP sends into the tunnel are never handed to JS
 * from inside lwIP: they go to the handlers below, which the runtime implements by queueing
 * (so JS is never re-entered from a native that called into lwIP). */
#ifndef HW_NET_H
#define HW_NET_H

#include <stddef.h>
#include <stdint.h>

struct pbuf;
struct netif;

#define HW_TUNNEL_MTU 1420
#define HW_MAX_ROUTES 8

typedef struct {
  /* An outer UDP datagram arrived on the listen port. Takes ownership of p. */
  void (*outer_datagram)(void *ctx, struct pbuf *p, const uint8_t ip4[4], uint16_t port);
  /* lwIP wants to send an inner IP packet through the tunnel. Must pbuf_ref p to keep it. */
  void (*tunnel_output)(void *ctx, struct pbuf *p);
  void *ctx;
} hw_net_handlers;

typedef struct {
  uint32_t outer_rx, outer_tx, outer_tx_errors;
  uint32_t tunnel_in, tunnel_in_dropped, tunnel_out;
  uint32_t app_tx, app_tx_errors;
} hw_net_counters;

/* lwip_init and the tunnel netif (down until hw_net_configure). */
void hw_net_init(const hw_net_handlers *handlers);
/* Tunnel address/prefix, outer listen port, the app socket. Once per boot. 0 or -1. */
int hw_net_configure(uint16_t listen_port, const uint8_t tunnel_ip4[4], int prefix);
/* Sends inner traffic for ip4/prefix into the tunnel (the peer's AllowedIPs). 0 or -1. */
int hw_net_add_route(const uint8_t ip4[4], int prefix);

int hw_net_outer_send(const uint8_t *data, size_t len, const uint8_t ip4[4], uint16_t port);
/* A decrypted inner packet enters lwIP through the tunnel netif. 0, or -1 if dropped. */
int hw_net_tunnel_input(const uint8_t *packet, size_t len);
/* UDP from the tunnel address, source port = the app port. 0 or -1. */
int hw_net_app_send(const uint8_t *data, size_t len, const uint8_t ip4[4], uint16_t port);

struct netif *hw_net_tunnel_netif(void);
const hw_net_counters *hw_net_counters_get(void);

#define HW_APP_PORT 40000

#endif

/* homewire networking on lwIP: the WireGuard tunnel netif, the outer UDP socket, the
 * application's UDP socket and lookups with lwIP's DNS client. The board adds its NIC netif and
 * makes it the default. On an RTOS every function here is called with lwIP's core lock held
 * (firmware/runtime/port.h).
 *
 * Both families, outer and inner: the outer socket takes and sends IPv4 and IPv6 datagrams (the
 * board reaches home over whichever its NIC has), the tunnel carries IPv4 and IPv6 packets, and
 * the AllowedIPs routes cover both.
 *
 * Received outer datagrams, packets lwIP sends into the tunnel and DNS answers are never handed
 * to JS from inside lwIP: they go to the handlers below, which the runtime implements by
 * queueing (so JS is never re-entered from a native that called into lwIP). */
#ifndef HW_NET_H
#define HW_NET_H

#include <stddef.h>
#include <stdint.h>

#include "hw_ip.h"

struct pbuf;
struct netif;

#define HW_TUNNEL_MTU 1420
#define HW_MAX_ROUTES 8

typedef struct {
  /* An outer UDP datagram arrived on the listen port. Takes ownership of p. */
  void (*outer_datagram)(void *ctx, struct pbuf *p, const hw_ip *from, uint16_t port);
  /* lwIP wants to send an inner IP packet through the tunnel. Must pbuf_ref p to keep it. */
  void (*tunnel_output)(void *ctx, struct pbuf *p);
  /* Lookup `id` (hw_net_resolve) ended: the address, or NULL when lwIP found none (no such
   * name, an answer without a usable address, or no server answered). Called from inside lwIP,
   * or from hw_net_resolve itself when lwIP had the answer at hand: record it, nothing more. */
  void (*resolved)(void *ctx, uint32_t id, const hw_ip *address);
  void *ctx;
} hw_net_handlers;

typedef struct {
  uint32_t outer_rx, outer_tx, outer_tx_errors;
  uint32_t tunnel_in, tunnel_in_dropped, tunnel_out;
  uint32_t app_tx, app_tx_errors;
} hw_net_counters;

/* lwip_init and the tunnel netif (down until hw_net_configure). */
void hw_net_init(const hw_net_handlers *handlers);
/* Once per boot: the tunnel's addresses (n = 1 or 2, at most one per family, prefixes in range
 * for their family), the outer listen port (both families), the app socket. Everything is
 * checked before anything changes. 0 or -1. */
int hw_net_configure(uint16_t listen_port, const hw_ip *addresses, const int *prefixes, int n);
/* Sends inner traffic for net/prefix into the tunnel (one of the peer's AllowedIPs). 0 or -1. */
int hw_net_add_route(const hw_ip *net, int prefix);

int hw_net_outer_send(const uint8_t *data, size_t len, const hw_ip *to, uint16_t port);
/* A decrypted inner packet enters lwIP through the tunnel netif. 0, or -1 if dropped. */
int hw_net_tunnel_input(const uint8_t *packet, size_t len);
/* UDP from the tunnel address of to's family, source port = the app port. 0 or -1. */
int hw_net_app_send(const uint8_t *data, size_t len, const hw_ip *to, uint16_t port);

/* IPv6 on the board's Ethernet NIC (after netif_add): a link-local address from its MAC and
 * `address`, a static global one (lwIP takes the /64 around it as on-link). Both are usable at
 * once, without duplicate address detection: they are given, as the IPv4 address is. 0 or -1. */
int hw_net_nic_ip6(struct netif *nic, const hw_ip *address);

/* DNS server `index` (0 .. lwIP's DNS_MAX_SERVERS - 1) for hw_net_resolve. 0 or -1. */
int hw_net_dns_server(int index, const hw_ip *server);
/* Starts looking name up with lwIP's DNS client; the answer goes to handlers.resolved with id
 * (IPv4 first when the NIC has an IPv4 address, else IPv6 first). NULL, or why lwIP refused the
 * lookup (then no answer comes). */
const char *hw_net_resolve(const char *name, uint32_t id);

struct netif *hw_net_tunnel_netif(void);
const hw_net_counters *hw_net_counters_get(void);

#define HW_APP_PORT 40000

#endif

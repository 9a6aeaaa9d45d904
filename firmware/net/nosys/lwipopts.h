/* lwIP 2.1.3 options for homewire: NO_SYS (one loop drives everything), IPv4 and IPv6 with UDP,
 * ICMP and lwIP's DNS client, two netifs (the board's NIC and the WireGuard tunnel), memory
 * sized for an MCU: about 24 KiB of pools and heap in total. TCP is off: the sensor speaks UDP. */
#ifndef HW_LWIPOPTS_H
#define HW_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_UDP 1
#define LWIP_TCP 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define IP_FORWARD 0
#define IP_REASSEMBLY 0 /* WireGuard never fragments inside; outer fragments are not expected */
#define IP_FRAG 0
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_STATS 0
#define LWIP_NETIF_HOSTNAME 0

/* Memory. The heap holds outgoing packets (udp_sendto copies into PBUF_RAM); the pool holds
 * received frames: enough for a burst of full-size datagrams while JS catches up. */
/* pbufs and pool elements hold pointers: align to the pointer size (8 on a 64-bit host). */
#if defined(__LP64__) || defined(_LP64)
#define MEM_ALIGNMENT 8
#else
#define MEM_ALIGNMENT 4
#endif
#define MEM_SIZE (10 * 1024)
#define MEMP_NUM_PBUF 8
#define MEMP_NUM_UDP_PCB 5 /* outer, app, and lwIP's DNS client (one random source port per lookup in flight) */
#define MEMP_NUM_SYS_TIMEOUT 6
#define MEMP_NUM_ARP_QUEUE 4
#define PBUF_POOL_SIZE 10
#define PBUF_POOL_BUFSIZE 1536
#define ARP_TABLE_SIZE 4
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0

/* IPv6: addresses are given (the NIC's by the board, the tunnel's by the config), never learned:
 * no SLAAC, no DHCPv6, no router solicitations. The NIC has a link-local and one global address,
 * the tunnel one address. Neighbour discovery and MLD (for the solicited-node groups neighbours
 * use to find us) on the NIC only. Like IPv4, no fragments either way (the tunnel's 1420-byte
 * MTU makes a full WireGuard datagram 1500 bytes over IPv6). */
#define LWIP_IPV6_NUM_ADDRESSES 2
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 0
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_FRAG 0
#define LWIP_IPV6_REASS 0
#define LWIP_ND6_NUM_NEIGHBORS 4
#define LWIP_ND6_NUM_DESTINATIONS 4
#define LWIP_ND6_NUM_PREFIXES 2
#define LWIP_ND6_NUM_ROUTERS 2
#define MEMP_NUM_ND6_QUEUE 4
#define MEMP_NUM_MLD6_GROUP 4
#define CHECKSUM_GEN_ICMP6 1
#define CHECKSUM_CHECK_ICMP6 1

/* DNS: one name (home's), up to three servers from the config. lwIP caches nothing
 * (DNS_MAX_TTL 0): the app's NamedEndpoint decides when to ask again, and a stale cached answer
 * would hide the move it asks about. Each server is tried three times, 1 + 1 + 2 s apart, so a
 * lookup of a single server ends within the app's 10 s. LWIP_RAND (the board's RNG, arch/cc.h)
 * picks the transaction ids and source ports. */
#define DNS_TABLE_SIZE 2
#define DNS_MAX_SERVERS 3
#define DNS_MAX_TTL 0
#define DNS_MAX_RETRIES 3
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* Checksums are computed and checked in software on both netifs. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_ICMP 1

/* Route inner destinations (the peer's AllowedIPs) to the tunnel netif even when they lie
 * outside the tunnel address's prefix (e.g. 10.77.0.2/32 talking to 10.77.0.1). */
#define LWIP_HOOK_FILENAME "hw_net_hooks.h"
#define LWIP_HOOK_IP4_ROUTE(dest) hw_net_route_hook(dest)
#define LWIP_HOOK_IP6_ROUTE(src, dest) hw_net_route_hook6(dest)

#ifdef HW_LWIP_DEBUG
#define LWIP_DEBUG 1
#define IP_DEBUG LWIP_DBG_ON
#define UDP_DEBUG LWIP_DBG_ON
#endif

#endif

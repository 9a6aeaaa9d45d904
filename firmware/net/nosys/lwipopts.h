/* lwIP 2.1.3 options for homewire: NO_SYS (one loop drives everything), IPv4 + UDP + ICMP
 * only, two netifs (the board's NIC and the WireGuard tunnel), memory sized for an MCU:
 * about 24 KiB of pools and heap in total. TCP is off: the sensor speaks UDP. */
#ifndef HW_LWIPOPTS_H
#define HW_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_UDP 1
#define LWIP_TCP 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
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
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_SYS_TIMEOUT 6
#define MEMP_NUM_ARP_QUEUE 4
#define PBUF_POOL_SIZE 10
#define PBUF_POOL_BUFSIZE 1536
#define ARP_TABLE_SIZE 4
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0

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

#ifdef HW_LWIP_DEBUG
#define LWIP_DEBUG 1
#define IP_DEBUG LWIP_DBG_ON
#define UDP_DEBUG LWIP_DBG_ON
#endif

#endif

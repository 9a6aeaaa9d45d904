/* Only for an esp-lwip tree older than the one ESP-IDF v6 pins (branch 2.1.3-esp, before lwIP's
 * address-conflict module lwip/acd.h): its dhcp.c asks IDF's lwipopts.h for two DHCP timing
 * macros under their older names. They are given here in terms of IDF's current definitions,
 * so the behaviour is IDF's own. With the pinned tree this header defines nothing. */
#ifndef HW_IDF_LWIP_COMPAT_H
#define HW_IDF_LWIP_COMPAT_H

#if !__has_include("lwip/acd.h")

#if defined(DHCP_REQUEST_BACKOFF_SEQUENCE) && !defined(DHCP_REQUEST_TIMEOUT_SEQUENCE)
#define DHCP_REQUEST_TIMEOUT_SEQUENCE(tries) DHCP_REQUEST_BACKOFF_SEQUENCE(0, tries)
#endif

#if defined(DHCP_SET_TIMEOUT_FROM_OFFERED_T0_LEASE) && !defined(DHCP_CALC_TIMEOUT_FROM_OFFERED_T0_LEASE)
#define HW_DHCP_TIMEOUT(set, dhcp) \
  __extension__({                  \
    DHCP_TIMEOUT_SIZE_T t_;        \
    set(t_, dhcp);                 \
    t_;                            \
  })
#define DHCP_CALC_TIMEOUT_FROM_OFFERED_T0_LEASE(dhcp) HW_DHCP_TIMEOUT(DHCP_SET_TIMEOUT_FROM_OFFERED_T0_LEASE, dhcp)
#define DHCP_CALC_TIMEOUT_FROM_OFFERED_T1_RENEW(dhcp) HW_DHCP_TIMEOUT(DHCP_SET_TIMEOUT_FROM_OFFERED_T1_RENEW, dhcp)
#define DHCP_CALC_TIMEOUT_FROM_OFFERED_T2_REBIND(dhcp) HW_DHCP_TIMEOUT(DHCP_SET_TIMEOUT_FROM_OFFERED_T2_REBIND, dhcp)
#endif

#endif
#endif

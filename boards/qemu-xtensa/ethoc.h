/* OpenCores 10/100 Ethernet MAC (QEMU's open_eth on the xtfpga board) as an lwIP netif.
 * Polled: the board never takes interrupts. */
#ifndef HW_QEMU_ETHOC_H
#define HW_QEMU_ETHOC_H

#include <stdint.h>

struct netif;

/* netif_add init callback; state must point to the 6-byte MAC address. */
signed char qb_ethoc_netif_init(struct netif *netif);
/* Hands every frame waiting in the RX ring to netif->input. Returns the number handled. */
int qb_ethoc_poll(struct netif *netif);

typedef struct {
  uint32_t rx_frames, rx_dropped, rx_errors, tx_frames, tx_dropped;
} qb_ethoc_counters;
const qb_ethoc_counters *qb_ethoc_counters_get(void);

#endif

/* Driver for the OpenCores Ethernet MAC as QEMU models it (hw/net/opencores_eth.c), the same
 * NIC Espressif's QEMU gives the ESP32 (ESP-IDF's "openeth").
 *
 * The MAC has 128 buffer descriptors of two words (length+flags, buffer address) in its own
 * register window; the first TX_BD_NUM serve transmit, the rest receive. Frames live in the
 * board's 16 KiB packet RAM: one TX buffer and nine RX buffers of 1536 bytes. QEMU sends a
 * frame as soon as a ready TX descriptor is written, and writes a received frame into the
 * next empty RX descriptor's buffer, appending a 4-byte (zero) FCS. */
#include "ethoc.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "qemu_board.h"

#define REG(n) (*(volatile uint32_t *)(QB_ETH_REGS + (n)*4u))
enum { MODER = 0, INT_SOURCE = 1, INT_MASK = 2, PACKETLEN = 6, TX_BD_NUM = 8, MAC_ADDR0 = 16, MAC_ADDR1 = 17, HASH0 = 18, HASH1 = 19 };
#define MODER_RXEN 0x0001u
#define MODER_TXEN 0x0002u
#define MODER_FULLD 0x0400u
#define MODER_RST 0x0800u
#define MODER_CRCEN 0x2000u
#define MODER_PAD 0x8000u

#define DESC_FLAGS(i) (*(volatile uint32_t *)(QB_ETH_DESC + (i)*8u))
#define DESC_BUF(i) (*(volatile uint32_t *)(QB_ETH_DESC + (i)*8u + 4u))
/* TX descriptor flags */
#define TX_READY 0x8000u
#define TX_WRAP 0x2000u
#define TX_PAD 0x1000u
#define TX_CRC 0x0800u
/* RX descriptor flags */
#define RX_EMPTY 0x8000u
#define RX_WRAP 0x2000u
#define RX_ERRORS 0x017fu /* control frame, overrun, invalid symbol, dribble, too long, short, CRC, late collision */

#define BUF_SIZE 1536u
#define N_TX 1u
#define N_RX 9u
#define FCS_LEN 4u
_Static_assert((N_TX + N_RX) * BUF_SIZE <= QB_ETH_RAM_SIZE, "packet buffers exceed the NIC's RAM");

static unsigned rx_next;
static qb_ethoc_counters counters;

const qb_ethoc_counters *qb_ethoc_counters_get(void) { return &counters; }

static uint32_t buffer(unsigned i) { return QB_ETH_RAM + i * BUF_SIZE; }

static err_t ethoc_output(struct netif *netif, struct pbuf *p) {
  (void)netif;
  if (p->tot_len > BUF_SIZE) {
    counters.tx_dropped++;
    return ERR_BUF;
  }
  /* QEMU transmits synchronously, so the single descriptor is free again at once; the bound
   * keeps a misbehaving device from hanging the loop. */
  for (unsigned n = 100000; (DESC_FLAGS(0) & TX_READY) && n; n--) {
  }
  if (DESC_FLAGS(0) & TX_READY) {
    counters.tx_dropped++;
    return ERR_IF;
  }
  pbuf_copy_partial(p, (void *)buffer(0), p->tot_len, 0);
  DESC_BUF(0) = buffer(0);
  DESC_FLAGS(0) = ((uint32_t)p->tot_len << 16) | TX_READY | TX_WRAP | TX_PAD | TX_CRC;
  counters.tx_frames++;
  return ERR_OK;
}

static void rx_rearm(unsigned slot) { DESC_FLAGS(N_TX + slot) = RX_EMPTY | (slot == N_RX - 1 ? RX_WRAP : 0); }

err_t qb_ethoc_netif_init(struct netif *netif) {
  const uint8_t *mac = netif->state;
  REG(MODER) = MODER_RST; /* back to reset values, rings disabled */
  REG(MODER) = 0;
  REG(INT_MASK) = 0; /* polled */
  REG(INT_SOURCE) = 0xffffffffu;
  REG(MAC_ADDR1) = ((uint32_t)mac[0] << 8) | mac[1];
  REG(MAC_ADDR0) = ((uint32_t)mac[2] << 24) | ((uint32_t)mac[3] << 16) | ((uint32_t)mac[4] << 8) | mac[5];
  REG(PACKETLEN) = (64u << 16) | BUF_SIZE;
  REG(TX_BD_NUM) = N_TX;
  DESC_FLAGS(0) = TX_WRAP;
  DESC_BUF(0) = buffer(0);
  for (unsigned i = 0; i < N_RX; i++) {
    DESC_BUF(N_TX + i) = buffer(N_TX + i);
    rx_rearm(i);
  }
  rx_next = 0;
  /* Every multicast group passes the hash filter: IPv6 neighbour discovery reaches us through
   * our solicited-node groups (lwIP joins them; the hash of each is not worth computing here). */
  REG(HASH0) = 0xffffffffu;
  REG(HASH1) = 0xffffffffu;
  /* Broadcast reception stays on (MODER_BRO clear): ARP needs it. */
  REG(MODER) = MODER_PAD | MODER_CRCEN | MODER_FULLD | MODER_TXEN | MODER_RXEN;

  netif->name[0] = 'e';
  netif->name[1] = 't';
  netif->hwaddr_len = ETH_HWADDR_LEN;
  memcpy(netif->hwaddr, mac, ETH_HWADDR_LEN);
  netif->mtu = 1500;
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  netif->output = etharp_output;
  netif->linkoutput = ethoc_output;
  return ERR_OK;
}

int qb_ethoc_poll(struct netif *netif) {
  int handled = 0;
  /* At most one pass over the ring per call, so a flood cannot starve the rest of the loop. */
  for (unsigned n = 0; n < N_RX; n++) {
    unsigned slot = rx_next;
    uint32_t flags = DESC_FLAGS(N_TX + slot);
    if (flags & RX_EMPTY) break;
    uint32_t len = flags >> 16;
    if ((flags & RX_ERRORS) || len <= FCS_LEN || len > BUF_SIZE) {
      counters.rx_errors++;
    } else {
      len -= FCS_LEN;
      struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
      if (!p) {
        counters.rx_dropped++; /* pool exhausted: lwIP is holding every buffer */
      } else {
        pbuf_take(p, (const void *)buffer(N_TX + slot), (u16_t)len);
        counters.rx_frames++;
        if (netif->input(p, netif) != ERR_OK) pbuf_free(p);
      }
    }
    rx_rearm(slot);
    rx_next = (slot + 1) % N_RX;
    handled++;
  }
  return handled;
}

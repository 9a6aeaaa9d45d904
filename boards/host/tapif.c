/* The host board's NIC: a Linux TAP device carrying Ethernet frames to and from lwIP. */
#include "tapif.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define FRAME_MAX 1518
#define FRAMES_PER_POLL 64 /* bounded so a flood cannot starve the rest of the loop */

static int tap_fd = -1;
static uint8_t tap_mac[6];
static uint32_t rx_deferred;

static err_t tap_linkoutput(struct netif *netif, struct pbuf *p) {
  (void)netif;
  uint8_t frame[FRAME_MAX];
  if (p->tot_len > sizeof frame) return ERR_BUF;
  u16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);
  ssize_t w = write(tap_fd, frame, n);
  return w == (ssize_t)n ? ERR_OK : ERR_IF;
}

static err_t tap_netif_init(struct netif *netif) {
  netif->name[0] = 't';
  netif->name[1] = 'p';
  netif->mtu = 1500;
  netif->hwaddr_len = 6;
  memcpy(netif->hwaddr, tap_mac, 6);
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  netif->output = etharp_output;
  netif->linkoutput = tap_linkoutput;
  return ERR_OK;
}

int hw_tap_open(const char *name, const uint8_t mac[6]) {
  if (strlen(name) >= IFNAMSIZ) return -1;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  tap_fd = fd;
  memcpy(tap_mac, mac, 6);
  return 0;
}

int hw_tap_add_netif(struct netif *netif, const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw) {
  if (!netif_add(netif, ip, mask, gw, NULL, tap_netif_init, ethernet_input)) return -1;
  netif_set_default(netif);
  netif_set_up(netif);
  return 0;
}

void hw_tap_poll(struct netif *netif, uint32_t timeout_ms, int wake_fd) {
  struct pollfd pfd[2] = {{.fd = tap_fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
  if (poll(pfd, wake_fd >= 0 ? 2 : 1, (int)(timeout_ms > 1000 ? 1000 : timeout_ms)) <= 0) return;
  if (!(pfd[0].revents & POLLIN)) return; /* only wake_fd: the caller reads it */
  for (int i = 0; i < FRAMES_PER_POLL; i++) {
    /* Take the pbuf first: when the pool is empty (the runtime still holds queued datagrams)
     * frames stay in the kernel's queue instead of being read and thrown away. */
    struct pbuf *p = pbuf_alloc(PBUF_RAW, FRAME_MAX, PBUF_POOL);
    if (!p) {
      rx_deferred++;
      return;
    }
    if (p->next != NULL) { /* PBUF_POOL_BUFSIZE below a frame: configuration error */
      pbuf_free(p);
      return;
    }
    ssize_t n = read(tap_fd, p->payload, FRAME_MAX);
    if (n <= 0) { /* EAGAIN: drained */
      pbuf_free(p);
      return;
    }
    pbuf_realloc(p, (u16_t)n);
    if (netif->input(p, netif) != ERR_OK) pbuf_free(p);
  }
}

uint32_t hw_tap_rx_deferred(void) { return rx_deferred; }

/* The linux target's NIC: a Linux TAP carrying Ethernet frames to and from ESP-IDF's lwIP through
 * esp_netif, as a Wi-Fi or Ethernet driver would. The process's "hardware" comes from its
 * environment (a real board has it soldered on):
 *   HOMEWIRE_TAP  the TAP's name (default hwtap0; it must exist and be up, e.g. test-hil's bench)
 *   HOMEWIRE_IP   A.B.C.D/prefix (default 192.168.77.2/24)   HOMEWIRE_GW  A.B.C.D (optional)
 * Frames are read by a task that polls the non-blocking TAP once per FreeRTOS tick: a task
 * blocked in a Linux system call would hold the simulated CPU from every other task. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_netif.h"
#include "esp_netif_net_stack.h"
#include "lwip/esp_netif_net_stack.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "hw_idf.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

#define FRAME_MAX 1518
#define FRAMES_PER_TICK 64 /* bounded: a flood must not starve the other tasks */

static esp_netif_t *tap_netif;
static const uint8_t tap_mac[6] = {0x02, 0x68, 0x77, 0x00, 0x00, 0x02};

/* esp_netif -> the TAP (lwIP's linkoutput, via esp_netif_transmit). */
static esp_err_t tap_transmit(void *handle, void *buffer, size_t len) {
  (void)handle;
  return hw_idf_tap_write(buffer, len) == 0 ? ESP_OK : ESP_FAIL;
}

static err_t tap_linkoutput(struct netif *netif, struct pbuf *p) {
  uint8_t frame[FRAME_MAX];
  if (p->tot_len > sizeof frame) return ERR_BUF;
  u16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);
  esp_err_t e = esp_netif_transmit(esp_netif_get_handle_from_netif_impl(netif), frame, n);
  return e == ESP_OK ? ERR_OK : ERR_IF;
}

static err_t tap_lwip_init(struct netif *netif) {
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

/* A received frame into lwIP (esp_netif_receive calls this; netif->input queues it to the
 * tcpip thread). */
static esp_err_t tap_lwip_input(void *netif_impl, void *buffer, size_t len, void *eb) {
  (void)eb;
  struct netif *netif = netif_impl;
  struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
  if (!p) return ESP_ERR_NO_MEM;
  pbuf_take(p, buffer, (u16_t)len);
  if (netif->input(p, netif) != ERR_OK) {
    pbuf_free(p);
    return ESP_FAIL;
  }
  return ESP_OK;
}

static void tap_rx_task(void *arg) {
  (void)arg;
  static uint8_t frame[FRAME_MAX];
  for (;;) {
    for (int i = 0; i < FRAMES_PER_TICK; i++) {
      long n = hw_idf_tap_read(frame, sizeof frame);
      if (n <= 0) break; /* nothing more this tick */
      esp_netif_receive(tap_netif, frame, (size_t)n, NULL);
    }
    vTaskDelay(1);
  }
}

static esp_err_t tap_post_attach(esp_netif_t *netif, void *handle) {
  esp_netif_driver_base_t *base = handle;
  base->netif = netif;
  esp_netif_driver_ifconfig_t cfg = {.handle = handle, .transmit = tap_transmit};
  return esp_netif_set_driver_config(netif, &cfg);
}

static int parse_ip4(const char *s, esp_ip4_addr_t *out, int *prefix) {
  unsigned a, b, c, d;
  int p = 32, used = 0;
  if (sscanf(s, "%u.%u.%u.%u%n", &a, &b, &c, &d, &used) != 4 || a > 255 || b > 255 || c > 255 || d > 255) return -1;
  if (s[used] == '/') {
    char *end;
    long v = strtol(s + used + 1, &end, 10);
    if (*end || v < 0 || v > 32) return -1;
    p = (int)v;
  } else if (s[used]) {
    return -1;
  }
  esp_netif_set_ip4_addr(out, (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d);
  if (prefix) *prefix = p;
  return 0;
}

/* The linux target's NIC is a wired TAP: no Wi-Fi to join. */
int hw_idf_wifi_join(const char *ssid, const char *password) {
  (void)ssid;
  (void)password;
  return -1;
}

esp_err_t hw_idf_net_start(void) {
  const char *name = getenv("HOMEWIRE_TAP") ? getenv("HOMEWIRE_TAP") : "hwtap0";
  const char *cidr = getenv("HOMEWIRE_IP") ? getenv("HOMEWIRE_IP") : "192.168.77.2/24";
  const char *gw = getenv("HOMEWIRE_GW");
  esp_netif_ip_info_t ip = {0};
  int prefix;
  if (parse_ip4(cidr, &ip.ip, &prefix) != 0 || (gw && parse_ip4(gw, &ip.gw, NULL) != 0)) {
    printf("[board] cannot start: HOMEWIRE_IP must be A.B.C.D/prefix and HOMEWIRE_GW A.B.C.D\n");
    return ESP_ERR_INVALID_ARG;
  }
  ip.netmask.addr = esp_netif_htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);
  if (hw_idf_tap_open(name) != 0) return ESP_FAIL;

  static esp_netif_driver_base_t driver = {.post_attach = tap_post_attach};
  static const struct esp_netif_netstack_config stack = {.lwip = {.init_fn = tap_lwip_init, .input_fn = tap_lwip_input}};
  esp_netif_inherent_config_t base = {
      .flags = ESP_NETIF_FLAG_AUTOUP, .ip_info = &ip, .if_key = "TAP", .if_desc = "tap", .route_prio = 100};
  esp_netif_config_t cfg = {.base = &base, .driver = NULL, .stack = &stack};
  tap_netif = esp_netif_new(&cfg);
  if (!tap_netif || esp_netif_set_mac(tap_netif, (uint8_t *)tap_mac) != ESP_OK ||
      esp_netif_attach(tap_netif, &driver) != ESP_OK)
    return ESP_FAIL;
  esp_netif_action_start(tap_netif, NULL, 0, NULL);
  esp_netif_set_default_netif(tap_netif);
  if (xTaskCreate(tap_rx_task, "hw_tap_rx", 4096, NULL, 10, NULL) != pdPASS) return ESP_ERR_NO_MEM;
  printf("[board] esp-idf linux: tap %s, ip %s\n", name, cidr);
  return ESP_OK;
}

/* Chips only (not run by any test here): the NIC is a Wi-Fi station. The driver starts with the
 * board; the credentials come from the app (hw.wifiJoin, with the enrolled config's `wifi` field
 * as the one config parser checked it), so nothing in C reads the identity record. A lost link
 * is retried with exponential backoff (1 s .. 60 s); when the station comes back with a
 * different address the runtime is told, and the core starts a new handshake from it. */
#include <stdio.h>
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"
#include "hw_idf.h"
#include "runtime.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

static TimerHandle_t retry_timer;
static volatile int joining; /* credentials given: (re)connect on start and after a loss */
static uint32_t backoff_ms = BACKOFF_MIN_MS;
static esp_ip4_addr_t last_ip;

static void retry(TimerHandle_t t) {
  (void)t;
  esp_wifi_connect();
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)arg;
  if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
    if (joining) esp_wifi_connect();
  } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED && joining) {
    printf("[board] wifi: link lost, retrying in %u ms\n", (unsigned)backoff_ms);
    xTimerChangePeriod(retry_timer, pdMS_TO_TICKS(backoff_ms), 0);
    backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
  } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
    const ip_event_got_ip_t *got = data;
    backoff_ms = BACKOFF_MIN_MS;
    printf("[board] wifi: address " IPSTR "\n", IP2STR(&got->ip_info.ip));
    if (last_ip.addr != 0 && last_ip.addr != got->ip_info.ip.addr) hw_runtime_network_changed();
    last_ip = got->ip_info.ip;
  }
}

/* The driver and the station netif, started without credentials: the console works (and a
 * device can be enrolled) before any network does. */
esp_err_t hw_idf_net_start(void) {
  esp_netif_create_default_wifi_sta();
  wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
  esp_err_t e = esp_wifi_init(&init);
  retry_timer = xTimerCreate("hw_wifi_retry", pdMS_TO_TICKS(BACKOFF_MIN_MS), pdFALSE, NULL, retry);
  if (e == ESP_OK && !retry_timer) e = ESP_ERR_NO_MEM;
  if (e == ESP_OK) e = esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL);
  if (e == ESP_OK) e = esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL);
  if (e == ESP_OK) e = esp_wifi_set_mode(WIFI_MODE_STA);
  if (e == ESP_OK) e = esp_wifi_start();
  return e;
}

int hw_idf_wifi_join(const char *ssid, const char *password) {
  static wifi_config_t wc;
  memset(&wc, 0, sizeof wc);
  strncpy((char *)wc.sta.ssid, ssid, sizeof wc.sta.ssid); /* exactly 32 bytes may fill it: no NUL needed */
  strncpy((char *)wc.sta.password, password, sizeof wc.sta.password);
  esp_err_t e = esp_wifi_set_config(WIFI_IF_STA, &wc);
  memset(&wc.sta.password, 0, sizeof wc.sta.password); /* the driver has its copy */
  if (e != ESP_OK) {
    printf("[board] wifi: the credentials were refused by the driver (%s)\n", esp_err_to_name(e));
    return 0; /* the board has Wi-Fi; it just cannot use these */
  }
  joining = 1;
  backoff_ms = BACKOFF_MIN_MS;
  esp_wifi_connect();
  return 0;
}

/* Chips only (not run by any test here): the NIC is a Wi-Fi station. Its credentials are the
 * enrolled config's `wifi` field ({"ssid","password"}), read from the identity record in NVS
 * (written by the app's JSON.stringify, so its form is known: no whitespace, quoted keys).
 * A lost link is retried with exponential backoff (1 s .. 60 s); when the station comes back
 * with a different address the runtime is told, and the core starts a new handshake from it. */
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"
#include "hw_idf.h"
#include "nvs.h"
#include "runtime.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

static TimerHandle_t retry_timer;
static uint32_t backoff_ms = BACKOFF_MIN_MS;
static esp_ip4_addr_t last_ip;

/* The JSON string value after `"name":` inside `within` (already bounded), unescaped into out.
 * 0, or -1 if absent, malformed, or longer than cap - 1. Escapes: \" \\ \/ and \u00XX (ASCII). */
static int json_string_field(const char *within, size_t len, const char *name, char *out, size_t cap) {
  char pattern[24];
  size_t plen = (size_t)snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
  const char *end = within + len;
  for (const char *p = within; p + plen <= end; p++) {
    if (memcmp(p, pattern, plen) != 0) continue;
    size_t n = 0;
    for (const char *q = p + plen; q < end; q++) {
      char c = *q;
      if (c == '"') {
        out[n] = 0;
        return 0;
      }
      if (c == '\\') {
        if (++q >= end) return -1;
        if (*q == 'u') {
          unsigned v = 0;
          for (int i = 0; i < 4; i++) {
            if (++q >= end) return -1;
            char h = *q;
            v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99);
          }
          if (v == 0 || v > 0x7f) return -1;
          c = (char)v;
        } else if (*q == '"' || *q == '\\' || *q == '/') {
          c = *q;
        } else {
          return -1;
        }
      }
      if (n + 1 >= cap) return -1;
      out[n++] = c;
    }
    return -1;
  }
  return -1;
}

/* The station's credentials from the identity record; 0, or -1 when not enrolled or no wifi. */
static int wifi_credentials(wifi_config_t *wc) {
  static char record[2048 + 1];
  nvs_handle_t h;
  size_t len = sizeof record - 1;
  if (nvs_open(HW_IDF_NVS_NAMESPACE, NVS_READONLY, &h) != ESP_OK) return -1;
  esp_err_t e = nvs_get_blob(h, "identity", record, &len);
  nvs_close(h);
  if (e != ESP_OK) return -1;
  record[len] = 0;
  /* In JSON text a quote inside a string is escaped, so `"wifi":{`, `"ssid":"` and
   * `"password":"` only match keys; the first of each after "wifi" are that object's (the
   * config parser requires both). A '}' may sit in a password, so no end is searched for. */
  const char *wifi = strstr(record, "\"wifi\":{");
  size_t span = wifi ? strlen(wifi) : 0;
  int ok = span && json_string_field(wifi, span, "ssid", (char *)wc->sta.ssid, sizeof wc->sta.ssid) == 0 &&
           json_string_field(wifi, span, "password", (char *)wc->sta.password, sizeof wc->sta.password) == 0;
  memset(record, 0, sizeof record); /* the record holds the private key */
  return ok ? 0 : -1;
}

static void retry(TimerHandle_t t) {
  (void)t;
  esp_wifi_connect();
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)arg;
  if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
    esp_wifi_connect();
  } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
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

esp_err_t hw_idf_net_start(void) {
  static wifi_config_t wc;
  if (wifi_credentials(&wc) != 0) {
    printf("[board] wifi: no credentials in the enrolled config (its \"wifi\" field): not connecting\n");
    return ESP_OK; /* the console still works: enrol, then reset */
  }
  esp_netif_create_default_wifi_sta();
  wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
  esp_err_t e = esp_wifi_init(&init);
  retry_timer = xTimerCreate("hw_wifi_retry", pdMS_TO_TICKS(BACKOFF_MIN_MS), pdFALSE, NULL, retry);
  if (e == ESP_OK && !retry_timer) e = ESP_ERR_NO_MEM;
  if (e == ESP_OK) e = esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL);
  if (e == ESP_OK) e = esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL);
  if (e == ESP_OK) e = esp_wifi_set_mode(WIFI_MODE_STA);
  if (e == ESP_OK) e = esp_wifi_set_config(WIFI_IF_STA, &wc);
  if (e == ESP_OK) e = esp_wifi_start();
  memset(&wc.sta.password, 0, sizeof wc.sta.password); /* the driver has its copy */
  return e;
}

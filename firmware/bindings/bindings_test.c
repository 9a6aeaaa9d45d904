/* Runs bindings_test.js on the engine under test with a fake board that records what the
 * natives passed down, then checks those records from C. Usage: bindings_test <js file>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"

static int failures;
#define CHECK(cond, what)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
      failures++;                                           \
    }                                                       \
  } while (0)

static struct {
  int udp_calls, udp6_calls, tunnel_calls, app_calls, log_calls;
  size_t udp_len;
  hw_ip udp_ip, app_ip;
  uint16_t udp_port;
  size_t tunnel_len;
  unsigned tunnel_sum; /* of the bytes handed over: tells a prefix from the whole */
  char log_line[64];
  int log_level;
  char store_key[40], store_value[HW_STORE_VALUE_MAX];
  size_t store_len;
  unsigned random_state;
  int configured, configured6, routes, routes6;
  char wifi_ssid[40], wifi_password[80];
  hw_ip dns[3];
  char resolving[300];
  uint32_t resolve_id;
} rec;

static uint8_t last_datagram[1500];
static size_t last_datagram_len;

static int fake_udp(void *ctx, const uint8_t *d, size_t len, const hw_ip *to, uint16_t port) {
  rec.udp_calls++;
  last_datagram_len = len < sizeof last_datagram ? len : sizeof last_datagram;
  memcpy(last_datagram, d, last_datagram_len);
  if (to->version == 4 && to->bytes[0] == 10) return -1; /* pretend 10/8 has no route */
  if (to->version == 6 && to->bytes[0] == 0xfd && to->bytes[3] == 0x77 && to->bytes[15] == 1) rec.udp6_calls++;
  rec.udp_len = len;
  rec.udp_ip = *to;
  rec.udp_port = port;
  return 0;
}
static int fake_tunnel(void *ctx, const uint8_t *p, size_t len) {
  rec.tunnel_calls++;
  rec.tunnel_len = len;
  rec.tunnel_sum = 0;
  for (size_t i = 0; i < len; i++) rec.tunnel_sum += p[i];
  return 0;
}
static int fake_app(void *ctx, const uint8_t *d, size_t len, const hw_ip *to, uint16_t port) {
  rec.app_calls++;
  rec.app_ip = *to;
  return 0;
}
static double fake_now(void *ctx) { return 12345; }
static int fake_random(void *ctx, uint8_t *out, size_t len) {
  for (size_t i = 0; i < len; i++) out[i] = (uint8_t)((rec.random_state = rec.random_state * 1103515245u + 12345u) >> 16);
  return 0;
}
static void fake_log(void *ctx, int level, const char *m, size_t len) {
  rec.log_calls++;
  rec.log_level = level;
  snprintf(rec.log_line, sizeof rec.log_line, "%.*s", (int)len, m);
}
static long fake_get(void *ctx, const char *key, char *out, size_t cap) {
  if (strcmp(key, rec.store_key) != 0) return -1;
  if (rec.store_len <= cap) memcpy(out, rec.store_value, rec.store_len);
  return (long)rec.store_len;
}
static int fake_put(void *ctx, const char *key, const char *v, size_t len) {
  if (strcmp(key, "failing") == 0) return -1;
  snprintf(rec.store_key, sizeof rec.store_key, "%s", key);
  memcpy(rec.store_value, v, len);
  rec.store_len = len;
  return 0;
}

/* fd77::2 */
static const uint8_t fd77_2[16] = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static int fake_configure(void *ctx, uint16_t port, const hw_ip *ips, const int *prefixes, int n) {
  if (n == 1) rec.configured = port == 51820 && ips[0].version == 4 && memcmp(ips[0].bytes, "\x0a\x4d\x00\x02", 4) == 0 && prefixes[0] == 24;
  if (n == 2)
    rec.configured6 = port == 51821 && ips[0].version == 6 && !memcmp(ips[0].bytes, fd77_2, 16) && prefixes[0] == 64 &&
                      ips[1].version == 4 && prefixes[1] == 32;
  return 0;
}
static int fake_route(void *ctx, const hw_ip *net, int prefix) {
  if (net->version == 6) rec.routes6++;
  rec.routes++;
  return rec.routes > 3 ? -1 : 0;
}
static int fake_dns_server(void *ctx, int index, const hw_ip *server) {
  if (index > 2) return -1;
  rec.dns[index] = *server;
  return 0;
}
static const char *fake_resolve(void *ctx, const char *name, uint32_t id) {
  if (!strcmp(name, "busy.example")) return "lwIP's DNS table is busy with earlier lookups";
  snprintf(rec.resolving, sizeof rec.resolving, "%s", name);
  rec.resolve_id = id;
  return NULL;
}

/* A board with Wi-Fi for the SSID "home", none for anything else. */
static int fake_wifi(void *ctx, const char *ssid, const char *password) {
  snprintf(rec.wifi_ssid, sizeof rec.wifi_ssid, "%s", ssid);
  snprintf(rec.wifi_password, sizeof rec.wifi_password, "%s", password);
  return strcmp(ssid, "home") == 0 ? 0 : -1;
}

static const hw_board_ops fake_ops = {
    .udp_send = fake_udp,     .tunnel_deliver = fake_tunnel, .app_udp_send = fake_app,
    .now_ms = fake_now,       .random_bytes = fake_random,   .log = fake_log,
    .store_get = fake_get,    .store_put = fake_put,         .net_configure = fake_configure,
    .tunnel_route = fake_route, .wifi_join = fake_wifi, .dns_server = fake_dns_server, .resolve = fake_resolve,
};

static int js_failures;
static void n_check(hw_vm_call *c) {
  int ok;
  double v = hw_vm_arg_number(c, 0, &ok, "check: ok");
  size_t n;
  const char *m = hw_vm_arg_string(c, 1, &n, "check: message");
  if (!ok || !m) return;
  if (v == 0) {
    printf("FAIL (js) %.*s\n", (int)n, m);
    js_failures++;
  }
}

/* t.sent() -> the bytes of the last datagram handed to the board (sendTransport's output);
 * t.udpCalls() -> how many the board was handed. */
static void n_sent(hw_vm_call *c) {
  uint8_t *out = hw_vm_return_bytes(c, last_datagram_len);
  if (out) memcpy(out, last_datagram, last_datagram_len);
}
static void n_udp_calls(hw_vm_call *c) { hw_vm_return_number(c, rec.udp_calls); }

static void report(void *ctx, const char *msg) { printf("js error: %s\n", msg); }

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  *len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[*len] = 0;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s bindings_test.js\n", argv[0]);
    return 2;
  }
  size_t len;
  char *src = read_file(argv[1], &len);
  if (!src) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  hw_vm *vm = hw_vm_create(1 << 20, report, NULL);
  CHECK(vm && hw_bindings_register_crypto(vm) == 0, "register crypto");
  CHECK(hw_bindings_register_platform(vm, &fake_ops) == 0, "register platform");
  hw_vm_register(vm, "t", "check", n_check, NULL);
  hw_vm_register(vm, "t", "sent", n_sent, NULL);
  hw_vm_register(vm, "t", "udpCalls", n_udp_calls, NULL);
  CHECK(hw_vm_run_source(vm, "bindings_test.js", src, len) == 0, "script ran to the end");
  CHECK(js_failures == 0, "JS-side checks");

  CHECK(rec.udp_len == 148 && rec.udp_port == 51820, "udp length and port (of the last send, udpSend's)");
  CHECK(rec.udp_ip.version == 4 && memcmp(rec.udp_ip.bytes, "\xc0\xa8\x4d\x01", 4) == 0, "udp ip parsed");
  CHECK(rec.udp6_calls == 1, "udpSend to fd00:77::1 reached the board as IPv6");
  CHECK(rec.app_ip.version == 6 && rec.app_ip.bytes[0] == 0xfd && rec.app_ip.bytes[15] == 1, "appUdpSend to an IPv6 collector");
  /* tunnelDeliver(84 bytes), then tunnelDeliverPrefix(bytes 1..96, 60): the last is bytes 1..60. */
  CHECK(rec.tunnel_calls == 2, "tunnel_deliver for the valid calls only");
  CHECK(rec.tunnel_len == 60 && rec.tunnel_sum == 60 * 61 / 2, "tunnelDeliverPrefix hands over the prefix");
  CHECK(rec.app_calls == 2, "app_udp_send (IPv4 and IPv6)");
  CHECK(rec.log_calls == 1 && rec.log_level == 2 && strcmp(rec.log_line, "hello from js") == 0, "log");

  CHECK(rec.configured, "net_configure got port, ip and prefix");
  CHECK(!strcmp(rec.wifi_ssid, "home") && !strcmp(rec.wifi_password, "correct horse"), "wifi_join got the ssid and password as given (the last call)");
  CHECK(rec.configured6, "net_configure got an IPv6 and an IPv4 tunnel address with their prefixes");
  CHECK(rec.routes == 4 && rec.routes6 == 1, "tunnel_route called for valid routes only, an IPv6 one among them");
  CHECK(rec.dns[0].version == 4 && rec.dns[1].version == 6 && rec.dns[1].bytes[15] == 0x35, "dns_server got both families");
  CHECK(!strcmp(rec.resolving, "home.homewire.test") && rec.resolve_id == 7, "resolve got the name and the id");

  hw_vm_heap h;
  hw_vm_heap_stats(vm, &h);
  printf("heap after bindings test: current %zu, peak %zu\n", h.current, h.peak);
  hw_vm_destroy(vm);
  printf(failures ? "bindings_test: %d FAILED\n" : "bindings_test: all passed%.0d\n", failures);
  return failures ? 1 : 0;
}

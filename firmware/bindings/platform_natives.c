/* hw.udpSend / sendTransport / tunnelDeliver / tunnelDeliverPrefix / appUdpSend / nowMs / wallClockMs /
 * randomBytes / log / storeGet / storePut / netConfigure / tunnelRoute / wifiJoin / dnsServer /
 * dnsResolve: the board's services, reached through hw_board_ops. Hosts and addresses are IPv4
 * or IPv6 text (hw_ip.h, the forms the TypeScript side writes). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bindings.h"
#include "hw_crypto.h" /* hw_wipe, hw_aead_seal */

static const hw_board_ops *ops_of(hw_vm_call *c) { return hw_vm_user(c); }

/* (bytes, host, port) as used by udpSend and appUdpSend. */
/* A host argument: IPv4 or IPv6 text. 0, or -1 with a pending error. */
static int host_arg(hw_vm_call *c, int i, const char *name, hw_ip *ip) {
  size_t len;
  char what[48];
  snprintf(what, sizeof what, "%s: host", name);
  const char *host = hw_vm_arg_string(c, i, &len, what);
  if (!host) return -1;
  if (hw_ip_parse(host, len, ip) != 0) {
    hw_vm_throw_range(c, "%s: host must be an IPv4 or IPv6 address", name);
    return -1;
  }
  return 0;
}

static const uint8_t *datagram_args(hw_vm_call *c, const char *name, size_t max, size_t *len, hw_ip *ip,
                                    uint16_t *port) {
  char what[48];
  snprintf(what, sizeof what, "%s: bytes", name);
  const uint8_t *data = hw_vm_arg_bytes(c, 0, len, what);
  if (!data) return NULL;
  if (*len > max) {
    hw_vm_throw_range(c, "%s: datagram of %u bytes exceeds %u", name, (unsigned)*len, (unsigned)max);
    return NULL;
  }
  if (host_arg(c, 1, name, ip) != 0) return NULL;
  int ok;
  snprintf(what, sizeof what, "%s: port", name);
  double p = hw_vm_arg_number(c, 2, &ok, what);
  if (!ok) return NULL;
  if (!(p >= 1 && p <= 65535) || floor(p) != p) {
    hw_vm_throw_range(c, "%s: port must be an integer in [1, 65535]", name);
    return NULL;
  }
  *port = (uint16_t)p;
  return data;
}

static void n_udp_send(hw_vm_call *c) {
  size_t len;
  hw_ip ip;
  uint16_t port;
  const uint8_t *data = datagram_args(c, "udpSend", HW_MAX_DATAGRAM, &len, &ip, &port);
  if (!data) return;
  hw_vm_return_bool(c, ops_of(c)->udp_send(ops_of(c)->ctx, data, len, &ip, port) == 0);
}

/* sendTransport(key, counter, header, packet, paddedLength, host, port): header[0, 8) ||
 * LE64(counter) || AEAD(packet || zeros up to paddedLength) sealed in place in one buffer and
 * sent as one datagram (platform.ts Io.sendTransport): on an interpreter the padding copy, the
 * framing and the datagram array cost about as much as the AEAD of a small packet. The buffer
 * holds only ciphertext once sealed. */
#define MAX_COUNTER 9007199254740991.0 /* 2^53 - 1: REJECT_AFTER_MESSAGES (the last nonce is never used) */

/* device.ts paddedLength: up to a multiple of 16, but never past the tunnel MTU for a packet
 * that fits it. */
static size_t padded_length(size_t n) {
  size_t p = (n + 15) & ~(size_t)15;
  return n <= HW_MAX_TUNNEL_PACKET && p > HW_MAX_TUNNEL_PACKET ? HW_MAX_TUNNEL_PACKET : p;
}

static void n_send_transport(hw_vm_call *c) {
  size_t key_len, header_len, len;
  const uint8_t *key = hw_vm_arg_bytes(c, 0, &key_len, "sendTransport: key");
  if (!key) return;
  if (key_len != HW_AEAD_KEY_LEN) {
    hw_vm_throw_range(c, "sendTransport: key must be %u bytes, got %u", HW_AEAD_KEY_LEN, (unsigned)key_len);
    return;
  }
  int ok;
  double counter = hw_vm_arg_number(c, 1, &ok, "sendTransport: counter");
  if (!ok) return;
  if (!(counter >= 0 && counter < MAX_COUNTER) || floor(counter) != counter) {
    hw_vm_throw_range(c, "sendTransport: counter must be an integer in [0, 2^53 - 1)");
    return;
  }
  const uint8_t *header = hw_vm_arg_bytes(c, 2, &header_len, "sendTransport: header");
  if (!header) return;
  if (header_len != 16 || header[0] != 4 || (header[1] | header[2] | header[3]) != 0) {
    hw_vm_throw_range(c, "sendTransport: header must be 16 bytes starting 04 00 00 00 (a transport message)");
    return;
  }
  const uint8_t *packet = hw_vm_arg_bytes(c, 3, &len, "sendTransport: packet");
  if (!packet) return;
  double padded = hw_vm_arg_number(c, 4, &ok, "sendTransport: paddedLength");
  if (!ok) return;
  size_t p = padded_length(len);
  if ((double)p != padded) {
    hw_vm_throw_range(c, "sendTransport: paddedLength must be %u for a %u-byte packet (next multiple of 16, at most %u)",
                      (unsigned)p, (unsigned)len, HW_MAX_TUNNEL_PACKET);
    return;
  }
  if (32 + p > HW_MAX_DATAGRAM) {
    hw_vm_throw_range(c, "sendTransport: a %u-byte packet makes a datagram of %u bytes, over %u", (unsigned)len,
                      (unsigned)(32 + p), HW_MAX_DATAGRAM);
    return;
  }
  hw_ip ip;
  if (host_arg(c, 5, "sendTransport", &ip) != 0) return;
  double port = hw_vm_arg_number(c, 6, &ok, "sendTransport: port");
  if (!ok) return;
  if (!(port >= 1 && port <= 65535) || floor(port) != port) {
    hw_vm_throw_range(c, "sendTransport: port must be an integer in [1, 65535]");
    return;
  }
  static uint8_t datagram[HW_MAX_DATAGRAM];
  uint64_t n = (uint64_t)counter;
  memcpy(datagram, header, 8);
  for (int i = 0; i < 8; i++) datagram[8 + i] = (uint8_t)(n >> (8 * i));
  uint8_t *body = datagram + 16;
  if (len) memcpy(body, packet, len);
  memset(body + len, 0, p - len);
  static const uint8_t no_ad[1];
  hw_aead_seal(body, body, p, no_ad, 0, n, key); /* in place: hw_crypto.h allows dst == src */
  hw_vm_return_bool(c, ops_of(c)->udp_send(ops_of(c)->ctx, datagram, 32 + p, &ip, (uint16_t)port) == 0);
}

static void n_app_udp_send(hw_vm_call *c) {
  size_t len;
  hw_ip ip;
  uint16_t port;
  /* The largest UDP payload in one tunnel packet: the MTU less the IP and UDP headers. */
  const uint8_t *data = datagram_args(c, "appUdpSend", HW_MAX_TUNNEL_PACKET - 28, &len, &ip, &port);
  if (!data) return;
  if (ip.version == 6 && len > HW_MAX_TUNNEL_PACKET - 48) {
    hw_vm_throw_range(c, "appUdpSend: datagram of %u bytes exceeds %u (IPv6)", (unsigned)len, HW_MAX_TUNNEL_PACKET - 48);
    return;
  }
  const hw_board_ops *o = ops_of(c);
  if (!o->app_udp_send) {
    hw_vm_throw_error(c, "appUdpSend: this board has no application socket");
    return;
  }
  hw_vm_return_bool(c, o->app_udp_send(o->ctx, data, len, &ip, port) == 0);
}

static void n_tunnel_deliver(hw_vm_call *c) {
  size_t len;
  const uint8_t *p = hw_vm_arg_bytes(c, 0, &len, "tunnelDeliver: packet");
  if (!p) return;
  if (len == 0 || len > HW_MAX_TUNNEL_PACKET) {
    hw_vm_throw_range(c, "tunnelDeliver: packet must be 1..%u bytes, got %u", HW_MAX_TUNNEL_PACKET, (unsigned)len);
    return;
  }
  hw_vm_return_bool(c, ops_of(c)->tunnel_deliver(ops_of(c)->ctx, p, len) == 0);
}

/* tunnelDeliverPrefix(plaintext, length): tunnelDeliver(plaintext[0, length)) without the JS
 * view that trims WireGuard's padding (platform.ts Io.deliverPrefixToTunnel). */
static void n_tunnel_deliver_prefix(hw_vm_call *c) {
  size_t len;
  const uint8_t *p = hw_vm_arg_bytes(c, 0, &len, "tunnelDeliverPrefix: plaintext");
  if (!p) return;
  int ok;
  double n = hw_vm_arg_number(c, 1, &ok, "tunnelDeliverPrefix: length");
  if (!ok) return;
  size_t max = len < HW_MAX_TUNNEL_PACKET ? len : HW_MAX_TUNNEL_PACKET;
  if (!(n >= 1 && n <= (double)max) || floor(n) != n) {
    hw_vm_throw_range(c, "tunnelDeliverPrefix: length must be an integer in [1, %u] (plaintext of %u bytes, MTU %u)",
                      (unsigned)max, (unsigned)len, HW_MAX_TUNNEL_PACKET);
    return;
  }
  hw_vm_return_bool(c, ops_of(c)->tunnel_deliver(ops_of(c)->ctx, p, (size_t)n) == 0);
}

static void n_now_ms(hw_vm_call *c) { hw_vm_return_number(c, ops_of(c)->now_ms(ops_of(c)->ctx)); }

static void n_wall_clock_ms(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  double t;
  if (o->wall_clock_ms && o->wall_clock_ms(o->ctx, &t) == 0)
    hw_vm_return_number(c, t);
  else
    hw_vm_return_null(c);
}

static void n_random_bytes(hw_vm_call *c) {
  int ok;
  double n = hw_vm_arg_number(c, 0, &ok, "randomBytes: n");
  if (!ok) return;
  if (!(n >= 0 && n <= HW_MAX_RANDOM) || floor(n) != n) {
    hw_vm_throw_range(c, "randomBytes: n must be an integer in [0, %u]", HW_MAX_RANDOM);
    return;
  }
  uint8_t *out = hw_vm_return_bytes(c, (size_t)n);
  if (!out) return;
  if (n > 0 && ops_of(c)->random_bytes(ops_of(c)->ctx, out, (size_t)n) != 0) {
    memset(out, 0, (size_t)n);
    hw_vm_throw_error(c, "randomBytes: the board's random source failed");
  }
}

static void n_log(hw_vm_call *c) {
  int ok;
  double level = hw_vm_arg_number(c, 0, &ok, "log: level");
  if (!ok) return;
  if (!(level >= 0 && level <= 3) || floor(level) != level) {
    hw_vm_throw_range(c, "log: level must be 0..3");
    return;
  }
  size_t len;
  const char *msg = hw_vm_arg_string(c, 1, &len, "log: message");
  if (!msg) return;
  ops_of(c)->log(ops_of(c)->ctx, (int)level, msg, len > HW_MAX_LOG ? HW_MAX_LOG : len);
}

/* Keys are short identifiers so that every store (a file, a flash page) can hold them as is. */
static int store_key(hw_vm_call *c, const char *name, char key[HW_STORE_KEY_MAX + 1]) {
  size_t len;
  char what[32];
  snprintf(what, sizeof what, "%s: key", name);
  const char *k = hw_vm_arg_string(c, 0, &len, what);
  if (!k) return 0;
  int good = len >= 1 && len <= HW_STORE_KEY_MAX;
  for (size_t i = 0; good && i < len; i++) {
    char ch = k[i];
    good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '_' || ch == '-';
  }
  if (!good) {
    hw_vm_throw_range(c, "%s: key must match [A-Za-z0-9._-]{1,%u}", name, HW_STORE_KEY_MAX);
    return 0;
  }
  memcpy(key, k, len);
  key[len] = 0;
  return 1;
}

static void n_store_get(hw_vm_call *c) {
  char key[HW_STORE_KEY_MAX + 1];
  if (!store_key(c, "storeGet", key)) return;
  char value[HW_STORE_VALUE_MAX];
  long n = ops_of(c)->store_get(ops_of(c)->ctx, key, value, sizeof value);
  if (n < 0)
    hw_vm_return_null(c);
  else if ((size_t)n > sizeof value)
    hw_vm_throw_error(c, "storeGet: stored value for %s is corrupt (too long)", key);
  else
    hw_vm_return_string(c, value, (size_t)n);
}

static void n_store_put(hw_vm_call *c) {
  char key[HW_STORE_KEY_MAX + 1];
  if (!store_key(c, "storePut", key)) return;
  size_t len;
  const char *v = hw_vm_arg_string(c, 1, &len, "storePut: value");
  if (!v) return;
  if (len > HW_STORE_VALUE_MAX) {
    hw_vm_throw_range(c, "storePut: value longer than %u bytes", HW_STORE_VALUE_MAX);
    return;
  }
  if (memchr(v, '\n', len) || memchr(v, 0, len)) {
    hw_vm_throw_range(c, "storePut: value may not contain newlines or NUL");
    return;
  }
  if (ops_of(c)->store_put(ops_of(c)->ctx, key, v, len) != 0)
    hw_vm_throw_error(c, "storePut: the board's store failed to write %s", key);
}

/* (ip, prefix) for netConfigure and tunnelRoute: either family, the prefix in range for it. */
static int ip_prefix_args(hw_vm_call *c, int i, const char *name, hw_ip *ip, int *prefix) {
  size_t len;
  char what[48];
  snprintf(what, sizeof what, "%s: ip", name);
  const char *s = hw_vm_arg_string(c, i, &len, what);
  if (!s) return 0;
  if (hw_ip_parse(s, len, ip) != 0) {
    hw_vm_throw_range(c, "%s: ip must be an IPv4 or IPv6 address", name);
    return 0;
  }
  int ok;
  snprintf(what, sizeof what, "%s: prefix", name);
  double p = hw_vm_arg_number(c, i + 1, &ok, what);
  if (!ok) return 0;
  int bits = hw_ip_bits(ip);
  if (!(p >= 0 && p <= bits) || floor(p) != p) {
    hw_vm_throw_range(c, "%s: prefix must be an integer in [0, %d] for an IPv%d address", name, bits, ip->version);
    return 0;
  }
  *prefix = (int)p;
  return 1;
}

/* netConfigure(listenPort, tunnelIp, prefix[, tunnelIp2, prefix2]): the second address, if
 * given, is of the other family (a tunnel with an IPv4 and an IPv6 address). */
static void n_net_configure(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  int ok;
  double port = hw_vm_arg_number(c, 0, &ok, "netConfigure: listenPort");
  if (!ok) return;
  if (!(port >= 1 && port <= 65535) || floor(port) != port) {
    hw_vm_throw_range(c, "netConfigure: listenPort must be an integer in [1, 65535]");
    return;
  }
  hw_ip ips[2];
  int prefixes[2], n = hw_vm_argc(c) > 3 && !hw_vm_arg_is_nullish(c, 3) ? 2 : 1;
  for (int k = 0; k < n; k++)
    if (!ip_prefix_args(c, 1 + 2 * k, "netConfigure", &ips[k], &prefixes[k])) return;
  if (n == 2 && ips[0].version == ips[1].version) {
    hw_vm_throw_range(c, "netConfigure: the second tunnel address must be of the other family (one IPv4, one IPv6)");
    return;
  }
  if (!o->net_configure || o->net_configure(o->ctx, (uint16_t)port, ips, prefixes, n) != 0)
    hw_vm_throw_error(c, "netConfigure: the network could not be configured (called twice?)");
}

/* tunnelRoute(ip, prefix) */
static void n_tunnel_route(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  hw_ip ip;
  int prefix;
  if (!ip_prefix_args(c, 0, "tunnelRoute", &ip, &prefix)) return;
  if (!o->tunnel_route || o->tunnel_route(o->ctx, &ip, prefix) != 0)
    hw_vm_throw_error(c, "tunnelRoute: route table full or no tunnel");
}

/* wifiJoin(ssid, password) -> false when the board has no Wi-Fi. The credentials were checked by
 * the config parser (ts/app/config.ts); here only what C needs: lengths and no NUL inside. */
static void n_wifi_join(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  size_t slen, plen;
  const char *ssid = hw_vm_arg_string(c, 0, &slen, "wifiJoin: ssid");
  const char *pw = ssid ? hw_vm_arg_string(c, 1, &plen, "wifiJoin: password") : NULL;
  if (!pw) return;
  if (slen < 1 || slen > 32 || memchr(ssid, 0, slen)) {
    hw_vm_throw_range(c, "wifiJoin: ssid must be 1..32 bytes without NUL");
    return;
  }
  if (plen > 64 || memchr(pw, 0, plen)) {
    hw_vm_throw_range(c, "wifiJoin: password must be 0..64 bytes without NUL");
    return;
  }
  char s[33], p[65];
  memcpy(s, ssid, slen);
  s[slen] = 0;
  memcpy(p, pw, plen);
  p[plen] = 0;
  int r = o->wifi_join ? o->wifi_join(o->ctx, s, p) : -1;
  hw_wipe(p, sizeof p);
  hw_vm_return_bool(c, r == 0);
}

/* retainedCapacity() -> bytes (0: this board keeps nothing across a deep sleep). */
static void n_retained_capacity(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  hw_vm_return_number(c, o->retained_capacity ? (double)o->retained_capacity(o->ctx) : 0);
}

/* retainedRead() -> the region's contents (empty: nothing kept). */
static void n_retained_read(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  uint8_t buf[HW_RETAINED_MAX];
  size_t n = o->retained_read ? o->retained_read(o->ctx, buf, sizeof buf) : 0;
  uint8_t *out = hw_vm_return_bytes(c, n > sizeof buf ? sizeof buf : n);
  if (out && n) memcpy(out, buf, n > sizeof buf ? sizeof buf : n);
  hw_wipe(buf, sizeof buf); /* a session record: keys */
}

/* retainedWrite(bytes): replaces the contents, atomically; throws if the board could not. */
static void n_retained_write(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  size_t len;
  const uint8_t *data = hw_vm_arg_bytes(c, 0, &len, "retainedWrite: bytes");
  if (!data) return;
  size_t cap = o->retained_capacity && o->retained_write ? o->retained_capacity(o->ctx) : 0;
  if (cap == 0) {
    hw_vm_throw_error(c, "retainedWrite: this board has no retained region");
    return;
  }
  if (len > cap) {
    hw_vm_throw_range(c, "retainedWrite: %u bytes, the region holds %u", (unsigned)len, (unsigned)cap);
    return;
  }
  if (o->retained_write(o->ctx, data, len) != 0) hw_vm_throw_error(c, "retainedWrite: the board could not write its retained region");
}

/* deepSleep(ms): once the current call into JS returns, the board sleeps ms with RAM off (except
 * the retained region) and boots again. Nothing runs after it: the caller has saved what it keeps. */
static void n_deep_sleep(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  int ok;
  double ms = hw_vm_arg_number(c, 0, &ok, "deepSleep: ms");
  if (!ok) return;
  if (!(ms >= 0 && ms <= HW_SLEEP_MAX_MS) || floor(ms) != ms) {
    hw_vm_throw_range(c, "deepSleep: ms must be an integer in [0, %u]", (unsigned)HW_SLEEP_MAX_MS);
    return;
  }
  if (!o->deep_sleep) {
    hw_vm_throw_error(c, "deepSleep: this board cannot sleep");
    return;
  }
  o->deep_sleep(o->ctx, (uint32_t)ms);
}

/* dnsServer(index, ip): DNS server `index` (from 0) for dnsResolve. */
static void n_dns_server(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  int ok;
  double index = hw_vm_arg_number(c, 0, &ok, "dnsServer: index");
  if (!ok) return;
  if (!(index >= 0 && index <= 15) || floor(index) != index) {
    hw_vm_throw_range(c, "dnsServer: index must be an integer in [0, 15]");
    return;
  }
  hw_ip ip;
  if (host_arg(c, 1, "dnsServer", &ip) != 0) return;
  if (!o->dns_server || o->dns_server(o->ctx, (int)index, &ip) != 0)
    hw_vm_throw_error(c, "dnsServer: this board takes no DNS server %d", (int)index);
}

/* dnsResolve(name, id): starts a lookup; the answer comes later to homewire.onResolved(id, ...).
 * Throws Error with the board's reason when the lookup cannot start. */
static void n_dns_resolve(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  size_t len;
  const char *name = hw_vm_arg_string(c, 0, &len, "dnsResolve: name");
  if (!name) return;
  int good = len >= 1 && len <= HW_MAX_HOST_NAME;
  for (size_t i = 0; good && i < len; i++) {
    char ch = name[i];
    good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
  }
  if (!good) {
    hw_vm_throw_range(c, "dnsResolve: name must be 1..%u letters, digits, '-' and '.'", HW_MAX_HOST_NAME);
    return;
  }
  int ok;
  double id = hw_vm_arg_number(c, 1, &ok, "dnsResolve: id");
  if (!ok) return;
  if (!(id >= 0 && id <= 4294967295.0) || floor(id) != id) {
    hw_vm_throw_range(c, "dnsResolve: id must be an integer in [0, 2^32 - 1]");
    return;
  }
  if (!o->resolve) {
    hw_vm_throw_error(c, "dnsResolve: this board has no DNS client");
    return;
  }
  char text[HW_MAX_HOST_NAME + 1];
  memcpy(text, name, len);
  text[len] = 0;
  const char *why = o->resolve(o->ctx, text, (uint32_t)id);
  if (why) hw_vm_throw_error(c, "dnsResolve: %s", why);
}

/* loadDeferred() -> true when it compiled the app's deferred modules now, false when there was
 * nothing (left) to load. The bundle's require calls it for a module not yet defined. */
static void n_load_deferred(hw_vm_call *c) {
  const hw_board_ops *o = ops_of(c);
  int r = o->load_deferred ? o->load_deferred(o->ctx) : 0;
  if (r < 0)
    hw_vm_throw_error(c, "loadDeferred: the app's deferred modules failed to load (see the error above)");
  else
    hw_vm_return_bool(c, r == 1);
}

int hw_bindings_register_platform(hw_vm *vm, const hw_board_ops *ops) {
  static const struct {
    const char *name;
    hw_vm_native fn;
  } table[] = {
      {"udpSend", n_udp_send},     {"appUdpSend", n_app_udp_send},   {"tunnelDeliver", n_tunnel_deliver},
      {"tunnelDeliverPrefix", n_tunnel_deliver_prefix}, {"sendTransport", n_send_transport},
      {"nowMs", n_now_ms},         {"wallClockMs", n_wall_clock_ms}, {"randomBytes", n_random_bytes},
      {"log", n_log},              {"storeGet", n_store_get},        {"storePut", n_store_put},
      {"netConfigure", n_net_configure}, {"tunnelRoute", n_tunnel_route}, {"wifiJoin", n_wifi_join},
      {"retainedCapacity", n_retained_capacity}, {"retainedRead", n_retained_read},
      {"retainedWrite", n_retained_write}, {"deepSleep", n_deep_sleep},
      {"dnsServer", n_dns_server}, {"dnsResolve", n_dns_resolve}, {"loadDeferred", n_load_deferred},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (hw_vm_register(vm, HW_NATIVES_OBJECT, table[i].name, table[i].fn, (void *)ops) != 0) return -1;
  return 0;
}

/* homewire natives: what ts/platform/natives.d.ts declares, implemented once against vm.h.
 * All natives live on the global object `hw`. Lengths, ranges and types are checked here;
 * misuse throws TypeError/RangeError with a message naming the argument. */
#ifndef HW_BINDINGS_H
#define HW_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "hw_ip.h"
#include "vm.h"

#define HW_NATIVES_OBJECT "hw"

/* Bounds of what JS may hand to C. */
#define HW_MAX_DATAGRAM 1500       /* one outer UDP payload (WireGuard transport: 1420 + 32) */
#define HW_MAX_TUNNEL_PACKET 1420  /* the tunnel netif's MTU */
#define HW_MAX_AEAD_INPUT 65536    /* plaintext / ciphertext / AD bytes per call */
#define HW_MAX_RANDOM 1024         /* bytes per randomBytes call */
#define HW_MAX_LOG 512             /* bytes per log line (longer lines are cut) */
#define HW_STORE_KEY_MAX 32        /* [A-Za-z0-9._-]{1,32} */
#define HW_RETAINED_MAX 256         /* bytes per retained-region write (board.h HW_RETAINED_CAPACITY) */
#define HW_SLEEP_MAX_MS 86400000.0  /* one deep sleep: at most a day */
#define HW_STORE_VALUE_MAX 2048 /* the identity record (key + enrolled config, ts/app/identity.ts) */

/* What a board provides. Every function is required unless marked optional. Addresses are
 * either family (hw_ip.h). */
typedef struct {
  void *ctx;
  /* Outer UDP datagram to `to`:port. Returns 0, or -1 if it could not be queued (a lost
   * packet to the protocol, not an error). */
  int (*udp_send)(void *ctx, const uint8_t *data, size_t len, const hw_ip *to, uint16_t port);
  /* One decrypted inner IP packet into the tunnel netif. Returns 0 or -1 (dropped). */
  int (*tunnel_deliver)(void *ctx, const uint8_t *packet, size_t len);
  /* Optional: the application's UDP datagram from the device's tunnel address. */
  int (*app_udp_send)(void *ctx, const uint8_t *data, size_t len, const hw_ip *to, uint16_t port);
  double (*now_ms)(void *ctx);
  /* Optional: Unix time in ms; returns 0 if known. */
  int (*wall_clock_ms)(void *ctx, double *out);
  /* Fills out with cryptographically secure bytes; returns 0, or -1 (then JS gets an Error). */
  int (*random_bytes)(void *ctx, uint8_t *out, size_t len);
  void (*log)(void *ctx, int level, const char *msg, size_t len);
  /* Copies the value of key into out (cap bytes). Returns its length, or -1 if absent. */
  long (*store_get)(void *ctx, const char *key, char *out, size_t cap);
  /* Durable when it returns 0; -1 on failure (JS gets an Error). */
  int (*store_put)(void *ctx, const char *key, const char *value, size_t len);
  /* Optional: bring the network up once: outer listen port, the tunnel's n (1 or 2) addresses
   * with their prefixes, at most one per family (checked by the native). 0 or -1. */
  int (*net_configure)(void *ctx, uint16_t listen_port, const hw_ip *addresses, const int *prefixes, int n);
  /* Optional: route net/prefix (one of the peer's AllowedIPs) into the tunnel. 0 or -1. */
  int (*tunnel_route)(void *ctx, const hw_ip *net, int prefix);
  /* Optional: join this Wi-Fi network as a station (and keep rejoining). 0, or -1 when the board
   * has no Wi-Fi. The password is a secret: never logged. */
  int (*wifi_join)(void *ctx, const char *ssid, const char *password);
  /* Optional, all four or none (deep sleep, board.h): the retained region's capacity (0 = none),
   * its contents (returns the length), an atomic replacement (0 or -1), and a request to sleep ms
   * once the current JS call has returned (the runtime then calls hw_board_deep_sleep). */
  size_t (*retained_capacity)(void *ctx);
  size_t (*retained_read)(void *ctx, uint8_t *out, size_t cap);
  int (*retained_write)(void *ctx, const uint8_t *data, size_t len);
  void (*deep_sleep)(void *ctx, uint32_t ms);
  /* Optional: DNS server `index` (from 0) for resolve. 0, or -1 (no such slot). */
  int (*dns_server)(void *ctx, int index, const hw_ip *server);
  /* Optional: starts looking name up; the answer reaches JS later, through the runtime's event
   * loop, as homewire.onResolved(id, address | undefined, error | undefined) (runtime.h). Never
   * waits. Returns NULL, or why the lookup could not start (then no answer comes). */
  const char *(*resolve)(void *ctx, const char *name, uint32_t id);
  /* Optional: compile and run the deferred part of the app's source image (runtime.c): 1 done
   * now, 0 nothing (left) to load, -1 failed (reported by the engine). */
  int (*load_deferred)(void *ctx);
} hw_board_ops;

/* Register natives. ops must outlive the VM. Return 0 or -1. */
int hw_bindings_register_crypto(hw_vm *vm);
/* hw.hmacBlake2s (hmac_natives.c); called by hw_bindings_register_crypto. */
int hw_bindings_register_hmac(hw_vm *vm);
int hw_bindings_register_platform(hw_vm *vm, const hw_board_ops *ops);

/* Host names dnsResolve takes: 1..254 characters of letters, digits, '-' and '.' (the config
 * parser checked the name's form fully; this keeps C's side of it to what lwIP can send). */
#define HW_MAX_HOST_NAME 254

#endif

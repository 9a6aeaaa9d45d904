/* The host board: homewire firmware as a Linux process. Its NIC is a TAP device (normally in
 * a network namespace), its store a file, its randomness getrandom(2), its console stdout.
 *
 *   homewire-host --tap hwtap0 --ip 192.168.77.2/24 [--gw 192.168.77.1] [--ip6 fd00:77::2/64] --store state.txt
 *                 --bundle homewire.js|homewire.bin [--heap 524288] [--tick-ms 100] [--status-ms 5000]
 *                 [--run-ms 0] [--wall-clock on|off]   (off: a board without an RTC, as after a power cut)
 *                 [--retained FILE]   the deep-sleep retained region (sleep.c); without it the board has none
 *                 test-only: [--clock-rate N] the board's clock runs N times the host's (long-life and
 *                 expiry tests against a real-time peer); [--test-crash-after-retained-write N] a
 *                 watchdog-like reset right after the Nth retained write since power-on (sleep.c)
 *   homewire-host --compile homewire.js homewire.bin      (Duktape: precompile to bytecode)
 *
 * Its console is stdin/stdout, speaking console protocol 2 (firmware/runtime/console.h): the
 * device key is made on the first boot and kept in the store with the config that `enroll`
 * brings; nothing device-specific is passed on the command line. `reset` re-executes the
 * process with the same arguments (a reboot: clock at zero, store kept).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "bindings.h"
#include "hw_net.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "runtime.h"
#include "sleep.h"
#include "store.h"
#include "tapif.h"
#include "vm.h"

static struct netif tap_netif;
static ip4_addr_t nic_ip, nic_mask, nic_gw;
static hw_ip nic_ip6; /* version 0: the NIC has no IPv6 address */
static struct timespec boot;
static volatile int stop_requested;
static double run_until_ms;
static int no_wall_clock;
static char **boot_argv;
static double clock_rate = 1; /* test-only --clock-rate */
static int console_fd = 0; /* stdin; -1 once it reached its end */

/* ---- board.h --------------------------------------------------------------------------- */

double hw_board_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  double ms = hw_host_clock_ms((double)(t.tv_sec - boot.tv_sec) * 1000.0 + (double)(t.tv_nsec - boot.tv_nsec) / 1e6);
  if (run_until_ms > 0 && ms >= run_until_ms) stop_requested = 1;
  return ms;
}

int hw_board_wall_clock_ms(double *out) {
  struct timespec t;
  if (no_wall_clock) return -1;
  if (clock_gettime(CLOCK_REALTIME, &t) != 0) return -1;
  *out = (double)t.tv_sec * 1000.0 + (double)(t.tv_nsec / 1000000);
  return 0;
}

int hw_board_random(uint8_t *out, size_t len) {
  while (len > 0) {
    ssize_t n = getrandom(out, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    out += n;
    len -= (size_t)n;
  }
  return 0;
}

void hw_board_console(const char *line, size_t len) {
  fwrite(line, 1, len, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

size_t hw_board_console_read(char *out, size_t cap) {
  if (console_fd < 0) return 0;
  struct pollfd pfd = {.fd = console_fd, .events = POLLIN};
  if (poll(&pfd, 1, 0) <= 0) return 0;
  ssize_t n = read(console_fd, out, cap);
  if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) console_fd = -1; /* nobody will type */
  return n > 0 ? (size_t)n : 0;
}

long hw_board_store_get(const char *key, char *out, size_t cap) { return hw_store_get(key, out, cap); }
int hw_board_store_put(const char *key, const char *value, size_t len) { return hw_store_put(key, value, len); }
int hw_board_store_wipe(void) { return hw_store_wipe(); }
/* timeout_ms is on the board's clock (faster than the host's under the test-only --clock-rate). */
void hw_board_poll(uint32_t timeout_ms) {
  hw_tap_poll(&tap_netif, clock_rate > 1 ? (uint32_t)((double)timeout_ms / clock_rate + 0.999) : timeout_ms, console_fd);
}

int hw_board_wifi_join(const char *ssid, const char *password) { /* a wired board */
  (void)ssid;
  (void)password;
  return -1;
}
void hw_board_reset(void) {
  hw_host_sleep_before_reset();
  fflush(stdout);
  execv("/proc/self/exe", boot_argv); /* the TAP fd is close-on-exec */
  fprintf(stderr, "homewire-host: reset: %s\n", strerror(errno));
  _exit(1);
}
int hw_board_net_up(void) {
  if (hw_tap_add_netif(&tap_netif, &nic_ip, &nic_mask, &nic_gw) != 0) return -1;
  return nic_ip6.version ? hw_net_nic_ip6(&tap_netif, &nic_ip6) : 0;
}

/* ---- startup ------------------------------------------------------------------------- */

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static uint8_t *read_file(const char *path, size_t max, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = malloc(max + 1);
  *len = buf ? fread(buf, 1, max + 1, f) : 0;
  fclose(f);
  if (!buf || *len > max) {
    free(buf);
    errno = EFBIG;
    return NULL;
  }
  buf[*len] = 0;
  return buf;
}

static int parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask) {
  char text[32];
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (n >= sizeof text) return -1;
  memcpy(text, s, n);
  text[n] = 0;
  uint8_t b[4];
  if (hw_parse_ip4(text, n, b) != 0) return -1;
  IP4_ADDR(ip, b[0], b[1], b[2], b[3]);
  int prefix = slash ? atoi(slash + 1) : 32;
  if (prefix < 0 || prefix > 32) return -1;
  ip4_addr_set_u32(mask, lwip_htonl(prefix ? 0xffffffffu << (32 - prefix) : 0));
  return 0;
}

/* "fd00:77::2" or "fd00:77::2/64": lwIP takes a static IPv6 address's /64 as on-link, so no
 * other prefix is accepted (it would not mean what it says). */
static int parse_cidr6(const char *s, hw_ip *ip) {
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (slash && strcmp(slash, "/64") != 0) return -1;
  return hw_ip_parse(s, n, ip) == 0 && ip->version == 6 ? 0 : -1;
}

static int usage(const char *why) {
  fprintf(stderr, "homewire-host: %s\nsee boards/host/main.c for the options\n", why);
  return 2;
}

static int compile_mode(const char *in, const char *out) {
  size_t len;
  uint8_t *src = read_file(in, 4 << 20, &len);
  if (!src) return usage("cannot read the source to compile");
  size_t cap = 8u << 20;
  uint8_t *image = malloc(cap);
  hw_vm *vm = hw_vm_create(0, NULL, NULL);
  long n = image && vm ? hw_vm_compile(vm, in, (const char *)src, len, image, cap) : -1;
  FILE *f = n > 0 ? fopen(out, "wb") : NULL;
  int ok = f && fwrite(image, 1, (size_t)n, f) == (size_t)n;
  if (f) ok = (fclose(f) == 0) && ok;
  hw_vm_destroy(vm);
  free(image);
  free(src);
  if (!ok) return usage("compile failed (syntax error, or this engine takes images from its own tool)");
  printf("compiled %s (%zu bytes) -> %s (%ld bytes, %s)\n", in, len, out, n, hw_vm_engine_name());
  return 0;
}

int main(int argc, char **argv) {
  clock_gettime(CLOCK_MONOTONIC, &boot);
  boot_argv = argv;
  if (argc == 4 && strcmp(argv[1], "--compile") == 0) return compile_mode(argv[2], argv[3]);

  const char *tap = NULL, *ip = NULL, *gw = NULL, *ip6 = NULL, *store = NULL, *bundle = NULL, *retained = NULL;
  long crash_after = 0;
  /* 512 KiB: a 64-bit process's engine heap holds twice the pointers a 32-bit board's does. */
  hw_runtime_config rc = {.heap_limit = 512 * 1024, .tick_ms = 100, .status_ms = 0, .stop = &stop_requested};
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return usage("every option takes a value");
    i++;
    if (!strcmp(k, "--tap")) tap = v;
    else if (!strcmp(k, "--ip")) ip = v;
    else if (!strcmp(k, "--gw")) gw = v;
    else if (!strcmp(k, "--ip6")) ip6 = v;
    else if (!strcmp(k, "--store")) store = v;
    else if (!strcmp(k, "--bundle")) bundle = v;
    else if (!strcmp(k, "--heap")) rc.heap_limit = strtoul(v, NULL, 10);
    else if (!strcmp(k, "--tick-ms")) rc.tick_ms = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--status-ms")) rc.status_ms = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--run-ms")) run_until_ms = strtod(v, NULL);
    else if (!strcmp(k, "--retained")) retained = v;
    else if (!strcmp(k, "--clock-rate")) {
      clock_rate = strtod(v, NULL);
      if (!(clock_rate >= 1 && clock_rate <= 1000)) return usage("--clock-rate takes a number in 1..1000");
    } else if (!strcmp(k, "--test-crash-after-retained-write")) {
      crash_after = strtol(v, NULL, 10);
      if (crash_after < 1) return usage("--test-crash-after-retained-write takes a count >= 1");
    }
    else if (!strcmp(k, "--wall-clock")) {
      if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) return usage("--wall-clock takes on or off");
      no_wall_clock = !strcmp(v, "off");
    }
    else return usage("unknown option");
  }
  if (!tap || !ip || !store || !bundle) return usage("--tap, --ip, --store and --bundle are required");
  if (rc.tick_ms == 0) rc.tick_ms = 100;
  hw_host_sleep_setup(retained, clock_rate, crash_after, argv, &stop_requested);

  size_t image_len;
  uint8_t *image = read_file(bundle, 4 << 20, &image_len);
  if (!image) return usage("cannot read the bundle");
  /* Precompiled images announce themselves (Duktape bytecode 0xbf, JerryScript "JRRY"). */
  rc.image_is_source = !(image_len > 0 && (image[0] == 0xbf || (image_len >= 4 && !memcmp(image, "JRRY", 4))));
  rc.image = image;
  rc.image_len = image_len;
  if (hw_store_open(store) != 0) return usage("store path too long");

  static const uint8_t mac[6] = {0x02, 0x68, 0x77, 0x00, 0x00, 0x02};
  if (hw_tap_open(tap, mac) != 0) {
    fprintf(stderr, "homewire-host: cannot open TAP %s: %s\n", tap, strerror(errno));
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  /* The runtime initialises lwIP, then calls hw_board_net_up to add this NIC. */
  if (parse_cidr(ip, &nic_ip, &nic_mask) != 0) return usage("--ip must be A.B.C.D/prefix");
  ip4_addr_set_zero(&nic_gw);
  if (gw) {
    ip4_addr_t unused;
    if (parse_cidr(gw, &nic_gw, &unused) != 0) return usage("--gw must be A.B.C.D");
  }
  if (ip6 && parse_cidr6(ip6, &nic_ip6) != 0) return usage("--ip6 must be an IPv6 address, optionally with /64");
  printf("[board] host: tap %s, ip %s%s%s, engine %s, bundle %s (%zu bytes, %s)\n", tap, ip, ip6 ? ", ip6 " : "", ip6 ? ip6 : "",
         hw_vm_engine_name(), bundle, image_len, rc.image_is_source ? "source" : "precompiled");
  if (clock_rate != 1) printf("[board] TEST ONLY: the clock runs %g times the host's\n", clock_rate);
  fflush(stdout);
  int r = hw_runtime_run(&rc);
  free(image);
  return r;
}

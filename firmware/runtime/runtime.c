/* The event loop shared by every board. See runtime.h and port.h. */
#include "runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bindings.h"
#include "board.h"
#include "console.h"
#include "hw_net.h"
#include "lwip/pbuf.h"
#include "port.h"
#include "vm.h"

#if NO_SYS
/* lwIP's clock (NO_SYS): the board's monotonic milliseconds, wrapping at 2^32 as lwIP expects.
 * An RTOS port of lwIP brings its own. */
u32_t sys_now(void) { return (u32_t)(uint64_t)hw_board_now_ms(); }

/* lwIP's LWIP_RAND (arch/cc.h): DNS ids and ports, MLD delays, from the board's RNG. */
uint32_t hw_lwip_rand(void) {
  uint8_t b[4] = {0};
  hw_board_random(b, sizeof b);
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
#endif

/* ---- the event queue: filled from inside lwIP, drained by the loop into JS -------------
 * Producers are lwIP callbacks; they run with lwIP's core held (the tcpip thread, or this
 * task inside an HW_LOCK'd call), so HW_LOCK also guards the queue. */

enum { EV_DATAGRAM, EV_TUNNEL_PACKET };

typedef struct {
  int kind;
  struct pbuf *p;
  hw_ip from;
  uint16_t port;
} event;

static event queue[HW_EVENT_QUEUE];
static unsigned q_head, q_len;
static uint32_t q_dropped;

static int enqueue(int kind, struct pbuf *p, const hw_ip *from, uint16_t port) {
  if (q_len == HW_EVENT_QUEUE) {
    q_dropped++;
    return -1;
  }
  unsigned at = (q_head + q_len++) % HW_EVENT_QUEUE;
  queue[at].kind = kind;
  queue[at].p = p;
  if (from) queue[at].from = *from;
  queue[at].port = port;
  return 0;
}

static void on_outer_datagram(void *ctx, struct pbuf *p, const hw_ip *from, uint16_t port) {
  (void)ctx;
  if (enqueue(EV_DATAGRAM, p, from, port) != 0) pbuf_free(p);
  else hw_port_wake();
}

static void on_tunnel_output(void *ctx, struct pbuf *p) {
  (void)ctx;
  pbuf_ref(p); /* lwIP frees its reference when output returns */
  if (enqueue(EV_TUNNEL_PACKET, p, NULL, 0) != 0) pbuf_free(p);
  else hw_port_wake();
}

/* ---- DNS answers ------------------------------------------------------------------------
 * One lookup at a time (the app's NamedEndpoint starts the next only after the last ended or
 * timed out): its answer waits in one slot, never in the packet queue, so a flood cannot push
 * it out, and the loop hands it to JS between events. An answer to an earlier lookup (lwIP
 * still finishing one the app gave up on) is not the current one's and is dropped. */

static struct {
  uint32_t id;       /* the current lookup */
  double started_ms; /* when it started (the failure text tells a quick answer from silence) */
  int ready;         /* its answer is here */
  int found;
  hw_ip address;
  double elapsed_ms;
} lookup;

static void on_resolved(void *ctx, uint32_t id, const hw_ip *address) {
  (void)ctx;
  if (id != lookup.id || lookup.ready) return;
  lookup.ready = 1;
  lookup.found = address != NULL;
  if (address) lookup.address = *address;
  lookup.elapsed_ms = hw_board_now_ms() - lookup.started_ms;
  hw_port_wake();
}

/* ---- waiting for work (port.h) ------------------------------------------------------- */

#if NO_SYS
#include "lwip/timeouts.h"

int hw_port_init(void) { return 0; }
void hw_port_wake(void) {}
void hw_port_wait(uint32_t ms) {
  uint32_t timers = sys_timeouts_sleeptime();
  hw_board_poll(ms < timers ? ms : timers);
  sys_check_timeouts();
}
#else
#include "lwip/sys.h"

static sys_sem_t wake_sem; /* binary: wakes coalesce, a stale one costs one empty turn */

int hw_port_init(void) { return sys_sem_valid(&wake_sem) || sys_sem_new(&wake_sem, 0) == ERR_OK ? 0 : -1; }
void hw_port_wake(void) { sys_sem_signal(&wake_sem); }
void hw_port_wait(uint32_t ms) {
  if (ms) sys_arch_sem_wait(&wake_sem, ms); /* lwIP reads 0 as "forever" */
}
#endif

void hw_runtime_wake(void) { hw_port_wake(); }

static volatile int network_changed;
void hw_runtime_network_changed(void) {
  network_changed = 1;
  hw_port_wake();
}

/* ---- deferred modules -----------------------------------------------------------------
 * A source image (Duktape) may end in modules the app loads only when a board needs them
 * (scripts/bundle.ts puts them after HW_DEFERRED_MARK). The boot compiles the image up to the
 * mark; the rest is compiled at the app's first hw.loadDeferred(), from the image where it lies,
 * so a board that never needs those modules never holds them in its engine heap. An image the
 * engine runs whole (a JerryScript snapshot) has defined them already. */

#define HW_DEFERRED_MARK "\n//@homewire-deferred\n"

static hw_vm *deferred_vm;
static const char *deferred;
static size_t deferred_len;

/* Where the deferred part of a source image starts (after the mark), or len if it has none. */
static size_t deferred_start(const char *src, size_t len) {
  size_t m = sizeof HW_DEFERRED_MARK - 1;
  for (size_t i = 0; i + m <= len; i++)
    if (src[i] == '\n' && memcmp(src + i, HW_DEFERRED_MARK, m) == 0) return i + m;
  return len;
}

/* 1: compiled and ran the deferred part now; 0: nothing (left) to load; -1: it failed (the
 * engine reported why). */
static int op_load_deferred(void *ctx) {
  (void)ctx;
  if (!deferred || !deferred_vm) return 0;
  const char *src = deferred;
  deferred = NULL; /* once, whatever happens */
  hw_vm_gc(deferred_vm); /* the compiler needs room: what booting left behind goes first */
  return hw_vm_run_source(deferred_vm, "homewire-deferred.js", src, deferred_len) == 0 ? 1 : -1;
}

/* ---- the natives' view of the board ---------------------------------------------------- */

static int op_udp_send(void *ctx, const uint8_t *d, size_t len, const hw_ip *to, uint16_t port) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_outer_send(d, len, to, port);
  HW_UNLOCK();
  return r;
}
static int op_tunnel_deliver(void *ctx, const uint8_t *p, size_t len) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_tunnel_input(p, len);
  HW_UNLOCK();
  return r;
}
static int op_app_send(void *ctx, const uint8_t *d, size_t len, const hw_ip *to, uint16_t port) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_app_send(d, len, to, port);
  HW_UNLOCK();
  return r;
}
static double op_now(void *ctx) {
  (void)ctx;
  return hw_board_now_ms();
}
static int op_wall(void *ctx, double *out) {
  (void)ctx;
  return hw_board_wall_clock_ms(out);
}
static int op_random(void *ctx, uint8_t *out, size_t len) {
  (void)ctx;
  return hw_board_random(out, len);
}
static void op_log(void *ctx, int level, const char *msg, size_t len) {
  (void)ctx;
  static const char *names[] = {"error", "warn", "info", "debug"};
  char line[HW_MAX_LOG + 16];
  int n = snprintf(line, sizeof line, "[%s] %.*s", names[level & 3], (int)len, msg);
  hw_board_console(line, n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n);
}
static long op_get(void *ctx, const char *key, char *out, size_t cap) {
  (void)ctx;
  return hw_board_store_get(key, out, cap);
}
static int op_put(void *ctx, const char *key, const char *value, size_t len) {
  (void)ctx;
  return hw_board_store_put(key, value, len);
}
static int op_configure(void *ctx, uint16_t port, const hw_ip *addresses, const int *prefixes, int n) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_configure(port, addresses, prefixes, n);
  HW_UNLOCK();
  return r;
}
static int op_route(void *ctx, const hw_ip *net, int prefix) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_add_route(net, prefix);
  HW_UNLOCK();
  return r;
}
static int op_dns_server(void *ctx, int index, const hw_ip *server) {
  (void)ctx;
  HW_LOCK();
  int r = hw_net_dns_server(index, server);
  HW_UNLOCK();
  return r;
}
static const char *op_resolve(void *ctx, const char *name, uint32_t id) {
  (void)ctx;
  HW_LOCK();
  lookup.id = id; /* before lwIP may answer (from its cache, inside hw_net_resolve) */
  lookup.ready = 0;
  lookup.started_ms = hw_board_now_ms();
  const char *why = hw_net_resolve(name, id);
  HW_UNLOCK();
  return why;
}

static int op_wifi_join(void *ctx, const char *ssid, const char *password) {
  (void)ctx;
  return hw_board_wifi_join(ssid, password);
}

static size_t op_retained_capacity(void *ctx) {
  (void)ctx;
  size_t n = hw_board_retained_capacity();
  return n > HW_RETAINED_MAX ? HW_RETAINED_MAX : n;
}
static size_t op_retained_read(void *ctx, uint8_t *out, size_t cap) {
  (void)ctx;
  return hw_board_retained_read(out, cap);
}
static int op_retained_write(void *ctx, const uint8_t *data, size_t len) {
  (void)ctx;
  return hw_board_retained_write(data, len);
}
/* A deep sleep is requested from inside JS but taken by the loop, once the call has returned:
 * the engine is never left in the middle of a call. -1 = none requested. */
static double sleep_request = -1;
static void op_deep_sleep(void *ctx, uint32_t ms) {
  (void)ctx;
  sleep_request = ms;
}

static const hw_board_ops board_ops = {
    .udp_send = op_udp_send,   .tunnel_deliver = op_tunnel_deliver, .app_udp_send = op_app_send,
    .now_ms = op_now,          .wall_clock_ms = op_wall,            .random_bytes = op_random,
    .log = op_log,             .store_get = op_get,                 .store_put = op_put,
    .net_configure = op_configure, .tunnel_route = op_route,   .wifi_join = op_wifi_join,
    .retained_capacity = op_retained_capacity, .retained_read = op_retained_read,
    .retained_write = op_retained_write, .deep_sleep = op_deep_sleep,
    .dns_server = op_dns_server, .resolve = op_resolve, .load_deferred = op_load_deferred,
};


static void report(void *ctx, const char *message) {
  (void)ctx;
  char line[600];
  int n = snprintf(line, sizeof line, "[js-error] %s", message);
  hw_board_console(line, n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n);
}

static void print_status(hw_vm *vm, const char *what) {
  hw_vm_heap h;
  hw_vm_heap_stats(vm, &h);
  HW_LOCK(); /* the counters move in lwIP's thread */
  hw_net_counters counters = *hw_net_counters_get();
  unsigned dropped = (unsigned)q_dropped;
  HW_UNLOCK();
  const hw_net_counters *c = &counters;
  hw_console_printf("[%s] engine=%s heap-current=%zu heap-peak=%zu heap-limit=%zu outer-rx=%u outer-tx=%u "
                    "tunnel-in=%u tunnel-out=%u app-tx=%u queue-drops=%u",
                    what, hw_vm_engine_name(), h.current, h.peak, h.limit, (unsigned)c->outer_rx,
                    (unsigned)c->outer_tx, (unsigned)c->tunnel_in, (unsigned)c->tunnel_out, (unsigned)c->app_tx,
                    dropped);
}

void hw_runtime_status(hw_vm *vm, const char *tag) { print_status(vm, tag); }

/* The oldest event, its packet flattened into buf and the pbuf released (under the lock: the
 * pbuf is lwIP's). Returns 0 when the queue is empty. */
static int dequeue(event *ev, uint8_t *buf, size_t cap, size_t *len) {
  HW_LOCK();
  int got = q_len > 0;
  if (got) {
    *ev = queue[q_head];
    queue[q_head].p = NULL;
    q_head = (q_head + 1) % HW_EVENT_QUEUE;
    q_len--;
    *len = ev->p->tot_len;
    if (*len <= cap) pbuf_copy_partial(ev->p, buf, (u16_t)*len, 0);
    pbuf_free(ev->p);
    ev->p = NULL;
  }
  HW_UNLOCK();
  return got;
}

/* One event into JS, outside the lock: JS calls back into natives that take it. */
static void dispatch(hw_vm *vm, const event *ev, uint8_t *buf, size_t len) {
  if (ev->kind == EV_DATAGRAM) {
    char host[HW_IP_TEXT_MAX]; /* formatIp's text: the core compares hosts as strings */
    hw_ip_format(&ev->from, host);
    hw_vm_arg args[3] = {{.kind = HW_ARG_BYTES, .bytes = buf, .len = len},
                         {.kind = HW_ARG_STRING, .string = host, .repeats = 1},
                         {.kind = HW_ARG_NUMBER, .number = ev->port}};
    hw_vm_call_global(vm, HW_JS_DATAGRAM, 3, args);
  } else {
    hw_vm_arg arg = {.kind = HW_ARG_BYTES, .bytes = buf, .len = len};
    hw_vm_call_global(vm, HW_JS_TUNNEL_PACKET, 1, &arg);
  }
}

/* The current lookup's answer into JS: homewire.onResolved(id, address | undefined, error |
 * undefined). lwIP says only that it found nothing; the time it took tells a server that
 * answered (at once) from one that did not (lwIP retries for seconds before it gives up). */
static void deliver_lookup(hw_vm *vm) {
  HW_LOCK();
  int ready = lookup.ready;
  uint32_t id = lookup.id;
  int found = lookup.found;
  hw_ip address = lookup.address;
  double elapsed = lookup.elapsed_ms;
  if (ready) { /* answered: no second answer to it is taken (ids start at 1) */
    lookup.ready = 0;
    lookup.id = 0;
  }
  HW_UNLOCK();
  if (!ready) return;
  char host[HW_IP_TEXT_MAX], error[96];
  hw_vm_arg args[3] = {{.kind = HW_ARG_NUMBER, .number = id}, {.kind = HW_ARG_UNDEFINED}, {.kind = HW_ARG_UNDEFINED}};
  if (found) {
    hw_ip_format(&address, host);
    args[1] = (hw_vm_arg){.kind = HW_ARG_STRING, .string = host};
  } else {
    if (elapsed < 1000)
      snprintf(error, sizeof error, "the DNS server answered with no usable address (no such name, or a malformed record)");
    else
      snprintf(error, sizeof error, "no usable answer from the DNS server(s) in %u ms", (unsigned)elapsed);
    args[2] = (hw_vm_arg){.kind = HW_ARG_STRING, .string = error};
  }
  hw_vm_call_global(vm, HW_JS_RESOLVED, 3, args);
}

static unsigned pending(void) {
  HW_LOCK();
  unsigned n = q_len + (unsigned)lookup.ready;
  HW_UNLOCK();
  return n;
}

/* Drops what is still queued (the app has stopped: nobody will take it). */
static void release_queue(void) {
  HW_LOCK();
  while (q_len) {
    pbuf_free(queue[q_head].p);
    q_head = (q_head + 1) % HW_EVENT_QUEUE;
    q_len--;
  }
  HW_UNLOCK();
}

/* The app asked to sleep: the last status line (heap, counters), then the board powers down.
 * Nothing queued is kept (the radio is off while asleep). */
static void take_sleep(hw_console *con) {
  uint32_t ms = (uint32_t)sleep_request;
  print_status(con->vm, "sleep");
  hw_console_printf("[board] deep sleep %lu ms", (unsigned long)ms);
  release_queue();
  hw_board_deep_sleep(ms);
}

void hw_runtime_stop(hw_console *con) {
  if (!con->vm) return;
  print_status(con->vm, "exit");
  deferred_vm = NULL;
  hw_vm_destroy(con->vm);
  con->vm = NULL;
  con->stopped = 1;
  release_queue();
}

/* Boot: the device's identity (its key is made here on a first boot), then the app if the
 * device is enrolled. Returns 1 if the tunnel app runs. */
static int boot_app(hw_console *con) {
  char text[200];
  int r = hw_vm_call_global_text(con->vm, HW_JS_IDENTITY, 0, NULL, text, sizeof text);
  char *pub = strchr(text, ' ');
  if (r != 0 || !pub) {
    hw_console_printf("[board] identity error: %s (wipe-store starts over with a new key)", r == 0 ? "bad answer" : text);
    hw_runtime_stop(con);
    return 0;
  }
  *pub++ = 0;
  hw_console_printf("[board] public-key %s", pub);
  if (strcmp(text, "enrolled") != 0) {
    hw_console_printf("[board] not enrolled");
    return 0;
  }
  hw_console_printf("[board] enrolled");
  if (hw_vm_call_global_text(con->vm, HW_JS_MAIN, 0, NULL, text, sizeof text) != 0) {
    /* The console stays up: the device can be enrolled again. */
    hw_console_printf("[runtime] the application failed to start: %s", text);
    return 0;
  }
  return 1;
}

int hw_runtime_run(const hw_runtime_config *cfg) {
  static hw_console con; /* the line buffer is large: not on the stack */
  memset(&con, 0, sizeof con);
  hw_console_printf(HW_CONSOLE_READY);
  hw_net_handlers handlers = {on_outer_datagram, on_tunnel_output, on_resolved, NULL};
  if (hw_port_init() != 0) {
    hw_console_printf("[runtime] the runtime's wake-up semaphore could not be made");
    return 2;
  }
  HW_LOCK();
  hw_net_init(&handlers);
  HW_UNLOCK();
  if (hw_board_net_up() != 0) {
    hw_console_printf("[runtime] the board's NIC could not be added");
    return 2;
  }
  hw_vm *vm = hw_vm_create(cfg->heap_limit, report, NULL);
  if (!vm) {
    hw_console_printf("[runtime] engine heap could not be created");
    return 2;
  }
  /* An image's own strings go first (JerryScript: before any native's name exists). */
  if (!cfg->image_is_source && hw_vm_prepare_image(vm, cfg->image, cfg->image_len) != 0) {
    hw_console_printf("[runtime] the app image was refused");
    hw_vm_destroy(vm);
    return 3;
  }
  if (hw_bindings_register_crypto(vm) != 0 || hw_bindings_register_platform(vm, &board_ops) != 0) {
    hw_console_printf("[runtime] natives could not be registered");
    return 2;
  }
  int r;
  if (cfg->image_is_source) {
    size_t split = deferred_start((const char *)cfg->image, cfg->image_len);
    deferred_vm = vm;
    deferred = split < cfg->image_len ? (const char *)cfg->image + split : NULL;
    deferred_len = cfg->image_len - split;
    r = hw_vm_run_source(vm, "homewire.js", (const char *)cfg->image, split);
  } else {
    r = hw_vm_run_image(vm, cfg->image, cfg->image_len);
  }
  if (r != 0) {
    hw_console_printf("[runtime] the app image failed to load");
    hw_vm_destroy(vm);
    return 3;
  }
  con.vm = vm;
  int started = boot_app(&con);
  if (started) {
    hw_vm_gc(vm); /* drop what compiling and loading left behind before measuring */
    print_status(vm, "started");
  }

  double now = hw_board_now_ms();
  double next_tick = now + cfg->tick_ms;
  double next_status = cfg->status_ms ? now + cfg->status_ms : -1;
  static uint8_t packet[1536];
  while (!*cfg->stop) {
    now = hw_board_now_ms();
    double until_tick = next_tick - now;
    uint32_t wait = until_tick <= 0 ? 0 : until_tick > 1000 ? 1000 : (uint32_t)until_tick;
    hw_port_wait(pending() ? 0 : wait);
    hw_console_poll(&con);
    if (!con.vm) { /* stopped: only the console is served */
      release_queue();
      continue;
    }

    /* Bounded per turn so that a flood cannot starve the tick or the NIC. */
    event ev;
    size_t len = 0;
    for (int n = 0; n < 2 * HW_EVENT_QUEUE && dequeue(&ev, packet, sizeof packet, &len); n++)
      if (len <= sizeof packet) dispatch(con.vm, &ev, packet, len); /* larger than any datagram we accept: dropped */

    if (sleep_request >= 0) take_sleep(&con);
    if (started) deliver_lookup(con.vm);

    if (network_changed) {
      network_changed = 0;
      if (started) hw_vm_call_global(con.vm, HW_JS_NETWORK_CHANGED, 0, NULL);
    }
    now = hw_board_now_ms();
    if (now >= next_tick) {
      if (started) hw_vm_call_global(con.vm, HW_JS_TICK, 0, NULL);
      next_tick = now + cfg->tick_ms;
      if (sleep_request >= 0) take_sleep(&con);
    }
    if (started && next_status >= 0 && now >= next_status) {
      print_status(con.vm, "status");
      next_status = now + cfg->status_ms;
    }
  }
  release_queue();
  hw_runtime_stop(&con);
  return 0;
}

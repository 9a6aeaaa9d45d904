/* The firmware event loop: NIC -> lwIP -> queued events -> JS, and the JS tick. JS is only
 * ever entered from this loop, never from inside lwIP. On NO_SYS boards the loop also polls the
 * NIC and runs lwIP's timers; on an RTOS it runs in its own task beside lwIP's (port.h). */
#ifndef HW_RUNTIME_H
#define HW_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *image; /* the app bundle: JS source, or the engine's precompiled form */
  size_t image_len;
  int image_is_source;
  size_t heap_limit;       /* engine heap ceiling in bytes */
  uint32_t tick_ms;        /* how often hwTick runs */
  uint32_t status_ms;      /* how often a status line (heap, counters) is printed; 0 = never */
  volatile int *stop;      /* the loop ends when *stop becomes non-zero */
} hw_runtime_config;

/* JS entry points: members of the global `homewire` the bundle defines (ts/app/firmware-main.ts).
 * Everything device-specific (key, config, app options) is in the store, never passed in. */
#define HW_JS_IDENTITY "homewire.identity"         /* () -> "enrolled <pub>" | "not-enrolled <pub>" */
#define HW_JS_MAIN "homewire.main"                 /* () starts the tunnel and the app */
#define HW_JS_DATAGRAM "homewire.onDatagram"       /* (bytes, host, port) */
#define HW_JS_TUNNEL_PACKET "homewire.onTunnelPacket" /* (bytes) */
#define HW_JS_TICK "homewire.tick"                 /* () */
#define HW_JS_NETWORK_CHANGED "homewire.onNetworkChange" /* () the board's own address changed */
#define HW_JS_RESOLVED "homewire.onResolved"       /* (id, address | undefined, error | undefined): hw.dnsResolve's answer */

#define HW_EVENT_QUEUE 32

/* Runs until *stop: the boot lines and commands of console protocol 2 (console.h), the app
 * when the device is enrolled. Returns 0 on a clean stop, non-zero if the board or the app
 * image could not be brought up. */
int hw_runtime_run(const hw_runtime_config *cfg);
/* Wakes the loop early (e.g. console input arrived); any thread or task. On NO_SYS boards the
 * loop is never asleep outside hw_board_poll, so this does nothing there. */
void hw_runtime_wake(void);
/* The board's outer address changed (e.g. Wi-Fi came back with a new lease): the core starts a
 * new handshake from the new address. Any thread or task. */
void hw_runtime_network_changed(void);

#endif

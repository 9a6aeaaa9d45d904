/* How the runtime shares lwIP with the rest of the system. Chosen by lwIP's own NO_SYS:
 *
 * NO_SYS boards (host, QEMU): one loop does everything. The lock is nothing; waiting means
 *   polling the board's NIC (hw_board_poll) and running lwIP's due timers.
 * RTOS boards (ESP-IDF): lwIP runs in its tcpip thread with LWIP_TCPIP_CORE_LOCKING, the
 *   runtime (and so the JS engine) in a task of its own. Every lwIP call the runtime makes
 *   holds the core lock; lwIP's callbacks into the runtime run with it held too (tcpip thread)
 *   and only enqueue, then wake the runtime's task, which waits on an lwIP semaphore. */
#ifndef HW_RUNTIME_PORT_H
#define HW_RUNTIME_PORT_H

#include <stdint.h>

#include "lwip/opt.h"

#if NO_SYS
#define HW_LOCK() ((void)0)
#define HW_UNLOCK() ((void)0)
#else
#include "lwip/tcpip.h"
#if !LWIP_TCPIP_CORE_LOCKING
#error "homewire on an RTOS needs lwIP's core lock (LWIP_TCPIP_CORE_LOCKING; ESP-IDF: CONFIG_LWIP_TCPIP_CORE_LOCKING=y)"
#endif
#define HW_LOCK() LOCK_TCPIP_CORE()
#define HW_UNLOCK() UNLOCK_TCPIP_CORE()
#endif

/* Once, before anything may call hw_port_wake. 0 or -1. */
int hw_port_init(void);
/* Blocks the runtime for at most ms (0: not at all) or until hw_port_wake. */
void hw_port_wait(uint32_t ms);
/* Ends a hw_port_wait early; any thread. */
void hw_port_wake(void);

#endif

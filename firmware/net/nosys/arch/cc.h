/* lwIP compiler/platform glue for homewire boards (hosted or freestanding C99). */
#ifndef HW_LWIP_ARCH_CC_H
#define HW_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

/* Diagnostics go to the board console; an assertion is a firmware bug, so stop loudly. */
#define LWIP_PLATFORM_DIAG(x) \
  do {                        \
    printf x;                 \
  } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                    \
  do {                                                                             \
    printf("lwip assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__);     \
    fflush(stdout);                                                                \
    abort();                                                                       \
  } while (0)

#define LWIP_NO_CTYPE_H 0

/* Random numbers for lwIP (DNS transaction ids and source ports, MLD report delays): the board's
 * RNG, through the runtime (firmware/runtime/runtime.c). */
#include <stdint.h>
uint32_t hw_lwip_rand(void);
#define LWIP_RAND() hw_lwip_rand()

#endif

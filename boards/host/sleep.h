/* Deep sleep on the host board (sleep.c): the retained region is a file, a sleep is an exec. */
#ifndef HW_HOST_SLEEP_H
#define HW_HOST_SLEEP_H

/* Once at boot. retained: the region's file (NULL: the board has none). clock_rate: the board's
 * clock runs this many times faster than the host's (test-only, 1 in production). crash_after: a
 * test fault, 0 = off: right after the Nth retained-region write since power-on the board resets
 * the way a watchdog does (clock and region kept), once. stop: set by SIGTERM (power off). */
void hw_host_sleep_setup(const char *retained, double clock_rate, long crash_after, char **argv, volatile int *stop);
/* The board's clock given the host's monotonic milliseconds since this process started. */
double hw_host_clock_ms(double host_elapsed_ms);
/* Before a reset's exec: what one power-on carries across its boots (the fault's count). */
void hw_host_sleep_before_reset(void);

#endif

/* Time from the TSC: frequency from CPUID 0x15 when the CPU states it,
 * else calibrated against the PIT (channel 2), else CPUID 0x16. */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stdint.h>

void timer_init(void);
uint64_t timer_tsc_hz(void);
/* Nanoseconds since timer_init. */
uint64_t timer_now_ns(void);
void timer_udelay(uint64_t us);
/* How the frequency was found ("cpuid 0x15", "pit", ...). */
const char *timer_source(void);

#endif

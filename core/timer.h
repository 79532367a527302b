/*
 * Time from the TSC. Its rate comes from the first of these that answers,
 * lies in 100 MHz..10 GHz and agrees (10% above, 50% below: a Stall() can
 * only overrun) with the rate the loader measured with the firmware's
 * Stall() before ExitBootServices:
 *   CPUID 0x15 (the crystal from CPUID 0x16 where 0x15 leaves it out),
 *   the ACPI PM timer (FADT), the HPET, the 8254 PIT (channel 2; many
 *   chipsets gate it off, so every wait is bounded by time),
 * else the loader's rate itself, else a 2 GHz guess. `info` shows which.
 */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stdint.h>

/* After acpi_init (the PM timer and HPET come from ACPI). firmware_tsc_hz:
 * the loader's measurement, 0 if none. */
void timer_init(uint64_t firmware_tsc_hz);
uint64_t timer_tsc_hz(void);
/* Nanoseconds since timer_init. */
uint64_t timer_now_ns(void);
void timer_udelay(uint64_t us);
/* How the frequency was found ("cpuid 0x15", "acpi pm timer", ...). */
const char *timer_source(void);
/* The `info` lines: rate, source, the loader's rate, sources not used. */
void timer_print_info(void);

#endif

/* TSC-based time (see core/timer.h). */
#include <stdint.h>

#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"

#define PIT_HZ 1193182ull
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61 /* bit 0 gate ch2, bit 1 speaker, bit 5 ch2 output */

static uint64_t tsc_hz, tsc_start;
static const char *source = "none";

/* TSC ticks during `ms` milliseconds of PIT channel 2 counting down in
 * one-shot mode, or 0 when the PIT does not respond. */
static uint64_t pit_calibrate(uint32_t ms)
{
	uint32_t count = (uint32_t)(PIT_HZ * ms / 1000);
	if (count > 0xffff)
		return 0;
	uint8_t gate = inb(PIT_GATE);
	outb(PIT_GATE, (gate & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xB0);                   /* ch2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* mode 0 restarts counting on the gate's rising edge: toggle it */
	outb(PIT_GATE, inb(PIT_GATE) & ~0x01);
	outb(PIT_GATE, inb(PIT_GATE) | 0x01);
	uint64_t t0 = rdtsc(), limit = 0;
	/* give up after ~10x the expected time at 10 GHz-ish worst case */
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++limit > 50000000ull) {
			outb(PIT_GATE, gate);
			return 0;
		}
	}
	uint64_t t1 = rdtsc();
	outb(PIT_GATE, gate);
	return t1 - t0;
}

void timer_init(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	uint32_t max = r[0];
	tsc_start = rdtsc();
	if (max >= 0x15) {
		cpuid(0x15, 0, r); /* TSC/crystal ratio = ebx/eax, crystal Hz = ecx */
		if (r[0] && r[1] && r[2]) {
			tsc_hz = (uint64_t)r[2] * r[1] / r[0];
			source = "cpuid 0x15";
		}
	}
	if (!tsc_hz) {
		/* best of three 20 ms windows: the shortest is the least disturbed */
		uint64_t best = 0;
		for (int i = 0; i < 3; i++) {
			uint64_t t = pit_calibrate(20);
			if (t && (!best || t < best))
				best = t;
		}
		if (best) {
			tsc_hz = best * 1000 / 20;
			source = "pit";
		}
	}
	if (!tsc_hz && max >= 0x16) {
		cpuid(0x16, 0, r); /* base frequency, MHz */
		if (r[0]) {
			tsc_hz = (uint64_t)r[0] * 1000000;
			source = "cpuid 0x16";
		}
	}
	if (!tsc_hz) {
		tsc_hz = 2000000000ull;
		source = "guess (2 GHz)";
	}
}

uint64_t timer_tsc_hz(void)
{
	return tsc_hz;
}

const char *timer_source(void)
{
	return source;
}

uint64_t timer_now_ns(void)
{
	if (!tsc_hz)
		return 0;
	uint64_t d = rdtsc() - tsc_start;
	/* split to avoid overflow of d * 1e9 */
	return d / tsc_hz * 1000000000ull + (d % tsc_hz) * 1000000000ull / tsc_hz;
}

void timer_udelay(uint64_t us)
{
	uint64_t hz = tsc_hz ? tsc_hz : 2000000000ull;
	uint64_t end = rdtsc() + us * (hz / 1000000);
	while ((int64_t)(rdtsc() - end) < 0)
		cpu_pause();
}

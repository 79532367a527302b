/* TSC-based time (see core/timer.h). */
#include <stdint.h>
#include <stdio.h>

#include "core/acpi_hw.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"
#include "mm/vmm.h"

#define PIT_HZ 1193182ull
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61 /* bit 0 gate ch2, bit 1 speaker, bit 5 ch2 output */

#define HPET_CAP 0x00   /* bits 63:32 counter period (fs), bit 13 64-bit counter */
#define HPET_CONF 0x10  /* bit 0: main counter runs */
#define HPET_COUNT 0xF0
#define HPET_MAX_PERIOD_FS 100000000ull /* 100 ns: the spec's upper bound */

#define TSC_MIN_HZ 100000000ull    /* a result outside [100 MHz, 10 GHz] is wrong */
#define TSC_MAX_HZ 10000000000ull
/* How far a source may stray from the rate the loader measured with
 * Stall(): a Stall() never ends early but may end late (QEMU on a busy
 * host: 40% late seen, for the fastest of five), so that rate errs high.
 * The check is there to catch a source that is wildly off (a gated PIT
 * reads as 0 or 2.4x). */
#define FW_ABOVE_PCT 10
#define FW_BELOW_PCT 50
#define WINDOW_MS 10               /* one measuring window */

static uint64_t tsc_hz, tsc_start, fw_hz;
static const char *source = "none";
static char rejected[160];         /* sources tried and why they were not used */

/* TSC ticks within which `ms` milliseconds have surely passed: by the
 * firmware's rate when known, else as if the TSC ran at 10 GHz. */
static uint64_t tsc_bound(uint32_t ms)
{
	uint64_t hz = fw_hz >= TSC_MIN_HZ && fw_hz <= TSC_MAX_HZ ? fw_hz : TSC_MAX_HZ;
	return hz / 1000 * ms * 4;
}

/* TSC rate from PIT channel 2 counting `ms` milliseconds down in one-shot
 * mode, or 0 when it does not finish in time (no PIT, or gated). */
static uint64_t pit_measure(uint32_t ms)
{
	uint32_t count = (uint32_t)(PIT_HZ * ms / 1000);
	uint8_t gate = inb(PIT_GATE);
	outb(PIT_GATE, (gate & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xB0);                   /* ch2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* mode 0 restarts counting on the gate's rising edge: toggle it */
	outb(PIT_GATE, inb(PIT_GATE) & ~0x01);
	outb(PIT_GATE, inb(PIT_GATE) | 0x01);
	uint64_t t0 = rdtsc(), limit = tsc_bound(ms), t1;
	while (!(inb(PIT_GATE) & 0x20)) {
		if (rdtsc() - t0 > limit) {
			outb(PIT_GATE, gate);
			return 0;
		}
	}
	t1 = rdtsc();
	outb(PIT_GATE, gate);
	return (t1 - t0) * 1000 / ms;
}

/* TSC rate against the ACPI PM timer (3.579545 MHz, 24 or 32 bits), or 0
 * when it does not tick. */
static uint64_t pmtimer_measure(uint32_t ms)
{
	const struct acpi_fadt *f = &acpi_get()->fadt;
	uint32_t mask = (f->flags & ACPI_FADT_TMR_VAL_EXT) ? 0xffffffffu : 0xffffffu;
	uint32_t want = ACPI_PM_TIMER_HZ / 1000 * ms, s, v, el;
	uint64_t t0, t1, limit = tsc_bound(ms);

	if (!f->pm_tmr.addr || !acpi_gas_read(&f->pm_tmr, &s))
		return 0;
	t0 = rdtsc();
	do {
		acpi_gas_read(&f->pm_tmr, &v);
		t1 = rdtsc();
		el = (v - s) & mask;
		if (t1 - t0 > limit)
			return 0;
	} while (el < want);
	return (t1 - t0) * ACPI_PM_TIMER_HZ / el;
}

/* TSC rate against the HPET main counter, or 0 when there is none. */
static uint64_t hpet_measure(uint32_t ms)
{
	const struct acpi_info *ai = acpi_get();
	volatile uint64_t *h;
	uint64_t period, want, c0, c, t0, t1, limit = tsc_bound(ms);

	if (!ai->have_hpet || !(h = vmm_map_mmio(ai->hpet_base, 1024)))
		return 0;
	period = h[HPET_CAP / 8] >> 32;
	if (!period || period > HPET_MAX_PERIOD_FS)
		return 0;
	if (!(h[HPET_CONF / 8] & 1))
		h[HPET_CONF / 8] |= 1; /* start the main counter */
	want = 1000000000000ull / period * ms; /* counts in ms milliseconds */
	c0 = h[HPET_COUNT / 8];
	t0 = rdtsc();
	do {
		c = h[HPET_COUNT / 8];
		t1 = rdtsc();
		if (t1 - t0 > limit)
			return 0;
	} while (c - c0 < want);
	/* ticks * 1e15 / (counts * period fs), without overflow */
	return (uint64_t)((double)(t1 - t0) * 1e15 / ((double)(c - c0) * (double)period));
}

/* The middle of three windows: one disturbed window (SMI, a descheduled
 * virtual CPU) does not decide. */
static uint64_t median3(uint64_t (*measure)(uint32_t))
{
	uint64_t a = measure(WINDOW_MS), b, c, t;
	if (!a)
		return 0;
	b = measure(WINDOW_MS);
	c = measure(WINDOW_MS);
	if (a > b) { t = a; a = b; b = t; }
	if (b > c) { t = b; b = c; c = t; }
	if (a > b) { t = a; a = b; b = t; }
	return b;
}

/* The PIT's end is seen late when the CPU is disturbed, never early: the
 * lowest rate of three windows is the least disturbed. */
static uint64_t pit_min3(uint32_t ms)
{
	uint64_t best = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t hz = pit_measure(ms);
		if (!hz)
			return 0;
		if (!best || hz < best)
			best = hz;
	}
	return best;
}

static void note(const char *what, uint64_t hz, const char *why)
{
	size_t n = 0;
	while (rejected[n])
		n++;
	if (n + 8 < sizeof rejected)
		snprintf(rejected + n, sizeof rejected - n, "%s%s %.3f GHz %s", n ? "; " : "",
			 what, hz / 1e9, why);
}

/* Takes hz from `what` when it is in range and agrees with the firmware. */
static bool accept(const char *what, uint64_t hz)
{
	if (!hz) {
		size_t n = 0;
		while (rejected[n])
			n++;
		if (n + 8 < sizeof rejected)
			snprintf(rejected + n, sizeof rejected - n, "%s%s: no answer", n ? "; " : "",
				 what);
		return false;
	}
	if (hz < TSC_MIN_HZ || hz > TSC_MAX_HZ) {
		note(what, hz, "out of range");
		return false;
	}
	if (fw_hz >= TSC_MIN_HZ && fw_hz <= TSC_MAX_HZ &&
	    (hz > fw_hz + fw_hz / 100 * FW_ABOVE_PCT || hz < fw_hz - fw_hz / 100 * FW_BELOW_PCT)) {
		note(what, hz, "disagrees with Stall()");
		return false;
	}
	tsc_hz = hz;
	source = what;
	return true;
}

/* CPUID 0x15: TSC = crystal * ebx / eax; where the crystal (ecx) is not
 * given, it follows from the base frequency in CPUID 0x16. 0 if neither. */
static uint64_t cpuid_tsc_hz(void)
{
	uint32_t r[4], max;

	cpuid(0, 0, r);
	max = r[0];
	if (max < 0x15)
		return 0;
	cpuid(0x15, 0, r);
	if (!r[0] || !r[1])
		return 0;
	if (r[2])
		return (uint64_t)r[2] * r[1] / r[0];
	if (max < 0x16)
		return 0;
	/* crystal = base * eax / ebx, so TSC = crystal * ebx / eax = base */
	cpuid(0x16, 0, r);
	return (uint64_t)(r[0] & 0xffff) * 1000000;
}

void timer_init(uint64_t firmware_tsc_hz)
{
	fw_hz = firmware_tsc_hz;
	tsc_start = rdtsc();
	if (accept("cpuid 0x15", cpuid_tsc_hz()) || accept("acpi pm timer", median3(pmtimer_measure)) ||
	    accept("hpet", median3(hpet_measure)) || accept("pit", pit_min3(2 * WINDOW_MS)))
		return;
	if (fw_hz >= TSC_MIN_HZ && fw_hz <= TSC_MAX_HZ) {
		tsc_hz = fw_hz;
		source = "firmware Stall()";
		return;
	}
	tsc_hz = 2000000000ull;
	source = "guess (2 GHz)";
}

uint64_t timer_tsc_hz(void)
{
	return tsc_hz;
}

const char *timer_source(void)
{
	return source;
}

void timer_print_info(void)
{
	kprintf("timer: TSC %.3f GHz (%s), firmware Stall() measured %.3f GHz\n", tsc_hz / 1e9,
		source, fw_hz / 1e9);
	if (rejected[0])
		kprintf("timer: not used: %s\n", rejected);
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

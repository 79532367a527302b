/* Full speed on Intel CPUs (HWP or the top P-state) and the effective
 * frequency from APERF/MPERF (core/cpu.h). Every MSR access goes through
 * cpu_rdmsr_safe/cpu_wrmsr_safe: what the CPUID bits promise a hypervisor
 * or an odd model may still refuse, and a refusal only skips a step. */
#include <stdio.h>

#include "core/cpu.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"

#define MSR_MPERF 0xE7
#define MSR_APERF 0xE8
#define MSR_PLATFORM_INFO 0xCE     /* bits 15:8 the highest non-turbo ratio */
#define MSR_PERF_CTL 0x199         /* bits 15:8 the target ratio */
#define MSR_MISC_ENABLE 0x1A0      /* bit 16 SpeedStep on, bit 38 turbo off */
#define MSR_TURBO_RATIO_LIMIT 0x1AD /* bits 7:0 the one-core turbo ratio */
#define MSR_PM_ENABLE 0x770        /* bit 0: HWP on (until reset) */
#define MSR_HWP_CAPABILITIES 0x771 /* bits 7:0 highest performance */
#define MSR_HWP_REQUEST 0x774      /* min 7:0, max 15:8, desired 23:16, EPP 31:24 */

#define CPUID6_EAX_TURBO (1u << 1)
#define CPUID6_EAX_HWP (1u << 7)
#define CPUID6_EAX_HWP_EPP (1u << 10)
#define CPUID6_ECX_APERFMPERF (1u << 0)
#define CPUID1_ECX_EIST (1u << 7)
#define CPUID1_ECX_HYPERVISOR (1u << 31)

static char state[96] = "not set up";
static int n_set;    /* CPUs that took the setting */

static bool is_intel(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	return r[0] >= 6 && r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;
}

/* HWP: min = max = the highest performance level, desired 0 (the
 * hardware's choice within that), energy preference 0 (performance). */
static bool set_hwp(uint32_t eax6)
{
	uint64_t cap;

	if (!cpu_wrmsr_safe(MSR_PM_ENABLE, 1) || !cpu_rdmsr_safe(MSR_HWP_CAPABILITIES, &cap))
		return false;
	uint64_t hi = cap & 0xff;
	if (!cpu_wrmsr_safe(MSR_HWP_REQUEST, hi | hi << 8)) /* desired 0, EPP 0 */
		return false;
	snprintf(state, sizeof state, "HWP on, min = max = highest performance (%llu)%s",
		 (unsigned long long)hi,
		 (eax6 & CPUID6_EAX_HWP_EPP) ? ", energy preference: performance" : "");
	return true;
}

/* No HWP: the highest ratio (one-core turbo when turbo is on) into PERF_CTL. */
static bool set_pstate(uint32_t eax6)
{
	uint64_t misc, plat, turbo;

	if (!cpu_rdmsr_safe(MSR_MISC_ENABLE, &misc))
		return false;
	if (!(misc & (1ull << 16))) {
		snprintf(state, sizeof state, "Enhanced SpeedStep off in the firmware: speed left alone");
		return false;
	}
	if (!cpu_rdmsr_safe(MSR_PLATFORM_INFO, &plat) || !((plat >> 8) & 0xff))
		return false;
	uint64_t ratio = (plat >> 8) & 0xff;
	if ((eax6 & CPUID6_EAX_TURBO) && !(misc & (1ull << 38)) &&
	    cpu_rdmsr_safe(MSR_TURBO_RATIO_LIMIT, &turbo) && (turbo & 0xff) > ratio)
		ratio = turbo & 0xff;
	if (!cpu_wrmsr_safe(MSR_PERF_CTL, ratio << 8))
		return false;
	snprintf(state, sizeof state, "P-state ratio %llu requested (IA32_PERF_CTL)",
		 (unsigned long long)ratio);
	return true;
}

void cpu_perf_init(void)
{
	uint32_t r[4], eax6;

	if (!is_intel()) {
		snprintf(state, sizeof state, "left to the firmware (not an Intel CPU)");
		return;
	}
	cpuid(1, 0, r);
	uint32_t ecx1 = r[2];
	if (ecx1 & CPUID1_ECX_HYPERVISOR) {
		snprintf(state, sizeof state, "left to the hypervisor");
		return;
	}
	cpuid(6, 0, r);
	eax6 = r[0];
	bool ok = false;
	if (eax6 & CPUID6_EAX_HWP)
		ok = set_hwp(eax6);
	else if (ecx1 & CPUID1_ECX_EIST)
		ok = set_pstate(eax6);
	else
		snprintf(state, sizeof state, "left to the firmware (no HWP, no SpeedStep)");
	if (ok)
		__atomic_fetch_add(&n_set, 1, __ATOMIC_RELAXED);
}

void cpu_perf_print_info(void)
{
	uint32_t r[4];
	uint64_t a0, m0, a1, m1, t0, t1;

	kprintf("speed: %s", state);
	if (n_set)
		kprintf(" on %d CPU(s)", n_set);
	cpuid(0, 0, r);
	if (r[0] >= 6) {
		cpuid(6, 0, r);
		if ((r[2] & CPUID6_ECX_APERFMPERF) && cpu_rdmsr_safe(MSR_APERF, &a0) &&
		    cpu_rdmsr_safe(MSR_MPERF, &m0)) {
			t0 = rdtsc();
			timer_udelay(20000); /* busy: the clock the cores run at under load */
			t1 = rdtsc();
			if (cpu_rdmsr_safe(MSR_APERF, &a1) && cpu_rdmsr_safe(MSR_MPERF, &m1) && m1 > m0) {
				/* MPERF counts at the TSC's rate while the core runs */
				double ghz = (double)(a1 - a0) / (double)(m1 - m0) *
					     (double)timer_tsc_hz() / 1e9;
				kprintf("; effective %.2f GHz (APERF/MPERF over %.0f ms busy)\n", ghz,
					(double)(t1 - t0) * 1e3 / (double)timer_tsc_hz());
				return;
			}
		}
	}
	kprintf("; effective frequency unknown (no APERF/MPERF)\n");
}

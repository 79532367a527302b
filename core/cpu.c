/* Per-CPU processor state: SIMD register state and the PAT (core/cpu.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "core/x86.h"

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_OPMASK (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM (1ull << 7)

/* PAT entries: 0 WB, 1 WT, 2 UC-, 3 UC (the reset values), 4 WC, 5 WT,
 * 6 UC-, 7 UC. Only entry 4 differs from the power-on default. */
#define PAT_VALUE 0x0007040100070406ull

#define MSR_MISC_ENABLE 0x1A0
#define MISC_ENABLE_XD_DISABLE (1ull << 34)

static uint64_t xcr0_set;
static bool nx_was_hidden;

void cpu_init_simd(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint32_t ecx1 = r[2];

	uint64_t cr0 = read_cr0();
	cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	bool has_xsave = ecx1 & (1u << 26);
	if (has_xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	fninit();
	ldmxcsr(0x1f80); /* all exceptions masked, round to nearest */

	if (has_xsave) {
		cpuid(0xD, 0, r);
		uint64_t supported = ((uint64_t)r[3] << 32) | r[0];
		uint64_t want = XCR0_X87 | XCR0_SSE;
		if ((ecx1 & (1u << 28)) && (supported & XCR0_AVX))
			want |= XCR0_AVX;
		uint64_t avx512 = XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM;
		cpuid(7, 0, r);
		if ((want & XCR0_AVX) && (r[1] & (1u << 16)) && (supported & avx512) == avx512)
			want |= avx512;
		xsetbv(0, want);
		xcr0_set = want;
	}

	cpuid(1, 0, r);
	if (r[3] & (1u << 16)) /* PAT */
		wrmsr(MSR_PAT, PAT_VALUE);
}

static bool cpu_is_intel(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	return r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e; /* GenuineIntel */
}

static bool cpu_has_nx(void)
{
	uint32_t r[4];
	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	cpuid(0x80000001, 0, r);
	return r[3] & (1u << 20);
}

bool cpu_enable_nx(void)
{
	uint32_t r[4];

	if (cpu_has_nx())
		return true;
	cpuid(1, 0, r);
	/* "Execute Disable Bit" off in the firmware setup hides NX through
	 * IA32_MISC_ENABLE on Intel CPUs (MSRs: CPUID.1:EDX[5]) */
	if (!cpu_is_intel() || !(r[3] & (1u << 5)))
		return false;
	uint64_t misc = rdmsr(MSR_MISC_ENABLE);
	if (!(misc & MISC_ENABLE_XD_DISABLE))
		return false;
	wrmsr(MSR_MISC_ENABLE, misc & ~MISC_ENABLE_XD_DISABLE);
	nx_was_hidden = cpu_has_nx();
	return nx_was_hidden;
}

bool cpu_nx_was_hidden(void)
{
	return nx_was_hidden;
}

uint64_t cpu_xcr0(void)
{
	return xcr0_set;
}

/* "GenuineIntel" etc. from CPUID 0. */
static void cpu_vendor(char v[13])
{
	uint32_t r[4];
	cpuid(0, 0, r);
	memcpy(v, &r[1], 4);
	memcpy(v + 4, &r[3], 4);
	memcpy(v + 8, &r[2], 4);
	v[12] = 0;
}

void cpu_brand(char *buf, int size)
{
	uint32_t r[4], b[12];
	char s[49];
	char *p = s;
	if (size <= 0)
		return;
	s[0] = 0;
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000004) {
		for (int i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, b + 4 * i);
		memcpy(s, b, 48);
		s[48] = 0;
		while (*p == ' ')
			p++;
		int n = (int)strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			p[--n] = 0;
	}
	if (!*p) {
		cpu_vendor(s);
		p = s;
	}
	strncpy(buf, p, size - 1);
	buf[size - 1] = 0;
}

/* CPU feature detection: CPUID for what the CPU has, XGETBV for what the OS
 * enabled (XCR0), so AVX and AVX-512 are only reported when their register
 * state is saved on context switches (or, in our OS, enabled by core/). */
#include <stdint.h>
#include <string.h>

#include "ai/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
/* ai/ cannot include core/x86.h (it builds into the host tool too), so the
 * two instructions it needs are wrapped here. */
static void cpu_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static uint64_t cpu_xgetbv(uint32_t idx)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((uint64_t)hi << 32) | lo;
}

#define BIT(r, n) (((r) >> (n)) & 1u)

#define XCR0_SSE_AVX 0x06u    /* XMM and YMM upper halves */
#define XCR0_AVX512 0xe0u     /* opmask, ZMM upper halves, ZMM16-31 */

void cpu_detect(struct cpu_features *f)
{
	uint32_t r[4], l1[4], l7[4] = { 0 }, l7s1[4] = { 0 };
	uint64_t xcr0 = 0;
	uint32_t max_leaf;

	memset(f, 0, sizeof(*f));
	cpu_cpuid(0, 0, r);
	max_leaf = r[0];
	if (max_leaf < 1)
		return;
	cpu_cpuid(1, 0, l1);
	if (max_leaf >= 7) {
		cpu_cpuid(7, 0, l7);
		if (l7[0] >= 1)
			cpu_cpuid(7, 1, l7s1);
	}
	f->sse42 = BIT(l1[2], 20);
	/* OSXSAVE: the OS set CR4.OSXSAVE, so XGETBV is allowed. */
	if (BIT(l1[2], 27))
		xcr0 = cpu_xgetbv(0);
	bool os_avx = (xcr0 & XCR0_SSE_AVX) == XCR0_SSE_AVX;
	bool os_avx512 = os_avx && (xcr0 & XCR0_AVX512) == XCR0_AVX512;

	f->avx = os_avx && BIT(l1[2], 28);
	f->fma = f->avx && BIT(l1[2], 12);
	f->f16c = f->avx && BIT(l1[2], 29);
	f->avx2 = f->avx && BIT(l7[1], 5);
	f->avxvnni = f->avx2 && BIT(l7s1[0], 4);
	if (os_avx512 && BIT(l7[1], 16)) {
		f->avx512f = true;
		f->avx512dq = BIT(l7[1], 17);
		f->avx512bw = BIT(l7[1], 30);
		f->avx512vl = BIT(l7[1], 31);
		f->avx512vnni = BIT(l7[2], 11);
		f->avx512bf16 = BIT(l7s1[0], 5);
	}
}
#else
void cpu_detect(struct cpu_features *f)
{
	memset(f, 0, sizeof(*f));
}
#endif

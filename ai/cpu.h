/* CPU feature detection (CPUID + XGETBV): which SIMD paths the CPU and the
 * OS (XCR0 state enabled) allow. Portable between the host tool and the OS. */
#ifndef AI_CPU_H
#define AI_CPU_H

#include <stdbool.h>

struct cpu_features {
	bool sse42, avx, avx2, fma, f16c;
	bool avx512f, avx512bw, avx512vl, avx512dq, avx512vnni, avx512bf16;
	bool avxvnni;
};

void cpu_detect(struct cpu_features *f);

#endif

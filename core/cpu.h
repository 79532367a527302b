/* Per-CPU processor setup: FPU/SSE/AVX/AVX-512 state and the PAT. */
#ifndef CORE_CPU_H
#define CORE_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* Enables the FPU/SSE/AVX/AVX-512 register state the CPU has (CR0.MP/NE,
 * CR4.OSFXSR/OSXMMEXCPT/OSXSAVE, XCR0 from CPUID 0xD) and programs the PAT
 * (entry 4 = write-combining, see mm/vmm.h), so every core must run it:
 * the BSP in kmain, each AP in its start path. */
void cpu_init_simd(void);

/* True when the CPU has NX (Execute Disable), after turning it back on where
 * the firmware setup switched it off (Intel's IA32_MISC_ENABLE.XD_DISABLE);
 * BSP, before paging with NX bits. APs clear the bit in the trampoline when
 * cpu_nx_was_hidden(). */
bool cpu_enable_nx(void);
bool cpu_nx_was_hidden(void);

/* The CPU brand string (CPUID 0x80000002..4), trimmed, into buf. */
void cpu_brand(char *buf, int size);
/* The XCR0 value cpu_init_simd set (0 before). */
uint64_t cpu_xcr0(void);

#endif

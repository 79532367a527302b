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

/* MSR access that returns false instead of faulting (core/msr.S). */
bool cpu_rdmsr_safe(uint32_t msr, uint64_t *out);
bool cpu_wrmsr_safe(uint32_t msr, uint64_t value);

/* Intel CPUs are asked for full speed: HWP enabled with min = max =
 * highest performance where CPUID.6 has HWP, else the highest P-state
 * (one-core turbo ratio) in IA32_PERF_CTL; nothing on other vendors or
 * under a hypervisor. Every CPU runs it (BSP in kmain, APs in ap_main). */
void cpu_perf_init(void);
/* The `info` line: what cpu_perf_init did, and the BSP's effective clock
 * over 20 ms of busy waiting (APERF/MPERF) where the CPU counts it. */
void cpu_perf_print_info(void);

/* The CPU brand string (CPUID 0x80000002..4), trimmed, into buf. */
void cpu_brand(char *buf, int size);
/* The XCR0 value cpu_init_simd set (0 before). */
uint64_t cpu_xcr0(void);

#endif

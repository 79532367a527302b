/*
 * Application-processor start (INIT-SIPI-SIPI through smp/trampoline.S) and
 * the per-CPU records. The start sequence and its memory are documented in
 * smp/smp.h. Online CPUs get contiguous indices 0..n-1 (0 = BSP) in the
 * order they arrive; a CPU that fails to start is sent INIT again and
 * listed apart.
 */
#ifndef SMP_AP_H
#define SMP_AP_H

#include <stdint.h>

#include "core/boot_info.h"
#include "core/param.h"
#include "core/acpi.h"

/* One per online CPU; GS base points at it (self first, for %gs:0). */
struct smp_cpu {
	struct smp_cpu *self;
	int32_t index;
	uint32_t apic_id;
	volatile int32_t online;
	uint32_t start_us;   /* first SIPI to report-in */
	uint64_t stack_top;
} __attribute__((aligned(64)));

#define SMP_CPU_INDEX_OFFSET 8 /* offsetof(struct smp_cpu, index) */

extern struct smp_cpu smp_cpus[MAX_CPUS];

struct ap_failed {
	uint32_t apic_id;
	const char *why;
};

/* Starts every CPU in madt except the BSP (bsp_apic). Fills smp_cpus[1..]
 * and returns the number of APs online; CPUs that did not answer go to
 * failed[] (up to max_failed, count in *n_failed). On a setup error (no
 * trampoline page, no page tables) returns -1 with a message printed. */
int ap_start_all(const struct boot_info *bi, const struct acpi_madt_info *madt,
		 uint32_t bsp_apic, struct ap_failed *failed, int max_failed, int *n_failed);

/* C entry of an AP (from ap_long_entry in smp/trampoline.S). */
void ap_main(uint64_t index) __attribute__((noreturn));

#endif

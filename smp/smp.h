/*
 * Symmetric multiprocessing after ExitBootServices: find the CPUs in ACPI,
 * start every application processor (AP) ourselves and turn all cores into
 * workers for the engine's par_for (ai/parallel.h).
 *
 * AP start sequence (smp/ap.c, smp/trampoline.S):
 *  1. smp_init takes the MADT that acpi_init read before boot-services
 *     memory was reused (core/acpi.c: RSDP -> XSDT, or RSDT -> MADT,
 *     checksums checked): Local APIC / x2APIC entries that are enabled
 *     (disabled "online capable" ones are hot-plug slots: counted, not
 *     started). Bad or missing tables: BSP alone, with a message.
 *  2. The LAPIC is driven in x2APIC mode (MSRs) when the CPU has one and
 *     the DMAR table does not opt out (always when the firmware enabled it
 *     or an APIC id needs more than 8 bits), else in xAPIC mode (MMIO at
 *     the MADT's LAPIC address): acpi_apic_mode decides.
 *  3. The trampoline blob is copied into bi->trampoline, the low page efi/
 *     reserved before ExitBootServices (4 KiB aligned, below 1 MiB; its
 *     page number is the SIPI vector), with its parameter block: the
 *     temporary CR3, the kernel CR3, the 64-bit entry point, whether to
 *     clear IA32_MISC_ENABLE's XD-disable bit (the BSP had to, core/cpu.h).
 *     Each AP gets a stack (ap_stacks[]) and a struct smp_cpu slot.
 *  4. INIT to every AP, one 10 ms wait, SIPI to every AP, 200 us, a second
 *     SIPI to every AP (ignored by those already running), then one wait
 *     of up to SMP_AP_TIMEOUT_MS for all of them: a CPU the MADT lists
 *     but that is absent costs that once, not per CPU. Then the tickets
 *     close; a core that did not answer gets INIT again (so it cannot
 *     wake later), is listed as failed by `cpus` and skipped; boot goes on.
 *  5. The APs run the blob at once (it uses no stack): real mode ->
 *     (CR4.PAE, temporary CR3, EFER.LME|NXE, CR0.PE|PG) -> a far jump
 *     into a 64-bit code segment of the blob's own small GDT -> the kernel
 *     CR3 from the parameter block and ap_long_entry in the kernel image,
 *     which switches to the kernel page tables (vmm_cr3()), takes the next
 *     arrival ticket t (lock xadd) and calls C as CPU t + 1 on
 *     ap_stacks[t]; a ticket taken after they closed halts there.
 *  6. In C (ap_main): gdt_load_cpu(i) (own TSS + IST stacks), GS base =
 *     its struct smp_cpu (smp_cpu_index reads %gs), idt_load(),
 *     cpu_init_simd(), LAPIC enabled, then it reports in and parks in the
 *     dispatcher (smp/dispatch.h), spinning with `pause` on a generation
 *     word, sleeping (sti; hlt, woken by an IPI) after 20 ms idle.
 *  7. CPUs are stopped by panic() through smp_halt_others(): an NMI to all
 *     others, whose NMI handler halts when smp_stop_requested().
 *
 * Memory used:
 *  - bi->trampoline: one 4 KiB page below 1 MiB (code + GDT + parameters),
 *    only during smp_init; it is never handed to the allocator.
 *  - Temporary page tables (SMP_TMP_PT_PAGES 4 KiB pages from pmm, the
 *    PML4 below 4 GiB because real mode loads a 32-bit CR3): identity maps
 *    of the 2 MiB regions holding the trampoline and ap_long_entry,
 *    executable. Freed after smp_init.
 *  - Per AP: a SMP_AP_STACK_SIZE stack from vmm_stack_alloc (guard page
 *    below), plus the IST stacks gdt_load_cpu allocates. Per CPU: one
 *    cache-line aligned struct smp_cpu (static array of MAX_CPUS) and one
 *    cache-line dispatcher slot (smp/dispatch.c).
 *  - LAPIC: the xAPIC page mapped uncached through vmm_map_mmio; ACPI
 *    tables outside the identity map are mapped the same way.
 */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "ai/parallel.h"
#include "core/boot_info.h"

struct acpi_madt_info;
struct ap_failed;

#define SMP_AP_TIMEOUT_MS 1000       /* for all APs together, after the SIPIs */
#define SMP_AP_STACK_SIZE (128 * 1024)
#define SMP_TMP_PT_PAGES 8           /* temporary page-table pages, at most */

/* Starts every AP the MADT lists (see above). Called once by kmain after
 * mm, timer and the IDT are up; falls back to the BSP alone with a message
 * (also for "nosmp" in bi->cmdline). Installs smp_parallel_for as the
 * engine's par_for runner with all online CPUs (llm.cfg threads=N caps). */
void smp_init(struct boot_info *bi);

/* CPUs running (BSP included); 1 before smp_init. */
int smp_ncpus_online(void);

/* This CPU's index: 0 = BSP, 1.. = APs in start order. Safe at any time,
 * before smp_init and from panic(). */
int smp_cpu_index(void);

/* Stops every other CPU (NMI IPI to all but self); called by panic().
 * An NMI arriving on a CPU after this was called means "stop": the NMI
 * handler should call smp_stop_requested() and, if true, halt silently. */
void smp_halt_others(void);
bool smp_stop_requested(void);

/* ai/parallel.h runner: fn(ctx, ith, n) for ith in [0, n), spread over the
 * online cores (the caller runs ith 0); returns when all are done. When n
 * exceeds the online cores, cores run several ith each. Not reentrant: call
 * only from the BSP (or one CPU at a time), never from inside a task. */
void smp_parallel_for(par_task fn, void *ctx, int n);

/* What the shell's `cpus` reports besides each CPU's dispatcher stats
 * (smp/dispatch.h) and its struct smp_cpu (smp/ap.h). */
struct smp_summary {
	const char *why_alone;                /* why only the BSP runs; "" when the APs run */
	bool x2apic;                          /* LAPIC mode (else xAPIC, MMIO) */
	const struct acpi_madt_info *madt;    /* NULL without a usable MADT */
	uint64_t trampoline;                  /* the AP start page */
	int n_online, n_listed;               /* CPUs running; usable CPUs the MADT lists */
	const struct ap_failed *failed;       /* APs that did not answer */
	int n_failed;
};
void smp_get_summary(struct smp_summary *out);

#endif

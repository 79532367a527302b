/* smp/: bring-up (MADT -> LAPIC -> APs -> dispatcher), CPU index, halt. */
#include "smp/smp.h"

#include <stdio.h>
#include <string.h>

#include "core/acpi_hw.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"
#include "mm/vmm.h"
#include "smp/ap.h"
#include "smp/dispatch.h"
#include "smp/lapic.h"

#define MAX_FAILED 16

static int n_online = 1;
static int n_listed = 1;            /* usable CPUs the MADT lists (1 without one) */
static bool gs_ready;
static volatile bool stop_requested;
static const struct acpi_madt_info *madt;
static struct ap_failed failed[MAX_FAILED];
static int n_failed;
static char why_alone[128];         /* why only the BSP runs, "" otherwise */
static uint64_t tramp_page;

static bool want_smp(const struct boot_info *bi)
{
	const char *c = bi->cmdline;

	for (; *c; c++)
		if (strncmp(c, "nosmp", 5) == 0)
			return false;
	return true;
}

void smp_init(struct boot_info *bi)
{
	struct smp_cpu *bsp = &smp_cpus[0];
	uint32_t bsp_apic, apic_ids[MAX_CPUS];
	const struct acpi_info *ai = acpi_get();
	const char *why_mode;
	uint32_t r[4];
	int started, nth;

	tramp_page = bi->trampoline;
	bsp->self = bsp;
	bsp->index = 0;
	bsp->online = 1;
	wrmsr(MSR_GS_BASE, (uint64_t)bsp);
	gs_ready = true;

	if (!want_smp(bi)) {
		snprintf(why_alone, sizeof(why_alone), "nosmp on the command line");
		goto alone;
	}
	if (!ai->have_madt) {
		snprintf(why_alone, sizeof(why_alone), "%s", ai->madt_err);
		goto alone;
	}
	madt = &ai->madt;
	n_listed = madt->n_cpus + madt->n_dropped;
	cpuid(1, 0, r);
	enum acpi_apic_mode mode = acpi_apic_mode(
		madt, r[2] & (1u << 21), rdmsr(MSR_APIC_BASE) & APIC_BASE_X2,
		ai->have_dmar && (ai->dmar_flags & ACPI_DMAR_X2APIC_OPT_OUT), &why_mode);
	if (!lapic_init(madt->lapic_phys, mode == ACPI_APIC_X2APIC)) {
		snprintf(why_alone, sizeof(why_alone), "no usable local APIC");
		goto alone;
	}
	bsp_apic = lapic_id();
	bsp->apic_id = bsp_apic;
	dispatch_init();
	started = ap_start_all(bi, madt, bsp_apic, failed, MAX_FAILED, &n_failed);
	if (started < 0) {
		snprintf(why_alone, sizeof(why_alone), "AP start setup failed");
		goto alone;
	}
	n_online = 1 + started;
	for (int i = 0; i < n_online; i++)
		apic_ids[i] = smp_cpus[i].apic_id;
	dispatch_set_workers(n_online, apic_ids);
	/* llm.cfg threads=N caps the engine's workers */
	nth = n_online;
	if (bi->cfg.threads > 0 && (int)bi->cfg.threads < nth)
		nth = (int)bi->cfg.threads;
	par_set_runner(smp_parallel_for, nth);
	kprintf("smp: %d of %d CPUs online (%s: %s; BSP APIC id %u), engine uses %d\n",
		n_online, n_listed, lapic_is_x2() ? "x2APIC" : "xAPIC", why_mode, bsp_apic, nth);
	return;
alone:
	kprintf("smp: %s; running on the boot CPU alone\n", why_alone);
	par_set_runner(NULL, 1);
}

int smp_ncpus_online(void)
{
	return n_online;
}

int smp_cpu_index(void)
{
	if (!gs_ready)
		return 0;
	return (int)GS_READ32(SMP_CPU_INDEX_OFFSET);
}

void smp_halt_others(void)
{
	stop_requested = true;
	dispatch_stop();
	if (n_online > 1)
		lapic_send_nmi_others();
}

bool smp_stop_requested(void)
{
	return stop_requested;
}

void smp_get_summary(struct smp_summary *out)
{
	out->why_alone = why_alone;
	out->x2apic = lapic_is_x2();
	out->madt = madt;
	out->trampoline = tramp_page;
	out->n_online = n_online;
	out->n_listed = n_listed;
	out->failed = failed;
	out->n_failed = n_failed < MAX_FAILED ? n_failed : MAX_FAILED;
}

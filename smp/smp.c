/* smp/: bring-up (MADT -> LAPIC -> APs -> dispatcher), CPU index, halt, `cpus`. */
#include "smp/smp.h"

#include <stdio.h>
#include <string.h>

#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"
#include "mm/vmm.h"
#include "smp/acpi.h"
#include "smp/ap.h"
#include "smp/dispatch.h"
#include "smp/lapic.h"

#define MAX_FAILED 16

static int n_online = 1;
static int n_listed = 1;            /* usable CPUs the MADT lists (1 without one) */
static bool gs_ready;
static volatile bool stop_requested;
static struct acpi_madt_info madt;
static bool have_madt;
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
	char err[128] = "";
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
	have_madt = acpi_read_madt(bi->rsdp, vmm_map_firmware, &madt, err, sizeof(err));
	if (!have_madt) {
		snprintf(why_alone, sizeof(why_alone), "%s", err);
		goto alone;
	}
	n_listed = madt.n_cpus + madt.n_dropped;
	if (!lapic_init(madt.lapic_phys)) {
		snprintf(why_alone, sizeof(why_alone), "no usable local APIC");
		goto alone;
	}
	bsp_apic = lapic_id();
	bsp->apic_id = bsp_apic;
	dispatch_init();
	started = ap_start_all(bi, &madt, bsp_apic, failed, MAX_FAILED, &n_failed);
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
	kprintf("smp: %d of %d CPUs online (%s, BSP APIC id %u), engine uses %d\n",
		n_online, n_listed, lapic_is_x2() ? "x2APIC" : "xAPIC", bsp_apic, nth);
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
	int i;

	if (!gs_ready)
		return 0;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(i) : "i"(SMP_CPU_INDEX_OFFSET));
	return i;
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

int smp_cmd_cpus(int argc, char **argv)
{
	uint64_t mhz = timer_tsc_hz() / 1000000;

	(void)argc;
	(void)argv;
	if (why_alone[0])
		kprintf("boot CPU only: %s\n", why_alone);
	else
		kprintf("local APIC: %s%s, MADT from %s (OEM %s), %d I/O APIC(s), "
			"trampoline at 0x%llx\n", lapic_is_x2() ? "x2APIC" : "xAPIC",
			lapic_is_x2() ? "" : " (MMIO)", madt.xsdt ? "XSDT" : "RSDT", madt.oem,
			madt.n_ioapics, (unsigned long long)tramp_page);
	kprintf("cpu  apic  state    start_us      jobs     tasks   busy_ms  wakeups  steals\n");
	for (int i = 0; i < n_online; i++) {
		struct dispatch_stats st;

		dispatch_get_stats(i, &st);
		kprintf("%3d  %4u  %-7s  %8u  %8llu  %8llu  %8llu  %7llu  %6llu\n", i,
			smp_cpus[i].apic_id, i == 0 ? "BSP" : "online", smp_cpus[i].start_us,
			(unsigned long long)st.jobs, (unsigned long long)st.tasks,
			(unsigned long long)(mhz ? st.busy_cycles / mhz / 1000 : 0),
			(unsigned long long)st.wakeups, (unsigned long long)st.steals);
	}
	for (int i = 0; i < n_failed && i < MAX_FAILED; i++)
		kprintf("  -  %4u  failed   (%s)\n", failed[i].apic_id, failed[i].why);
	if (madt.n_hotplug)
		kprintf("%d hot-plug CPU slot(s) (online-capable, not present) not counted\n",
			madt.n_hotplug);
	if (madt.n_dropped)
		kprintf("%d CPU(s) beyond MAX_CPUS=%d not started\n", madt.n_dropped, MAX_CPUS);
	kprintf("%d of %d CPUs online\n", n_online, n_listed);
	return 0;
}

static void fault_task(void *ctx, int ith, int nth)
{
	(void)ctx;
	(void)ith;
	(void)nth;
	if (smp_cpu_index() == 1)
		__asm__ volatile("ud2");
}

int smp_cmd_apfault(int argc, char **argv)
{
	uint64_t t0 = timer_now_ns();

	(void)argc;
	(void)argv;
	if (n_online < 2) {
		kprintf("apfault: needs a second CPU online\n");
		return 1;
	}
	kprintf("apfault: making CPU 1 execute ud2\n");
	/* The caller may run CPU 1's share itself when CPU 1 is slow to
	 * pick it up; retry until CPU 1 ran it (and faulted). */
	while (timer_now_ns() - t0 < 5000000000ull)
		smp_parallel_for(fault_task, NULL, 2);
	kprintf("apfault: CPU 1 did not fault within 5 s\n");
	return 1;
}

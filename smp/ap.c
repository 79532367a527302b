/* AP start: temporary page tables, the trampoline, INIT-SIPI-SIPI to all
 * APs at once, arrival tickets. */
#include "smp/ap.h"

#include <string.h>

#include "core/cpu.h"
#include "core/gdt.h"
#include "core/idt.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "core/x86.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "smp/dispatch.h"
#include "smp/lapic.h"
#include "smp/smp.h"

#define HIDDEN __attribute__((visibility("hidden")))
extern const char tramp_start[] HIDDEN, tramp_end[] HIDDEN, tramp_params[] HIDDEN,
	tramp_gdt[] HIDDEN, tramp_long64[] HIDDEN;
extern const char ap_long_entry[] HIDDEN;

/* Mirrors the parameter block at tramp_params in smp/trampoline.S. */
struct __attribute__((packed)) tramp_params {
	uint32_t far_off;  /* linear address of tramp_long64 */
	uint16_t far_sel;
	uint16_t gdt_limit;
	uint32_t gdt_base; /* linear address of tramp_gdt */
	uint32_t tmp_cr3;
	uint64_t cr3, entry, clear_xd;
};
_Static_assert(sizeof(struct tramp_params) == 40, "tramp_params layout");

#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_PS 0x80ull
#define SIZE_2M (2ull << 20)

struct smp_cpu smp_cpus[MAX_CPUS];

/* Read by ap_long_entry (smp/trampoline.S): an arriving AP takes ticket
 * t = ap_ticket++; t < ap_tickets runs as CPU t + 1 on ap_stacks[t]. */
uint32_t ap_ticket HIDDEN;
uint32_t ap_tickets HIDDEN;
uint64_t ap_stacks[MAX_CPUS - 1] HIDDEN;
static uint64_t sipi_tsc; /* when the first SIPI went out, for start_us */
#define TICKETS_CLOSED 0x40000000u

/* Temporary identity tables for the AP's switch to long mode. */
struct tmp_pt {
	uint64_t *page[SMP_TMP_PT_PAGES];
	int n;
};

static uint64_t *tmp_new(struct tmp_pt *t, uint64_t limit)
{
	uint64_t *p;

	if (t->n >= SMP_TMP_PT_PAGES)
		return NULL;
	p = limit ? pmm_alloc_below(1, limit) : pmm_alloc_pages(1);
	if (!p)
		return NULL;
	memset(p, 0, PAGE_SIZE);
	t->page[t->n++] = p;
	return p;
}

static uint64_t *tmp_next(struct tmp_pt *t, uint64_t *table, int i)
{
	if (!(table[i] & PTE_P)) {
		uint64_t *p = tmp_new(t, 0);
		if (!p)
			return NULL;
		table[i] = (uint64_t)p | PTE_P | PTE_RW;
	}
	return (uint64_t *)(table[i] & ~0xFFFull & ((1ull << 52) - 1));
}

/* Identity-maps the 2 MiB region holding addr, writable and executable. */
static bool tmp_map_2m(struct tmp_pt *t, uint64_t addr)
{
	uint64_t *pdpt, *pd;

	pdpt = tmp_next(t, t->page[0], (addr >> 39) & 511);
	pd = pdpt ? tmp_next(t, pdpt, (addr >> 30) & 511) : NULL;
	if (!pd)
		return false;
	pd[(addr >> 21) & 511] = (addr & ~(SIZE_2M - 1)) | PTE_P | PTE_RW | PTE_PS;
	return true;
}

static void tmp_free(struct tmp_pt *t)
{
	for (int i = 0; i < t->n; i++)
		pmm_free_pages(t->page[i], 1);
	t->n = 0;
}

/* Copies the blob to the trampoline page and fills the fixed parameters. */
static struct tramp_params *tramp_install(uint64_t tp, uint64_t tmp_cr3)
{
	uint64_t size = (uint64_t)(tramp_end - tramp_start);
	uint64_t phys, flags;
	struct tramp_params *p;

	if (!vmm_query(tp, &phys, &flags) || phys != tp)
		if (!vmm_map_mmio(tp, PAGE_SIZE))
			return NULL;
	memcpy((void *)tp, tramp_start, size);
	p = (struct tramp_params *)(tp + (uint64_t)(tramp_params - tramp_start));
	p->far_off = (uint32_t)(tp + (uint64_t)(tramp_long64 - tramp_start));
	p->gdt_base = (uint32_t)(tp + (uint64_t)(tramp_gdt - tramp_start));
	p->tmp_cr3 = (uint32_t)tmp_cr3;
	p->cr3 = vmm_cr3();
	p->entry = (uint64_t)ap_long_entry;
	p->clear_xd = cpu_nx_was_hidden();
	return p;
}

static void add_failed(struct ap_failed *failed, int max_failed, int *n_failed,
		       uint32_t apic_id, const char *why)
{
	if (*n_failed < max_failed)
		failed[*n_failed] = (struct ap_failed){ .apic_id = apic_id, .why = why };
	(*n_failed)++;
}

/* Online APs with APIC id apic (slots 1..n). */
static bool is_online(uint32_t apic, int n)
{
	for (int i = 1; i <= n; i++)
		if (__atomic_load_n(&smp_cpus[i].online, __ATOMIC_ACQUIRE) && smp_cpus[i].apic_id == apic)
			return true;
	return false;
}

static int count_online(int n)
{
	int k = 0;
	for (int i = 1; i <= n; i++)
		k += __atomic_load_n(&smp_cpus[i].online, __ATOMIC_ACQUIRE) != 0;
	return k;
}

/* Waits until `want` of slots 1..n are online or the deadline passes. */
static void wait_online(int n, int want, uint64_t deadline_ns)
{
	while (count_online(n) < want && timer_now_ns() < deadline_ns)
		cpu_pause();
}

int ap_start_all(const struct boot_info *bi, const struct acpi_madt_info *madt,
		 uint32_t bsp_apic, struct ap_failed *failed, int max_failed, int *n_failed)
{
	uint64_t tp = bi->trampoline;
	struct tmp_pt pt = { .n = 0 };
	uint32_t ids[MAX_CPUS];
	int n = 0, taken, online;

	*n_failed = 0;
	if (!tp || (tp & 0xFFF) || tp + PAGE_SIZE > 0x100000 ||
	    (uint64_t)(tramp_end - tramp_start) > PAGE_SIZE) {
		kprintf("smp: no usable trampoline page (0x%llx)\n", (unsigned long long)tp);
		return -1;
	}
	if (!tmp_new(&pt, 1ull << 32) || !tmp_map_2m(&pt, tp) ||
	    !tmp_map_2m(&pt, (uint64_t)ap_long_entry) ||
	    !tmp_map_2m(&pt, (uint64_t)ap_long_entry + 64)) {
		kprintf("smp: cannot build the temporary page tables\n");
		goto fail;
	}
	if (!tramp_install(tp, (uint64_t)pt.page[0])) {
		kprintf("smp: cannot map the trampoline page\n");
		goto fail;
	}

	/* A stack and a slot for every AP we will wake. */
	for (int i = 0; i < madt->n_cpus; i++) {
		uint32_t apic = madt->cpu[i].apic_id;
		void *stack;

		if (apic == bsp_apic)
			continue;
		if (1 + n >= MAX_CPUS) {
			add_failed(failed, max_failed, n_failed, apic, "over MAX_CPUS");
			continue;
		}
		if (apic > 254 && !lapic_is_x2()) {
			add_failed(failed, max_failed, n_failed, apic, "APIC id needs x2APIC");
			continue;
		}
		stack = vmm_stack_alloc(SMP_AP_STACK_SIZE);
		if (!stack) {
			add_failed(failed, max_failed, n_failed, apic, "no memory for a stack");
			continue;
		}
		struct smp_cpu *c = &smp_cpus[1 + n];
		memset(c, 0, sizeof(*c));
		c->self = c;
		c->index = 1 + n;
		c->stack_top = (uint64_t)stack;
		ap_stacks[n] = (uint64_t)stack;
		ids[n++] = apic;
	}
	ap_ticket = 0;
	ap_tickets = (uint32_t)n;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	/* INIT, 10 ms, SIPI, 200 us, SIPI: to all of them at once (a second
	 * SIPI to a CPU that already left wait-for-SIPI is ignored). Then one
	 * wait for all: a CPU the MADT lists but that is not there costs
	 * SMP_AP_TIMEOUT_MS once, not per CPU. */
	for (int i = 0; i < n; i++)
		lapic_send_init(ids[i]);
	timer_udelay(10000);
	sipi_tsc = rdtsc();
	for (int i = 0; i < n; i++)
		lapic_send_sipi(ids[i], (uint8_t)(tp >> 12));
	timer_udelay(200);
	for (int i = 0; i < n; i++)
		lapic_send_sipi(ids[i], (uint8_t)(tp >> 12));
	wait_online(n, n, timer_now_ns() + SMP_AP_TIMEOUT_MS * 1000000ull);

	/* Close the tickets: a CPU arriving from now on halts in
	 * ap_long_entry. Those that took one already run kernel code and
	 * report in within microseconds. */
	taken = (int)__atomic_fetch_add(&ap_ticket, TICKETS_CLOSED, __ATOMIC_SEQ_CST);
	if (taken > n)
		taken = n;
	wait_online(n, taken, timer_now_ns() + SMP_AP_TIMEOUT_MS * 1000000ull);
	/* slots 1..online must all be up (a hole would be a worker index
	 * that never answers): count up to the first missing one */
	online = 0;
	while (online < taken && __atomic_load_n(&smp_cpus[1 + online].online, __ATOMIC_ACQUIRE))
		online++;
	for (int i = 0; i < n; i++) {
		if (is_online(ids[i], n))
			continue;
		lapic_send_init(ids[i]); /* make sure it cannot wake up later */
		add_failed(failed, max_failed, n_failed, ids[i], "no answer");
		kprintf("smp: CPU with APIC id %u did not start (%d ms for all)\n", ids[i],
			SMP_AP_TIMEOUT_MS);
	}
	if (online != taken) /* a CPU that took a ticket and then hung */
		kprintf("smp: only CPUs 1..%d of %d that started are used\n", online, taken);
	tmp_free(&pt);
	return online;
fail:
	tmp_free(&pt);
	return -1;
}

void ap_main(uint64_t index)
{
	struct smp_cpu *c = &smp_cpus[index];

	gdt_load_cpu((int)index);
	wrmsr(MSR_GS_BASE, (uint64_t)c); /* after the segment reload, which may clear it */
	idt_load();
	cpu_init_simd();
	cpu_perf_init();
	lapic_init_ap();
	c->apic_id = lapic_id();
	uint64_t mhz = timer_tsc_hz() / 1000000;
	c->start_us = mhz ? (uint32_t)((rdtsc() - sipi_tsc) / mhz) : 0;
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	dispatch_worker((int)index);
}

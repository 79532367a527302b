/* AP start: temporary page tables, trampoline patching, INIT-SIPI-SIPI. */
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
	uint64_t cr3, stack, entry, cpu;
};
_Static_assert(sizeof(struct tramp_params) == 48, "tramp_params layout");

#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_PS 0x80ull
#define SIZE_2M (2ull << 20)

struct smp_cpu smp_cpus[MAX_CPUS];

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
	return p;
}

static bool wait_online(struct smp_cpu *c, uint64_t deadline_ns)
{
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (timer_now_ns() >= deadline_ns)
			return false;
		cpu_pause();
	}
	return true;
}

static void add_failed(struct ap_failed *failed, int max_failed, int *n_failed,
		       uint32_t apic_id, const char *why)
{
	if (*n_failed < max_failed)
		failed[*n_failed] = (struct ap_failed){ .apic_id = apic_id, .why = why };
	(*n_failed)++;
}

int ap_start_all(const struct boot_info *bi, const struct acpi_madt_info *madt,
		 uint32_t bsp_apic, struct ap_failed *failed, int max_failed, int *n_failed)
{
	uint64_t tp = bi->trampoline;
	struct tmp_pt pt = { .n = 0 };
	struct tramp_params *par;
	int online = 0;

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
	par = tramp_install(tp, (uint64_t)pt.page[0]);
	if (!par) {
		kprintf("smp: cannot map the trampoline page\n");
		goto fail;
	}

	/* INIT every AP at once, then one 10 ms wait for all of them. */
	for (int i = 0; i < madt->n_cpus; i++)
		if (madt->cpu[i].apic_id != bsp_apic)
			lapic_send_init(madt->cpu[i].apic_id);
	timer_udelay(10000);

	for (int i = 0; i < madt->n_cpus; i++) {
		uint32_t apic = madt->cpu[i].apic_id;
		int idx = 1 + online;
		struct smp_cpu *c = &smp_cpus[idx];
		uint64_t t0;
		void *stack;

		if (apic == bsp_apic)
			continue;
		if (idx >= MAX_CPUS) {
			add_failed(failed, max_failed, n_failed, apic, "over MAX_CPUS");
			continue;
		}
		stack = vmm_stack_alloc(SMP_AP_STACK_SIZE);
		if (!stack) {
			add_failed(failed, max_failed, n_failed, apic, "no memory for a stack");
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->self = c;
		c->index = idx;
		c->apic_id = apic;
		c->stack_top = (uint64_t)stack;
		par->stack = (uint64_t)stack;
		par->cpu = (uint64_t)idx;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		t0 = timer_now_ns();
		lapic_send_sipi(apic, (uint8_t)(tp >> 12));
		timer_udelay(200);
		if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			lapic_send_sipi(apic, (uint8_t)(tp >> 12));
		if (!wait_online(c, timer_now_ns() + SMP_AP_TIMEOUT_MS * 1000000ull)) {
			lapic_send_init(apic); /* make sure it cannot wake up later */
			add_failed(failed, max_failed, n_failed, apic, "no answer");
			kprintf("smp: CPU with APIC id %u did not start (timeout %d ms)\n",
				apic, SMP_AP_TIMEOUT_MS);
			continue;
		}
		c->start_us = (uint32_t)((timer_now_ns() - t0) / 1000);
		online++;
	}
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
	lapic_init_ap();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	dispatch_worker((int)index);
}

/* The kernel's page tables (layout in mm/vmm.h). */
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/param.h"
#include "core/spinlock.h"
#include "core/x86.h"
#include "mm/pmm.h"
#include "mm/pt.h"
#include "mm/vmm.h"

#define LAPIC_PHYS 0xFEE00000ull
#define IOAPIC_PHYS 0xFEC00000ull

extern char _text[], _etext[];

static struct pt kpt;
static struct spinlock vmm_lock = SPINLOCK_INIT;
static uint64_t guards[4 * MAX_CPUS + 16]; /* guard pages, for panic hints */
static int n_guards;
static uint64_t model_size;
static uint32_t model_parts;
static uint64_t part_off[BOOT_MAX_PARTS], part_len[BOOT_MAX_PARTS]; /* from VMM_MODEL_BASE */

static uint64_t alloc_table(void *arg)
{
	(void)arg;
	void *p = pmm_alloc_pages(1);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return (uint64_t)(uintptr_t)p;
}

static bool is_ram(uint32_t type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_RECLAIMABLE || type == BOOT_MEM_LOADER ||
	       type == BOOT_MEM_RUNTIME || type == BOOT_MEM_ACPI_RECLAIM || type == BOOT_MEM_ACPI_NVS;
}

static void must(bool ok, const char *what)
{
	if (!ok)
		panic("vmm: out of memory for page tables (%s)", what);
}

/* Identity-maps every RAM range, rounded out to 2 MiB and merged, WB NX
 * (the ranges come sorted by base, core/boot_info.h). */
static void map_ram(const struct boot_info *bi)
{
	const struct boot_mem_range *r = bi->ranges;
	uint32_t n = bi->n_ranges;
	uint64_t cs = 0, ce = 0;
	for (uint32_t i = 0; i <= n; i++) {
		uint64_t s = 0, e = 0;
		if (i < n && (!is_ram(r[i].type) || !r[i].pages))
			continue;
		if (i < n) {
			s = r[i].base & ~(PT_2M - 1);
			e = (r[i].base + r[i].pages * PAGE_SIZE + PT_2M - 1) & ~(PT_2M - 1);
			if (ce && s <= ce) {
				if (e > ce)
					ce = e;
				continue;
			}
		}
		if (ce > cs)
			must(pt_map(&kpt, cs, cs, ce - cs, PTE_W | PTE_NX, PT_WB, true), "RAM");
		cs = s;
		ce = e;
	}
}

static void map_mmio(const struct boot_info *bi)
{
	uint32_t total = bi->n_ranges;
	for (uint32_t i = 0; i < total; i++) {
		const struct boot_mem_range *m = &bi->ranges[i];
		if (m->type == BOOT_MEM_MMIO && m->pages && m->pages < (1ull << 28))
			must(pt_map(&kpt, m->base, m->base, m->pages * PAGE_SIZE, PTE_W | PTE_NX, PT_UC, true),
			     "MMIO");
	}
	must(pt_map(&kpt, LAPIC_PHYS, LAPIC_PHYS, PAGE_SIZE, PTE_W | PTE_NX, PT_UC, false), "LAPIC");
	must(pt_map(&kpt, IOAPIC_PHYS, IOAPIC_PHYS, PAGE_SIZE, PTE_W | PTE_NX, PT_UC, false), "IOAPIC");
	if (bi->fb.format != BOOT_FB_NONE && bi->fb.base && bi->fb.size) {
		uint64_t b = bi->fb.base & ~(PAGE_SIZE - 1);
		uint64_t e = (bi->fb.base + bi->fb.size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		must(pt_map(&kpt, b, b, e - b, PTE_W | PTE_NX, PT_WC, true), "framebuffer");
	}
}

/* Our image: data RW NX, .text RX, in 4 KiB pages; runtime services RWX. */
static void map_image(const struct boot_info *bi)
{
	uint64_t b = bi->image_base & ~(PAGE_SIZE - 1);
	uint64_t e = (bi->image_base + bi->image_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t tb = (uint64_t)(uintptr_t)_text & ~(PAGE_SIZE - 1);
	uint64_t te = ((uint64_t)(uintptr_t)_etext + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (e > b)
		must(pt_map(&kpt, b, b, e - b, PTE_W | PTE_NX, PT_WB, false), "image");
	must(pt_map(&kpt, tb, tb, te - tb, 0, PT_WB, false), "text");
	/* UEFI runtime services code stays callable (efi_reset_system) */
	uint32_t n = bi->n_ranges;
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem_range *r = &bi->ranges[i];
		if (r->type == BOOT_MEM_RUNTIME && r->pages)
			must(pt_map(&kpt, r->base, r->base, r->pages * PAGE_SIZE, PTE_W, PT_WB, false),
			     "runtime services");
	}
}

/* The model's parts one after the other from VMM_MODEL_BASE, each starting
 * 2 MiB aligned, each part's chunks back to back; NX, writable, since
 * model_pack rewrites weights in place once after loading. */
static void map_model(const struct boot_info *bi)
{
	const struct boot_file *f = &bi->model;
	uint32_t np = f->n_parts ? f->n_parts : 1;
	if (!bi->has_model || !f->n_chunks || f->n_chunks > BOOT_MAX_CHUNKS || np > BOOT_MAX_PARTS)
		return;
	uint64_t start = 0, off = 0, total = 0;
	uint32_t p = 0;
	for (uint32_t i = 0; i < f->n_chunks; i++) {
		const struct boot_chunk *c = &f->chunks[i];
		uint64_t want = np > 1 ? f->part_size[p] : f->size;
		bool last = off + c->len == want;
		if ((c->phys & (PAGE_SIZE - 1)) || (!last && (c->len & (PAGE_SIZE - 1))) || off + c->len > want) {
			kprintf("vmm: model chunk %u not page aligned or past its file (phys 0x%lx len 0x%lx): not mapped\n",
				i, (unsigned long)c->phys, (unsigned long)c->len);
			return;
		}
		uint64_t len = (c->len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		must(pt_map(&kpt, VMM_MODEL_BASE + start + off, c->phys, len, PTE_W | PTE_NX, PT_WB, true), "model");
		off += c->len;
		if (last) {
			part_off[p] = start;
			part_len[p] = off;
			total += off;
			start = (start + off + (2ull << 20) - 1) & ~((2ull << 20) - 1);
			off = 0;
			if (++p == np && i + 1 < f->n_chunks) {
				kprintf("vmm: model chunks past its %u file(s): not mapped\n", np);
				return;
			}
		}
	}
	if (p != np || total != f->size) {
		kprintf("vmm: model chunks hold %u of %u files, %lu bytes of %lu: not mapped\n", p, np,
			(unsigned long)total, (unsigned long)f->size);
		return;
	}
	model_parts = np;
	model_size = f->size;
}

void vmm_init(const struct boot_info *bi)
{
	uint32_t r[4];
	if (!cpu_enable_nx())
		panic("vmm: the CPU has no NX bit");
	if (cpu_nx_was_hidden())
		kprintf("cpu: Execute Disable was switched off in the firmware setup; turned back on\n");
	cpuid(0x80000001, 0, r);
	kpt.use_1g = r[3] & (1u << 26);
	kpt.alloc = alloc_table;
	kpt.arg = NULL;
	kpt.root = alloc_table(NULL);
	must(kpt.root != 0, "root");

	map_ram(bi);
	map_mmio(bi);
	map_image(bi);
	must(pt_unmap(&kpt, 0, PAGE_SIZE), "page 0");
	map_model(bi);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr3(kpt.root);
	uint64_t cr4 = read_cr4();
	if (cr4 & CR4_PGE) { /* flush global entries the firmware may have left */
		write_cr4(cr4 & ~(uint64_t)CR4_PGE);
		write_cr4(cr4);
	}
	write_cr0(read_cr0() | CR0_WP);
}

uint64_t vmm_cr3(void)
{
	return kpt.root;
}

void *vmm_map_mmio(uint64_t phys, uint64_t size)
{
	uint64_t b = phys & ~(PAGE_SIZE - 1);
	uint64_t e = (phys + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	spin_lock(&vmm_lock);
	bool ok = pt_map(&kpt, b, b, e - b, PTE_W | PTE_NX, PT_UC, false);
	spin_unlock(&vmm_lock);
	if (!ok)
		return NULL;
	tlb_flush_all();
	return (void *)(uintptr_t)phys;
}

const void *vmm_map_firmware(uint64_t phys, uint64_t len)
{
	uint64_t first = phys & ~0xFFFull, end = phys + len, pa, f;

	if (end < phys)
		return NULL;
	for (uint64_t p = first; p < end; p += PAGE_SIZE)
		if (!vmm_query(p, &pa, &f) || pa != p)
			return vmm_map_mmio(first, end - first) ? (const void *)(uintptr_t)phys : NULL;
	return (const void *)(uintptr_t)phys;
}

void *vmm_stack_alloc(uint64_t size)
{
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	char *p = pmm_alloc_pages(pages);
	if (!p)
		return NULL;
	spin_lock(&vmm_lock);
	bool ok = pt_unmap(&kpt, (uint64_t)(uintptr_t)p, PAGE_SIZE);
	if (ok && n_guards < (int)(sizeof guards / sizeof guards[0]))
		guards[n_guards++] = (uint64_t)(uintptr_t)p;
	spin_unlock(&vmm_lock);
	if (!ok) {
		pmm_free_pages(p, pages);
		return NULL;
	}
	invlpg(p);
	return p + pages * PAGE_SIZE;
}

const void *vmm_model_base(void)
{
	return model_parts ? (const void *)(uintptr_t)VMM_MODEL_BASE : NULL;
}

uint64_t vmm_model_size(void)
{
	return model_size;
}

uint32_t vmm_model_parts(void)
{
	return model_parts;
}

const void *vmm_model_part(uint32_t i, uint64_t *len)
{
	if (i >= model_parts)
		return NULL;
	*len = part_len[i];
	return (const void *)(uintptr_t)(VMM_MODEL_BASE + part_off[i]);
}

bool vmm_query(uint64_t va, uint64_t *phys, uint64_t *flags)
{
	return pt_query(read_cr3() & PTE_ADDR, va, phys, flags);
}

bool vmm_is_guard(uint64_t va)
{
	for (int i = 0; i < n_guards; i++)
		if (va - guards[i] < PAGE_SIZE)
			return true;
	return false;
}

/* The physical page allocator (see mm/pmm.h): an extent set under a lock. */
#include <stdint.h>

#include "core/spinlock.h"
#include "mm/extent.h"
#include "mm/pmm.h"

#define PMM_LOW_LIMIT 0x100000ull /* nothing below 1 MiB is handed out */

static struct extent_set free_set;
static struct spinlock pmm_lock = SPINLOCK_INIT;
static uint64_t total_bytes;

/* Adds the part of a map range above 1 MiB. */
static void add_range(const struct boot_mem_range *r)
{
	uint64_t base = r->base, end = r->base + r->pages * PAGE_SIZE;
	if (end <= PMM_LOW_LIMIT || end < base)
		return;
	if (base < PMM_LOW_LIMIT)
		base = PMM_LOW_LIMIT;
	base = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (end <= base)
		return;
	spin_lock(&pmm_lock);
	if (extent_add(&free_set, base, (end - base) / PAGE_SIZE))
		total_bytes += end - base;
	spin_unlock(&pmm_lock);
}

static void add_type(const struct boot_info *bi, uint32_t type)
{
	uint32_t n = bi->n_ranges;
	for (uint32_t i = 0; i < n; i++)
		if (bi->ranges[i].type == type)
			add_range(&bi->ranges[i]);
}

void pmm_init(const struct boot_info *bi)
{
	extent_init(&free_set);
	add_type(bi, BOOT_MEM_USABLE);
}

void pmm_reclaim_boot(const struct boot_info *bi)
{
	add_type(bi, BOOT_MEM_RECLAIMABLE);
}

void *pmm_alloc_aligned(uint64_t n, uint64_t align)
{
	spin_lock(&pmm_lock);
	uint64_t a = extent_alloc(&free_set, n, align < PAGE_SIZE ? PAGE_SIZE : align, UINT64_MAX);
	spin_unlock(&pmm_lock);
	return (void *)(uintptr_t)a;
}

void *pmm_alloc_pages(uint64_t n)
{
	return pmm_alloc_aligned(n, PAGE_SIZE);
}

void *pmm_alloc_below(uint64_t n, uint64_t limit)
{
	spin_lock(&pmm_lock);
	uint64_t a = extent_alloc(&free_set, n, PAGE_SIZE, limit);
	spin_unlock(&pmm_lock);
	return (void *)(uintptr_t)a;
}

void pmm_free_pages(void *p, uint64_t n)
{
	if (!p || !n)
		return;
	spin_lock(&pmm_lock);
	extent_add(&free_set, (uint64_t)(uintptr_t)p, n); /* a double free is refused */
	spin_unlock(&pmm_lock);
}

uint64_t pmm_free_bytes(void)
{
	spin_lock(&pmm_lock);
	uint64_t n = extent_free_pages(&free_set) * PAGE_SIZE;
	spin_unlock(&pmm_lock);
	return n;
}

uint64_t pmm_total_bytes(void)
{
	return total_bytes;
}

int pmm_extent_count(void)
{
	return free_set.n;
}

void pmm_extent_get(int i, uint64_t *base, uint64_t *pages)
{
	spin_lock(&pmm_lock);
	if (i >= 0 && i < free_set.n) {
		*base = free_set.e[i].base;
		*pages = free_set.e[i].pages;
	} else {
		*base = *pages = 0;
	}
	spin_unlock(&pmm_lock);
}

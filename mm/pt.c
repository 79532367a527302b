/* 4-level page table construction (see mm/pt.h). */
#include <stdbool.h>
#include <stdint.h>

#include "mm/pt.h"

/* Page size mapped by one entry at level lv (3 PML4 .. 0 PT). */
static uint64_t lv_size(int lv)
{
	return PT_4K << (9 * lv);
}

static uint64_t *table(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & PTE_ADDR);
}

static int lv_index(uint64_t va, int lv)
{
	return (int)((va >> (12 + 9 * lv)) & 511);
}

static uint64_t cache_bits(enum pt_cache c, bool large)
{
	switch (c) {
	case PT_UC:
		return PTE_PCD | PTE_PWT; /* PAT entry 3 */
	case PT_WC:
		return large ? PTE_PAT_LARGE : PTE_PAT_4K; /* PAT entry 4 */
	default:
		return 0;
	}
}

/* Replaces the large leaf *e (level lv) by a table of 512 smaller leaves
 * with the same attributes. */
static bool split(struct pt *pt, uint64_t *e, int lv)
{
	uint64_t t = pt->alloc(pt->arg);
	if (!t)
		return false;
	uint64_t old = *e, attr = old & ~PTE_ADDR & ~PTE_PAT_LARGE, pa = old & PTE_ADDR & ~(lv_size(lv) - 1);
	bool pat = old & PTE_PAT_LARGE;
	uint64_t *nt = table(t);
	for (int i = 0; i < 512; i++) {
		uint64_t child = pa + (uint64_t)i * lv_size(lv - 1);
		if (lv - 1 == 0)
			nt[i] = child | (attr & ~PTE_PS) | (pat ? PTE_PAT_4K : 0);
		else
			nt[i] = child | attr | (pat ? PTE_PAT_LARGE : 0);
	}
	/* the upper entry: present, writable; NX/RO live in the leaves */
	*e = t | PTE_P | PTE_W;
	return true;
}

/* The entry for va at level target, creating/splitting tables above it. */
static uint64_t *walk(struct pt *pt, uint64_t va, int target)
{
	uint64_t *t = table(pt->root);
	for (int lv = 3; lv > target; lv--) {
		uint64_t *e = &t[lv_index(va, lv)];
		if (!(*e & PTE_P)) {
			uint64_t n = pt->alloc(pt->arg);
			if (!n)
				return 0;
			*e = n | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			if (!split(pt, e, lv))
				return 0;
		}
		t = table(*e);
	}
	return &t[lv_index(va, target)];
}

bool pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
	    enum pt_cache cache, bool large)
{
	flags &= PTE_W | PTE_NX;
	while (size) {
		int lv = 0;
		if (large && pt->use_1g && !(va & (PT_1G - 1)) && !(pa & (PT_1G - 1)) && size >= PT_1G)
			lv = 2;
		else if (large && !(va & (PT_2M - 1)) && !(pa & (PT_2M - 1)) && size >= PT_2M)
			lv = 1;
		uint64_t *e = walk(pt, va, lv);
		if (!e)
			return false;
		*e = pa | flags | PTE_P | (lv ? PTE_PS : 0) | cache_bits(cache, lv > 0);
		va += lv_size(lv);
		pa += lv_size(lv);
		size -= lv_size(lv);
	}
	return true;
}

bool pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	while (size) {
		/* drop whole aligned large pages directly, else go down to 4 KiB */
		int lv = 0;
		if (!(va & (PT_1G - 1)) && size >= PT_1G)
			lv = 2;
		else if (!(va & (PT_2M - 1)) && size >= PT_2M)
			lv = 1;
		uint64_t *e = walk(pt, va, lv);
		if (!e)
			return false;
		*e = 0;
		va += lv_size(lv);
		size -= lv_size(lv);
	}
	return true;
}

bool pt_query(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *flags)
{
	uint64_t *t = table(root);
	for (int lv = 3; lv >= 0; lv--) {
		uint64_t e = t[lv_index(va, lv)];
		if (!(e & PTE_P))
			return false;
		if (lv == 0 || (lv < 3 && (e & PTE_PS))) {
			uint64_t sz = lv_size(lv);
			uint64_t base = e & PTE_ADDR & ~(sz - 1);
			*pa = base + (va & (sz - 1));
			*flags = e & ~(PTE_ADDR & ~(lv ? PTE_PAT_LARGE : 0));
			return true;
		}
		t = table(e);
	}
	return false;
}

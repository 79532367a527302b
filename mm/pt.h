/*
 * x86-64 4-level page tables as a data structure: map, unmap and look up
 * ranges with 4 KiB / 2 MiB / 1 GiB pages, splitting large pages when a
 * smaller mapping lands inside one. Pure logic (tables are addressed as
 * phys == virt, new tables come from a callback), so the host unit test
 * builds tables in ordinary memory. mm/vmm.c drives it for the kernel.
 */
#ifndef MM_PT_H
#define MM_PT_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)        /* large page, in PDPT/PD entries */
#define PTE_PAT_4K (1ull << 7)    /* PAT bit of a 4 KiB PTE */
#define PTE_PAT_LARGE (1ull << 12) /* PAT bit of a 2 MiB / 1 GiB entry */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

#define PT_4K 0x1000ull
#define PT_2M 0x200000ull
#define PT_1G 0x40000000ull

/* Memory types through the PAT as cpu_init_simd programs it. */
enum pt_cache { PT_WB, PT_UC, PT_WC };

struct pt {
	uint64_t root; /* the PML4's address */
	/* a zeroed, 4 KiB aligned page (phys == virt), or 0 */
	uint64_t (*alloc)(void *arg);
	void *arg;
	bool use_1g; /* the CPU has 1 GiB pages */
};

/* Maps [va, va+size) to [pa, ...): flags = PTE_W and/or PTE_NX, cache a
 * pt_cache. va, pa, size 4 KiB aligned. Large pages where alignment and
 * size allow and large is true. False when a table could not be allocated
 * (part of the range may be mapped). */
bool pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
	    enum pt_cache cache, bool large);
/* Unmaps [va, va+size) (4 KiB aligned), splitting large pages. */
bool pt_unmap(struct pt *pt, uint64_t va, uint64_t size);
/* The leaf for va in the tables at root: physical address of va and the
 * leaf entry's flag bits (PTE_PS set for large pages); false if unmapped. */
bool pt_query(uint64_t root, uint64_t va, uint64_t *pa, uint64_t *flags);

#endif

/*
 * Physical page allocator: 4 KiB pages, physical == virtual (RAM is
 * identity-mapped, see mm/vmm.h). Built from the UEFI memory map in
 * struct boot_info: USABLE memory at pmm_init, boot-services memory
 * (RECLAIMABLE) once we run on our own page tables and stack
 * (pmm_reclaim_boot). Never handed out: anything below 1 MiB (page 0, the
 * AP trampoline, real-mode leftovers), LOADER memory (our image, the
 * model, boot_info), runtime services, ACPI, MMIO. Thread-safe.
 * The free set is an extent list (mm/extent.c, host-tested).
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stdint.h>

#include "core/boot_info.h"

#define PAGE_SIZE 4096ull

void pmm_init(const struct boot_info *bi);
/* Adds the RECLAIMABLE (boot-services) ranges; call only after CR3 and
 * the stack have moved off firmware memory. */
void pmm_reclaim_boot(const struct boot_info *bi);

/* n contiguous pages (4 KiB aligned), or NULL. Not zeroed. */
void *pmm_alloc_pages(uint64_t n);
/* n contiguous pages aligned to align bytes (a power of two), or NULL. */
void *pmm_alloc_aligned(uint64_t n, uint64_t align);
/* Same, but entirely below limit (e.g. 4 GiB for a 32-bit CR3). */
void *pmm_alloc_below(uint64_t n, uint64_t limit);
void pmm_free_pages(void *p, uint64_t n);

uint64_t pmm_free_bytes(void);
uint64_t pmm_total_bytes(void); /* ever added to the allocator */
/* Number of free extents and the i-th one, for `mem`. */
int pmm_extent_count(void);
void pmm_extent_get(int i, uint64_t *base, uint64_t *pages);

#endif

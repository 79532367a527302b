/* The kernel heap behind malloc/calloc/realloc/free/posix_memalign
 * (mm/heap.c): power-of-two size classes carved from 64 KiB slabs for
 * small blocks, whole pages from pmm for large ones. Thread-safe. */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
	uint64_t small_bytes; /* slab memory taken from pmm */
	uint64_t large_bytes; /* pages of live large blocks */
	uint64_t live_blocks;
};

/* Nothing needs it before the first malloc, but kmain calls it after
 * pmm_init to check the heap works (a malloc/free round trip). */
void heap_init(void);
void heap_get_stats(struct heap_stats *st);

#endif

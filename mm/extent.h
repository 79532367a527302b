/*
 * A set of free physical page ranges (extents), sorted by base, merged
 * with their neighbours: the pure logic under mm/pmm.c, no locking, no
 * hardware, so tests/unit/test_lib.c runs it on the host.
 */
#ifndef MM_EXTENT_H
#define MM_EXTENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/param.h"

struct extent {
	uint64_t base;  /* bytes, 4 KiB aligned */
	uint64_t pages; /* > 0 */
};

struct extent_set {
	int n;
	struct extent e[PMM_MAX_EXTENTS];
};

void extent_init(struct extent_set *s);
/* Adds [base, base + pages*4K). False (set unchanged) when it overlaps a
 * free range or the table is full. */
bool extent_add(struct extent_set *s, uint64_t base, uint64_t pages);
/* Removes whatever part of [base, base + pages*4K) is free. False when the
 * table would overflow (set unchanged). */
bool extent_remove(struct extent_set *s, uint64_t base, uint64_t pages);
/* Takes pages pages at a multiple of align (power of two >= 4096), lowest
 * address first, ending at or below limit. Returns the base or 0. */
uint64_t extent_alloc(struct extent_set *s, uint64_t pages, uint64_t align, uint64_t limit);
uint64_t extent_free_pages(const struct extent_set *s);

#endif

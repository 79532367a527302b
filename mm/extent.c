/* Free physical ranges as a sorted, merged array (see mm/extent.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mm/extent.h"

#define EXT_PAGE 4096ull

void extent_init(struct extent_set *s)
{
	s->n = 0;
}

static uint64_t ext_end(const struct extent *e)
{
	return e->base + e->pages * EXT_PAGE;
}

static void ext_delete(struct extent_set *s, int i)
{
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof s->e[0]);
	s->n--;
}

static bool ext_insert(struct extent_set *s, int i, uint64_t base, uint64_t pages)
{
	if (s->n >= PMM_MAX_EXTENTS)
		return false;
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof s->e[0]);
	s->e[i].base = base;
	s->e[i].pages = pages;
	s->n++;
	return true;
}

bool extent_add(struct extent_set *s, uint64_t base, uint64_t pages)
{
	if (!pages)
		return true;
	uint64_t end = base + pages * EXT_PAGE;
	if (end < base)
		return false;
	int i = 0;
	while (i < s->n && s->e[i].base < base)
		i++;
	/* s->e[i-1] starts below base, s->e[i] at or above */
	if (i > 0 && ext_end(&s->e[i - 1]) > base)
		return false;
	if (i < s->n && s->e[i].base < end)
		return false;
	bool join_prev = i > 0 && ext_end(&s->e[i - 1]) == base;
	bool join_next = i < s->n && s->e[i].base == end;
	if (join_prev && join_next) {
		s->e[i - 1].pages += pages + s->e[i].pages;
		ext_delete(s, i);
	} else if (join_prev) {
		s->e[i - 1].pages += pages;
	} else if (join_next) {
		s->e[i].base = base;
		s->e[i].pages += pages;
	} else {
		return ext_insert(s, i, base, pages);
	}
	return true;
}

bool extent_remove(struct extent_set *s, uint64_t base, uint64_t pages)
{
	uint64_t end = base + pages * EXT_PAGE;
	for (int i = 0; i < s->n; i++) {
		struct extent *e = &s->e[i];
		uint64_t eb = e->base, ee = ext_end(e);
		if (ee <= base || eb >= end)
			continue;
		if (eb < base && ee > end) { /* split in two */
			if (!ext_insert(s, i + 1, end, (ee - end) / EXT_PAGE))
				return false;
			s->e[i].pages = (base - eb) / EXT_PAGE;
			return true;
		}
		if (eb < base) {
			e->pages = (base - eb) / EXT_PAGE;
		} else if (ee > end) {
			e->base = end;
			e->pages = (ee - end) / EXT_PAGE;
		} else {
			ext_delete(s, i);
			i--;
		}
	}
	return true;
}

uint64_t extent_alloc(struct extent_set *s, uint64_t pages, uint64_t align, uint64_t limit)
{
	if (!pages || align < EXT_PAGE || (align & (align - 1)))
		return 0;
	for (int i = 0; i < s->n; i++) {
		struct extent *e = &s->e[i];
		uint64_t a = (e->base + align - 1) & ~(align - 1);
		uint64_t end = a + pages * EXT_PAGE;
		if (a < e->base || end < a || end > ext_end(e))
			continue;
		if (end > limit)
			return 0; /* sorted: every later extent is higher still */
		if (!extent_remove(s, a, pages))
			continue; /* table full: try another range */
		return a;
	}
	return 0;
}

uint64_t extent_free_pages(const struct extent_set *s)
{
	uint64_t n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->e[i].pages;
	return n;
}

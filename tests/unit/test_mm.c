/* Host tests of the pure memory-management logic: the free-range set under
 * the page allocator (mm/extent.c) and the page-table builder (mm/pt.c),
 * which here builds tables in ordinary memory (pointers as "physical"
 * addresses). The mm C files are #included: make unit links only ai/. One "PASS: x" / "FAIL: x" line per check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/extent.c"
#include "mm/pt.c"
#include "tests/unit/check.h"
#define TEST_RNG_SEED 0x243F6A8885A308D3ull
#include "tests/unit/rng.h"

static void test_extent(void)
{
	/* extent logic: see mm/extent.h */
	struct extent_set s;
	extent_init(&s);
	int ok = 1;
	ok &= extent_add(&s, 0x100000, 256);   /* 1 MiB .. 2 MiB */
	ok &= extent_add(&s, 0x300000, 512);   /* 3 MiB .. 5 MiB */
	ok &= extent_add(&s, 0x200000, 256);   /* joins the two */
	ok &= s.n == 1 && s.e[0].base == 0x100000 && s.e[0].pages == 1024;
	check(ok, "extent add merges neighbours");
	ok = extent_remove(&s, 0x180000, 16) && s.n == 2;
	uint64_t a = extent_alloc(&s, 16, 4096, UINT64_MAX);
	ok &= a == 0x100000;
	uint64_t b = extent_alloc(&s, 1, 0x200000, UINT64_MAX);
	ok &= b == 0x200000;
	uint64_t c = extent_alloc(&s, 100000, 4096, UINT64_MAX);
	ok &= c == 0;
	ok &= extent_free_pages(&s) == 1024 - 16 - 16 - 1;
	extent_add(&s, a, 16);
	extent_add(&s, b, 1);
	extent_add(&s, 0x180000, 16);
	ok &= s.n == 1 && s.e[0].pages == 1024;
	check(ok, "extent alloc honours alignment, remove splits, free re-merges");
	ok = !extent_add(&s, 0x200000, 4); /* overlap refused */
	uint64_t d = extent_alloc(&s, 4, 4096, 0x180000);
	ok &= d == 0x100000;
	ok &= extent_alloc(&s, 1024, 4096, 0x400000) == 0; /* would cross the limit */
	check(ok, "extent refuses overlaps, alloc respects an upper limit");
	/* random model check against a page bitmap */
	enum { NP = 4096 };
	static unsigned char used[NP];
	extent_init(&s);
	memset(used, 1, sizeof used);
	for (uint64_t p = 1; p < NP; p += 1 + rng_next() % 300) {
		uint64_t n = 1 + rng_next() % 200;
		if (p + n > NP)
			n = NP - p;
		extent_add(&s, p * 4096, n);
		memset(used + p, 0, n);
		p += n;
	}
	ok = 1;
	for (int it = 0; it < 5000 && ok; it++) {
		uint64_t n = 1 + rng_next() % 16, al = 4096ull << (rng_next() % 3);
		uint64_t x = extent_alloc(&s, n, al, UINT64_MAX);
		if (x) {
			if (x % al)
				ok = 0;
			for (uint64_t k = 0; k < n; k++) {
				if (used[x / 4096 + k])
					ok = 0;
				used[x / 4096 + k] = 1;
			}
			if (rng_next() % 2) {
				extent_add(&s, x, n);
				memset(used + x / 4096, 0, n);
			}
		}
		uint64_t fp = 0;
		for (int k = 0; k < NP; k++)
			fp += !used[k];
		if (fp != extent_free_pages(&s))
			ok = 0;
	}
	check(ok, "extent random alloc/free agrees with a page bitmap");
}

static int tables_made;
static void *tables[4096]; /* every table, freed at the end */
static uint64_t host_table(void *arg)
{
	(void)arg;
	if (tables_made >= 4096)
		return 0;
	void *p = aligned_alloc(4096, 4096);
	if (!p)
		return 0;
	memset(p, 0, 4096);
	tables[tables_made++] = p;
	return (uint64_t)(uintptr_t)p;
}

/* The leaf for va maps to want_pa with the given W/NX/cache bits. */
static int leaf_is(struct pt *pt, uint64_t va, uint64_t want_pa, uint64_t want, uint64_t mask)
{
	uint64_t pa, fl;
	if (!pt_query(pt->root, va, &pa, &fl))
		return 0;
	return pa == want_pa && (fl & mask) == want;
}

static void test_pt(void)
{
	struct pt pt = {0, host_table, NULL, true};
	pt.root = host_table(NULL);
	const uint64_t M = PT_2M, G = PT_1G, K = PT_4K;
	const uint64_t ATTR = PTE_W | PTE_NX | PTE_PS | PTE_PCD | PTE_PWT;
	int ok = pt_map(&pt, 0, 0, 4 * G, PTE_W | PTE_NX, PT_WB, true);
	ok &= leaf_is(&pt, 0x12345678, 0x12345678, PTE_W | PTE_NX | PTE_PS, ATTR);
	ok &= leaf_is(&pt, 3 * G + 5, 3 * G + 5, PTE_W | PTE_NX | PTE_PS, ATTR);
	ok &= tables_made <= 3; /* PML4 + PDPT (+1 spare): 1 GiB pages */
	check(ok, "pt: 4 GiB identity map uses 1 GiB pages");

	/* a 4 KiB read-only executable page in the middle splits 1G -> 2M -> 4K */
	ok = pt_map(&pt, G + 3 * M + 5 * K, G + 3 * M + 5 * K, K, 0, PT_WB, false);
	ok &= leaf_is(&pt, G + 3 * M + 5 * K + 9, G + 3 * M + 5 * K + 9, 0, ATTR);
	ok &= leaf_is(&pt, G + 3 * M + 4 * K, G + 3 * M + 4 * K, PTE_W | PTE_NX, ATTR);
	ok &= leaf_is(&pt, G + 3 * M + 6 * K, G + 3 * M + 6 * K, PTE_W | PTE_NX, ATTR);
	ok &= leaf_is(&pt, G + 2 * M, G + 2 * M, PTE_W | PTE_NX | PTE_PS, ATTR);
	ok &= leaf_is(&pt, 2 * G - 1, 2 * G - 1, PTE_W | PTE_NX | PTE_PS, ATTR);
	check(ok, "pt: a small mapping splits large pages and keeps the neighbours");

	/* write-combining: PAT bit 12 in large pages, bit 7 after a split */
	ok = pt_map(&pt, 0x80000000, 0x80000000, 4 * M, PTE_W | PTE_NX, PT_WC, true);
	uint64_t pa, fl;
	ok &= pt_query(pt.root, 0x80000000 + 7, &pa, &fl) && (fl & PTE_PAT_LARGE) && (fl & PTE_PS);
	ok &= pt_unmap(&pt, 0x80000000 + 2 * K, K);
	ok &= pt_query(pt.root, 0x80000000 + 3 * K, &pa, &fl) && (fl & PTE_PAT_4K) &&
	      pa == 0x80000000 + 3 * K;
	ok &= !pt_query(pt.root, 0x80000000 + 2 * K + 100, &pa, &fl);
	check(ok, "pt: WC attribute survives a split (PAT bit moves 12 -> 7), unmap leaves a hole");

	ok = pt_map(&pt, 0xFEE00000, 0xFEE00000, K, PTE_W | PTE_NX, PT_UC, false);
	ok &= leaf_is(&pt, 0xFEE00000, 0xFEE00000, PTE_W | PTE_NX | PTE_PCD | PTE_PWT, ATTR);
	ok &= pt_unmap(&pt, 0, K) && !pt_query(pt.root, 0x10, &pa, &fl) && pt_query(pt.root, K, &pa, &fl);
	check(ok, "pt: uncached page, page 0 unmapped while page 1 stays");

	/* a "model" of three chunks mapped back to back at a high address */
	const uint64_t VB = 0x0000400000000000ull;
	uint64_t chunks[3][2] = {{0x10000000, 6 * M}, {0x30200000, 3 * M + 8 * K}, {0x20000000, 5 * K}};
	uint64_t off = 0;
	ok = 1;
	for (int i = 0; i < 3; i++) {
		ok &= pt_map(&pt, VB + off, chunks[i][0], chunks[i][1], PTE_NX, PT_WB, true);
		off += chunks[i][1];
	}
	off = 0;
	for (int i = 0; i < 3; i++) {
		for (uint64_t b = 0; b < chunks[i][1]; b += 4093)
			ok &= leaf_is(&pt, VB + off + b, chunks[i][0] + b, PTE_NX, PTE_W | PTE_NX);
		off += chunks[i][1];
	}
	ok &= !pt_query(pt.root, VB + off + K, &pa, &fl);
	check(ok, "pt: chunks mapped contiguously read-only at 64 TiB, nothing past the end");

	/* random maps/unmaps against a model of 4 KiB pages */
	struct pt p2 = {0, host_table, NULL, false};
	p2.root = host_table(NULL);
	enum { NPG = 4096 }; /* 16 MiB window */
	static int64_t model[NPG]; /* -1 unmapped, else pa page */
	for (int i = 0; i < NPG; i++)
		model[i] = -1;
	ok = 1;
	for (int it = 0; it < 400; it++) {
		uint64_t n = rng_next() % 3 == 0 ? 512 * (1 + rng_next() % 2) : 1 + rng_next() % 40;
		uint64_t first = rng_next() % NPG;
		if (rng_next() % 4 == 0)
			first &= ~511ull;
		if (first + n > NPG)
			n = NPG - first;
		if (rng_next() % 3) {
			uint64_t pa0 = (rng_next() % 64) * M + (first % 512) * K;
			ok &= pt_map(&p2, first * K, pa0, n * K, PTE_W, PT_WB, true);
			for (uint64_t k = 0; k < n; k++)
				model[first + k] = (int64_t)(pa0 / K + k);
		} else {
			ok &= pt_unmap(&p2, first * K, n * K);
			for (uint64_t k = 0; k < n; k++)
				model[first + k] = -1;
		}
	}
	for (int i = 0; i < NPG; i++) {
		bool m = pt_query(p2.root, (uint64_t)i * K + 17, &pa, &fl);
		if (m != (model[i] >= 0) || (m && pa != (uint64_t)model[i] * K + 17))
			ok = 0;
	}
	check(ok, "pt: random map/unmap agrees with a page model");
	for (int i = 0; i < tables_made; i++)
		free(tables[i]);
}

int main(void)
{
	test_extent();
	test_pt();
	return n_fail ? 1 : 0;
}

/*
 * qsort as a stable merge sort (like glibc's msort that the host tool
 * uses), so host and OS order equal elements the same way and the engine
 * gives identical results. Temporary buffer from malloc; without memory
 * it falls back to insertion sort (stable, slow, no allocation).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/libc.h"

typedef int (*cmp_fn)(const void *, const void *);

static void insertion(char *b, size_t n, size_t size, cmp_fn cmp, char *tmp1)
{
	for (size_t i = 1; i < n; i++) {
		size_t j = i;
		while (j > 0 && cmp(b + (j - 1) * size, b + i * size) > 0)
			j--;
		if (j == i)
			continue;
		memcpy(tmp1, b + i * size, size);
		memmove(b + (j + 1) * size, b + j * size, (i - j) * size);
		memcpy(b + j * size, tmp1, size);
	}
}

void LIBC(qsort)(void *base, size_t n, size_t size, cmp_fn cmp)
{
	char *b = base;
	if (n < 2 || !size)
		return;
	char one[256];
	char *tmp = n * size / n == size ? LIBC(malloc)(n * size) : NULL;
	if (!tmp) {
		char *t1 = size <= sizeof one ? one : LIBC(malloc)(size);
		if (t1)
			insertion(b, n, size, cmp, t1);
		if (t1 != one)
			LIBC(free)(t1);
		return;
	}
	/* runs of 8 by insertion, then bottom-up merges between b and tmp */
	const size_t run = 8;
	for (size_t i = 0; i < n; i += run)
		insertion(b + i * size, n - i < run ? n - i : run, size, cmp, tmp);
	char *src = b, *dst = tmp;
	for (size_t w = run; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				if (cmp(src + j * size, src + i * size) < 0)
					memcpy(dst + k++ * size, src + j++ * size, size);
				else
					memcpy(dst + k++ * size, src + i++ * size, size);
			}
			memcpy(dst + k * size, src + i * size, (mid - i) * size);
			k += mid - i;
			memcpy(dst + k * size, src + j * size, (hi - j) * size);
		}
		char *t = src;
		src = dst;
		dst = t;
	}
	if (src != b)
		memcpy(b, src, n * size);
	LIBC(free)(tmp);
}

/* hugemem: see hugemem.h. Weights read from 4 KiB pages stream slower
 * (TLB walks on every page); the engine, kbench and bwprobe all use this
 * so that they compare like with like. */
#include "host/hugemem.h"

#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *huge_alloc(size_t len)
{
	/* over-map by one huge page and trim, so the buffer starts on one */
	len = (len + 4095) & ~(size_t)4095;
	size_t span = len + HUGE_PAGE;
	uint8_t *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uint8_t *p = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (p > m)
		munmap(m, (size_t)(p - m));
	size_t tail = (size_t)(m + span - (p + len));
	if (tail)
		munmap(p + len, tail);
	madvise(p, len, MADV_HUGEPAGE); /* a hint: fine if refused */
	return p;
}

void huge_free(void *p, size_t len)
{
	if (p)
		munmap(p, (len + 4095) & ~(size_t)4095);
}

/*
 * The kernel heap: malloc & co. on pages from mm/pmm.c.
 * Every block has a 16-byte header right before the user pointer:
 *   kind < HEAP_NCLASS  small block of class size 16 << kind (header incl.)
 *   kind == KIND_LARGE  info = pages, the header sits at the page start
 *   kind == KIND_ALIGN  info = bytes back to the underlying block's pointer
 * Small blocks are never given back to pmm (the engine allocates at setup).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/param.h"
#include "core/spinlock.h"
#include "lib/libc.h"
#include "mm/heap.h"
#include "mm/pmm.h"

#ifdef LIB_TEST
#define HEAP_FATAL(msg) abort()
#else
#include "core/panic.h"
#define HEAP_FATAL(msg) panic("heap: %s", msg)
#endif

#define HEAP_MAGIC 0x4b48454du /* "MEHK" */
#define HEAP_NCLASS 12          /* 16 .. 32 KiB */
#define KIND_LARGE 100u
#define KIND_ALIGN 200u
#define SLAB_BYTES (64 * 1024)

_Static_assert((16u << (HEAP_NCLASS - 1)) == HEAP_SMALL_MAX, "classes end at HEAP_SMALL_MAX");

struct mhdr {
	uint64_t info;
	uint32_t kind;
	uint32_t magic;
};

struct free_blk {
	struct free_blk *next;
};

static struct spinlock heap_lock = SPINLOCK_INIT;
static struct free_blk *free_list[HEAP_NCLASS];
static struct heap_stats stats;

static int class_of(size_t total)
{
	int c = 0;
	while ((16u << c) < total)
		c++;
	return c;
}

/* Takes a block of class c; the lock is held. */
static void *small_take(int c)
{
	if (!free_list[c]) {
		char *slab = pmm_alloc_pages(SLAB_BYTES / PAGE_SIZE);
		if (!slab)
			return NULL;
		stats.small_bytes += SLAB_BYTES;
		size_t bs = 16u << c;
		for (size_t off = 0; off + bs <= SLAB_BYTES; off += bs) {
			struct free_blk *b = (struct free_blk *)(slab + off);
			b->next = free_list[c];
			free_list[c] = b;
		}
	}
	struct free_blk *b = free_list[c];
	free_list[c] = b->next;
	return b;
}

void *LIBC(malloc)(size_t size)
{
	if (size > (1ull << 46))
		return NULL;
	size_t total = size + sizeof(struct mhdr);
	struct mhdr *h;
	if (total <= HEAP_SMALL_MAX) {
		int c = class_of(total);
		spin_lock(&heap_lock);
		h = small_take(c);
		if (h)
			stats.live_blocks++;
		spin_unlock(&heap_lock);
		if (!h)
			return NULL;
		h->kind = (uint32_t)c;
		h->info = 0;
	} else {
		uint64_t pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
		h = pmm_alloc_pages(pages);
		if (!h)
			return NULL;
		spin_lock(&heap_lock);
		stats.large_bytes += pages * PAGE_SIZE;
		stats.live_blocks++;
		spin_unlock(&heap_lock);
		h->kind = KIND_LARGE;
		h->info = pages;
	}
	h->magic = HEAP_MAGIC;
	return h + 1;
}

static struct mhdr *header_of(void *p)
{
	struct mhdr *h = (struct mhdr *)p - 1;
	if (h->magic != HEAP_MAGIC)
		HEAP_FATAL("free/realloc of a pointer malloc did not return");
	return h;
}

/* Bytes usable at p. */
static size_t usable(void *p)
{
	struct mhdr *h = header_of(p);
	if (h->kind == KIND_ALIGN) {
		char *under = (char *)p - h->info;
		return usable(under) - h->info;
	}
	if (h->kind == KIND_LARGE)
		return h->info * PAGE_SIZE - sizeof *h;
	return (16u << h->kind) - sizeof *h;
}

void LIBC(free)(void *p)
{
	if (!p)
		return;
	struct mhdr *h = header_of(p);
	if (h->kind == KIND_ALIGN) {
		h->magic = 0;
		LIBC(free)((char *)p - h->info);
		return;
	}
	h->magic = 0;
	if (h->kind == KIND_LARGE) {
		uint64_t pages = h->info;
		spin_lock(&heap_lock);
		stats.large_bytes -= pages * PAGE_SIZE;
		stats.live_blocks--;
		spin_unlock(&heap_lock);
		pmm_free_pages(h, pages);
		return;
	}
	if (h->kind >= HEAP_NCLASS)
		HEAP_FATAL("corrupt block header");
	spin_lock(&heap_lock);
	struct free_blk *b = (struct free_blk *)h;
	b->next = free_list[h->kind];
	free_list[h->kind] = b;
	stats.live_blocks--;
	spin_unlock(&heap_lock);
}

void *LIBC(calloc)(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = LIBC(malloc)(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *LIBC(realloc)(void *p, size_t size)
{
	if (!p)
		return LIBC(malloc)(size);
	if (!size) {
		LIBC(free)(p);
		return NULL;
	}
	size_t have = usable(p);
	if (size <= have)
		return p;
	void *q = LIBC(malloc)(size);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	LIBC(free)(p);
	return q;
}

int LIBC(posix_memalign)(void **out, size_t align, size_t size)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return 22; /* EINVAL */
	if (align <= 16) {
		*out = LIBC(malloc)(size);
		return *out ? 0 : 12;
	}
	if (size > SIZE_MAX - align - sizeof(struct mhdr))
		return 12; /* ENOMEM */
	char *under = LIBC(malloc)(size + align + sizeof(struct mhdr));
	if (!under)
		return 12;
	uintptr_t a = ((uintptr_t)under + sizeof(struct mhdr) + align - 1) & ~(uintptr_t)(align - 1);
	struct mhdr *h = (struct mhdr *)a - 1;
	h->kind = KIND_ALIGN;
	h->info = a - (uintptr_t)under;
	h->magic = HEAP_MAGIC;
	*out = (void *)a;
	return 0;
}

void *LIBC(aligned_alloc)(size_t align, size_t size)
{
	void *p;
	return LIBC(posix_memalign)(&p, align, size) ? NULL : p;
}

void heap_init(void)
{
	void *p = LIBC(malloc)(100), *q = LIBC(malloc)(100000);
	if (!p || !q)
		HEAP_FATAL("no memory for the heap");
	LIBC(free)(q);
	LIBC(free)(p);
}

void heap_get_stats(struct heap_stats *st)
{
	spin_lock(&heap_lock);
	*st = stats;
	spin_unlock(&heap_lock);
}

/*
 * Reading the model into memory before ExitBootServices. The file goes into
 * one or more EfiLoaderData chunks, 2 MiB aligned where possible, so a
 * multi-GB model loads even when RAM is fragmented; the kernel maps them
 * back to back. The CRC-32 is computed on the way, and the GGUF header and
 * metadata are checked early so a bad file fails before a long read.
 */
#include "efi/efi.h"
#include "ai/gguf.h"
#include "ai/ggufscan.h"
#include "core/x86.h"
#include "fs/crc32.h"

#define MODLOAD_MIB (1ull << 20)
#define MODLOAD_ALIGN (2 * MODLOAD_MIB)
#define MODLOAD_PIECE (16 * MODLOAD_MIB) /* bytes per Read() call */
#define MODLOAD_MIN_CHUNK (64 * 1024ull)
/* memory the kernel needs besides the model (page tables, heap, stacks) */
#define MODLOAD_RESERVE (48 * MODLOAD_MIB)

static uint64_t modload_round(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* bytes (a multiple of 4 KiB) of LoaderData aligned to align (a power of two
 * >= 4 KiB): over-allocate, then give back the head and the tail. */
static bool modload_alloc(uint64_t bytes, uint64_t align, uint64_t *phys)
{
	uint64_t pages = bytes >> 12, extra = (align >> 12) - 1;
	EFI_PHYSICAL_ADDRESS a = 0;

	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages + extra, &a) != EFI_SUCCESS)
		return false;
	uint64_t start = modload_round(a, align);
	uint64_t head = (start - a) >> 12, tail = extra - head;
	if (head)
		efi_bs->FreePages(a, head);
	if (tail)
		efi_bs->FreePages(start + bytes, tail);
	*phys = start;
	return true;
}

static void modload_free(struct boot_file *f)
{
	for (uint32_t i = 0; i < f->n_chunks; i++)
		efi_bs->FreePages(f->chunks[i].phys, modload_round(f->chunks[i].len, 4096) >> 12);
	f->n_chunks = 0;
}

/* Chunks covering f->size: as large as possible (up to max_chunk when not
 * 0), halving on failure. */
static bool modload_alloc_chunks(struct boot_file *f, uint64_t max_chunk)
{
	uint64_t left = modload_round(f->size, 4096);
	uint64_t want = modload_round(left, MODLOAD_ALIGN);

	if (max_chunk && want > max_chunk)
		want = modload_round(max_chunk, MODLOAD_ALIGN);
	while (left) {
		uint64_t phys;
		if (f->n_chunks == BOOT_MAX_CHUNKS)
			return false;
		uint64_t take = want < left ? want : left;
		if (!modload_alloc(take, take >= MODLOAD_ALIGN ? MODLOAD_ALIGN : 4096, &phys)) {
			if (take <= MODLOAD_MIN_CHUNK)
				return false;
			want = take >= 2 * MODLOAD_ALIGN ? (take / 2) & ~(MODLOAD_ALIGN - 1)
							 : modload_round(take / 2, 4096);
			continue;
		}
		uint64_t done = modload_round(f->size, 4096) - left;
		f->chunks[f->n_chunks].phys = phys;
		f->chunks[f->n_chunks].len = take < f->size - done ? take : f->size - done;
		f->n_chunks++;
		left -= take;
	}
	return true;
}

static void modload_progress(uint64_t done, uint64_t total, uint64_t t0)
{
	uint64_t ms = efi_tsc_hz ? (rdtsc() - t0) * 1000 / efi_tsc_hz : 0;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	char bar[33];
	for (int i = 0; i < 32; i++)
		bar[i] = (unsigned)i < pct * 32 / 100 ? '#' : '.';
	bar[32] = 0;
	uint64_t rate10 = ms ? done / (100 * ms) : 0; /* MB/s x 10 */
	fwcon_printf("\r  [%s] %3u%%  %u.%u/%u.%u MiB  %u.%u MB/s ", bar, pct,
		     (unsigned)(done >> 20), (unsigned)((done * 10 >> 20) % 10),
		     (unsigned)(total >> 20), (unsigned)((total * 10 >> 20) % 10),
		     (unsigned)(rate10 / 10), (unsigned)(rate10 % 10));
}

static int modload_fail(struct boot_info *bi, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(bi->load_error, sizeof bi->load_error, fmt, ap);
	va_end(ap);
	fwcon_printf("\nerror: %s\n", bi->load_error);
	return -1;
}

int modload_load(struct boot_info *bi, EFI_FILE_HANDLE root, const struct esp_entry *e,
		 uint64_t max_chunk)
{
	struct boot_file *f = &bi->model;
	EFI_FILE_HANDLE fh = NULL;
	uint8_t head[4096];
	char err[160];
	UINTN n;
	int rc = -1, scan = GGUFSCAN_MORE;

	for (size_t i = 0; i < BOOT_NAME_MAX; i++)
		f->name[i] = e->path[i];
	f->size = e->size;
	f->n_chunks = 0;
	f->crc32 = 0;
	fwcon_printf("Loading %s (%lu bytes)\n", e->path, (unsigned long)e->size);
	if (root->Open(root, &fh, (CHAR16 *)e->wpath, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS) {
		modload_fail(bi, "%s: cannot open the file", e->path);
		goto fail;
	}
	/* 1. the header, before committing to a long read */
	n = e->size < sizeof head ? e->size : sizeof head;
	if (fh->Read(fh, &n, head) != EFI_SUCCESS) {
		modload_fail(bi, "%s: read error", e->path);
		goto fail;
	}
	if (n < 24) {
		modload_fail(bi, "%s: not a GGUF model (file too short: %u bytes)", e->path,
			     (unsigned)n);
		goto fail;
	}
	err[0] = 0;
	if (gguf_check_header(head, n, err, sizeof err) != 0) {
		modload_fail(bi, "%s: not a GGUF model (%s)", e->path, err);
		goto fail;
	}
	/* 2. room for it */
	uint64_t avail = memmap_free_bytes();
	if (f->size + MODLOAD_RESERVE > avail || !modload_alloc_chunks(f, max_chunk)) {
		modload_free(f);
		modload_fail(bi, "%s: the model (%u MiB) does not fit in free memory (%u MiB free)",
			     e->path, (unsigned)(f->size >> 20), (unsigned)(avail >> 20));
		goto fail;
	}
	if (f->n_chunks > 1)
		fwcon_printf("  in %u chunks (%s)\n", f->n_chunks,
			     max_chunk ? "llm.cfg chunk_mib" : "memory is fragmented");
	/* 3. the whole file, in large pieces */
	if (fh->SetPosition(fh, 0) != EFI_SUCCESS) {
		modload_fail(bi, "%s: seek error", e->path);
		goto fail_free;
	}
	uint64_t done = 0, t0 = rdtsc(), last = 0;
	for (uint32_t c = 0; c < f->n_chunks; c++) {
		uint8_t *base = (uint8_t *)(uintptr_t)f->chunks[c].phys;
		for (uint64_t off = 0; off < f->chunks[c].len;) {
			uint64_t want = f->chunks[c].len - off;
			n = want < MODLOAD_PIECE ? want : MODLOAD_PIECE;
			if (fh->Read(fh, &n, base + off) != EFI_SUCCESS || n == 0) {
				modload_fail(bi, "%s: read error at byte %lu", e->path,
					     (unsigned long)done);
				goto fail_free;
			}
			f->crc32 = crc32_update(f->crc32, base + off, n);
			off += n;
			done += n;
			if (c == 0 && scan == GGUFSCAN_MORE) {
				uint64_t need = 0;
				const char *why = NULL;
				scan = ggufscan(base, off, &need, &why);
				if (scan == GGUFSCAN_BAD) {
					modload_fail(bi, "%s: corrupt GGUF (%s)", e->path, why);
					goto fail_free;
				}
				if (scan == GGUFSCAN_OK && need > f->size) {
					modload_fail(bi,
						     "%s: truncated GGUF (%lu bytes, its tensors need %lu)",
						     e->path, (unsigned long)f->size, (unsigned long)need);
					goto fail_free;
				}
				if (scan == GGUFSCAN_MORE && done == f->size) {
					modload_fail(bi, "%s: truncated GGUF (ends inside the metadata)",
						     e->path);
					goto fail_free;
				}
			}
			uint64_t now = rdtsc();
			if (done == f->size || !efi_tsc_hz || now - last > efi_tsc_hz / 4) {
				modload_progress(done, f->size, t0);
				last = now;
			}
		}
	}
	fwcon_printf("\n  %s: %lu bytes, crc32 0x%08x\n", e->path, (unsigned long)f->size, f->crc32);
	bi->has_model = true;
	bi->load_error[0] = 0;
	rc = 0;
	goto out;
fail_free:
	modload_free(f);
fail:
	f->size = 0;
	f->crc32 = 0;
out:
	if (fh)
		fh->Close(fh);
	return rc;
}

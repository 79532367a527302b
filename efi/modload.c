/*
 * Reading the model into memory before ExitBootServices. The file, or each
 * file of a split model, goes into one or more EfiLoaderData chunks, 2 MiB
 * aligned where possible, so a multi-GB model loads even when RAM is
 * fragmented; the kernel maps them back to back. The CRC-32 is computed on
 * the way, and the GGUF headers and metadata are checked early so a bad
 * file fails before a long read: a split model's files are found by name
 * (all there, none extra) before anything is read, and each file's split
 * keys are checked as soon as its metadata is in.
 */
#include "efi/efi.h"
#include "ai/gguf.h"
#include "ai/gguf_split.h"
#include "ai/ggufscan.h"
#include "core/x86.h"
#include "fs/crc32.h"

#define MODLOAD_MIB (1ull << 20)
#define MODLOAD_ALIGN (2 * MODLOAD_MIB)
#define MODLOAD_PIECE MODLOAD_MIB /* bytes per Read() call: some firmware fails on large reads */
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

/* Chunks covering size bytes (a file), appended to f's: as large as
 * possible (up to max_chunk when not 0), halving on failure. */
static bool modload_alloc_chunks(struct boot_file *f, uint64_t size, uint64_t max_chunk)
{
	uint64_t left = modload_round(size, 4096);
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
		uint64_t done = modload_round(size, 4096) - left;
		f->chunks[f->n_chunks].phys = phys;
		f->chunks[f->n_chunks].len = take < size - done ? take : size - done;
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

/* Opens path and checks its GGUF header, before committing to a long
 * read. Returns the handle, or NULL after modload_fail. */
static EFI_FILE_HANDLE modload_open(struct boot_info *bi, EFI_FILE_HANDLE root, const struct esp_entry *e)
{
	EFI_FILE_HANDLE fh = NULL;
	uint8_t head[4096];
	char err[160];
	UINTN n = e->size < sizeof head ? e->size : sizeof head;

	if (root->Open(root, &fh, (CHAR16 *)e->wpath, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS) {
		modload_fail(bi, "%s: cannot open the file", e->path);
		return NULL;
	}
	if (fh->Read(fh, &n, head) != EFI_SUCCESS) {
		modload_fail(bi, "%s: read error", e->path);
	} else if (n < 24) {
		modload_fail(bi, "%s: not a GGUF model (file too short: %u bytes)", e->path, (unsigned)n);
	} else if (err[0] = 0, gguf_check_header(head, n, err, sizeof err) != 0) {
		modload_fail(bi, "%s: not a GGUF model (%s)", e->path, err);
	} else if (fh->SetPosition(fh, 0) != EFI_SUCCESS) {
		modload_fail(bi, "%s: seek error", e->path);
	} else {
		return fh;
	}
	fh->Close(fh);
	return NULL;
}

/* The files of the model of menu entry e, in order, into part[]: one, or
 * all of a split model's. Returns their count, or -1 after modload_fail. */
static int modload_files(struct boot_info *bi, const struct esp_entry *files, int nf,
			 const struct esp_entry *e, const struct esp_entry **part)
{
	static const char *names[EFI_MAX_MODELS];
	static int idx[GGUF_SPLIT_MAX];
	char err[sizeof bi->load_error];
	for (int i = 0; i < nf; i++)
		names[i] = files[i].path;
	int count = gguf_split_find(names, nf, e->file, idx, err, sizeof err);
	if (count < 0)
		return modload_fail(bi, "%s", err);
	if (count > BOOT_MAX_PARTS)
		return modload_fail(bi, "%s: a split into %d files (at most %d are supported)", e->path, count,
				    BOOT_MAX_PARTS);
	for (int k = 0; k < count; k++)
		part[k] = &files[idx[k]];
	return count;
}

int modload_load(struct boot_info *bi, EFI_FILE_HANDLE root, const struct esp_entry *files, int nf,
		 const struct esp_entry *e, uint64_t max_chunk)
{
	struct boot_file *f = &bi->model;
	static const struct esp_entry *part[BOOT_MAX_PARTS];
	static const char *part_names[BOOT_MAX_PARTS];
	static struct gguf_split_info si[BOOT_MAX_PARTS];
	EFI_FILE_HANDLE fh = NULL;
	char err[sizeof bi->load_error];
	UINTN n;
	int rc = -1;

	f->n_chunks = 0;
	f->crc32 = 0;
	f->size = 0;
	int np = modload_files(bi, files, nf, e, part);
	if (np < 0)
		goto fail;
	for (size_t i = 0; i < BOOT_NAME_MAX; i++)
		f->name[i] = part[0]->path[i];
	f->n_parts = (uint32_t)np;
	for (int k = 0; k < np; k++) {
		f->part_size[k] = part[k]->size;
		f->size += part[k]->size;
		part_names[k] = part[k]->path;
	}
	if (np > 1)
		fwcon_printf("Loading %s and the %d other files of this model (%lu bytes)\n", f->name, np - 1,
			     (unsigned long)f->size);
	else
		fwcon_printf("Loading %s (%lu bytes)\n", f->name, (unsigned long)f->size);
	/* 1. every header, before committing to a long read */
	for (int k = 0; k < np; k++) {
		if (!(fh = modload_open(bi, root, part[k])))
			goto fail;
		fh->Close(fh);
		fh = NULL;
	}
	/* 2. room for it */
	uint64_t avail = memmap_free_bytes();
	bool fits = f->size + MODLOAD_RESERVE <= avail;
	for (int k = 0; k < np && fits; k++)
		fits = modload_alloc_chunks(f, part[k]->size, max_chunk);
	if (!fits) {
		modload_free(f);
		modload_fail(bi, "%s: the model (%u MiB) does not fit in free memory (%u MiB free)",
			     f->name, (unsigned)(f->size >> 20), (unsigned)(avail >> 20));
		goto fail;
	}
	if (f->n_chunks > (uint32_t)np)
		fwcon_printf("  in %u chunks (%s)\n", f->n_chunks,
			     max_chunk ? "llm.cfg chunk_mib" : "memory is fragmented");
	/* 3. the files, MODLOAD_PIECE at a time (progress and speed shown) */
	uint64_t done = 0, t0 = rdtsc(), last = 0;
	uint32_t c = 0;
	for (int k = 0; k < np; k++) {
		const struct esp_entry *pe = part[k];
		int scan = GGUFSCAN_MORE;
		uint64_t file_done = 0;
		if (!(fh = modload_open(bi, root, pe)))
			goto fail_free;
		for (uint32_t c0 = c; file_done < pe->size; c++) {
			uint8_t *base = (uint8_t *)(uintptr_t)f->chunks[c].phys;
			for (uint64_t off = 0; off < f->chunks[c].len;) {
				uint64_t want = f->chunks[c].len - off;
				n = want < MODLOAD_PIECE ? want : MODLOAD_PIECE;
				if (fh->Read(fh, &n, base + off) != EFI_SUCCESS || n == 0) {
					modload_fail(bi, "%s: read error at byte %lu", pe->path,
						     (unsigned long)file_done);
					goto fail_free;
				}
				f->crc32 = crc32_update(f->crc32, base + off, n);
				off += n;
				done += n;
				file_done += n;
				if (c == c0 && scan == GGUFSCAN_MORE) {
					struct ggufscan_info info;
					const char *why = NULL;
					scan = ggufscan_info(base, off, &info, &why);
					if (scan == GGUFSCAN_BAD) {
						modload_fail(bi, "%s: corrupt GGUF (%s)", pe->path, why);
						goto fail_free;
					}
					if (scan == GGUFSCAN_OK && info.need > pe->size) {
						modload_fail(bi,
							     "%s: truncated GGUF (%lu bytes, its tensors need %lu)",
							     pe->path, (unsigned long)pe->size,
							     (unsigned long)info.need);
						goto fail_free;
					}
					if (scan == GGUFSCAN_OK) {
						si[k] = info.split;
						if (gguf_split_check(si, part_names, k + 1, np, err, sizeof err)) {
							modload_fail(bi, "%s", err);
							goto fail_free;
						}
					}
					if (scan == GGUFSCAN_MORE && file_done == pe->size) {
						modload_fail(bi, "%s: truncated GGUF (ends inside the metadata)",
							     pe->path);
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
		/* (metadata past a file's first chunk goes unchecked here; the
		 * kernel's gguf_open_split checks everything again) */
		fh->Close(fh);
		fh = NULL;
	}
	if (np > 1)
		fwcon_printf("\n  %s: %lu bytes in %d files, crc32 0x%08x\n", f->name, (unsigned long)f->size,
			     np, f->crc32);
	else
		fwcon_printf("\n  %s: %lu bytes, crc32 0x%08x\n", f->name, (unsigned long)f->size, f->crc32);
	bi->has_model = true;
	bi->load_error[0] = 0;
	rc = 0;
	goto out;
fail_free:
	modload_free(f);
fail:
	f->size = 0;
	f->crc32 = 0;
	f->n_parts = 0;
out:
	if (fh)
		fh->Close(fh);
	return rc;
}

/* mkmodel --split: a GGUF file rewritten as the files llama.cpp's
 * llama-gguf-split would write (ai/gguf_split.h): all the metadata in the
 * first file, the tensors in file order cut into runs of about equal bytes,
 * the split keys appended to each file's metadata (u16 split.no, u16
 * split.count, i32 split.tensors.count), every tensor padded to 32 bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/gguf_split.h"
#include "host/mkmodel.h"

#define SPLIT_ALIGN GGUF_DEFAULT_ALIGNMENT

struct out {
	FILE *f;
	int err;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, o->f) != n)
		o->err = 1;
}

static void put_u16(struct out *o, uint16_t v) { put(o, &v, 2); }
static void put_u32(struct out *o, uint32_t v) { put(o, &v, 4); }
static void put_u64(struct out *o, uint64_t v) { put(o, &v, 8); }

static void put_key(struct out *o, const char *key, uint32_t type)
{
	put_u64(o, strlen(key));
	put(o, key, strlen(key));
	put_u32(o, type);
}

static void put_pad(struct out *o, uint64_t align)
{
	static const uint8_t zero[64];
	long pos = ftell(o->f);
	if (pos < 0) {
		o->err = 1;
		return;
	}
	put(o, zero, (size_t)((align - (uint64_t)pos % align) % align));
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* File s of n: tensors [t0, t1) of g; the first also carries g's metadata
 * (kv_bytes at kv, g->n_kv of them). */
static int write_part(const char *path, const struct gguf *g, const uint8_t *kv, size_t kv_bytes, int s,
		      int n, uint64_t t0, uint64_t t1, char *err, size_t errlen)
{
	struct out o = { fopen(path, "wb"), 0 };
	if (!o.f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	put_u32(&o, GGUF_MAGIC);
	put_u32(&o, 3);
	put_u64(&o, t1 - t0);
	put_u64(&o, (s == 0 ? g->n_kv : 0) + 3);
	if (s == 0)
		put(&o, kv, kv_bytes);
	put_key(&o, "split.no", GGUF_TYPE_UINT16);
	put_u16(&o, (uint16_t)s);
	put_key(&o, "split.count", GGUF_TYPE_UINT16);
	put_u16(&o, (uint16_t)n);
	put_key(&o, "split.tensors.count", GGUF_TYPE_INT32);
	put_u32(&o, (uint32_t)g->n_tensors);
	uint64_t off = 0;
	for (uint64_t i = t0; i < t1; i++) {
		const struct gguf_tensor *t = &g->tensors[i];
		put_u64(&o, t->name.n);
		put(&o, t->name.p, (size_t)t->name.n);
		put_u32(&o, t->n_dims);
		for (uint32_t d = 0; d < t->n_dims; d++)
			put_u64(&o, (uint64_t)t->ne[d]);
		put_u32(&o, t->type);
		put_u64(&o, off);
		off += (t->nbytes + SPLIT_ALIGN - 1) / SPLIT_ALIGN * SPLIT_ALIGN;
	}
	put_pad(&o, s == 0 ? g->alignment : SPLIT_ALIGN);
	for (uint64_t i = t0; i < t1; i++) {
		put(&o, g->tensors[i].data, (size_t)g->tensors[i].nbytes);
		put_pad(&o, SPLIT_ALIGN);
	}
	if (fclose(o.f) != 0 || o.err)
		return fail(err, errlen, "%s: write error", path);
	return 0;
}

int mk_split(const char *src, const char *out, int n, bool meta_first, char *err, size_t errlen)
{
	struct gguf g;
	uint8_t *buf = NULL;
	int rc = -1;
	FILE *f = fopen(src, "rb");
	if (!f)
		return fail(err, errlen, "%s: %s", src, strerror(errno));
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = len > 0 ? malloc((size_t)len) : NULL;
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return fail(err, errlen, "%s: cannot read it", src);
	}
	fclose(f);
	if (gguf_open(&g, buf, (size_t)len, err, errlen) != 0)
		goto out_buf;
	int data_files = n - (meta_first ? 1 : 0);
	if (n < 1 || n > GGUF_SPLIT_MAX || data_files < 1 || (uint64_t)data_files > g.n_tensors) {
		fail(err, errlen, "cannot split %llu tensors into %d files", (unsigned long long)g.n_tensors, n);
		goto out;
	}
	if (gguf_find(&g, "split.count")) {
		fail(err, errlen, "%s is split already", src);
		goto out;
	}
	/* the kv pairs: from the header to the first tensor info */
	const uint8_t *kv = buf + 24;
	size_t kv_bytes = (size_t)((const uint8_t *)g.tensors[0].name.p - 8 - kv);
	uint64_t total = 0, done = 0, t0 = 0;
	for (uint64_t i = 0; i < g.n_tensors; i++)
		total += g.tensors[i].nbytes;
	size_t plen = strlen(out);
	if (plen > 5 && !strcmp(out + plen - 5, ".gguf"))
		plen -= 5;
	for (int s = 0; s < n; s++) {
		char path[4096];
		uint64_t t1 = t0;
		int k = s - (n - data_files); /* data file k of data_files, -1: metadata only */
		if (k >= 0) {
			/* the tensors up to about (k + 1) / data_files of the bytes,
			 * leaving one at least for each later file */
			uint64_t goal = total / (uint64_t)data_files * (uint64_t)(k + 1);
			do
				done += g.tensors[t1++].nbytes;
			while (t1 < g.n_tensors - (uint64_t)(data_files - k - 1) && (done < goal || k == data_files - 1));
		}
		int w = snprintf(path, sizeof path, "%.*s-%05d-of-%05d.gguf", (int)plen, out, s + 1, n);
		if (w < 0 || (size_t)w >= sizeof path) {
			fail(err, errlen, "%s: name too long", out);
			goto out;
		}
		if (write_part(path, &g, kv, kv_bytes, s, n, t0, t1, err, errlen) != 0)
			goto out;
		t0 = t1;
	}
	rc = 0;
out:
	gguf_close(&g);
out_buf:
	free(buf);
	return rc;
}

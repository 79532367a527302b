/*
 * GGUF parser: validates a whole GGUF v2/v3 image in place (see ai/gguf.h
 * for the layout) and indexes its metadata and tensors. Untrusted input:
 * every read is bounds-checked against the buffer and every size computed
 * with overflow checks; a bad file gives one message naming what is wrong.
 */
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ggml_type.h"
#include "ai/gguf.h"

/* GGUF_MAX_ARRAY_DEPTH (ai/gguf.h) caps nested arrays: nobody writes deep
 * ones, and a deep nest would only exhaust the parser's stack. */

/* ---- element sizes -------------------------------------------------------- */

size_t gguf_vtype_size(uint32_t t)
{
	switch (t) {
	case GGUF_TYPE_UINT8: case GGUF_TYPE_INT8: case GGUF_TYPE_BOOL: return 1;
	case GGUF_TYPE_UINT16: case GGUF_TYPE_INT16: return 2;
	case GGUF_TYPE_UINT32: case GGUF_TYPE_INT32: case GGUF_TYPE_FLOAT32: return 4;
	case GGUF_TYPE_UINT64: case GGUF_TYPE_INT64: case GGUF_TYPE_FLOAT64: return 8;
	default: return 0;
	}
}

const char *gguf_vtype_name(uint32_t t)
{
	static const char *const names[GGUF_TYPE_COUNT] = {
		"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
		"str", "array", "u64", "i64", "f64",
	};
	return t < GGUF_TYPE_COUNT ? names[t] : "unknown";
}

/* ---- the reader ----------------------------------------------------------- */

struct rd {
	const uint8_t *b;
	size_t len, pos;
	char *err;
	size_t errlen;
	char ctx[160]; /* "kv 3 'general.name'": prefixed to messages */
};

static void seterr(char *err, size_t errlen, const char *ctx, const char *fmt, va_list ap)
{
	if (!err || errlen == 0)
		return;
	size_t n = 0;
	if (ctx && ctx[0]) {
		int k = snprintf(err, errlen, "%s: ", ctx);
		n = k < 0 ? 0 : (size_t)k;
		if (n >= errlen)
			return;
	}
	vsnprintf(err + n, errlen - n, fmt, ap);
}

static bool fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	seterr(r->err, r->errlen, r->ctx, fmt, ap);
	va_end(ap);
	return false;
}

static int fail_plain(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	seterr(err, errlen, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copies up to 48 bytes of s into out as printable ASCII ('?' for others),
 * with "..." when cut: names from a hostile file go into messages safely. */
static const char *printable(struct gguf_str s, char out[56])
{
	size_t n = s.n < 48 ? (size_t)s.n : 48, i;
	for (i = 0; i < n; i++) {
		char c = s.p[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	if (s.n > 48)
		memcpy(out + i, "...", 3), i += 3;
	out[i] = 0;
	return out;
}

static size_t left(const struct rd *r) { return r->len - r->pos; }

static bool rd_bytes(struct rd *r, void *out, size_t n, const char *what)
{
	if (n > left(r))
		return fail(r, "file truncated reading %s (offset %zu, need %zu bytes, %zu left)",
			    what, r->pos, n, left(r));
	memcpy(out, r->b + r->pos, n);
	r->pos += n;
	return true;
}

static bool rd_u32(struct rd *r, uint32_t *v, const char *what) { return rd_bytes(r, v, 4, what); }
static bool rd_u64(struct rd *r, uint64_t *v, const char *what) { return rd_bytes(r, v, 8, what); }

static bool rd_str(struct rd *r, struct gguf_str *s, const char *what)
{
	uint64_t n = 0;
	size_t at = r->pos;
	if (!rd_u64(r, &n, what))
		return false;
	if (n > left(r))
		return fail(r, "%s length %llu past end of file (offset %zu, %zu bytes left)",
			    what, (unsigned long long)n, at, left(r));
	s->p = (const char *)r->b + r->pos;
	s->n = n;
	r->pos += (size_t)n;
	return true;
}

/* Reads the value of type t at r->pos. out (NULL for elements of nested
 * arrays) receives the scalar, string or array header. depth counts the
 * arrays around this value. */
static bool rd_value(struct rd *r, uint32_t t, int depth, struct gguf_kv *out)
{
	struct gguf_kv dummy;
	if (!out)
		out = &dummy;
	out->type = t;
	out->data = r->b + r->pos;
	size_t sz = gguf_vtype_size(t);
	if (sz) {
		uint8_t raw[8];
		if (!rd_bytes(r, raw, sz, gguf_vtype_name(t)))
			return false;
		uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
		float f32; uint64_t u64; int64_t i64; double f64;
		switch (t) {
		case GGUF_TYPE_UINT8: case GGUF_TYPE_BOOL: memcpy(&u8, raw, 1); out->v.u = u8; break;
		case GGUF_TYPE_INT8: memcpy(&i8, raw, 1); out->v.i = i8; break;
		case GGUF_TYPE_UINT16: memcpy(&u16, raw, 2); out->v.u = u16; break;
		case GGUF_TYPE_INT16: memcpy(&i16, raw, 2); out->v.i = i16; break;
		case GGUF_TYPE_UINT32: memcpy(&u32, raw, 4); out->v.u = u32; break;
		case GGUF_TYPE_INT32: memcpy(&i32, raw, 4); out->v.i = i32; break;
		case GGUF_TYPE_FLOAT32: memcpy(&f32, raw, 4); out->v.f = f32; break;
		case GGUF_TYPE_UINT64: memcpy(&u64, raw, 8); out->v.u = u64; break;
		case GGUF_TYPE_INT64: memcpy(&i64, raw, 8); out->v.i = i64; break;
		case GGUF_TYPE_FLOAT64: memcpy(&f64, raw, 8); out->v.f = f64; break;
		}
		return true;
	}
	if (t == GGUF_TYPE_STRING)
		return rd_str(r, &out->v.s, "string value");
	if (t != GGUF_TYPE_ARRAY)
		return fail(r, "unknown value type %u", t);

	if (depth + 1 > GGUF_MAX_ARRAY_DEPTH)
		return fail(r, "arrays nested deeper than %d", GGUF_MAX_ARRAY_DEPTH);
	uint32_t et = 0;
	uint64_t n = 0;
	if (!rd_u32(r, &et, "array element type") || !rd_u64(r, &n, "array length"))
		return false;
	if (et >= GGUF_TYPE_COUNT)
		return fail(r, "unknown array element type %u", et);
	out->arr_type = et;
	out->arr_n = n;
	out->data = r->b + r->pos;
	size_t esz = gguf_vtype_size(et);
	/* Every element takes at least min bytes: bounds the count by the file. */
	size_t min = esz ? esz : et == GGUF_TYPE_STRING ? 8 : 12;
	if (n > left(r) / min)
		return fail(r, "array of %llu %s past end of file (offset %zu, %zu bytes left)",
			    (unsigned long long)n, gguf_vtype_name(et), r->pos, left(r));
	if (esz) {
		r->pos += (size_t)n * esz;
		return true;
	}
	for (uint64_t i = 0; i < n; i++)
		if (!rd_value(r, et, depth + 1, NULL)) {
			size_t k = r->err ? strnlen(r->err, r->errlen) : 0;
			if (k + 1 < r->errlen)
				snprintf(r->err + k, r->errlen - k, " [element %llu]", (unsigned long long)i);
			return false;
		}
	return true;
}

int gguf_read_value(const void *p, size_t len, uint32_t type, struct gguf_kv *out)
{
	struct rd r = { .b = p, .len = len };
	return rd_value(&r, type, 0, out) ? 0 : -1;
}

/* ---- duplicate and overlap checks ---------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	const struct gguf_str *x = *(const struct gguf_str *const *)a;
	const struct gguf_str *y = *(const struct gguf_str *const *)b;
	size_t n = x->n < y->n ? (size_t)x->n : (size_t)y->n;
	int c = memcmp(x->p, y->p, n);
	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Sorts the n strings at p (stride bytes apart) and reports a duplicate. */
static bool check_unique(struct rd *r, const void *p, size_t stride, uint64_t n,
			 const struct gguf_str **tmp, const char *what)
{
	char nb[56];
	if (n < 2)
		return true;
	for (uint64_t i = 0; i < n; i++)
		tmp[i] = (const struct gguf_str *)((const char *)p + i * stride);
	qsort(tmp, (size_t)n, sizeof(tmp[0]), cmp_str);
	for (uint64_t i = 1; i < n; i++)
		if (cmp_str(&tmp[i - 1], &tmp[i]) == 0)
			return fail(r, "duplicate %s '%s'", what, printable(*tmp[i], nb));
	return true;
}

static int cmp_off(const void *a, const void *b)
{
	const struct gguf_tensor *x = *(const struct gguf_tensor *const *)a;
	const struct gguf_tensor *y = *(const struct gguf_tensor *const *)b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bool check_overlap(struct rd *r, struct gguf *g, const struct gguf_tensor **tmp)
{
	char na[56], nb[56];
	for (uint64_t i = 0; i < g->n_tensors; i++)
		tmp[i] = &g->tensors[i];
	qsort(tmp, (size_t)g->n_tensors, sizeof(tmp[0]), cmp_off);
	for (uint64_t i = 1; i < g->n_tensors; i++) {
		const struct gguf_tensor *a = tmp[i - 1], *b = tmp[i];
		/* offset + nbytes cannot overflow: both were checked against len */
		if (a->offset + a->nbytes > b->offset)
			return fail(r, "tensors '%s' (offset %llu, %llu bytes) and '%s' (offset %llu) overlap",
				    printable(a->name, na), (unsigned long long)a->offset,
				    (unsigned long long)a->nbytes, printable(b->name, nb),
				    (unsigned long long)b->offset);
	}
	return true;
}

/* ---- header, kv, tensor infos --------------------------------------------- */

int gguf_check_header(const void *buf, size_t n, char *err, size_t errlen)
{
	const uint8_t *b = buf;
	uint32_t magic, version;
	uint64_t n_tensors, n_kv;
	if (n < 4)
		return fail_plain(err, errlen, "file too short for a GGUF header (%zu bytes)", n);
	memcpy(&magic, b, 4);
	if (magic != GGUF_MAGIC) {
		if (!memcmp(b, "lmgg", 4) || !memcmp(b, "fmgg", 4) || !memcmp(b, "tjgg", 4) ||
		    !memcmp(b, "algg", 4))
			return fail_plain(err, errlen, "not GGUF: an old GGML/GGJT file (re-convert it to GGUF)");
		if (!memcmp(b, "FUGG", 4))
			return fail_plain(err, errlen, "bad magic: byte-swapped 'GGUF' (a big-endian file?)");
		return fail_plain(err, errlen, "not a GGUF file: bad magic %02x %02x %02x %02x (want 'GGUF')",
				  b[0], b[1], b[2], b[3]);
	}
	if (n < 8)
		return fail_plain(err, errlen, "file truncated in the GGUF header (%zu of 24 bytes)", n);
	memcpy(&version, b + 4, 4);
	if (version == 1)
		return fail_plain(err, errlen, "GGUF version 1 is not supported (it used 32-bit counts; re-convert the file)");
	if (version != 2 && version != 3) {
		if ((version & 0xffff) == 0 && (version >> 16) != 0)
			return fail_plain(err, errlen, "GGUF version %u unsupported (a big-endian file?)", version);
		return fail_plain(err, errlen, "GGUF version %u unsupported (want 2 or 3)", version);
	}
	if (n < 24)
		return fail_plain(err, errlen, "file truncated in the GGUF header (%zu of 24 bytes)", n);
	memcpy(&n_tensors, b + 8, 8);
	memcpy(&n_kv, b + 16, 8);
	if (n_tensors >= (1ull << 32))
		return fail_plain(err, errlen, "absurd tensor count %llu", (unsigned long long)n_tensors);
	if (n_kv >= (1ull << 32))
		return fail_plain(err, errlen, "absurd metadata count %llu", (unsigned long long)n_kv);
	return 0;
}

static bool parse_kvs(struct rd *r, struct gguf *g)
{
	char nb[56];
	for (uint64_t i = 0; i < g->n_kv; i++) {
		struct gguf_kv *kv = &g->kv[i];
		snprintf(r->ctx, sizeof(r->ctx), "kv %llu", (unsigned long long)i);
		if (!rd_str(r, &kv->key, "key"))
			return false;
		snprintf(r->ctx, sizeof(r->ctx), "kv %llu '%s'", (unsigned long long)i,
			 printable(kv->key, nb));
		uint32_t t = 0;
		if (!rd_u32(r, &t, "value type"))
			return false;
		if (t >= GGUF_TYPE_COUNT)
			return fail(r, "unknown value type %u", t);
		if (!rd_value(r, t, 0, kv))
			return false;
	}
	r->ctx[0] = 0;
	return true;
}

static bool parse_alignment(struct rd *r, struct gguf *g)
{
	g->alignment = GGUF_DEFAULT_ALIGNMENT;
	const struct gguf_kv *kv = gguf_find(g, "general.alignment");
	if (!kv)
		return true;
	uint64_t a;
	switch (kv->type) {
	case GGUF_TYPE_UINT8: case GGUF_TYPE_UINT16: case GGUF_TYPE_UINT32: case GGUF_TYPE_UINT64:
		a = kv->v.u;
		break;
	case GGUF_TYPE_INT8: case GGUF_TYPE_INT16: case GGUF_TYPE_INT32: case GGUF_TYPE_INT64:
		if (kv->v.i < 0)
			return fail(r, "general.alignment %lld is not a power of two", (long long)kv->v.i);
		a = (uint64_t)kv->v.i;
		break;
	default:
		return fail(r, "general.alignment has type %s, want an integer", gguf_vtype_name(kv->type));
	}
	if (a == 0 || (a & (a - 1)))
		return fail(r, "general.alignment %llu is not a power of two", (unsigned long long)a);
	g->alignment = a;
	return true;
}

static bool parse_tensor(struct rd *r, struct gguf *g, uint64_t i)
{
	struct gguf_tensor *t = &g->tensors[i];
	char nb[56];
	snprintf(r->ctx, sizeof(r->ctx), "tensor %llu", (unsigned long long)i);
	if (!rd_str(r, &t->name, "tensor name"))
		return false;
	snprintf(r->ctx, sizeof(r->ctx), "tensor %llu '%s'", (unsigned long long)i,
		 printable(t->name, nb));
	if (!rd_u32(r, &t->n_dims, "n_dims"))
		return false;
	if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS)
		return fail(r, "n_dims %u out of range 1..%d", t->n_dims, GGUF_MAX_DIMS);
	int64_t nel = 1;
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) {
		uint64_t ne = 1;
		if (d < t->n_dims && !rd_u64(r, &ne, "dimension"))
			return false;
		if (ne == 0 || ne > (uint64_t)INT64_MAX)
			return fail(r, "dimension %u is %llu", d, (unsigned long long)ne);
		if ((uint64_t)nel > (uint64_t)INT64_MAX / ne)
			return fail(r, "element count overflows (dimension %u = %llu)", d,
				    (unsigned long long)ne);
		t->ne[d] = (int64_t)ne;
		nel *= (int64_t)ne;
	}
	if (!rd_u32(r, &t->type, "tensor type") || !rd_u64(r, &t->offset, "tensor offset"))
		return false;
	const struct ggml_type_info *ti = t->type <= INT32_MAX ? ggml_type_info((int)t->type) : NULL;
	if (!ti || !ti->blck)
		return fail(r, "unknown tensor type %u", t->type);
	uint32_t blck = (uint32_t)ti->blck, tsize = (uint32_t)ti->tsize;
	if (t->ne[0] % blck)
		return fail(r, "row length %lld is not a multiple of the block size %u of %s",
			    (long long)t->ne[0], blck, ti->name);
	uint64_t nblocks = (uint64_t)nel / blck;
	if (nblocks > UINT64_MAX / tsize)
		return fail(r, "size overflows (%llu blocks of %u bytes)", (unsigned long long)nblocks, tsize);
	t->nbytes = nblocks * tsize;
	return true;
}

/* Checks the placement of tensor i once data_off is known. */
static bool place_tensor(struct rd *r, struct gguf *g, uint64_t i)
{
	struct gguf_tensor *t = &g->tensors[i];
	char nb[56];
	snprintf(r->ctx, sizeof(r->ctx), "tensor %llu '%s'", (unsigned long long)i,
		 printable(t->name, nb));
	if (t->offset % g->alignment)
		return fail(r, "offset %llu not aligned to %llu", (unsigned long long)t->offset,
			    (unsigned long long)g->alignment);
	uint64_t room = g->len - g->data_off;
	if (t->offset > room || t->nbytes > room - t->offset)
		return fail(r, "data past end of file (data section %zu + offset %llu + %llu bytes > file size %zu)",
			    g->data_off, (unsigned long long)t->offset,
			    (unsigned long long)t->nbytes, g->len);
	t->data = g->base + g->data_off + t->offset;
	return true;
}

int gguf_open(struct gguf *g, const void *base, size_t len, char *err, size_t errlen)
{
	struct rd r = { .b = base, .len = len, .err = err, .errlen = errlen };
	const void **tmp = NULL;
	memset(g, 0, sizeof(*g));
	if (err && errlen)
		err[0] = 0;
	if (!base)
		return fail_plain(err, errlen, "no file");
	if (gguf_check_header(base, len, err, errlen) < 0)
		return -1;
	memcpy(&g->version, r.b + 4, 4);
	memcpy(&g->n_tensors, r.b + 8, 8);
	memcpy(&g->n_kv, r.b + 16, 8);
	r.pos = 24;
	g->base = base;
	g->len = len;
	g->n_parts = 1;
	/* A kv takes at least 13 bytes, a tensor info 32: cap the counts by
	 * the file before allocating anything. */
	if (g->n_kv > left(&r) / 13) {
		fail(&r, "metadata count %llu too large for a %zu-byte file",
		     (unsigned long long)g->n_kv, len);
		goto fail;
	}
	if (g->n_tensors > left(&r) / 32) {
		fail(&r, "tensor count %llu too large for a %zu-byte file",
		     (unsigned long long)g->n_tensors, len);
		goto fail;
	}
	uint64_t nmax = g->n_kv > g->n_tensors ? g->n_kv : g->n_tensors;
	g->kv = calloc(g->n_kv ? (size_t)g->n_kv : 1, sizeof(*g->kv));
	g->tensors = calloc(g->n_tensors ? (size_t)g->n_tensors : 1, sizeof(*g->tensors));
	tmp = malloc((nmax ? (size_t)nmax : 1) * sizeof(*tmp));
	if (!g->kv || !g->tensors || !tmp) {
		fail(&r, "out of memory for %llu kv and %llu tensors",
		     (unsigned long long)g->n_kv, (unsigned long long)g->n_tensors);
		goto fail;
	}
	if (!parse_kvs(&r, g) ||
	    !check_unique(&r, &g->kv[0].key, sizeof(g->kv[0]), g->n_kv,
			  (const struct gguf_str **)tmp, "key") ||
	    !parse_alignment(&r, g))
		goto fail;
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (!parse_tensor(&r, g, i))
			goto fail;
	r.ctx[0] = 0;
	if (!check_unique(&r, &g->tensors[0].name, sizeof(g->tensors[0]), g->n_tensors,
			  (const struct gguf_str **)tmp, "tensor name"))
		goto fail;
	/* data_off = pos rounded up to the alignment; a file without tensors
	 * may end before the padding. */
	uint64_t pad = (g->alignment - r.pos % g->alignment) % g->alignment;
	if (pad > left(&r)) {
		if (g->n_tensors) {
			fail(&r, "data section starts past end of file (offset %zu + padding %llu > %zu)",
			     r.pos, (unsigned long long)pad, len);
			goto fail;
		}
		pad = left(&r);
	}
	g->data_off = r.pos + (size_t)pad;
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (!place_tensor(&r, g, i))
			goto fail;
	r.ctx[0] = 0;
	if (!check_overlap(&r, g, (const struct gguf_tensor **)tmp))
		goto fail;
	free(tmp);
	return 0;
fail:
	free(tmp);
	gguf_close(g);
	return -1;
}

void gguf_close(struct gguf *g)
{
	free(g->kv);
	free(g->tensors);
	memset(g, 0, sizeof(*g));
}

/* ---- lookups and getters -------------------------------------------------- */

bool gguf_str_eq(struct gguf_str s, const char *c)
{
	size_t n = strlen(c);
	return s.n == n && memcmp(s.p, c, n) == 0;
}

const struct gguf_kv *gguf_find(const struct gguf *g, const char *key)
{
	for (uint64_t i = 0; i < g->n_kv; i++)
		if (gguf_str_eq(g->kv[i].key, key))
			return &g->kv[i];
	return NULL;
}

const struct gguf_tensor *gguf_find_tensor(const struct gguf *g, const char *name)
{
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (gguf_str_eq(g->tensors[i].name, name))
			return &g->tensors[i];
	return NULL;
}

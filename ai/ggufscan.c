/* GGUF metadata walk for the boot-time size check (see ai/ggufscan.h). */
#include "ai/ggufscan.h"

#include "ai/ggml_type.h"
#include "ai/gguf.h"

#define GGUFSCAN_MAX_COUNT (1ull << 24) /* kv / tensor / array-of-string counts */
#define GGUFSCAN_MAX_STR (1ull << 24)

struct scan {
	const uint8_t *p;
	size_t n, pos;
	bool more;       /* ran off the end of the prefix */
	const char *why; /* set on malformed input */
};

static bool scan_take(struct scan *s, uint64_t k, const uint8_t **out)
{
	if (k > s->n - s->pos) {
		s->more = true;
		return false;
	}
	*out = s->p + s->pos;
	s->pos += (size_t)k;
	return true;
}

static bool scan_u32(struct scan *s, uint32_t *v)
{
	const uint8_t *b;
	if (!scan_take(s, 4, &b))
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static bool scan_u64(struct scan *s, uint64_t *v)
{
	uint32_t lo, hi;
	if (!scan_u32(s, &lo) || !scan_u32(s, &hi))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static bool scan_fail(struct scan *s, const char *why)
{
	s->why = why;
	return false;
}

/* Skips a string; returns its bytes through *str (may be NULL). */
static bool scan_str(struct scan *s, const uint8_t **str, uint64_t *len)
{
	const uint8_t *b;
	uint64_t n;
	if (!scan_u64(s, &n))
		return false;
	if (n > GGUFSCAN_MAX_STR)
		return scan_fail(s, "string length out of range");
	if (!scan_take(s, n, &b))
		return false;
	if (str)
		*str = b;
	if (len)
		*len = n;
	return true;
}

/* Bytes of one scalar value, 0 for STRING/ARRAY, -1 for an unknown type. */
static int scan_scalar_size(uint32_t t)
{
	return t < GGUF_TYPE_COUNT ? (int)gguf_vtype_size(t) : -1;
}

/* Skips one value of type t; a scalar's bytes, little-endian and
 * zero-extended, go to *ival (may be NULL). */
static bool scan_value(struct scan *s, uint32_t t, int depth, uint64_t *ival)
{
	const uint8_t *b;
	int sz = scan_scalar_size(t);

	if (sz < 0)
		return scan_fail(s, "unknown value type");
	if (sz > 0) {
		if (!scan_take(s, (uint64_t)sz, &b))
			return false;
		if (ival) {
			*ival = 0;
			for (int i = 0; i < sz; i++)
				*ival |= (uint64_t)b[i] << 8 * i;
		}
		return true;
	}
	if (t == GGUF_TYPE_STRING)
		return scan_str(s, NULL, NULL);
	/* ARRAY: u32 elem type, u64 count, elements */
	uint32_t et;
	uint64_t cnt;
	if (depth > 2)
		return scan_fail(s, "arrays nested too deep");
	if (!scan_u32(s, &et) || !scan_u64(s, &cnt))
		return false;
	sz = scan_scalar_size(et);
	if (sz < 0)
		return scan_fail(s, "unknown array element type");
	if (sz > 0) {
		if (cnt > (uint64_t)1 << 40)
			return scan_fail(s, "array length out of range");
		return scan_take(s, cnt * (uint64_t)sz, &b);
	}
	if (cnt > GGUFSCAN_MAX_COUNT)
		return scan_fail(s, "array length out of range");
	for (uint64_t i = 0; i < cnt; i++)
		if (!scan_value(s, et, depth + 1, NULL))
			return false;
	return true;
}

static bool scan_key_is(const uint8_t *k, uint64_t n, const char *lit)
{
	uint64_t i = 0;
	for (; i < n && lit[i]; i++)
		if (k[i] != (uint8_t)lit[i])
			return false;
	return i == n && !lit[i];
}

/* An integer split key of type t with raw value v into *out; false if
 * it is no integer or out of 0..max. */
static bool scan_split_key(uint32_t t, uint64_t v, uint64_t max, int64_t *out)
{
	bool is_signed = t == GGUF_TYPE_INT8 || t == GGUF_TYPE_INT16 || t == GGUF_TYPE_INT32 ||
			 t == GGUF_TYPE_INT64;
	int sz = scan_scalar_size(t);
	if (t == GGUF_TYPE_FLOAT32 || t == GGUF_TYPE_FLOAT64 || t == GGUF_TYPE_BOOL || sz <= 0)
		return false;
	if (is_signed && sz < 8 && (v >> (8 * sz - 1)) & 1)
		return false; /* negative */
	if (v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

int ggufscan(const void *buf, size_t n, uint64_t *need, const char **why)
{
	struct ggufscan_info info;
	int rc = ggufscan_info(buf, n, &info, why);
	if (rc == GGUFSCAN_OK)
		*need = info.need;
	return rc;
}

int ggufscan_info(const void *buf, size_t n, struct ggufscan_info *info, const char **why)
{
	static const char *const split_keys[3] = { "split.no", "split.count", "split.tensors.count" };
	static const uint64_t split_max[3] = { 65535, 65535, 0x7fffffff };
	struct scan s = { .p = buf, .n = n };
	uint32_t magic, version;
	uint64_t n_tensors, n_kv, align = 32, max_end = 0;
	int64_t split[3] = { -1, -1, -1 };

	*why = NULL;
	if (!scan_u32(&s, &magic) || !scan_u32(&s, &version) ||
	    !scan_u64(&s, &n_tensors) || !scan_u64(&s, &n_kv))
		goto out;
	if (magic != GGUF_MAGIC)
		return *why = "no GGUF magic", GGUFSCAN_BAD;
	if (version != 2 && version != 3)
		return *why = "unsupported GGUF version", GGUFSCAN_BAD;
	if (n_tensors > GGUFSCAN_MAX_COUNT || n_kv > GGUFSCAN_MAX_COUNT)
		return *why = "tensor or key count out of range", GGUFSCAN_BAD;

	for (uint64_t i = 0; i < n_kv; i++) {
		const uint8_t *key;
		uint64_t klen, val = 0;
		uint32_t t;
		if (!scan_str(&s, &key, &klen) || !scan_u32(&s, &t))
			goto out;
		bool is_align = scan_key_is(key, klen, "general.alignment");
		if (!scan_value(&s, t, 0, &val))
			goto out;
		for (int k = 0; k < 3; k++)
			if (scan_key_is(key, klen, split_keys[k]) && !scan_split_key(t, val, split_max[k], &split[k]))
				return *why = "bad split.* key (not an integer in range)", GGUFSCAN_BAD;
		if (is_align) {
			if (t != 4 || val == 0 || (val & (val - 1)) || val > 1u << 20)
				return *why = "bad general.alignment", GGUFSCAN_BAD;
			align = val;
		}
	}
	for (uint64_t i = 0; i < n_tensors; i++) {
		uint32_t nd, type, blck, tsize;
		uint64_t ne[4] = { 1, 1, 1, 1 }, off, nel = 1;
		if (!scan_str(&s, NULL, NULL) || !scan_u32(&s, &nd))
			goto out;
		if (nd == 0 || nd > 4)
			return *why = "tensor with bad dimension count", GGUFSCAN_BAD;
		for (uint32_t d = 0; d < nd; d++) {
			if (!scan_u64(&s, &ne[d]))
				goto out;
			if (ne[d] > (1ull << 40) || (ne[d] && nel > (1ull << 52) / ne[d]))
				return *why = "tensor dimension out of range", GGUFSCAN_BAD;
			nel *= ne[d];
		}
		if (!scan_u32(&s, &type) || !scan_u64(&s, &off))
			goto out;
		const struct ggml_type_info *ti = type <= INT32_MAX ? ggml_type_info((int)type) : NULL;
		if (!ti || !ti->blck)
			continue;
		blck = (uint32_t)ti->blck;
		tsize = (uint32_t)ti->tsize;
		if (ne[0] % blck)
			return *why = "tensor row not a whole number of blocks", GGUFSCAN_BAD;
		uint64_t nbytes = nel / blck * tsize;
		if (off > (1ull << 56) || off + nbytes < off)
			return *why = "tensor offset out of range", GGUFSCAN_BAD;
		if (off + nbytes > max_end)
			max_end = off + nbytes;
	}
	info->need = ((uint64_t)s.pos + align - 1) / align * align + max_end;
	info->split.no = (int32_t)split[0];
	info->split.count = (int32_t)split[1];
	info->split.tensors_total = split[2];
	info->split.n_tensors = n_tensors;
	return GGUFSCAN_OK;
out:
	if (s.why) {
		*why = s.why;
		return GGUFSCAN_BAD;
	}
	return GGUFSCAN_MORE;
}

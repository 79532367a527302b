/*
 * GGUF key/value access (ai/gguf.h): typed getters with range-checked
 * conversions, and element access into (nested) arrays, on a struct gguf
 * that gguf_open has validated.
 */
#include <float.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/gguf.h"

/* double to float without the undefined out-of-range conversion */
static float d2f(double d)
{
	if (d > FLT_MAX || d < -FLT_MAX)
		return ai_f32_from_bits(d < 0 ? 0xff800000u : 0x7f800000u);
	return (float)d;
}

static bool is_unsigned(uint32_t t)
{
	return t == GGUF_TYPE_UINT8 || t == GGUF_TYPE_UINT16 || t == GGUF_TYPE_UINT32 ||
	       t == GGUF_TYPE_UINT64 || t == GGUF_TYPE_BOOL;
}

static bool is_signed(uint32_t t)
{
	return t == GGUF_TYPE_INT8 || t == GGUF_TYPE_INT16 || t == GGUF_TYPE_INT32 ||
	       t == GGUF_TYPE_INT64;
}

/* Integer value of a scalar kv as (negative?, magnitude) without overflow. */
static bool kv_int(const struct gguf_kv *kv, bool *neg, uint64_t *mag)
{
	if (is_unsigned(kv->type)) {
		*neg = false, *mag = kv->v.u;
		return true;
	}
	if (is_signed(kv->type)) {
		*neg = kv->v.i < 0;
		*mag = *neg ? (uint64_t)0 - (uint64_t)kv->v.i : (uint64_t)kv->v.i;
		return true;
	}
	return false;
}

bool gguf_get_u64(const struct gguf *g, const char *key, uint64_t *out)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	bool neg;
	uint64_t m;
	if (!kv || !kv_int(kv, &neg, &m) || neg)
		return false;
	*out = m;
	return true;
}

bool gguf_get_u32(const struct gguf *g, const char *key, uint32_t *out)
{
	uint64_t v;
	if (!gguf_get_u64(g, key, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool gguf_get_i32(const struct gguf *g, const char *key, int32_t *out)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	bool neg;
	uint64_t m;
	if (!kv || !kv_int(kv, &neg, &m))
		return false;
	if (neg ? m > (uint64_t)INT32_MAX + 1 : m > INT32_MAX)
		return false;
	*out = neg ? (int32_t)(0 - (int64_t)m) : (int32_t)m;
	return true;
}

bool gguf_get_f32(const struct gguf *g, const char *key, float *out)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	bool neg;
	uint64_t m;
	if (!kv)
		return false;
	if (kv->type == GGUF_TYPE_FLOAT32 || kv->type == GGUF_TYPE_FLOAT64) {
		*out = d2f(kv->v.f);
		return true;
	}
	if (!kv_int(kv, &neg, &m))
		return false;
	*out = neg ? -(float)m : (float)m;
	return true;
}

bool gguf_get_bool(const struct gguf *g, const char *key, bool *out)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	bool neg;
	uint64_t m;
	if (!kv || !kv_int(kv, &neg, &m))
		return false;
	*out = m != 0;
	return true;
}

bool gguf_get_str(const struct gguf *g, const char *key, struct gguf_str *out)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	if (!kv || kv->type != GGUF_TYPE_STRING)
		return false;
	*out = kv->v.s;
	return true;
}

/* ---- arrays --------------------------------------------------------------- */

/* Bytes taken by the (already validated) value of type t at p. */
static uint64_t value_bytes(uint32_t t, const uint8_t *p)
{
	size_t sz = gguf_vtype_size(t);
	uint64_t n;
	if (sz)
		return sz;
	memcpy(&n, p, 8);
	if (t == GGUF_TYPE_STRING)
		return 8 + n;
	/* ARRAY: u32 elem type | u64 n | elements */
	uint32_t et;
	memcpy(&et, p, 4);
	memcpy(&n, p + 4, 8);
	uint64_t off = 12;
	if (gguf_vtype_size(et))
		return off + n * gguf_vtype_size(et);
	for (uint64_t i = 0; i < n; i++)
		off += value_bytes(et, p + off);
	return off;
}

int gguf_arr_get(const struct gguf_kv *kv, uint64_t i, struct gguf_kv *out)
{
	if (kv->type != GGUF_TYPE_ARRAY || i >= kv->arr_n)
		return -1;
	uint32_t et = kv->arr_type;
	const uint8_t *p = kv->data;
	size_t esz = gguf_vtype_size(et);
	if (esz)
		p += i * esz;
	else
		for (uint64_t k = 0; k < i; k++)
			p += value_bytes(et, p);
	memset(out, 0, sizeof(*out));
	/* Re-read the one element with a reader bounded by its own size: it was
	 * validated by gguf_open, so this cannot fail. */
	return gguf_read_value(p, (size_t)value_bytes(et, p), et, out);
}

int64_t gguf_arr_int(const struct gguf_kv *kv, uint64_t i)
{
	struct gguf_kv e;
	if (kv->type != GGUF_TYPE_ARRAY || i >= kv->arr_n || !gguf_vtype_size(kv->arr_type) ||
	    gguf_arr_get(kv, i, &e) < 0)
		return 0;
	if (is_signed(e.type))
		return e.v.i;
	if (is_unsigned(e.type))
		return e.v.u > INT64_MAX ? INT64_MAX : (int64_t)e.v.u;
	/* float: saturate; NaN gives 0 */
	if (!(e.v.f == e.v.f))
		return 0;
	if (e.v.f >= 9.2233720368547758e18)
		return INT64_MAX;
	if (e.v.f <= -9.2233720368547758e18)
		return INT64_MIN;
	return (int64_t)e.v.f;
}

float gguf_arr_f32(const struct gguf_kv *kv, uint64_t i)
{
	struct gguf_kv e;
	if (kv->type != GGUF_TYPE_ARRAY || i >= kv->arr_n || !gguf_vtype_size(kv->arr_type) ||
	    gguf_arr_get(kv, i, &e) < 0)
		return 0;
	if (is_signed(e.type))
		return (float)e.v.i;
	if (is_unsigned(e.type))
		return (float)e.v.u;
	return d2f(e.v.f);
}

int gguf_arr_strs(const struct gguf_kv *kv, struct gguf_str *out)
{
	if (kv->type != GGUF_TYPE_ARRAY || kv->arr_type != GGUF_TYPE_STRING)
		return -1;
	const uint8_t *p = kv->data;
	for (uint64_t i = 0; i < kv->arr_n; i++) {
		uint64_t n;
		memcpy(&n, p, 8);
		out[i].p = (const char *)p + 8;
		out[i].n = n;
		p += 8 + n;
	}
	return 0;
}

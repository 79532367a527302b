/*
 * GGUF: the model file format of llama.cpp, parsed in place from a memory
 * buffer (base, len). Nothing is copied: strings, arrays and tensor data
 * point into the buffer, which must outlive the parsed struct gguf.
 *
 * File layout (all little-endian):
 *   u32 magic "GGUF" | u32 version (2 or 3) | u64 n_tensors | u64 n_kv
 *   n_kv x { str key | u32 vtype | value }
 *       str   = u64 len | len bytes (not NUL-terminated)
 *       value = scalar of vtype, or str, or
 *               array: u32 elem_vtype | u64 n | n values (nested arrays allowed)
 *   n_tensors x { str name | u32 n_dims | n_dims x u64 ne | u32 type | u64 offset }
 *   padding to `general.alignment` (default 32)
 *   tensor data; each tensor at data_start + offset, offset aligned.
 *
 * Every count, length, offset and size is validated against the buffer;
 * a malformed file gives an error message, never an out-of-bounds read.
 * Rejected: magic other than "GGUF"; versions other than 2 and 3 (v1 used
 * 32-bit counts); unknown value types; arrays nested deeper than
 * GGUF_MAX_ARRAY_DEPTH; duplicate keys or tensor names; general.alignment
 * not an integer power of two; n_dims outside 1..4; a dimension of 0 or an
 * element count past INT64_MAX; tensor types ggml does not define (any type
 * ggml defines is accepted: the engine checks what it can compute); a row
 * length not a multiple of the type's block; unaligned offsets; data past
 * the end of the buffer; overlapping tensors. Messages name the kv or
 * tensor: "tensor 12 'blk.0.attn_q.weight': data past end of file (...)".
 *
 * ai/gguf.c parses and indexes, ai/gguf_get.c reads keys and arrays of a
 * parsed file, ai/ggufscan.c checks a file's prefix while the loader reads
 * it; tensor types come from the one table in ai/ggml_type.h.
 */
#ifndef AI_GGUF_H
#define AI_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GGUF_MAGIC 0x46554747u /* "GGUF" read as little-endian u32 */
#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_DIMS 4
#define GGUF_MAX_ARRAY_DEPTH 4 /* an array kv counts as depth 1 */

enum gguf_vtype {
	GGUF_TYPE_UINT8 = 0,
	GGUF_TYPE_INT8 = 1,
	GGUF_TYPE_UINT16 = 2,
	GGUF_TYPE_INT16 = 3,
	GGUF_TYPE_UINT32 = 4,
	GGUF_TYPE_INT32 = 5,
	GGUF_TYPE_FLOAT32 = 6,
	GGUF_TYPE_BOOL = 7,
	GGUF_TYPE_STRING = 8,
	GGUF_TYPE_ARRAY = 9,
	GGUF_TYPE_UINT64 = 10,
	GGUF_TYPE_INT64 = 11,
	GGUF_TYPE_FLOAT64 = 12,
	GGUF_TYPE_COUNT
};

struct gguf_str {
	const char *p; /* into the buffer; not NUL-terminated */
	uint64_t n;
};

struct gguf_kv {
	struct gguf_str key;
	uint32_t type;       /* enum gguf_vtype */
	uint32_t arr_type;   /* element type when type == GGUF_TYPE_ARRAY */
	uint64_t arr_n;      /* element count when type == GGUF_TYPE_ARRAY */
	const uint8_t *data; /* raw value bytes in the buffer (arrays: first element) */
	union {
		uint64_t u;      /* unsigned integer types and bool */
		int64_t i;       /* signed integer types */
		double f;        /* FLOAT32, FLOAT64 */
		struct gguf_str s; /* STRING */
	} v;
};

struct gguf_tensor {
	struct gguf_str name;
	uint32_t n_dims;
	int64_t ne[GGUF_MAX_DIMS]; /* ne[0] is the row length; unused dims are 1 */
	uint32_t type;             /* ggml type id, see ai/ggml_type.h */
	uint64_t offset;           /* relative to the start of the data section */
	const void *data;          /* base + data_off + offset */
	uint64_t nbytes;
};

struct gguf {
	uint32_t version;
	uint64_t alignment;
	uint64_t n_kv;
	struct gguf_kv *kv;
	uint64_t n_tensors;
	struct gguf_tensor *tensors;
	const uint8_t *base;
	size_t len;
	size_t data_off; /* start of the tensor data section */
	uint32_t n_parts; /* files: 1, or a split model's (ai/gguf_split.h); then
			   * base, len and data_off are the first file's and the
			   * tensors point into all of them */
};

/* Quick check of the first bytes of a file (magic, version, counts sane)
 * before committing to reading a multi-GB file. n may be as small as 24.
 * Returns 0 if it looks like GGUF, -1 with a message otherwise. */
int gguf_check_header(const void *buf, size_t n, char *err, size_t errlen);

/* Parse a whole GGUF image. Returns 0, or -1 with a message in err.
 * On success g owns two arrays; release them with gguf_close. */
int gguf_open(struct gguf *g, const void *base, size_t len, char *err, size_t errlen);
void gguf_close(struct gguf *g);

const struct gguf_kv *gguf_find(const struct gguf *g, const char *key);
const struct gguf_tensor *gguf_find_tensor(const struct gguf *g, const char *name);

/* Typed getters: false if the key is missing or cannot be converted
 * (any integer type that fits for u32/i32/u64, FLOAT32/64 or integer for f32). */
bool gguf_get_u32(const struct gguf *g, const char *key, uint32_t *out);
bool gguf_get_i32(const struct gguf *g, const char *key, int32_t *out);
bool gguf_get_u64(const struct gguf *g, const char *key, uint64_t *out);
bool gguf_get_f32(const struct gguf *g, const char *key, float *out);
bool gguf_get_bool(const struct gguf *g, const char *key, bool *out);
bool gguf_get_str(const struct gguf *g, const char *key, struct gguf_str *out);

/* Array element access for a kv of type ARRAY (bounds checked by caller:
 * i < kv->arr_n). Numeric elements are converted; strings are walked. */
int64_t gguf_arr_int(const struct gguf_kv *kv, uint64_t i);
float gguf_arr_f32(const struct gguf_kv *kv, uint64_t i);
/* Fill out[0..arr_n) with the strings of a string array. Returns 0, or -1
 * if kv is not an array of strings. */
int gguf_arr_strs(const struct gguf_kv *kv, struct gguf_str *out);

/* Element i of an ARRAY kv (any element type, nested arrays included) as a
 * kv without a key: scalars in v, strings in v.s, arrays in arr_type/arr_n/
 * data. O(i) for variable-size elements. Returns 0, or -1 if kv is not an
 * array or i >= arr_n. */
int gguf_arr_get(const struct gguf_kv *kv, uint64_t i, struct gguf_kv *out);

/* Decodes one value of type (a gguf_vtype) from the len bytes at p into
 * out, without a key, as gguf_open does. Returns 0, or -1 if it does not
 * fit in len or is malformed. */
int gguf_read_value(const void *p, size_t len, uint32_t type, struct gguf_kv *out);

/* Compare a gguf_str with a C string. */
bool gguf_str_eq(struct gguf_str s, const char *c);

const char *gguf_vtype_name(uint32_t t);
/* Bytes of a fixed-size value type; 0 for STRING, ARRAY and unknown ids. */
size_t gguf_vtype_size(uint32_t t);

#endif

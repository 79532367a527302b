/* Test helper: build a small metadata-only GGUF (v3, no tensors) in memory,
 * for the tokenizer and chat tests. Header-only (static functions). */
#ifndef TESTS_UNIT_TOK_GGUF_H
#define TESTS_UNIT_TOK_GGUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"

struct gb {
	uint8_t *p;
	size_t n, cap;
	uint64_t n_kv;
};

static inline void gb_put(struct gb *b, const void *d, size_t n)
{
	while (b->n + n > b->cap) {
		b->cap = b->cap ? 2 * b->cap : 4096;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static inline void gb_u32(struct gb *b, uint32_t v) { gb_put(b, &v, 4); }
static inline void gb_u64(struct gb *b, uint64_t v) { gb_put(b, &v, 8); }

static inline void gb_str(struct gb *b, const char *s)
{
	gb_u64(b, strlen(s));
	gb_put(b, s, strlen(s));
}

static inline void gb_init(struct gb *b)
{
	memset(b, 0, sizeof(*b));
	gb_put(b, "GGUF", 4);
	gb_u32(b, 3);
	gb_u64(b, 0); /* tensors */
	gb_u64(b, 0); /* kv count, patched by gb_open */
}

static inline void gb_key(struct gb *b, const char *key, uint32_t type)
{
	gb_str(b, key);
	gb_u32(b, type);
	b->n_kv++;
}

static inline void gb_kv_str(struct gb *b, const char *key, const char *v)
{
	gb_key(b, key, GGUF_TYPE_STRING);
	gb_str(b, v);
}

static inline void gb_kv_u32(struct gb *b, const char *key, uint32_t v)
{
	gb_key(b, key, GGUF_TYPE_UINT32);
	gb_u32(b, v);
}

static inline void gb_kv_bool(struct gb *b, const char *key, int v)
{
	uint8_t c = (uint8_t)(v != 0);
	gb_key(b, key, GGUF_TYPE_BOOL);
	gb_put(b, &c, 1);
}

static inline void gb_kv_strs(struct gb *b, const char *key, const char *const *v, int n)
{
	gb_key(b, key, GGUF_TYPE_ARRAY);
	gb_u32(b, GGUF_TYPE_STRING);
	gb_u64(b, (uint64_t)n);
	for (int i = 0; i < n; i++)
		gb_str(b, v[i]);
}

static inline void gb_kv_i32s(struct gb *b, const char *key, const int32_t *v, int n)
{
	gb_key(b, key, GGUF_TYPE_ARRAY);
	gb_u32(b, GGUF_TYPE_INT32);
	gb_u64(b, (uint64_t)n);
	gb_put(b, v, 4 * (size_t)n);
}

static inline void gb_kv_f32s(struct gb *b, const char *key, const float *v, int n)
{
	gb_key(b, key, GGUF_TYPE_ARRAY);
	gb_u32(b, GGUF_TYPE_FLOAT32);
	gb_u64(b, (uint64_t)n);
	gb_put(b, v, 4 * (size_t)n);
}

/* Parse the built image; b must stay alive while g is used. 0 or -1. */
static inline int gb_open(struct gb *b, struct gguf *g, char *err, size_t errlen)
{
	memcpy(b->p + 16, &b->n_kv, 8);
	return gguf_open(g, b->p, b->n, err, errlen);
}

#endif

/*
 * Unit tests of the GGUF parser (ai/gguf.c). Prints one "PASS: name" /
 * "FAIL: name" / "SKIP: name (why)" line per check; exit status 1 if any
 * failed.
 *
 *   test_gguf                  in-memory GGUFs + ../shared/conformance files
 *   test_gguf --shared DIR     conformance corpus elsewhere (default ../shared/conformance)
 *   test_gguf --bad DIR        malformed corpus: DIR/manifest.tsv lines
 *                              "FILE<TAB>expected error substring"
 *                              (made by tools/mkbadgguf.py); a file that
 *                              parses (the hostile-* models) must fail
 *                              model_load with that message instead;
 *                              one with no substring (micro-*) must load
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/model.h"
#include "ai/quant.h"
#include "tests/unit/files.h"

static int n_fail;
static char why[512]; /* first failed expectation of the current check */

#define EXPECT(c) \
	do { \
		if (!(c) && !why[0]) \
			snprintf(why, sizeof(why), "line %d: %s", __LINE__, #c); \
	} while (0)

static void begin(void) { why[0] = 0; }

static void end(const char *name)
{
	if (why[0]) {
		printf("FAIL: %s (%s)\n", name, why);
		n_fail++;
	} else {
		printf("PASS: %s\n", name);
	}
}

/* ---- building GGUF images in memory --------------------------------------- */

struct wb {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct wb *w, const void *d, size_t n)
{
	if (w->n + n > w->cap) {
		w->cap = (w->n + n) * 2 + 64;
		w->p = realloc(w->p, w->cap);
		if (!w->p)
			abort();
	}
	memcpy(w->p + w->n, d, n);
	w->n += n;
}

static void put_u8(struct wb *w, uint8_t v) { put(w, &v, 1); }
static void put_u16(struct wb *w, uint16_t v) { put(w, &v, 2); }
static void put_u32(struct wb *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(struct wb *w, uint64_t v) { put(w, &v, 8); }
static void put_f32(struct wb *w, float v) { put(w, &v, 4); }
static void put_f64(struct wb *w, double v) { put(w, &v, 8); }

static void put_str(struct wb *w, const char *s)
{
	put_u64(w, strlen(s));
	put(w, s, strlen(s));
}

static void put_hdr(struct wb *w, uint32_t version, uint64_t n_tensors, uint64_t n_kv)
{
	put(w, "GGUF", 4);
	put_u32(w, version);
	put_u64(w, n_tensors);
	put_u64(w, n_kv);
}

static void put_key(struct wb *w, const char *key, uint32_t type)
{
	put_str(w, key);
	put_u32(w, type);
}

static void put_pad(struct wb *w, size_t align)
{
	while (w->n % align)
		put_u8(w, 0);
}

static int open_wb(struct gguf *g, struct wb *w, char *err, size_t errlen)
{
	return gguf_open(g, w->p, w->n, err, errlen);
}

/* ---- in-memory tests ------------------------------------------------------ */

/* Every scalar type, a string and flat arrays, in version `version`. */
static void build_scalars(struct wb *w, uint32_t version)
{
	put_hdr(w, version, 0, 16);
	put_key(w, "u8", GGUF_TYPE_UINT8), put_u8(w, 200);
	put_key(w, "i8", GGUF_TYPE_INT8), put_u8(w, (uint8_t)-100);
	put_key(w, "u16", GGUF_TYPE_UINT16), put_u16(w, 60000);
	put_key(w, "i16", GGUF_TYPE_INT16), put_u16(w, (uint16_t)-30000);
	put_key(w, "u32", GGUF_TYPE_UINT32), put_u32(w, 4000000000u);
	put_key(w, "i32", GGUF_TYPE_INT32), put_u32(w, (uint32_t)-5);
	put_key(w, "f32", GGUF_TYPE_FLOAT32), put_f32(w, 1e-5f);
	put_key(w, "bool", GGUF_TYPE_BOOL), put_u8(w, 1);
	put_key(w, "str", GGUF_TYPE_STRING), put_str(w, "llama");
	put_key(w, "u64", GGUF_TYPE_UINT64), put_u64(w, 1ull << 40);
	put_key(w, "i64", GGUF_TYPE_INT64), put_u64(w, (uint64_t)-7);
	put_key(w, "f64", GGUF_TYPE_FLOAT64), put_f64(w, 10000.0);
	put_key(w, "arr.u32", GGUF_TYPE_ARRAY), put_u32(w, GGUF_TYPE_UINT32), put_u64(w, 3);
	put_u32(w, 7), put_u32(w, 8), put_u32(w, 9);
	put_key(w, "arr.str", GGUF_TYPE_ARRAY), put_u32(w, GGUF_TYPE_STRING), put_u64(w, 3);
	put_str(w, "<s>"), put_str(w, ""), put_str(w, "hello");
	put_key(w, "arr.f32", GGUF_TYPE_ARRAY), put_u32(w, GGUF_TYPE_FLOAT32), put_u64(w, 2);
	put_f32(w, -1.5f), put_f32(w, 2.25f);
	put_key(w, "arr.empty", GGUF_TYPE_ARRAY), put_u32(w, GGUF_TYPE_INT32), put_u64(w, 0);
}

static void test_scalars(uint32_t version, const char *name)
{
	struct wb w = {0};
	struct gguf g;
	char err[256];
	uint32_t u32;
	int32_t i32;
	uint64_t u64;
	float f;
	bool b;
	struct gguf_str s;
	begin();
	build_scalars(&w, version);
	int rc = open_wb(&g, &w, err, sizeof(err));
	EXPECT(rc == 0);
	if (rc == 0) {
		EXPECT(g.version == version && g.n_kv == 16 && g.n_tensors == 0);
		EXPECT(g.alignment == GGUF_DEFAULT_ALIGNMENT);
		EXPECT(g.data_off == w.n); /* no tensors: the file may end unpadded */
		EXPECT(gguf_get_u32(&g, "u8", &u32) && u32 == 200);
		EXPECT(gguf_get_i32(&g, "i8", &i32) && i32 == -100);
		EXPECT(!gguf_get_u32(&g, "i8", &u32));
		EXPECT(gguf_get_u32(&g, "u16", &u32) && u32 == 60000);
		EXPECT(gguf_get_i32(&g, "i16", &i32) && i32 == -30000);
		EXPECT(gguf_get_u32(&g, "u32", &u32) && u32 == 4000000000u);
		EXPECT(!gguf_get_i32(&g, "u32", &i32));
		EXPECT(gguf_get_i32(&g, "i32", &i32) && i32 == -5);
		EXPECT(!gguf_get_u64(&g, "i32", &u64));
		EXPECT(gguf_get_f32(&g, "f32", &f) && f == 1e-5f);
		EXPECT(gguf_get_f32(&g, "i32", &f) && f == -5.0f);
		EXPECT(!gguf_get_u32(&g, "f32", &u32));
		EXPECT(gguf_get_bool(&g, "bool", &b) && b);
		EXPECT(gguf_get_str(&g, "str", &s) && gguf_str_eq(s, "llama"));
		EXPECT(!gguf_str_eq(s, "llam") && !gguf_str_eq(s, "llamas"));
		EXPECT(!gguf_get_str(&g, "u8", &s));
		EXPECT(!gguf_get_u32(&g, "str", &u32));
		EXPECT(!gguf_get_u32(&g, "u64", &u32));
		EXPECT(gguf_get_u64(&g, "u64", &u64) && u64 == 1ull << 40);
		EXPECT(gguf_get_i32(&g, "i64", &i32) && i32 == -7);
		EXPECT(gguf_get_f32(&g, "f64", &f) && f == 10000.0f);
		EXPECT(!gguf_get_u32(&g, "missing", &u32) && gguf_find(&g, "missing") == NULL);
		EXPECT(gguf_find(&g, "arr") == NULL && gguf_find(&g, "") == NULL);

		const struct gguf_kv *kv = gguf_find(&g, "arr.u32");
		EXPECT(kv && kv->type == GGUF_TYPE_ARRAY && kv->arr_type == GGUF_TYPE_UINT32 &&
		       kv->arr_n == 3);
		if (kv) {
			EXPECT(gguf_arr_int(kv, 0) == 7 && gguf_arr_int(kv, 2) == 9);
			EXPECT(gguf_arr_f32(kv, 1) == 8.0f);
			EXPECT(gguf_arr_strs(kv, &s) == -1);
		}
		kv = gguf_find(&g, "arr.str");
		EXPECT(kv && kv->arr_type == GGUF_TYPE_STRING && kv->arr_n == 3);
		if (kv && kv->arr_n == 3) {
			struct gguf_str ss[3];
			struct gguf_kv e;
			EXPECT(gguf_arr_strs(kv, ss) == 0);
			EXPECT(gguf_str_eq(ss[0], "<s>") && ss[1].n == 0 && gguf_str_eq(ss[2], "hello"));
			EXPECT(gguf_arr_get(kv, 2, &e) == 0 && e.type == GGUF_TYPE_STRING &&
			       gguf_str_eq(e.v.s, "hello"));
			EXPECT(gguf_arr_get(kv, 3, &e) == -1);
			EXPECT(gguf_arr_int(kv, 0) == 0);
		}
		kv = gguf_find(&g, "arr.f32");
		EXPECT(kv && gguf_arr_f32(kv, 0) == -1.5f && gguf_arr_f32(kv, 1) == 2.25f);
		EXPECT(kv && gguf_arr_int(kv, 1) == 2);
		kv = gguf_find(&g, "arr.empty");
		EXPECT(kv && kv->arr_n == 0 && kv->arr_type == GGUF_TYPE_INT32);
		gguf_close(&g);
		EXPECT(g.kv == NULL && g.n_kv == 0);
	} else {
		snprintf(why, sizeof(why), "gguf_open: %s", err);
	}
	/* the 24-byte header check agrees */
	EXPECT(gguf_check_header(w.p, 24, err, sizeof(err)) == 0);
	free(w.p);
	end(name);
}

/* Arrays of arrays: [[1,2],[3],[]] of i16 and [["a","bc"],[]] of strings. */
static void test_nested(void)
{
	struct wb w = {0};
	struct gguf g;
	struct gguf_kv e, x;
	char err[256];
	begin();
	put_hdr(&w, 3, 0, 3);
	put_key(&w, "nest.i16", GGUF_TYPE_ARRAY), put_u32(&w, GGUF_TYPE_ARRAY), put_u64(&w, 3);
	put_u32(&w, GGUF_TYPE_INT16), put_u64(&w, 2), put_u16(&w, 1), put_u16(&w, (uint16_t)-2);
	put_u32(&w, GGUF_TYPE_INT16), put_u64(&w, 1), put_u16(&w, 3);
	put_u32(&w, GGUF_TYPE_INT16), put_u64(&w, 0);
	put_key(&w, "nest.str", GGUF_TYPE_ARRAY), put_u32(&w, GGUF_TYPE_ARRAY), put_u64(&w, 2);
	put_u32(&w, GGUF_TYPE_STRING), put_u64(&w, 2), put_str(&w, "a"), put_str(&w, "bc");
	put_u32(&w, GGUF_TYPE_STRING), put_u64(&w, 0);
	put_key(&w, "after", GGUF_TYPE_UINT32), put_u32(&w, 42);
	int rc = open_wb(&g, &w, err, sizeof(err));
	EXPECT(rc == 0);
	if (rc == 0) {
		uint32_t u;
		const struct gguf_kv *kv = gguf_find(&g, "nest.i16");
		EXPECT(gguf_get_u32(&g, "after", &u) && u == 42);
		EXPECT(kv && kv->arr_type == GGUF_TYPE_ARRAY && kv->arr_n == 3);
		EXPECT(kv && gguf_arr_int(kv, 0) == 0); /* not numeric elements */
		if (kv) {
			EXPECT(gguf_arr_get(kv, 0, &e) == 0 && e.type == GGUF_TYPE_ARRAY &&
			       e.arr_type == GGUF_TYPE_INT16 && e.arr_n == 2);
			EXPECT(gguf_arr_int(&e, 0) == 1 && gguf_arr_int(&e, 1) == -2);
			EXPECT(gguf_arr_get(kv, 1, &e) == 0 && e.arr_n == 1 && gguf_arr_int(&e, 0) == 3);
			EXPECT(gguf_arr_get(kv, 2, &e) == 0 && e.arr_n == 0);
		}
		kv = gguf_find(&g, "nest.str");
		EXPECT(kv && kv->arr_n == 2);
		if (kv) {
			struct gguf_str ss[2];
			EXPECT(gguf_arr_get(kv, 0, &e) == 0 && e.arr_type == GGUF_TYPE_STRING &&
			       e.arr_n == 2);
			EXPECT(gguf_arr_strs(&e, ss) == 0 && gguf_str_eq(ss[0], "a") &&
			       gguf_str_eq(ss[1], "bc"));
			EXPECT(gguf_arr_get(&e, 1, &x) == 0 && gguf_str_eq(x.v.s, "bc"));
			EXPECT(gguf_arr_get(kv, 1, &e) == 0 && e.arr_n == 0);
		}
		gguf_close(&g);
	} else {
		snprintf(why, sizeof(why), "gguf_open: %s", err);
	}
	free(w.p);
	end("gguf-nested-arrays");
}

/* Two tensors with general.alignment 64: f32 [8] at 0, q4_0 [32, 2] at 64. */
static void build_tensors(struct wb *w, uint32_t align)
{
	put_hdr(w, 3, 2, 2);
	put_key(w, "general.architecture", GGUF_TYPE_STRING), put_str(w, "llama");
	put_key(w, "general.alignment", GGUF_TYPE_UINT32), put_u32(w, align);
	put_str(w, "a.weight"), put_u32(w, 1), put_u64(w, 8);
	put_u32(w, GGML_TYPE_F32), put_u64(w, 0);
	put_str(w, "b.weight"), put_u32(w, 2), put_u64(w, 32), put_u64(w, 2);
	put_u32(w, GGML_TYPE_Q4_0), put_u64(w, 64);
	put_pad(w, align);
	for (int i = 0; i < 8; i++)
		put_f32(w, (float)i);
	put_pad(w, 64);
	for (int i = 0; i < 36; i++)
		put_u8(w, (uint8_t)i);
}

static void test_tensors(void)
{
	struct wb w = {0};
	struct gguf g;
	char err[256];
	begin();
	build_tensors(&w, 64);
	int rc = open_wb(&g, &w, err, sizeof(err));
	EXPECT(rc == 0);
	if (rc == 0) {
		EXPECT(g.alignment == 64 && g.data_off % 64 == 0 && g.n_tensors == 2);
		const struct gguf_tensor *a = gguf_find_tensor(&g, "a.weight");
		const struct gguf_tensor *b = gguf_find_tensor(&g, "b.weight");
		EXPECT(gguf_find_tensor(&g, "c.weight") == NULL);
		EXPECT(a && a->n_dims == 1 && a->ne[0] == 8 && a->ne[1] == 1 && a->ne[3] == 1);
		EXPECT(a && a->nbytes == 32 && a->data == w.p + g.data_off);
		EXPECT(a && ((const float *)a->data)[7] == 7.0f);
		EXPECT(b && b->n_dims == 2 && b->ne[0] == 32 && b->ne[1] == 2 && b->type == GGML_TYPE_Q4_0);
		EXPECT(b && b->nbytes == 2 * sizeof(block_q4_0) && b->data == w.p + g.data_off + 64);
		EXPECT(g.data_off + 64 + 36 == w.n);
		gguf_close(&g);
	} else {
		snprintf(why, sizeof(why), "gguf_open: %s", err);
	}
	free(w.p);
	end("gguf-tensors-alignment");
}

/* Every truncation and every single-byte corruption of small valid files
 * must return cleanly (an error for truncations); ASan checks the reads. */
static void test_mutations(void)
{
	struct wb w1 = {0}, w2 = {0}, w3 = {0};
	struct gguf g;
	char err[256];
	static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x09, 0x0c, 0x20, 0x7f, 0x80, 0xff};
	begin();
	build_tensors(&w1, 64);
	build_scalars(&w2, 3);
	put_hdr(&w3, 3, 0, 1); /* nested array */
	put_key(&w3, "n", GGUF_TYPE_ARRAY), put_u32(&w3, GGUF_TYPE_ARRAY), put_u64(&w3, 1);
	put_u32(&w3, GGUF_TYPE_STRING), put_u64(&w3, 1), put_str(&w3, "xy");
	struct wb *ws[] = {&w1, &w2, &w3};
	for (int k = 0; k < 3; k++) {
		struct wb *w = ws[k];
		uint8_t *copy = malloc(w->n);
		for (size_t n = 0; n < w->n; n++) {
			/* an exact-size heap copy so ASan sees any over-read */
			uint8_t *t = malloc(n ? n : 1);
			memcpy(t, w->p, n);
			int rc = gguf_open(&g, t, n, err, sizeof(err));
			if (rc == 0) {
				gguf_close(&g);
				/* only a tensor-less file may end early, inside no kv */
				EXPECT(k != 0);
			} else {
				EXPECT(err[0] != 0);
			}
			free(t);
		}
		for (size_t i = 0; i < w->n; i++)
			for (size_t v = 0; v < sizeof(vals); v++) {
				memcpy(copy, w->p, w->n);
				copy[i] = vals[v];
				if (gguf_open(&g, copy, w->n, err, sizeof(err)) == 0) {
					for (uint64_t j = 0; j < g.n_tensors; j++)
						EXPECT((const uint8_t *)g.tensors[j].data + g.tensors[j].nbytes <=
						       copy + w->n);
					gguf_close(&g);
				} else {
					EXPECT(err[0] != 0);
				}
			}
		free(copy);
	}
	free(w1.p), free(w2.p), free(w3.p);
	end("gguf-truncations-and-byte-flips");
}

static void test_header(void)
{
	char err[256];
	uint8_t h[24] = "GGUF";
	begin();
	h[4] = 3;
	EXPECT(gguf_check_header(h, 24, err, sizeof(err)) == 0);
	EXPECT(gguf_check_header(h, 8, err, sizeof(err)) == 0 || strstr(err, "truncated"));
	h[4] = 1;
	EXPECT(gguf_check_header(h, 24, err, sizeof(err)) == -1 && strstr(err, "version 1"));
	h[4] = 2;
	h[15] = 1; /* n_tensors = 2^56 */
	EXPECT(gguf_check_header(h, 24, err, sizeof(err)) == -1 && strstr(err, "tensor count"));
	h[15] = 0;
	memcpy(h, "GGML", 4);
	EXPECT(gguf_check_header(h, 24, err, sizeof(err)) == -1 && strstr(err, "magic"));
	EXPECT(gguf_check_header(h, 2, err, sizeof(err)) == -1 && strstr(err, "short"));
	/* a tiny error buffer is filled, truncated, and terminated */
	EXPECT(gguf_check_header(h, 24, err, 5) == -1 && strlen(err) == 4);
	EXPECT(gguf_check_header(h, 24, NULL, 0) == -1);
	end("gguf-check-header");
}

/* The parser accepts exactly the types of the one ggml type table
 * (ai/ggml_type.c), MXFP4 included, and sizes tensors with it. */
static void test_type_table(void)
{
	begin();
	for (int t = -1; t < 64; t++) {
		const struct ggml_type_info *ti = ggml_type_info(t);
		EXPECT((ti != NULL) == (t >= 0 && t < GGML_TYPE_COUNT));
		if (ti && ti->blck)
			EXPECT(ggml_type_row_size(t, 256 * ti->blck) == (size_t)256 * ti->tsize);
	}
	for (int t = 0; t <= GGML_TYPE_Q6_K; t++)
		if (t != 4 && t != 5)
			EXPECT(ggml_type_info(t)->blck > 0);
	EXPECT(ggml_type_info(GGML_TYPE_BF16)->blck == 1);
	EXPECT(ggml_type_row_size(GGML_TYPE_MXFP4, 64) == 34);
	EXPECT(ggml_type_info(4)->blck == 0 && ggml_type_row_size(4, 32) == 0);
	end("gguf-type-table");
}

/* ---- files: the conformance corpus and the malformed corpus ---------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Known facts of the conformance models. */
static void check_model(const struct gguf *g, const char *name)
{
	struct gguf_str s;
	uint32_t emb, nl, nh, nkv;
	float eps;
	const struct gguf_kv *tok = gguf_find(g, "tokenizer.ggml.tokens");
	bool tiny = strstr(name, "aidreams") != NULL;
	EXPECT(gguf_get_str(g, "general.architecture", &s) && gguf_str_eq(s, "llama"));
	EXPECT(gguf_get_str(g, "tokenizer.ggml.model", &s) && gguf_str_eq(s, "llama"));
	EXPECT(gguf_get_u32(g, "llama.embedding_length", &emb) && emb == (tiny ? 64u : 256u));
	EXPECT(gguf_get_u32(g, "llama.block_count", &nl) && nl == 4);
	EXPECT(gguf_get_u32(g, "llama.attention.head_count", &nh) && nh == (tiny ? 4u : 8u));
	EXPECT(gguf_get_u32(g, "llama.attention.head_count_kv", &nkv) && nkv == (tiny ? 4u : 4u));
	EXPECT(gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &eps) && eps == 1e-5f);
	EXPECT(tok && tok->arr_type == GGUF_TYPE_STRING && tok->arr_n == 512);
	EXPECT(g->n_tensors == 3 + 9 * 4);
	const struct gguf_tensor *t = gguf_find_tensor(g, "token_embd.weight");
	EXPECT(t && t->n_dims == 2 && t->ne[0] == emb && t->ne[1] == 512);
	t = gguf_find_tensor(g, "blk.3.ffn_down.weight");
	EXPECT(t && t->ne[0] == (tiny ? 172 : 768) && t->ne[1] == emb);
	t = gguf_find_tensor(g, "blk.0.attn_norm.weight");
	EXPECT(t && t->n_dims == 1 && t->type == GGML_TYPE_F32);
	/* the expected weight type from the file name */
	static const struct { const char *tag; int type; } types[] = {
		{"-f32", GGML_TYPE_F32}, {"-f16", GGML_TYPE_F16}, {"-bf16", GGML_TYPE_BF16},
		{"-q8_0", GGML_TYPE_Q8_0}, {"-q4_0", GGML_TYPE_Q4_0}, {"-q4_1", GGML_TYPE_Q4_1},
		{"-q5_0", GGML_TYPE_Q5_0}, {"-q5_1", GGML_TYPE_Q5_1}, {"-q2_k", GGML_TYPE_Q2_K},
		{"-q3_k", GGML_TYPE_Q3_K}, {"-q4_k", GGML_TYPE_Q4_K}, {"-q5_k", GGML_TYPE_Q5_K},
		{"-q6_k", GGML_TYPE_Q6_K},
	};
	t = gguf_find_tensor(g, "blk.1.attn_q.weight");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strstr(name, types[i].tag))
			EXPECT(t && (int)t->type == types[i].type);
	/* tensors tile the data section; the last one ends at end of file */
	uint64_t end = 0;
	for (uint64_t i = 0; i < g->n_tensors; i++) {
		const struct gguf_tensor *x = &g->tensors[i];
		const struct ggml_type_info *ti = ggml_type_info((int)x->type);
		EXPECT(ti && ti->blck);
		EXPECT(x->nbytes == (uint64_t)(x->ne[0] * x->ne[1] * x->ne[2] * x->ne[3]) / ti->blck * ti->tsize);
		EXPECT(x->nbytes == ggml_type_row_size((int)x->type, x->ne[0]) * (uint64_t)(x->ne[1] * x->ne[2] * x->ne[3]));
		if (x->offset + x->nbytes > end)
			end = x->offset + x->nbytes;
	}
	EXPECT(g->data_off + end == g->len);
}

static void check_vocab(const struct gguf *g, const char *name)
{
	struct gguf_str s;
	uint32_t bos;
	const struct gguf_kv *tok = gguf_find(g, "tokenizer.ggml.tokens");
	bool bpe = strstr(name, "gpt-2") != NULL;
	EXPECT(g->n_tensors == 0);
	EXPECT(gguf_get_str(g, "tokenizer.ggml.model", &s) && gguf_str_eq(s, bpe ? "gpt2" : "llama"));
	EXPECT(tok && tok->arr_type == GGUF_TYPE_STRING && tok->arr_n == (bpe ? 50257u : 32000u));
	EXPECT(gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &bos) && bos == (bpe ? 50256u : 1u));
	if (tok && tok->arr_n && tok->arr_n < 100000) {
		struct gguf_str *ss = malloc(tok->arr_n * sizeof(*ss));
		EXPECT(gguf_arr_strs(tok, ss) == 0);
		EXPECT(bpe ? gguf_str_eq(ss[50256], "<|endoftext|>") : gguf_str_eq(ss[1], "<s>"));
		free(ss);
	}
	if (bpe) {
		const struct gguf_kv *m = gguf_find(g, "tokenizer.ggml.merges");
		EXPECT(m && m->arr_type == GGUF_TYPE_STRING && m->arr_n == 50000);
	}
}

static void test_dir(const char *dir, bool vocab)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256];
	int n = 0;
	if (!d) {
		printf("SKIP: gguf-shared-%s (%s absent)\n", vocab ? "vocab" : "models", dir);
		return;
	}
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".gguf"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	for (int i = 0; i < n; i++) {
		char path[1024], label[300], err[256];
		size_t len = 0;
		struct gguf g;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(label, sizeof(label), "gguf-shared-%s", names[i]);
		begin();
		uint8_t *p = read_file(path, &len);
		EXPECT(p != NULL);
		if (p) {
			if (gguf_open(&g, p, len, err, sizeof(err)) == 0) {
				if (vocab)
					check_vocab(&g, names[i]);
				else
					check_model(&g, names[i]);
				gguf_close(&g);
			} else {
				snprintf(why, sizeof(why), "gguf_open: %s", err);
			}
			/* the header check accepts the first 24 bytes */
			EXPECT(gguf_check_header(p, len < 24 ? len : 24, err, sizeof(err)) == 0);
			free(p);
		}
		end(label);
		free(names[i]);
	}
	if (n == 0)
		printf("SKIP: gguf-shared-%s (no .gguf in %s)\n", vocab ? "vocab" : "models", dir);
}

/* Each file of the malformed corpus must fail with its expected message. */
static int test_bad(const char *dir)
{
	quant_init(QUANT_AVX512); /* model_load checks types against the kernels */
	char path[1024], line[256];
	snprintf(path, sizeof(path), "%.900s/manifest.tsv", dir);
	FILE *f = fopen(path, "r");
	int n = 0;
	if (!f) {
		printf("FAIL: gguf-bad-manifest (cannot open %s)\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n'), err[512], label[300];
		size_t len = 0;
		struct gguf g;
		if (!tab || line[0] == '#')
			continue;
		*tab = 0;
		if (nl)
			*nl = 0;
		snprintf(path, sizeof(path), "%.700s/%.255s", dir, line);
		snprintf(label, sizeof(label), "gguf-bad-%.255s", line);
		begin();
		uint8_t *p = read_file(path, &len);
		EXPECT(p != NULL);
		if (p) {
			err[0] = 0;
			int rc = gguf_open(&g, p, len, err, sizeof(err));
			if (rc == 0) {
				struct model m;
				rc = model_load(&m, &g, err, sizeof(err));
				if (rc == 0)
					model_free(&m);
				gguf_close(&g);
			}
			if (!tab[1]) {
				if (rc != 0)
					snprintf(why, sizeof(why), "refused (%.300s), want it to load", err);
			} else if (rc == 0) {
				snprintf(why, sizeof(why), "accepted, want error '%.255s'", tab + 1);
			} else if (!strstr(err, tab + 1)) {
				snprintf(why, sizeof(why), "error '%.300s', want '%.180s'", err, tab + 1);
			}
			free(p);
		}
		end(label);
		n++;
	}
	fclose(f);
	if (n < 20) {
		printf("FAIL: gguf-bad-count (only %d files)\n", n);
		n_fail++;
	} else {
		printf("PASS: gguf-bad-count (%d files)\n", n);
	}
	return n_fail != 0;
}

int main(int argc, char **argv)
{
	const char *shared = "../shared/conformance";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bad") && i + 1 < argc)
			return test_bad(argv[i + 1]);
		if (!strcmp(argv[i], "--shared") && i + 1 < argc)
			shared = argv[++i];
	}
	test_scalars(3, "gguf-v3-all-value-types");
	test_scalars(2, "gguf-v2-all-value-types");
	test_nested();
	test_tensors();
	test_header();
	test_mutations();
	test_type_table();
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/models", shared);
	test_dir(dir, false);
	snprintf(dir, sizeof(dir), "%s/vocab", shared);
	test_dir(dir, true);
	return n_fail != 0;
}

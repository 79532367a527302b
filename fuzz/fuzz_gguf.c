/*
 * libFuzzer harness for the GGUF parser and what reads a parsed GGUF: the
 * input bytes are a GGUF image; gguf_open must accept or reject it without
 * any out-of-bounds read, and on success every kv, array element and tensor
 * is walked, then the tokenizer and the model loaders run on it (their own
 * validation of metadata and tensor shapes is fuzzed too), and a model that
 * loads evaluates a few tokens (fuzz/seed-gguf has tiny complete models):
 * with the scalar kernels for an input of odd size, else the best the CPU
 * has, so that both see NaN and inf weights. The boot loader's scanner
 * (ai/ggufscan.c) reads every input too.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/forward.h"
#include "ai/gguf.h"
#include "ai/ggufscan.h"
#include "ai/model.h"
#include "ai/quant.h"
#include "ai/tokenizer.h"

/* Walk elements [0, n) of an array, at most 64 of the variable-size ones
 * (each gguf_arr_get is O(i) for those) plus the last. */
static unsigned walk_array(const struct gguf_kv *kv, int depth)
{
	unsigned h = 0;
	struct gguf_kv e;
	uint64_t n = kv->arr_n, lim = n;
	if (kv->arr_type == GGUF_TYPE_STRING || kv->arr_type == GGUF_TYPE_ARRAY)
		lim = n < 64 ? n : 64;
	for (uint64_t k = 0; k < lim + (lim < n); k++) {
		uint64_t i = k < lim ? k : n - 1;
		if (gguf_arr_get(kv, i, &e) != 0)
			abort(); /* i < arr_n: must succeed */
		h += (unsigned)gguf_arr_int(kv, i) + (unsigned)(gguf_arr_f32(kv, i) != 0);
		if (e.type != kv->arr_type)
			abort();
		if (e.type == GGUF_TYPE_STRING && e.v.s.n)
			h += (unsigned char)e.v.s.p[e.v.s.n - 1];
		if (e.type == GGUF_TYPE_ARRAY) {
			if (depth > 8)
				abort(); /* the parser caps nesting */
			h += walk_array(&e, depth + 1);
		}
	}
	if (kv->arr_type == GGUF_TYPE_STRING && n) {
		struct gguf_str *s = malloc(n * sizeof(*s));
		if (s) {
			if (gguf_arr_strs(kv, s) != 0)
				abort();
			h += (unsigned char)(s[n - 1].n ? s[n - 1].p[0] : 0);
			free(s);
		}
	}
	return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	quant_init(QUANT_AVX512);
	return 0;
}

volatile unsigned fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gguf g;
	char err[256];
	unsigned h = 0;
	if (gguf_check_header(data, size, err, sizeof(err)) == 0 && size < 24)
		abort(); /* a short buffer must not pass */
	struct ggufscan_info si;
	const char *why = NULL;
	int sr = ggufscan_info(data, size, &si, &why);
	if (sr != GGUFSCAN_OK && sr != GGUFSCAN_MORE && (sr != GGUFSCAN_BAD || !why || !*why))
		abort(); /* a verdict, and a reason for a refusal */
	quant_init(size & 1 ? QUANT_SCALAR : QUANT_AVX512);
	if (gguf_open(&g, data, size, err, sizeof(err)) != 0) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort(); /* every failure says why */
		return 0;
	}
	if (g.data_off > size || g.alignment == 0 || (g.alignment & (g.alignment - 1)))
		abort();
	for (uint64_t i = 0; i < g.n_kv; i++) {
		const struct gguf_kv *kv = &g.kv[i];
		char key[64];
		size_t n = kv->key.n < sizeof(key) - 1 ? (size_t)kv->key.n : sizeof(key) - 1;
		uint32_t u32;
		int32_t i32;
		uint64_t u64;
		float f;
		bool b;
		struct gguf_str s;
		memcpy(key, kv->key.p, n);
		key[n] = 0;
		h += gguf_get_u32(&g, key, &u32) + gguf_get_i32(&g, key, &i32) +
		     gguf_get_u64(&g, key, &u64) + gguf_get_f32(&g, key, &f) +
		     gguf_get_bool(&g, key, &b) + gguf_get_str(&g, key, &s);
		if (gguf_find(&g, key) == NULL && !memchr(key, 0, n) && n == kv->key.n)
			abort(); /* every (NUL-free) key is found */
		if (kv->type == GGUF_TYPE_ARRAY)
			h += walk_array(kv, 0);
		h += (unsigned)strlen(gguf_vtype_name(kv->type));
	}
	for (uint64_t i = 0; i < g.n_tensors; i++) {
		const struct gguf_tensor *t = &g.tensors[i];
		const uint8_t *p = t->data;
		if (p < data + g.data_off || t->nbytes > size || p + t->nbytes > data + size)
			abort();
		h += p[0] + p[t->nbytes - 1];
		if (t->name.n < 64) {
			char name[64];
			memcpy(name, t->name.p, (size_t)t->name.n);
			name[t->name.n] = 0;
			if (!memchr(name, 0, (size_t)t->name.n) && !gguf_find_tensor(&g, name))
				abort();
		}
	}

	struct tokenizer *tok = tokenizer_load(&g, err, sizeof(err));
	if (tok) {
		int32_t ids[64];
		char buf[32];
		int n = tokenizer_encode(tok, "Hello world! 123 <s>", 20, true, true, ids, 64);
		for (int i = 0; i < n && i < 64; i++)
			h += (unsigned)tokenizer_piece(tok, ids[i], buf, sizeof(buf));
		tokenizer_free(tok);
	}
	struct model m;
	if (model_load(&m, &g, err, sizeof(err)) == 0) {
		/* a short prompt as one batch, then one more token */
		h += (unsigned)m.n_embd;
		if (forward_bytes(&m, 8, 4) < ((size_t)64 << 20)) {
			struct forward *f = forward_new(&m, 8, 4, err, sizeof(err));
			if (f) {
				int32_t toks[3] = {0, 1 % m.n_vocab, 2 % m.n_vocab};
				const float *lg = forward_eval(f, toks, 3, 0, true);
				if (lg)
					h += lg[0] == lg[0];
				lg = forward_eval(f, toks + 2, 1, 3, false);
				if (lg)
					h += lg[m.n_vocab - 1] == lg[m.n_vocab - 1];
				forward_free(f);
			}
		}
		model_free(&m);
	}
	fuzz_sink = h;
	gguf_close(&g);
	return 0;
}

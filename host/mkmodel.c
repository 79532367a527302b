/*
 * mkmodel: writes synthetic GGUF models of real shapes with deterministic
 * pseudo-random weights, so demos, tests and benchmarks need no download.
 *
 *   mkmodel --preset NAME [--type T] [--seed S] [--tied] [--rope-scale F]
 *           [--pre NAME] [--split N [--split-meta-first]] -o OUT.gguf
 *
 * Presets (llama unless noted): demo (tiny, SentencePiece vocab), chat (demo
 * shape with a ChatML template and its control tokens), tinyllama (TinyLlama
 * 1.1B shape), qwen2-0.5b (Qwen2.5-0.5B shape, byte-level BPE vocab, biases,
 * tied embeddings), qwen2-tiny (the same features at n_embd 256, 2 layers,
 * 2048 tokens, for tests). Types: f32 f16 q8_0 q4_0 q4_k_m (q4_K with q6_K where
 * llama.cpp's Q4_K_M puts it), and any single type name from ai/quant.h
 * with a quantizer (iq4_nl, iq4_xs too).
 * 2-D weights are quantized row by row and streamed to the file.
 * --tied drops output.weight (the output reuses token_embd), --rope-scale F
 * writes linear RoPE scaling with factor F, --pre NAME sets a BPE
 * vocabulary's tokenizer.ggml.pre: variants for tests against llama.cpp.
 * --split N writes the model as llama-gguf-split's N files OUT-0000k-of-0000N.gguf
 * (host/mkmodel_split.c); --split-meta-first puts no tensor in the first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/quant.h"
#include "host/mkmodel.h"

struct preset {
	const char *name, *arch;
	int n_embd, n_ff, n_layer, n_head, n_head_kv, n_vocab, n_ctx;
	float rope_base, eps;
	bool tied, qkv_bias, bpe, chatml;
};

static const struct preset presets[] = {
	{ "demo", "llama", 128, 384, 4, 4, 2, 512, 1024, 10000.f, 1e-5f, false, false, false, false },
	{ "chat", "llama", 128, 384, 4, 4, 2, 512, 1024, 10000.f, 1e-5f, false, false, false, true },
	{ "tinyllama", "llama", 2048, 5632, 22, 32, 4, 32000, 2048, 10000.f, 1e-5f, false, false, false, false },
	{ "qwen2-0.5b", "qwen2", 896, 4864, 24, 14, 2, 151936, 32768, 1000000.f, 1e-6f, true, true, true, true },
	/* small enough for tests (tests/t-36-qwen2.sh): every qwen2 feature */
	{ "qwen2-tiny", "qwen2", 256, 512, 2, 4, 2, 2048, 4096, 1000000.f, 1e-6f, true, true, true, true },
};

/* ---- deterministic random numbers (splitmix64) ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static float rng_uniform(uint64_t *s)
{
	return (float)((rng_next(s) >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

/* ---- tensor plan ---- */

struct tensor_plan {
	char name[64];
	int n_dims;
	int64_t ne[2];
	int type;
	float scale, center; /* values: center + scale * uniform */
	uint64_t offset, nbytes;
};

static int plan_type(const char *ftype, const char *tname, int layer, int n_layer, bool is_2d)
{
	if (!is_2d)
		return GGML_TYPE_F32;
	if (strcmp(ftype, "q4_k_m") == 0) {
		/* llama.cpp's Q4_K_M: q6_K for output, and for attn_v / ffn_down on
		 * the first and last eighth of the layers and every third between */
		bool more = layer >= 0 && (layer < n_layer / 8 || layer >= 7 * n_layer / 8 ||
					   (layer - n_layer / 8) % 3 == 2);
		if (strcmp(tname, "output.weight") == 0)
			return GGML_TYPE_Q6_K;
		if ((strstr(tname, "attn_v") || strstr(tname, "ffn_down")) && more)
			return GGML_TYPE_Q6_K;
		return GGML_TYPE_Q4_K;
	}
	for (int t = 0; t < GGML_TYPE_COUNT; t++) {
		const char *n = ggml_type_name(t);
		if (n && strcasecmp(n, ftype) == 0)
			return t;
	}
	return -1;
}

static int add_tensor(struct tensor_plan *tp, int *n, const char *name, int64_t ne0, int64_t ne1,
		      float scale, float center)
{
	struct tensor_plan *t = &tp[(*n)++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->n_dims = ne1 > 1 ? 2 : 1;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->scale = scale;
	t->center = center;
	return 0;
}

static int build_plan(const struct preset *p, struct tensor_plan *tp)
{
	int n = 0, hd = p->n_embd / p->n_head, kv = hd * p->n_head_kv;
	char name[64];
	add_tensor(tp, &n, "token_embd.weight", p->n_embd, p->n_vocab, 1.0f, 0.f);
	for (int l = 0; l < p->n_layer; l++) {
#define T(suffix, a, b, sc, c) \
	snprintf(name, sizeof name, "blk.%d.%s", l, suffix); \
	add_tensor(tp, &n, name, a, b, sc, c)
		T("attn_norm.weight", p->n_embd, 1, 0.1f, 1.f);
		T("attn_q.weight", p->n_embd, p->n_embd, 1.f, 0.f);
		T("attn_k.weight", p->n_embd, kv, 1.f, 0.f);
		T("attn_v.weight", p->n_embd, kv, 1.f, 0.f);
		if (p->qkv_bias) {
			T("attn_q.bias", p->n_embd, 1, 0.1f, 0.f);
			T("attn_k.bias", kv, 1, 0.1f, 0.f);
			T("attn_v.bias", kv, 1, 0.1f, 0.f);
		}
		T("attn_output.weight", p->n_embd, p->n_embd, 1.f, 0.f);
		T("ffn_norm.weight", p->n_embd, 1, 0.1f, 1.f);
		T("ffn_gate.weight", p->n_embd, p->n_ff, 1.f, 0.f);
		T("ffn_up.weight", p->n_embd, p->n_ff, 1.f, 0.f);
		T("ffn_down.weight", p->n_ff, p->n_embd, 1.f, 0.f);
#undef T
	}
	add_tensor(tp, &n, "output_norm.weight", p->n_embd, 1, 0.1f, 1.f);
	if (!p->tied)
		add_tensor(tp, &n, "output.weight", p->n_embd, p->n_vocab, 1.f, 0.f);
	/* matrices: uniform with variance 1/fan_in keeps activations in range */
	for (int i = 0; i < n; i++)
		if (tp[i].n_dims == 2 && strcmp(tp[i].name, "token_embd.weight") != 0)
			tp[i].scale = 1.7f / __builtin_sqrtf((float)tp[i].ne[0]);
	return n;
}

static int layer_of(const char *name)
{
	return strncmp(name, "blk.", 4) == 0 ? atoi(name + 4) : -1;
}

/* ---- writing ---- */

static int write_tensor_data(FILE *f, const struct tensor_plan *t, uint64_t *rng)
{
	const struct quant_traits *q = quant_traits_at(t->type, QUANT_SCALAR);
	size_t row_bytes = ggml_type_row_size(t->type, t->ne[0]);
	float *row = malloc(t->ne[0] * sizeof(float));
	void *out = malloc(row_bytes);
	int rc = -1;
	if (!row || !out)
		goto done;
	for (int64_t r = 0; r < t->ne[1]; r++) {
		for (int64_t i = 0; i < t->ne[0]; i++)
			row[i] = t->center + t->scale * rng_uniform(rng);
		if (t->type == GGML_TYPE_F32)
			memcpy(out, row, row_bytes);
		else
			q->from_float(row, out, t->ne[0]);
		if (fwrite(out, 1, row_bytes, f) != row_bytes)
			goto done;
	}
	rc = 0;
done:
	free(row);
	free(out);
	return rc;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mkmodel --preset NAME [--type TYPE] [--seed S] [--tied] [--rope-scale F]\n"
		"               [--pre NAME] [--split N [--split-meta-first]] -o OUT.gguf\n"
		"  presets: demo chat tinyllama qwen2-0.5b qwen2-tiny\n"
		"  types:   f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_K q3_K q4_K q5_K q6_K q4_k_m\n"
		"           iq4_nl iq4_xs\n");
}

int main(int argc, char **argv)
{
	const char *preset = NULL, *type = NULL, *out = NULL, *pre = NULL;
	uint64_t seed = 1;
	float rope_scale = 0;
	bool tied = false, meta_first = false;
	int split = 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--preset") == 0)
			preset = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--type") == 0)
			type = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && strcmp(argv[i], "--pre") == 0)
			pre = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--rope-scale") == 0)
			rope_scale = strtof(argv[++i], NULL);
		else if (strcmp(argv[i], "--tied") == 0)
			tied = true;
		else if (i + 1 < argc && strcmp(argv[i], "--split") == 0)
			split = atoi(argv[++i]);
		else if (strcmp(argv[i], "--split-meta-first") == 0)
			meta_first = true;
		else if (i + 1 < argc && strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	if (!preset || !out) {
		usage();
		return 2;
	}
	static struct preset chosen;
	const struct preset *p = NULL;
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (strcmp(presets[i].name, preset) == 0)
			p = &presets[i];
	if (!p) {
		fprintf(stderr, "mkmodel: unknown preset '%s'\n", preset);
		usage();
		return 2;
	}
	if (!(rope_scale >= 0) || (pre && !p->bpe)) {
		fprintf(stderr, "mkmodel: %s\n", pre ? "--pre needs a BPE preset" : "bad --rope-scale");
		return 2;
	}
	chosen = *p;
	chosen.tied |= tied;
	p = &chosen;
	if (!type)
		type = strcmp(p->name, "demo") == 0 || strcmp(p->name, "chat") == 0 ? "q8_0" : "q4_0";
	quant_init(QUANT_SCALAR);

	static struct tensor_plan tp[16 * 64];
	int nt = build_plan(p, tp);
	uint64_t off = 0;
	for (int i = 0; i < nt; i++) {
		tp[i].type = plan_type(type, tp[i].name, layer_of(tp[i].name), p->n_layer, tp[i].n_dims == 2);
		const struct quant_traits *q = tp[i].type >= 0 ? quant_traits_at(tp[i].type, QUANT_SCALAR) : NULL;
		if (!q || (tp[i].type != GGML_TYPE_F32 && !q->from_float)) {
			fprintf(stderr, "mkmodel: type '%s' cannot be written\n", type);
			return 2;
		}
		if (tp[i].ne[0] % q->blck) {
			fprintf(stderr, "mkmodel: %s: row of %lld is not a multiple of %s's block of %d\n",
				tp[i].name, (long long)tp[i].ne[0], type, q->blck);
			return 2;
		}
		tp[i].offset = off;
		tp[i].nbytes = ggml_type_row_size(tp[i].type, tp[i].ne[0]) * tp[i].ne[1];
		off += (tp[i].nbytes + GGUF_DEFAULT_ALIGNMENT - 1) / GGUF_DEFAULT_ALIGNMENT * GGUF_DEFAULT_ALIGNMENT;
	}

	FILE *f = fopen(out, "wb");
	if (!f) {
		fprintf(stderr, "mkmodel: %s: %s\n", out, strerror(errno));
		return 1;
	}
	struct gguf_writer w = { .f = f };
	struct mk_hparams hp = {
		.arch = p->arch, .name = p->name, .n_embd = p->n_embd, .n_ff = p->n_ff,
		.n_layer = p->n_layer, .n_head = p->n_head, .n_head_kv = p->n_head_kv,
		.n_ctx = p->n_ctx, .n_vocab = p->n_vocab, .rope_base = p->rope_base, .eps = p->eps,
		.bpe = p->bpe, .chatml = p->chatml, .file_type_name = type,
		.rope_scale = rope_scale, .pre = pre,
	};
	gw_header(&w, nt, &hp);
	for (int i = 0; i < nt; i++)
		gw_tensor_info(&w, tp[i].name, tp[i].n_dims, tp[i].ne, tp[i].type, tp[i].offset);
	gw_pad(&w);
	uint64_t rng = seed * 0x2545F4914F6CDD1Dull + 17;
	for (int i = 0; i < nt; i++) {
		if (write_tensor_data(f, &tp[i], &rng)) {
			w.err = 1;
			break;
		}
		gw_pad(&w);
	}
	if (w.err || fclose(f) != 0) {
		fprintf(stderr, "mkmodel: writing %s failed\n", out);
		remove(out);
		return 1;
	}
	if (split) {
		char err[256];
		int rc = mk_split(out, out, split, meta_first, err, sizeof err);
		remove(out);
		if (rc != 0) {
			fprintf(stderr, "mkmodel: --split %d: %s\n", split, err);
			return 1;
		}
	}
	fprintf(stderr, "mkmodel: wrote %s%s (%s, %s, %d tensors, %.1f MB)\n", out,
		split ? " as split files" : "", p->name, type, nt, (double)off / 1e6);
	return 0;
}

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
	/* the newer architectures (0 / false: none) */
	int head_dim;                          /* 0: n_embd / n_head */
	int n_expert, n_expert_used, n_ff_exp; /* experts (qwen3moe) */
	bool qk_norm, post_norms;              /* qwen3, gemma3; gemma */
	bool fused;                            /* attn_qkv and gate+up in ffn_up (phi3) */
	int n_swa, swa_period;                 /* gemma */
	float attn_softcap, final_softcap;     /* gemma2 */
	int n_ctx_orig;                        /* LongRoPE factors (phi3) */
	float rope_attn_factor;
	float embd_scale;                      /* token_embd values; 0: 1 */
};

#define LLAMA(n, e, ff, l, h, kv, v, c) \
	{ .name = n, .arch = "llama", .n_embd = e, .n_ff = ff, .n_layer = l, .n_head = h, \
	  .n_head_kv = kv, .n_vocab = v, .n_ctx = c, .rope_base = 10000.f, .eps = 1e-5f }

static const struct preset presets[] = {
	LLAMA("demo", 128, 384, 4, 4, 2, 512, 1024),
	{ .name = "chat", .arch = "llama", .n_embd = 128, .n_ff = 384, .n_layer = 4, .n_head = 4,
	  .n_head_kv = 2, .n_vocab = 512, .n_ctx = 1024, .rope_base = 10000.f, .eps = 1e-5f,
	  .chatml = true },
	LLAMA("tinyllama", 2048, 5632, 22, 32, 4, 32000, 2048),
	{ .name = "qwen2-0.5b", .arch = "qwen2", .n_embd = 896, .n_ff = 4864, .n_layer = 24,
	  .n_head = 14, .n_head_kv = 2, .n_vocab = 151936, .n_ctx = 32768, .rope_base = 1000000.f,
	  .eps = 1e-6f, .tied = true, .qkv_bias = true, .bpe = true, .chatml = true },
	/* small enough for tests (tests/t-36-variants.sh): every qwen2 feature */
	{ .name = "qwen2-tiny", .arch = "qwen2", .n_embd = 256, .n_ff = 512, .n_layer = 2,
	  .n_head = 4, .n_head_kv = 2, .n_vocab = 2048, .n_ctx = 4096, .rope_base = 1000000.f,
	  .eps = 1e-6f, .tied = true, .qkv_bias = true, .bpe = true, .chatml = true },
	/* the newer architectures at test size (tests/t-34-archs.sh): every
	 * feature, head sizes other than n_embd / n_head, windows short enough
	 * that a test's 50 positions slide past them */
	{ .name = "qwen3-tiny", .arch = "qwen3", .n_embd = 256, .n_ff = 512, .n_layer = 2,
	  .n_head = 4, .n_head_kv = 2, .head_dim = 128, .n_vocab = 2048, .n_ctx = 4096,
	  .rope_base = 1000000.f, .eps = 1e-6f, .tied = true, .bpe = true, .chatml = true,
	  .qk_norm = true, .embd_scale = 0.25f },
	{ .name = "qwen3moe-tiny", .arch = "qwen3moe", .n_embd = 256, .n_ff = 1024, .n_layer = 2,
	  .n_head = 4, .n_head_kv = 2, .n_vocab = 2048, .n_ctx = 4096, .rope_base = 1000000.f,
	  .eps = 1e-6f, .bpe = true, .chatml = true, .qk_norm = true, .n_expert = 16,
	  .n_expert_used = 4, .n_ff_exp = 256 },
	{ .name = "gemma2-tiny", .arch = "gemma2", .n_embd = 256, .n_ff = 512, .n_layer = 4,
	  .n_head = 4, .n_head_kv = 2, .n_vocab = 512, .n_ctx = 4096, .rope_base = 10000.f,
	  .eps = 1e-6f, .tied = true, .post_norms = true, .n_swa = 16, .swa_period = 2,
	  .attn_softcap = 50.f, .final_softcap = 30.f, .embd_scale = 0.25f },
	{ .name = "gemma3-tiny", .arch = "gemma3", .n_embd = 256, .n_ff = 512, .n_layer = 6,
	  .n_head = 4, .n_head_kv = 1, .head_dim = 128, .n_vocab = 512, .n_ctx = 4096,
	  .rope_base = 1000000.f, .eps = 1e-6f, .tied = true, .qk_norm = true, .post_norms = true,
	  .n_swa = 16, .swa_period = 3, .embd_scale = 0.25f },
	{ .name = "phi3-tiny", .arch = "phi3", .n_embd = 256, .n_ff = 512, .n_layer = 2,
	  .n_head = 4, .n_head_kv = 4, .n_vocab = 512, .n_ctx = 4096, .rope_base = 10000.f,
	  .eps = 1e-5f, .fused = true, .n_ctx_orig = 4096, .rope_attn_factor = 1.0f },
	/* the same with a context past the original one: the long factors */
	{ .name = "phi3-tiny-long", .arch = "phi3", .n_embd = 256, .n_ff = 512, .n_layer = 2,
	  .n_head = 4, .n_head_kv = 2, .n_vocab = 512, .n_ctx = 4096, .rope_base = 10000.f,
	  .eps = 1e-5f, .fused = true, .n_ctx_orig = 512, .rope_attn_factor = 1.1902f },
	/* real shapes for benchmarks: Qwen3-1.7B, Gemma 3 1B, and Qwen3-30B-A3B's
	 * layers (128 experts, 8 used) with 8 of its 48 layers */
	{ .name = "qwen3-1.7b", .arch = "qwen3", .n_embd = 2048, .n_ff = 6144, .n_layer = 28,
	  .n_head = 16, .n_head_kv = 8, .head_dim = 128, .n_vocab = 151936, .n_ctx = 40960,
	  .rope_base = 1000000.f, .eps = 1e-6f, .tied = true, .bpe = true, .chatml = true,
	  .qk_norm = true },
	{ .name = "gemma3-1b", .arch = "gemma3", .n_embd = 1152, .n_ff = 6912, .n_layer = 26,
	  .n_head = 4, .n_head_kv = 1, .head_dim = 256, .n_vocab = 262144, .n_ctx = 32768,
	  .rope_base = 1000000.f, .eps = 1e-6f, .tied = true, .qk_norm = true, .post_norms = true,
	  .n_swa = 512, .swa_period = 6 },
	{ .name = "qwen3moe-a3b", .arch = "qwen3moe", .n_embd = 2048, .n_ff = 6144, .n_layer = 8,
	  .n_head = 32, .n_head_kv = 4, .head_dim = 128, .n_vocab = 151936, .n_ctx = 40960,
	  .rope_base = 1000000.f, .eps = 1e-6f, .bpe = true, .chatml = true, .qk_norm = true,
	  .n_expert = 128, .n_expert_used = 8, .n_ff_exp = 768 },
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
	int64_t ne[3];
	int type;
	float scale, center; /* values: center + scale * uniform */
	uint64_t offset, nbytes;
};

/* llama.cpp's quantize falls back to these when a row is not a multiple of
 * the K-quants' 256 (llama-quant.cpp) */
static int kquant_fallback(int type)
{
	switch (type) {
	case GGML_TYPE_Q4_K: return GGML_TYPE_Q5_0;
	case GGML_TYPE_Q5_K: return GGML_TYPE_Q5_1;
	case GGML_TYPE_Q6_K: return GGML_TYPE_Q8_0;
	default: return type;
	}
}

static int plan_type(const char *ftype, const struct tensor_plan *t, int n_layer)
{
	const char *tname = t->name;
	int layer = strncmp(tname, "blk.", 4) == 0 ? atoi(tname + 4) : -1;
	/* vectors, and the router (llama.cpp never quantizes ffn_gate_inp) */
	if (t->n_dims == 1 || strstr(tname, "ffn_gate_inp"))
		return GGML_TYPE_F32;
	if (strcmp(ftype, "q4_k_m") == 0) {
		/* llama.cpp's Q4_K_M: q6_K for output, and for attn_v / ffn_down on
		 * the first and last eighth of the layers and every third between */
		bool more = layer >= 0 && (layer < n_layer / 8 || layer >= 7 * n_layer / 8 ||
					   (layer - n_layer / 8) % 3 == 2);
		int type = GGML_TYPE_Q4_K;
		if (strcmp(tname, "output.weight") == 0)
			type = GGML_TYPE_Q6_K;
		else if ((strstr(tname, "attn_v") || strstr(tname, "ffn_down")) && more)
			type = GGML_TYPE_Q6_K;
		return t->ne[0] % 256 ? kquant_fallback(type) : type;
	}
	for (int ty = 0; ty < GGML_TYPE_COUNT; ty++) {
		const char *n = ggml_type_name(ty);
		if (n && strcasecmp(n, ftype) == 0)
			return ty;
	}
	return -1;
}

static void add_tensor(struct tensor_plan *tp, int *n, const char *name, int64_t ne0, int64_t ne1,
		       int64_t ne2, float scale, float center)
{
	struct tensor_plan *t = &tp[(*n)++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->n_dims = ne2 > 1 ? 3 : ne1 > 1 ? 2 : 1;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->ne[2] = ne2;
	t->scale = scale;
	t->center = center;
}

static int build_plan(const struct preset *p, struct tensor_plan *tp)
{
	int n = 0, hd = p->head_dim ? p->head_dim : p->n_embd / p->n_head;
	int E = p->n_embd, Q = hd * p->n_head, KV = hd * p->n_head_kv, F = p->n_ff;
	char name[64];
	add_tensor(tp, &n, "token_embd.weight", E, p->n_vocab, 1, p->embd_scale ? p->embd_scale : 1.f, 0.f);
	for (int l = 0; l < p->n_layer; l++) {
#define T(suffix, a, b, c, sc, ce)                                    \
	do {                                                         \
		snprintf(name, sizeof name, "blk.%d.%s", l, suffix); \
		add_tensor(tp, &n, name, a, b, c, sc, ce);           \
	} while (0)
		T("attn_norm.weight", E, 1, 1, 0.1f, 1.f);
		if (p->fused) {
			T("attn_qkv.weight", E, Q + 2 * KV, 1, 1.f, 0.f);
		} else {
			T("attn_q.weight", E, Q, 1, 1.f, 0.f);
			T("attn_k.weight", E, KV, 1, 1.f, 0.f);
			T("attn_v.weight", E, KV, 1, 1.f, 0.f);
		}
		if (p->qkv_bias) {
			T("attn_q.bias", Q, 1, 1, 0.1f, 0.f);
			T("attn_k.bias", KV, 1, 1, 0.1f, 0.f);
			T("attn_v.bias", KV, 1, 1, 0.1f, 0.f);
		}
		T("attn_output.weight", Q, E, 1, 1.f, 0.f);
		if (p->qk_norm) {
			T("attn_q_norm.weight", hd, 1, 1, 0.1f, 1.f);
			T("attn_k_norm.weight", hd, 1, 1, 0.1f, 1.f);
		}
		if (p->post_norms)
			T("post_attention_norm.weight", E, 1, 1, 0.1f, 1.f);
		T("ffn_norm.weight", E, 1, 1, 0.1f, 1.f);
		if (p->n_expert) {
			T("ffn_gate_inp.weight", E, p->n_expert, 1, 1.f, 0.f);
			T("ffn_gate_exps.weight", E, p->n_ff_exp, p->n_expert, 1.f, 0.f);
			T("ffn_up_exps.weight", E, p->n_ff_exp, p->n_expert, 1.f, 0.f);
			T("ffn_down_exps.weight", p->n_ff_exp, E, p->n_expert, 1.f, 0.f);
		} else if (p->fused) {
			T("ffn_up.weight", E, 2 * F, 1, 1.f, 0.f);
			T("ffn_down.weight", F, E, 1, 1.f, 0.f);
		} else {
			T("ffn_gate.weight", E, F, 1, 1.f, 0.f);
			T("ffn_up.weight", E, F, 1, 1.f, 0.f);
			T("ffn_down.weight", F, E, 1, 1.f, 0.f);
		}
		if (p->post_norms)
			T("post_ffw_norm.weight", E, 1, 1, 0.1f, 1.f);
#undef T
	}
	add_tensor(tp, &n, "output_norm.weight", E, 1, 1, 0.1f, 1.f);
	if (!p->tied)
		add_tensor(tp, &n, "output.weight", E, p->n_vocab, 1, 1.f, 0.f);
	if (p->n_ctx_orig) { /* LongRoPE: short factors near 1, long ones 1..7 */
		add_tensor(tp, &n, "rope_factors_long.weight", hd / 2, 1, 1, 3.f, 4.f);
		add_tensor(tp, &n, "rope_factors_short.weight", hd / 2, 1, 1, 0.05f, 1.f);
	}
	/* matrices: uniform with variance 1/fan_in keeps activations in range */
	for (int i = 0; i < n; i++)
		if (tp[i].n_dims >= 2 && strcmp(tp[i].name, "token_embd.weight") != 0)
			tp[i].scale = 1.7f / __builtin_sqrtf((float)tp[i].ne[0]);
	return n;
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
	for (int64_t r = 0; r < t->ne[1] * t->ne[2]; r++) {
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
		"  presets: demo chat tinyllama qwen2-0.5b qwen2-tiny qwen3-tiny qwen3moe-tiny\n"
		"           gemma2-tiny gemma3-tiny phi3-tiny phi3-tiny-long qwen3-1.7b gemma3-1b\n"
		"           qwen3moe-a3b\n"
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
		tp[i].type = plan_type(type, &tp[i], p->n_layer);
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
		tp[i].nbytes = ggml_type_row_size(tp[i].type, tp[i].ne[0]) * tp[i].ne[1] * tp[i].ne[2];
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
		.rope_scale = rope_scale, .pre = pre, .head_dim = p->head_dim,
		.n_expert = p->n_expert, .n_expert_used = p->n_expert_used, .n_ff_exp = p->n_ff_exp,
		.n_swa = p->n_swa, .swa_period = p->swa_period, .attn_softcap = p->attn_softcap,
		.final_softcap = p->final_softcap, .n_ctx_orig = p->n_ctx_orig,
		.rope_attn_factor = p->rope_attn_factor,
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

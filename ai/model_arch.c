/* model_arch: the supported architectures and their {arch}.* hyperparameters,
 * read as llama.cpp reads them (src/models/<arch>.cpp of its 2026 tree). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/ggml_type.h"
#include "ai/model_load.h"

static const struct model_arch_info archs[] = {
	/* name, arch, neox, qk_norm, post_norms, qkv_bias, experts, fused_ffn, tied_always, act */
	{ "llama", MODEL_ARCH_LLAMA, false, false, false, false, false, false, false, MODEL_ACT_SILU },
	{ "qwen2", MODEL_ARCH_QWEN2, true, false, false, true, false, false, false, MODEL_ACT_SILU },
	{ "qwen3", MODEL_ARCH_QWEN3, true, true, false, false, false, false, false, MODEL_ACT_SILU },
	{ "qwen3moe", MODEL_ARCH_QWEN3MOE, true, true, false, false, true, false, false, MODEL_ACT_SILU },
	{ "gemma2", MODEL_ARCH_GEMMA2, true, false, true, false, false, false, true, MODEL_ACT_GELU },
	{ "gemma3", MODEL_ARCH_GEMMA3, true, true, true, false, false, false, false, MODEL_ACT_GELU },
	{ "phi3", MODEL_ARCH_PHI3, true, false, false, false, false, true, false, MODEL_ACT_SILU },
};

int model_fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (L->err && L->errlen)
		vsnprintf(L->err, L->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void model_key(const struct loader *L, char *key, size_t n, const char *suffix)
{
	snprintf(key, n, "%s.%s", L->m->arch_name, suffix);
}

/* An integer {arch}.suffix in lo..hi, of any integer type (a negative or
 * a 64-bit value is out of range, and said so); *out untouched when absent
 * and optional. A key of another type (a float, an array, a string) is an
 * error. */
static int get_int(struct loader *L, const char *suffix, int *out, int lo, int hi, bool optional)
{
	char key[96];
	uint64_t v;
	int32_t neg;
	model_key(L, key, sizeof key, suffix);
	if (!gguf_find(L->g, key))
		return optional ? 0 : model_fail(L, "missing key %s", key);
	if (!gguf_get_u64(L->g, key, &v)) {
		if (gguf_get_i32(L->g, key, &neg))
			return model_fail(L, "key %s: value %d out of range (%d..%d)", key, neg, lo, hi);
		return model_fail(L, "key %s: not an unsigned integer", key);
	}
	if (v < (uint64_t)lo || v > (uint64_t)hi)
		return model_fail(L, "key %s: value %llu out of range (%d..%d)", key, (unsigned long long)v, lo,
				  hi);
	*out = (int)v;
	return 0;
}

int model_get_dim(struct loader *L, const char *suffix, int *out, int max)
{
	return get_int(L, suffix, out, 1, max, false);
}

int model_get_dim_opt(struct loader *L, const char *suffix, int *out, int max)
{
	return get_int(L, suffix, out, 1, max, true);
}

int model_get_float_opt(struct loader *L, const char *suffix, float *out, float lo, float hi)
{
	char key[96];
	float v;
	model_key(L, key, sizeof key, suffix);
	if (!gguf_find(L->g, key))
		return 0;
	if (!gguf_get_f32(L->g, key, &v))
		return model_fail(L, "key %s: not a number", key);
	if (!(v >= lo && v <= hi)) /* also NaN */
		return model_fail(L, "key %s: value %g out of range (%g..%g)", key, (double)v, (double)lo,
				  (double)hi);
	*out = v;
	return 0;
}

int model_get_float_opt0(struct loader *L, const char *suffix, float *out, float lo, float hi)
{
	char key[96];
	float v = 0;
	if (model_get_float_opt(L, suffix, &v, 0, hi))
		return -1;
	model_key(L, key, sizeof key, suffix);
	if (v != 0 && v < lo) /* a tiny one would make 1/v inf */
		return model_fail(L, "key %s: value %g out of range (0 or %g..%g)", key, (double)v, (double)lo,
				  (double)hi);
	if (gguf_find(L->g, key))
		*out = v;
	return 0;
}

static int load_arch(struct loader *L)
{
	struct model *m = L->m;
	struct gguf_str a;
	if (!gguf_get_str(L->g, "general.architecture", &a))
		return model_fail(L, "missing key general.architecture");
	for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++) {
		if (gguf_str_eq(a, archs[i].name)) {
			L->ai = &archs[i];
			m->arch = archs[i].arch;
			m->rope_neox = archs[i].neox;
			m->act = archs[i].act;
			snprintf(m->arch_name, sizeof m->arch_name, "%s", archs[i].name);
			return 0;
		}
	}
	char list[128];
	size_t o = 0;
	for (size_t i = 0; i < sizeof archs / sizeof archs[0] && o < sizeof list; i++)
		o += snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", archs[i].name);
	int n = a.n > 40 ? 40 : (int)a.n;
	return model_fail(L, "architecture '%.*s' is not supported (supported: %s)", n, a.p, list);
}

/* Sizes of the attention heads: n_head, n_head_kv, head_dim, n_rot. */
static int load_heads(struct loader *L)
{
	struct model *m = L->m;
	if (model_get_dim(L, "attention.head_count", &m->n_head, 4096))
		return -1;
	m->n_head_kv = m->n_head;
	if (model_get_dim_opt(L, "attention.head_count_kv", &m->n_head_kv, 4096))
		return -1;
	if (m->n_head % m->n_head_kv != 0)
		return model_fail(L, "head_count %d is not a multiple of head_count_kv %d", m->n_head, m->n_head_kv);
	m->head_dim = m->n_embd % m->n_head == 0 ? m->n_embd / m->n_head : 0;
	int kl = m->head_dim, vl;
	if (model_get_dim_opt(L, "attention.key_length", &kl, 1 << 16))
		return -1;
	vl = kl;
	if (model_get_dim_opt(L, "attention.value_length", &vl, 1 << 16))
		return -1;
	if (kl == 0)
		return model_fail(L, "embedding_length %d is not a multiple of head_count %d", m->n_embd, m->n_head);
	if (kl != vl)
		return model_fail(L, "attention key_length %d != value_length %d: not supported", kl, vl);
	if (kl % 2 != 0)
		return model_fail(L, "head dimension %d is odd", kl);
	m->head_dim = kl;
	if ((int64_t)m->n_head * m->head_dim > MODEL_MAX_DIM)
		return model_fail(L, "attention dimension too large");
	m->n_rot = m->head_dim;
	if (model_get_dim_opt(L, "rope.dimension_count", &m->n_rot, 1 << 16))
		return -1;
	if (m->n_rot > m->head_dim || m->n_rot % 2 != 0)
		return model_fail(L, "rope.dimension_count %d must be even and <= head dim %d", m->n_rot, m->head_dim);
	return 0;
}

/* RoPE base and scaling, the same for every architecture. */
static int load_rope(struct loader *L)
{
	struct model *m = L->m;
	char key[96];
	m->rope_base = 10000.0f;
	if (model_get_float_opt(L, "rope.freq_base", &m->rope_base, MODEL_ROPE_BASE_MIN, MODEL_ROPE_BASE_MAX))
		return -1;
	/* scaling: linear (a factor), and longrope's factor tensors (phi3) */
	struct gguf_str st = { 0 };
	model_key(L, key, sizeof key, "rope.scaling.type");
	if (gguf_find(L->g, key) && !gguf_get_str(L->g, key, &st))
		return model_fail(L, "key %s: not a string", key);
	bool longrope = m->arch == MODEL_ARCH_PHI3 && gguf_str_eq(st, "longrope");
	if (st.n && !gguf_str_eq(st, "none") && !gguf_str_eq(st, "linear") && !longrope) {
		int n = st.n > 32 ? 32 : (int)st.n;
		return model_fail(L, "rope scaling type '%.*s' is not supported (none, linear%s)", n, st.p,
				  m->arch == MODEL_ARCH_PHI3 ? ", longrope" : "");
	}
	float factor = 0;
	model_key(L, key, sizeof key, "rope.scaling.factor");
	if (model_get_float_opt0(L, gguf_find(L->g, key) ? "rope.scaling.factor" : "rope.scale_linear",
				 &factor, MODEL_ROPE_FACTOR_MIN, MODEL_ROPE_FACTOR_MAX))
		return -1;
	/* llama.cpp never scales with type none */
	m->rope_freq_scale = factor == 0 || gguf_str_eq(st, "none") ? 1.0f : 1.0f / factor;
	m->rope_base_swa = m->rope_base;
	m->rope_freq_scale_swa = m->rope_freq_scale;
	m->rope_attn_factor = 1.0f;
	if (model_get_float_opt(L, "rope.scaling.attn_factor", &m->rope_attn_factor, 1e-3f, 1e3f))
		return -1;
	m->n_ctx_orig = m->n_ctx_train;
	return model_get_dim_opt(L, "rope.scaling.original_context_length", &m->n_ctx_orig, MODEL_MAX_CTX);
}

/* Which layers slide (llama.cpp's set_swa_pattern): with period p, layer
 * il does when il % p < p - 1 (p = 0: all). A pattern stored as an array
 * is ignored, as llama.cpp ignores it for these architectures. */
static int load_swa_pattern(struct loader *L, int period)
{
	struct model *m = L->m;
	char key[96];
	model_key(L, key, sizeof key, "attention.sliding_window_pattern");
	const struct gguf_kv *kv = gguf_find(L->g, key);
	if (kv && kv->type != GGUF_TYPE_ARRAY &&
	    get_int(L, "attention.sliding_window_pattern", &period, 0, MODEL_MAX_LAYERS, true))
		return -1;
	for (int il = 0; il < m->n_layer; il++)
		m->layers[il].swa = period == 0 || il % period < period - 1;
	return 0;
}

/* 1/sqrt(head size) as gemma_pytorch scales q: n_embd / n_head for the
 * 27B models (recognised, as llama.cpp does, by their layer count), which
 * a file with key_length set can make 0. */
static int gemma_q_scale(struct loader *L, int n_layer_27b)
{
	struct model *m = L->m;
	int d = m->n_layer == n_layer_27b ? m->n_embd / m->n_head : m->head_dim;
	if (d < 1)
		return model_fail(L, "%s: query scale 1/sqrt(embedding_length %d / head_count %d): not a number",
				  m->arch_name, m->n_embd, m->n_head);
	m->q_scale = 1.0f / ai_sqrtf((float)d);
	return 0;
}

static int load_gemma(struct loader *L)
{
	struct model *m = L->m;
	m->embd_scale = ai_sqrtf((float)m->n_embd);
	m->kq_scale = 1.0f;
	if (m->arch == MODEL_ARCH_GEMMA2) {
		m->n_swa = 4096;
		m->attn_softcap = 50.0f;
		m->final_softcap = 30.0f;
		if (gemma_q_scale(L, 46) ||
		    get_int(L, "attention.sliding_window", &m->n_swa, 1, MODEL_MAX_CTX, true) ||
		    model_get_float_opt(L, "attn_logit_softcapping", &m->attn_softcap, MODEL_SOFTCAP_MIN,
					MODEL_SOFTCAP_MAX) ||
		    model_get_float_opt(L, "final_logit_softcapping", &m->final_softcap, MODEL_SOFTCAP_MIN,
					MODEL_SOFTCAP_MAX) ||
		    load_swa_pattern(L, 2))
			return -1;
	} else {
		m->final_softcap = 0;
		if (gemma_q_scale(L, 62) ||
		    get_int(L, "attention.sliding_window", &m->n_swa, 0, MODEL_MAX_CTX, true) ||
		    model_get_float_opt0(L, "final_logit_softcapping", &m->final_softcap, MODEL_SOFTCAP_MIN,
					 MODEL_SOFTCAP_MAX))
			return -1;
		/* the sliding layers keep llama.cpp's defaults unless the file says */
		m->rope_base_swa = 10000.0f;
		m->rope_freq_scale_swa = 1.0f;
		if (m->n_swa > 0 && load_swa_pattern(L, 6))
			return -1;
	}
	bool any_swa = false;
	for (int il = 0; il < m->n_layer; il++)
		any_swa |= m->layers[il].swa;
	if (any_swa && model_get_float_opt(L, "rope.freq_base_swa", &m->rope_base_swa, MODEL_ROPE_BASE_MIN,
					   MODEL_ROPE_BASE_MAX))
		return -1;
	return 0;
}

static int load_experts(struct loader *L)
{
	struct model *m = L->m;
	if (model_get_dim(L, "expert_count", &m->n_expert, MODEL_MAX_EXPERTS) ||
	    model_get_dim(L, "expert_used_count", &m->n_expert_used, m->n_expert))
		return -1;
	if (m->n_ff)
		m->n_ff_exp = m->n_ff / m->n_expert_used;
	if (model_get_dim_opt(L, "expert_feed_forward_length", &m->n_ff_exp, MODEL_MAX_DIM))
		return -1;
	if (m->n_ff_exp == 0)
		return model_fail(L, "missing key %s.expert_feed_forward_length", m->arch_name);
	m->expert_norm = true; /* qwen3moe's norm_topk_prob */
	m->expert_scale = 1.0f;
	return 0;
}

int model_load_hparams(struct loader *L)
{
	struct model *m = L->m;
	if (load_arch(L))
		return -1;
	if (model_get_dim(L, "embedding_length", &m->n_embd, MODEL_MAX_DIM) ||
	    (L->ai->experts ? model_get_dim_opt(L, "feed_forward_length", &m->n_ff, MODEL_MAX_DIM)
			    : model_get_dim(L, "feed_forward_length", &m->n_ff, MODEL_MAX_DIM)) ||
	    model_get_dim(L, "block_count", &m->n_layer, MODEL_MAX_LAYERS) ||
	    model_get_dim(L, "context_length", &m->n_ctx_train, MODEL_MAX_CTX) || load_heads(L))
		return -1;
	m->norm_eps = 1e-5f;
	if (model_get_float_opt(L, "attention.layer_norm_rms_epsilon", &m->norm_eps, 0, MODEL_EPS_MAX) ||
	    load_rope(L))
		return -1;
	m->q_scale = 1.0f;
	m->kq_scale = 1.0f / ai_sqrtf((float)m->head_dim);
	m->embd_scale = 1.0f;
	m->layers = calloc((size_t)m->n_layer, sizeof *m->layers);
	if (!m->layers)
		return model_fail(L, "out of memory");
	if (m->arch == MODEL_ARCH_GEMMA2 || m->arch == MODEL_ARCH_GEMMA3)
		return load_gemma(L);
	if (m->arch == MODEL_ARCH_PHI3) {
		m->q_scale = m->kq_scale;
		m->kq_scale = 1.0f;
	}
	if (L->ai->experts)
		return load_experts(L);
	return 0;
}

/* snprintf at offset o of buf[n], o counting what it needed */
#define OUT(...) (o += (size_t)snprintf(buf + (o < n ? o : n), o < n ? n - o : 0, __VA_ARGS__))

size_t model_summary(const struct model *m, char *buf, size_t n)
{
	size_t o = 0;
	OUT("architecture: %s\n", m->arch_name);
	OUT("n_embd: %d\nn_ff: %d\nn_layer: %d\nn_head: %d\nn_head_kv: %d\nhead_dim: %d\n", m->n_embd,
	    m->n_ff, m->n_layer, m->n_head, m->n_head_kv, m->head_dim);
	OUT("n_ctx_train: %d\nn_vocab: %d\n", m->n_ctx_train, m->n_vocab);
	OUT("rope: %s, n_rot %d, freq_base %g, freq_scale %g%s%s\n", m->rope_neox ? "neox" : "normal",
	    m->n_rot, (double)m->rope_base, (double)m->rope_freq_scale, m->rope_freqs ? ", rope_freqs" : "",
	    m->rope_long ? ", longrope factors" : "");
	int n_swa = 0;
	for (int i = 0; i < m->n_layer; i++)
		n_swa += m->layers[i].swa;
	if (n_swa)
		OUT("sliding window: %d positions on %d of %d layers, freq_base %g\n", m->n_swa, n_swa,
		    m->n_layer, (double)m->rope_base_swa);
	if (m->attn_softcap || m->final_softcap)
		OUT("soft-capping: attention %g, logits %g\n", (double)m->attn_softcap,
		    (double)m->final_softcap);
	if (m->n_expert)
		OUT("experts: %d, %d used per token, n_ff_exp %d\n", m->n_expert, m->n_expert_used,
		    m->n_ff_exp);
	OUT("rms_eps: %g\noutput: %s\n", (double)m->norm_eps,
	    m->tied_output ? "tied to token_embd" : "separate");
	OUT("weights: %.2f MiB (a token reads %.2f MiB)\n", m->weight_bytes / 1048576.0,
	    m->active_bytes / 1048576.0);
	return o;
}

size_t model_type_summary(const struct gguf *g, char *buf, size_t n)
{
	int counts[GGML_TYPE_COUNT + 1] = {0};
	size_t o = 0;
	for (uint64_t i = 0; i < g->n_tensors; i++) {
		uint32_t t = g->tensors[i].type;
		counts[t < GGML_TYPE_COUNT ? t : GGML_TYPE_COUNT]++;
	}
	OUT("tensor types:");
	for (int t = 0; t <= GGML_TYPE_COUNT; t++) {
		if (!counts[t])
			continue;
		const char *name = t < GGML_TYPE_COUNT ? ggml_type_name(t) : NULL;
		OUT(" %s:%d", name ? name : "unknown", counts[t]);
	}
	OUT("\n");
	return o;
}
#undef OUT

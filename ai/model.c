/* model: hyperparameters and validated weight tensors of a llama/qwen2 GGUF. */
#include "ai/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define MODEL_MAX_DIM (1 << 20)
#define MODEL_MAX_LAYERS 1024
#define MODEL_MAX_CTX (1 << 24)
/* Published models: bases 1e4..1e8, linear factors 1..64, llama3/longrope
 * frequency factors 1..~100, epsilons 1e-12..1e-5. */
#define MODEL_ROPE_BASE_MIN 1.0f
#define MODEL_ROPE_BASE_MAX 1e12f
#define MODEL_ROPE_FACTOR_MIN 1e-3f
#define MODEL_ROPE_FACTOR_MAX 1e6f
#define MODEL_EPS_MAX 1.0f

/* Everything model_load needs while it works. */
struct loader {
	const struct gguf *g;
	struct model *m;
	char *err;
	size_t errlen;
};

static int fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (L->err && L->errlen)
		vsnprintf(L->err, L->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void arch_key(const struct loader *L, char *key, size_t n, const char *suffix)
{
	snprintf(key, n, "%s.%s", L->m->arch_name, suffix);
}

/* An integer {arch}.suffix in lo..hi; *out untouched when absent and
 * optional. A key of another type (a float, an array, a string) is an error. */
static int get_int(struct loader *L, const char *suffix, int *out, int lo, int hi, bool optional)
{
	char key[96];
	uint64_t v;
	int32_t neg;
	arch_key(L, key, sizeof key, suffix);
	if (!gguf_find(L->g, key))
		return optional ? 0 : fail(L, "missing key %s", key);
	if (!gguf_get_u64(L->g, key, &v)) {
		if (gguf_get_i32(L->g, key, &neg))
			return fail(L, "key %s: value %d out of range (%d..%d)", key, neg, lo, hi);
		return fail(L, "key %s: not an unsigned integer", key);
	}
	if (v < (uint64_t)lo || v > (uint64_t)hi)
		return fail(L, "key %s: value %llu out of range (%d..%d)", key, (unsigned long long)v, lo, hi);
	*out = (int)v;
	return 0;
}

/* A required positive integer {arch}.suffix, at most max. */
static int get_dim(struct loader *L, const char *suffix, int *out, int max)
{
	return get_int(L, suffix, out, 1, max, false);
}

/* An optional one: *out untouched when absent. */
static int get_dim_opt(struct loader *L, const char *suffix, int *out, int max)
{
	return get_int(L, suffix, out, 1, max, true);
}

/* An optional number {arch}.suffix in lo..hi (finite: NaN and inf fail);
 * *out untouched when absent. */
static int get_float_opt(struct loader *L, const char *suffix, float *out, float lo, float hi)
{
	char key[96];
	float v;
	arch_key(L, key, sizeof key, suffix);
	if (!gguf_find(L->g, key))
		return 0;
	if (!gguf_get_f32(L->g, key, &v))
		return fail(L, "key %s: not a number", key);
	if (!(v >= lo && v <= hi))
		return fail(L, "key %s: value %g out of range (%g..%g)", key, (double)v, (double)lo, (double)hi);
	*out = v;
	return 0;
}

static void format_shape(char *buf, size_t n, const int64_t *ne, int nd)
{
	size_t o = 0;
	o += snprintf(buf + o, n - o, "[");
	for (int i = 0; i < nd && o < n; i++)
		o += snprintf(buf + o, n - o, "%s%lld", i ? ", " : "", (long long)ne[i]);
	if (o < n)
		snprintf(buf + o, n - o, "]");
}

enum wuse { W_MATMUL, W_EMBED, W_VECTOR };

/* Find tensor `name` and check it is (n_in) when n_out == 0 (a vector), or
 * (n_in, n_out), of a type usable for `use`. Optional tensors give 0 with
 * w->data == NULL when absent. */
static int get_weight(struct loader *L, struct model_w *w, const char *name,
		      int64_t n_in, int64_t n_out, enum wuse use, bool optional)
{
	memset(w, 0, sizeof *w);
	const struct gguf_tensor *t = gguf_find_tensor(L->g, name);
	if (!t) {
		if (optional)
			return 0;
		return fail(L, "missing tensor %s", name);
	}
	int64_t want[2] = { n_in, n_out ? n_out : 1 };
	int nd_want = n_out ? 2 : 1;
	bool ok = t->ne[0] == want[0] && t->ne[1] == want[1];
	for (uint32_t i = 2; i < GGUF_MAX_DIMS && i < t->n_dims; i++)
		ok = ok && t->ne[i] == 1;
	if (!ok) {
		char a[96], b[96];
		format_shape(a, sizeof a, want, nd_want);
		format_shape(b, sizeof b, t->ne, t->n_dims > GGUF_MAX_DIMS ? GGUF_MAX_DIMS : (int)t->n_dims);
		return fail(L, "tensor %s: shape %s, expected %s", name, b, a);
	}
	const char *tname = ggml_type_name((int)t->type);
	if (use == W_VECTOR) {
		if (t->type != GGML_TYPE_F32)
			return fail(L, "tensor %s: type %s, expected f32", name, tname ? tname : "unknown");
	} else {
		const struct quant_traits *tr = quant_traits((int)t->type);
		bool usable = tr != NULL && n_in % tr->blck == 0;
		if (usable && use == W_EMBED)
			usable = tr->to_float != NULL;
		if (usable && use == W_MATMUL) {
			const struct quant_traits *vt = quant_traits(tr->vec_dot_type);
			usable = tr->vec_dot != NULL && vt != NULL && n_in % vt->blck == 0 &&
				 (tr->vec_dot_type == GGML_TYPE_F32 || vt->from_float != NULL);
		}
		if (!usable) {
			if (tname)
				return fail(L, "tensor %s: type %s is not supported", name, tname);
			return fail(L, "tensor %s: unknown type id %u", name, t->type);
		}
	}
	size_t rb = ggml_type_row_size((int)t->type, n_in);
	if (rb == 0 || t->nbytes < (uint64_t)rb * (uint64_t)want[1])
		return fail(L, "tensor %s: data size %llu too small", name, (unsigned long long)t->nbytes);
	if (((uintptr_t)t->data & 3) != 0)
		return fail(L, "tensor %s: data not 4-byte aligned", name);
	w->data = t->data;
	w->type = (int)t->type;
	w->n_in = n_in;
	w->n_out = want[1];
	w->row_bytes = rb;
	w->name = t->name.p;
	w->name_len = (int)t->name.n;
	L->m->weight_bytes += (uint64_t)rb * (uint64_t)want[1];
	return 0;
}

static int load_arch(struct loader *L)
{
	struct model *m = L->m;
	struct gguf_str a;
	if (!gguf_get_str(L->g, "general.architecture", &a))
		return fail(L, "missing key general.architecture");
	if (gguf_str_eq(a, "llama")) {
		m->arch = MODEL_ARCH_LLAMA;
		m->rope_neox = false;
	} else if (gguf_str_eq(a, "qwen2")) {
		m->arch = MODEL_ARCH_QWEN2;
		m->rope_neox = true;
	} else {
		int n = a.n > 40 ? 40 : (int)a.n;
		return fail(L, "architecture '%.*s' is not supported (supported: llama, qwen2)", n, a.p);
	}
	snprintf(m->arch_name, sizeof m->arch_name, "%.*s", (int)a.n, a.p);
	return 0;
}

static int load_hparams(struct loader *L)
{
	struct model *m = L->m;
	char key[96];
	if (get_dim(L, "embedding_length", &m->n_embd, MODEL_MAX_DIM) ||
	    get_dim(L, "feed_forward_length", &m->n_ff, MODEL_MAX_DIM) ||
	    get_dim(L, "block_count", &m->n_layer, MODEL_MAX_LAYERS) ||
	    get_dim(L, "attention.head_count", &m->n_head, 4096) ||
	    get_dim(L, "context_length", &m->n_ctx_train, MODEL_MAX_CTX))
		return -1;
	m->n_head_kv = m->n_head;
	if (get_dim_opt(L, "attention.head_count_kv", &m->n_head_kv, 4096))
		return -1;
	if (m->n_head % m->n_head_kv != 0)
		return fail(L, "head_count %d is not a multiple of head_count_kv %d", m->n_head, m->n_head_kv);
	m->head_dim = m->n_embd / m->n_head;
	if (m->n_embd % m->n_head != 0)
		m->head_dim = 0;
	int kl = m->head_dim, vl = -1;
	if (get_dim_opt(L, "attention.key_length", &kl, 1 << 16))
		return -1;
	vl = kl;
	if (get_dim_opt(L, "attention.value_length", &vl, 1 << 16))
		return -1;
	if (kl == 0)
		return fail(L, "embedding_length %d is not a multiple of head_count %d", m->n_embd, m->n_head);
	if (kl != vl)
		return fail(L, "attention key_length %d != value_length %d: not supported", kl, vl);
	if (kl % 2 != 0)
		return fail(L, "head dimension %d is odd", kl);
	m->head_dim = kl;
	if ((int64_t)m->n_head * m->head_dim > MODEL_MAX_DIM)
		return fail(L, "attention dimension too large");
	m->n_rot = m->head_dim;
	if (get_dim_opt(L, "rope.dimension_count", &m->n_rot, 1 << 16))
		return -1;
	if (m->n_rot > m->head_dim || m->n_rot % 2 != 0)
		return fail(L, "rope.dimension_count %d must be even and <= head dim %d", m->n_rot, m->head_dim);
	/* The ranges hold every published model with room to spare; what lies
	 * outside is a broken or hostile file (NaN, inf, a base of 1e30 that
	 * sends the RoPE angles to 1e21, an epsilon of 1e20). */
	m->rope_base = 10000.0f;
	m->norm_eps = 1e-5f;
	if (get_float_opt(L, "rope.freq_base", &m->rope_base, MODEL_ROPE_BASE_MIN, MODEL_ROPE_BASE_MAX) ||
	    get_float_opt(L, "attention.layer_norm_rms_epsilon", &m->norm_eps, 0, MODEL_EPS_MAX))
		return -1;

	/* rope scaling: linear (factor) is supported; yarn/longrope are not */
	struct gguf_str st;
	arch_key(L, key, sizeof key, "rope.scaling.type");
	if (gguf_find(L->g, key) && !gguf_get_str(L->g, key, &st))
		return fail(L, "key %s: not a string", key);
	if (gguf_get_str(L->g, key, &st) && !gguf_str_eq(st, "none") && !gguf_str_eq(st, "linear")) {
		int n = st.n > 32 ? 32 : (int)st.n;
		return fail(L, "rope scaling type '%.*s' is not supported (none, linear)", n, st.p);
	}
	float factor = 0; /* 0: none */
	arch_key(L, key, sizeof key, "rope.scaling.factor");
	if (get_float_opt(L, gguf_find(L->g, key) ? "rope.scaling.factor" : "rope.scale_linear", &factor, 0,
			  MODEL_ROPE_FACTOR_MAX))
		return -1;
	if (factor != 0 && factor < MODEL_ROPE_FACTOR_MIN)
		return fail(L, "key %s.%s: value %g out of range (0 or %g..%g)", m->arch_name,
			    gguf_find(L->g, key) ? "rope.scaling.factor" : "rope.scale_linear", (double)factor,
			    (double)MODEL_ROPE_FACTOR_MIN, (double)MODEL_ROPE_FACTOR_MAX);
	m->rope_freq_scale = factor == 0 ? 1.0f : 1.0f / factor;
	return 0;
}

static int load_weights(struct loader *L)
{
	struct model *m = L->m;
	const struct gguf_tensor *te = gguf_find_tensor(L->g, "token_embd.weight");
	if (!te)
		return fail(L, "missing tensor token_embd.weight");
	if (te->ne[1] < 1 || te->ne[1] > (1 << 24))
		return fail(L, "tensor token_embd.weight: bad vocab size %lld", (long long)te->ne[1]);
	m->n_vocab = (int)te->ne[1];
	int64_t E = m->n_embd, F = m->n_ff, Q = model_q_dim(m), KV = model_kv_dim(m), V = m->n_vocab;
	if (get_weight(L, &m->tok_embd, "token_embd.weight", E, V, W_EMBED, false) ||
	    get_weight(L, &m->output_norm, "output_norm.weight", E, 0, W_VECTOR, false) ||
	    get_weight(L, &m->output, "output.weight", E, V, W_MATMUL, true))
		return -1;
	if (!m->output.data) {
		uint64_t before = m->weight_bytes;
		if (get_weight(L, &m->output, "token_embd.weight", E, V, W_MATMUL, false))
			return -1;
		m->weight_bytes = before; /* counted once */
		m->tied_output = true;
	}
	struct model_w rf;
	if (get_weight(L, &rf, "rope_freqs.weight", m->n_rot / 2, 0, W_VECTOR, true))
		return -1;
	m->rope_freqs = rf.data;
	for (int i = 0; rf.data && i < m->n_rot / 2; i++) {
		float v = m->rope_freqs[i];
		if (!(v >= MODEL_ROPE_FACTOR_MIN && v <= MODEL_ROPE_FACTOR_MAX))
			return fail(L, "tensor rope_freqs.weight: element %d is %g, out of range (%g..%g)", i,
				    (double)v, (double)MODEL_ROPE_FACTOR_MIN, (double)MODEL_ROPE_FACTOR_MAX);
	}

	m->layers = calloc((size_t)m->n_layer, sizeof *m->layers);
	if (!m->layers)
		return fail(L, "out of memory");
	for (int i = 0; i < m->n_layer; i++) {
		struct model_layer *l = &m->layers[i];
		char n[64];
#define W(field, suffix, in, out, use, opt)                                        \
	do {                                                                       \
		snprintf(n, sizeof n, "blk.%d.%s", i, suffix);                     \
		if (get_weight(L, &l->field, n, in, out, use, opt))                \
			return -1;                                                 \
	} while (0)
		W(attn_norm, "attn_norm.weight", E, 0, W_VECTOR, false);
		W(wq, "attn_q.weight", E, Q, W_MATMUL, false);
		W(wk, "attn_k.weight", E, KV, W_MATMUL, false);
		W(wv, "attn_v.weight", E, KV, W_MATMUL, false);
		W(wo, "attn_output.weight", Q, E, W_MATMUL, false);
		W(bq, "attn_q.bias", Q, 0, W_VECTOR, true);
		W(bk, "attn_k.bias", KV, 0, W_VECTOR, true);
		W(bv, "attn_v.bias", KV, 0, W_VECTOR, true);
		W(bo, "attn_output.bias", E, 0, W_VECTOR, true);
		W(ffn_norm, "ffn_norm.weight", E, 0, W_VECTOR, false);
		W(w_gate, "ffn_gate.weight", E, F, W_MATMUL, false);
		W(w_up, "ffn_up.weight", E, F, W_MATMUL, false);
		W(w_down, "ffn_down.weight", F, E, W_MATMUL, false);
#undef W
		if (m->arch == MODEL_ARCH_QWEN2 && (!l->bq.data || !l->bk.data || !l->bv.data))
			return fail(L, "qwen2 layer %d: missing attn_q/k/v bias", i);
	}
	return 0;
}

int model_load(struct model *m, const struct gguf *g, char *err, size_t errlen)
{
	struct loader L = { g, m, err, errlen };
	memset(m, 0, sizeof *m);
	if (load_arch(&L) || load_hparams(&L) || load_weights(&L))
		goto fail;
	return 0;
fail:
	model_free(m);
	return -1;
}

static bool il4_type(const struct model_w *w)
{
	const struct quant_traits *tr = quant_traits(w->type);
	return tr && tr->vec_dot_4r_il4 && tr->vec_dot_4xn_il4 && tr->to_float;
}

/* The packed layout of w's type (quant_traits' pack), or NULL. */
static const struct quant_traits *pack_type(const struct model_w *w)
{
	const struct quant_traits *tr = quant_traits(w->type);
	return tr && tr->pack && tr->gemm_packed ? tr : NULL;
}

size_t model_pack_scratch(const struct model_w *w)
{
	if (pack_type(w))
		return (size_t)pack_type(w)->pack_rows * w->row_bytes;
	return il4_type(w) ? 4 * w->row_bytes : 0;
}

/* Rewrites w's full groups (a packed type's pack_rows rows: 16 for Q4_0,
 * else 4 rows for the interleaved types); the last rows of a partial group
 * stay as they are. */
void model_pack_w(struct model_w *w, void *scratch)
{
	uint8_t *p = (uint8_t *)(uintptr_t)w->data;
	const struct quant_traits *pk = pack_type(w);
	if (w->packed || w->il4 || w->n_out < 4)
		return;
	if (pk && w->n_out >= pk->pack_rows) {
		for (int64_t r = 0; r + pk->pack_rows <= w->n_out; r += pk->pack_rows)
			pk->pack(p + (size_t)r * w->row_bytes, w->n_in, scratch);
		w->packed = true;
	} else if (!pk && il4_type(w)) {
		const struct quant_traits *tr = quant_traits(w->type);
		for (int64_t r = 0; r + 4 <= w->n_out; r += 4)
			quant_interleave4(p + (size_t)r * w->row_bytes, w->n_in / tr->blck, tr->tsize, scratch);
		w->il4 = true;
	}
}

int model_pack(struct model *m)
{
	size_t most = model_pack_scratch(&m->output);
	for (int i = 0; i < m->n_layer; i++) {
		const struct model_layer *l = &m->layers[i];
		const struct model_w *ws[] = { &l->wq, &l->wk, &l->wv, &l->wo, &l->w_gate, &l->w_up, &l->w_down };
		for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++)
			if (model_pack_scratch(ws[k]) > most)
				most = model_pack_scratch(ws[k]);
	}
	if (!most)
		return 0;
	void *scratch = malloc(most);
	if (!scratch)
		return -1;
	for (int i = 0; i < m->n_layer; i++) {
		struct model_layer *l = &m->layers[i];
		struct model_w *ws[] = { &l->wq, &l->wk, &l->wv, &l->wo, &l->w_gate, &l->w_up, &l->w_down };
		for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++)
			model_pack_w(ws[k], scratch);
	}
	model_pack_w(&m->output, scratch);
	if (m->tied_output) { /* one tensor: embedding lookups read it packed too */
		m->tok_embd.packed = m->output.packed;
		m->tok_embd.il4 = m->output.il4;
	}
	free(scratch);
	return 0;
}

void model_free(struct model *m)
{
	free(m->layers);
	m->layers = NULL;
}

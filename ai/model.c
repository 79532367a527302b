/* model: the validated weight tensors of a GGUF (hyperparameters: ai/model_arch.c). */
#include "ai/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/model_load.h"

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
 * (n_in, n_out), or (n_in, n_out, n_mat) when n_mat > 1 (a stack of
 * matrices, taken as n_out * n_mat rows), of a type usable for `use`.
 * Optional tensors give 0 with w->data == NULL when absent. */
static int get_weight3(struct loader *L, struct model_w *w, const char *name, int64_t n_in,
		       int64_t n_out, int64_t n_mat, enum wuse use, bool optional)
{
	memset(w, 0, sizeof *w);
	const struct gguf_tensor *t = gguf_find_tensor(L->g, name);
	if (!t) {
		if (optional)
			return 0;
		return model_fail(L, "missing tensor %s", name);
	}
	int64_t want[3] = { n_in, n_out ? n_out : 1, n_mat };
	int nd_want = n_mat > 1 ? 3 : n_out ? 2 : 1;
	bool ok = true;
	for (uint32_t i = 0; i < GGUF_MAX_DIMS && i < t->n_dims; i++)
		ok = ok && t->ne[i] == (i < 3 ? want[i] : 1);
	for (uint32_t i = t->n_dims; i < 3; i++)
		ok = ok && want[i] == 1;
	if (!ok) {
		char a[96], b[96];
		format_shape(a, sizeof a, want, nd_want);
		format_shape(b, sizeof b, t->ne, t->n_dims > GGUF_MAX_DIMS ? GGUF_MAX_DIMS : (int)t->n_dims);
		return model_fail(L, "tensor %s: shape %s, expected %s", name, b, a);
	}
	const char *tname = ggml_type_name((int)t->type);
	if (use == W_VECTOR) {
		if (t->type != GGML_TYPE_F32)
			return model_fail(L, "tensor %s: type %s, expected f32", name, tname ? tname : "unknown");
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
				return model_fail(L, "tensor %s: type %s is not supported", name, tname);
			return model_fail(L, "tensor %s: unknown type id %u", name, t->type);
		}
	}
	size_t rb = ggml_type_row_size((int)t->type, n_in);
	uint64_t rows = (uint64_t)want[1] * (uint64_t)n_mat;
	if (rb == 0 || t->nbytes < (uint64_t)rb * rows)
		return model_fail(L, "tensor %s: data size %llu too small", name, (unsigned long long)t->nbytes);
	if (((uintptr_t)t->data & 3) != 0 || (n_mat > 1 && ((size_t)want[1] * rb) % 4 != 0))
		return model_fail(L, "tensor %s: data not 4-byte aligned", name);
	w->data = t->data;
	w->type = (int)t->type;
	w->n_in = n_in;
	w->n_out = (int64_t)rows;
	w->row_bytes = rb;
	w->name = t->name.p;
	w->name_len = (int)t->name.n;
	L->m->weight_bytes += (uint64_t)rb * rows;
	return 0;
}

static int get_weight(struct loader *L, struct model_w *w, const char *name, int64_t n_in,
		      int64_t n_out, enum wuse use, bool optional)
{
	return get_weight3(L, w, name, n_in, n_out, 1, use, optional);
}

/* Rows [r0, r0 + n) of w (a fused matrix or vector) as a weight of its own:
 * the same data, so the products are those of the fused one. */
static int split_rows(struct loader *L, const struct model_w *w, struct model_w *out, int64_t r0,
		      int64_t n)
{
	*out = *w;
	if (w->n_out == 1) { /* a vector: elements [r0, r0 + n) */
		out->data = (const float *)w->data + r0;
		out->n_in = n;
		out->row_bytes = (size_t)n * sizeof(float);
		return 0;
	}
	out->data = (const uint8_t *)w->data + (size_t)r0 * w->row_bytes;
	out->n_out = n;
	if (((uintptr_t)out->data & 3) != 0)
		return model_fail(L, "tensor %.*s: rows from %lld not 4-byte aligned", w->name_len, w->name,
				  (long long)r0);
	return 0;
}

/* q, k and v with their biases: attn_qkv (rows q, k, v) or one tensor each. */
static int load_qkv(struct loader *L, struct model_layer *l, int i)
{
	int64_t E = L->m->n_embd, Q = model_q_dim(L->m), KV = model_kv_dim(L->m);
	char n[64];
	struct model_w qkv, b;
	snprintf(n, sizeof n, "blk.%d.attn_qkv.weight", i);
	if (get_weight(L, &qkv, n, E, Q + 2 * KV, W_MATMUL, true))
		return -1;
	if (qkv.data) {
		snprintf(n, sizeof n, "blk.%d.attn_qkv.bias", i);
		if (split_rows(L, &qkv, &l->wq, 0, Q) || split_rows(L, &qkv, &l->wk, Q, KV) ||
		    split_rows(L, &qkv, &l->wv, Q + KV, KV) ||
		    get_weight(L, &b, n, Q + 2 * KV, 0, W_VECTOR, true))
			return -1;
		if (L->ai->qkv_bias && !b.data)
			return model_fail(L, "missing tensor %s", n);
		if (b.data && (split_rows(L, &b, &l->bq, 0, Q) || split_rows(L, &b, &l->bk, Q, KV) ||
			       split_rows(L, &b, &l->bv, Q + KV, KV)))
			return -1;
		return 0;
	}
	const struct { struct model_w *w; const char *name; int64_t n_out; enum wuse use; } t[] = {
		{ &l->wq, "attn_q.weight", Q, W_MATMUL }, { &l->wk, "attn_k.weight", KV, W_MATMUL },
		{ &l->wv, "attn_v.weight", KV, W_MATMUL }, { &l->bq, "attn_q.bias", 0, W_VECTOR },
		{ &l->bk, "attn_k.bias", 0, W_VECTOR },    { &l->bv, "attn_v.bias", 0, W_VECTOR },
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		snprintf(n, sizeof n, "blk.%d.%s", i, t[k].name);
		int64_t n_in = t[k].use == W_VECTOR ? (k == 3 ? Q : KV) : E;
		if (get_weight(L, t[k].w, n, n_in, t[k].n_out, t[k].use, t[k].use == W_VECTOR))
			return -1;
	}
	if (L->ai->qkv_bias && (!l->bq.data || !l->bk.data || !l->bv.data))
		return model_fail(L, "%s layer %d: missing attn_q/k/v bias", L->m->arch_name, i);
	return 0;
}

/* The FFN: gate/up/down, gate and up fused in ffn_up, or the experts. */
static int load_ffn(struct loader *L, struct model_layer *l, int i)
{
	struct model *m = L->m;
	int64_t E = m->n_embd, F = m->n_ff;
	char n[64];
#define W3(field, suffix, in, out, mats, use)                                      \
	do {                                                                       \
		snprintf(n, sizeof n, "blk.%d.%s", i, suffix);                     \
		if (get_weight3(L, &l->field, n, in, out, mats, use, false))       \
			return -1;                                                 \
	} while (0)
	if (L->ai->experts) {
		int64_t X = m->n_expert, FX = m->n_ff_exp;
		W3(ffn_gate_inp, "ffn_gate_inp.weight", E, X, 1, W_MATMUL);
		W3(gate_exps, "ffn_gate_exps.weight", E, FX, X, W_MATMUL);
		W3(up_exps, "ffn_up_exps.weight", E, FX, X, W_MATMUL);
		W3(down_exps, "ffn_down_exps.weight", FX, E, X, W_MATMUL);
		return 0;
	}
	if (L->ai->fused_ffn) {
		struct model_w gu;
		W3(w_down, "ffn_down.weight", F, E, 1, W_MATMUL);
		snprintf(n, sizeof n, "blk.%d.ffn_up.weight", i);
		if (get_weight(L, &gu, n, E, 2 * F, W_MATMUL, false))
			return -1;
		return split_rows(L, &gu, &l->w_gate, 0, F) || split_rows(L, &gu, &l->w_up, F, F) ? -1 : 0;
	}
	W3(w_gate, "ffn_gate.weight", E, F, 1, W_MATMUL);
	W3(w_up, "ffn_up.weight", E, F, 1, W_MATMUL);
	W3(w_down, "ffn_down.weight", F, E, 1, W_MATMUL);
#undef W3
	return 0;
}

static int load_layer(struct loader *L, int i)
{
	struct model *m = L->m;
	struct model_layer *l = &m->layers[i];
	int64_t E = m->n_embd, Q = model_q_dim(m), D = m->head_dim;
	bool qk = L->ai->qk_norm, post = L->ai->post_norms;
	char n[64];
#define W(field, suffix, in, out, use, opt)                                        \
	do {                                                                       \
		snprintf(n, sizeof n, "blk.%d.%s", i, suffix);                     \
		if (get_weight(L, &l->field, n, in, out, use, opt))                \
			return -1;                                                 \
	} while (0)
	W(attn_norm, "attn_norm.weight", E, 0, W_VECTOR, false);
	if (load_qkv(L, l, i))
		return -1;
	W(wo, "attn_output.weight", Q, E, W_MATMUL, false);
	W(bo, "attn_output.bias", E, 0, W_VECTOR, true);
	W(attn_q_norm, "attn_q_norm.weight", D, 0, W_VECTOR, !qk);
	W(attn_k_norm, "attn_k_norm.weight", D, 0, W_VECTOR, !qk);
	W(attn_post_norm, "post_attention_norm.weight", E, 0, W_VECTOR, !post);
	W(ffn_norm, "ffn_norm.weight", E, 0, W_VECTOR, false);
	if (load_ffn(L, l, i))
		return -1;
	W(ffn_post_norm, "post_ffw_norm.weight", E, 0, W_VECTOR, !post);
#undef W
	return 0;
}

/* The optional RoPE frequency factors `name` (n_rot/2 f32) into *out, each
 * finite and in range: the angles are divided by them. */
static int get_rope_factors(struct loader *L, const char *name, const float **out)
{
	struct model_w rf;
	if (get_weight(L, &rf, name, L->m->n_rot / 2, 0, W_VECTOR, true))
		return -1;
	const float *v = rf.data;
	for (int i = 0; v && i < L->m->n_rot / 2; i++)
		if (!(v[i] >= MODEL_ROPE_FACTOR_MIN && v[i] <= MODEL_ROPE_FACTOR_MAX))
			return model_fail(L, "tensor %s: element %d is %g, out of range (%g..%g)", name, i,
					  (double)v[i], (double)MODEL_ROPE_FACTOR_MIN,
					  (double)MODEL_ROPE_FACTOR_MAX);
	*out = v;
	return 0;
}

static int load_weights(struct loader *L)
{
	struct model *m = L->m;
	const struct gguf_tensor *te = gguf_find_tensor(L->g, "token_embd.weight");
	if (!te)
		return model_fail(L, "missing tensor token_embd.weight");
	if (te->ne[1] < 1 || te->ne[1] > (1 << 24))
		return model_fail(L, "tensor token_embd.weight: bad vocab size %lld", (long long)te->ne[1]);
	m->n_vocab = (int)te->ne[1];
	int64_t E = m->n_embd, V = m->n_vocab;
	if (get_weight(L, &m->tok_embd, "token_embd.weight", E, V, W_EMBED, false) ||
	    get_weight(L, &m->output_norm, "output_norm.weight", E, 0, W_VECTOR, false) ||
	    (!L->ai->tied_always && get_weight(L, &m->output, "output.weight", E, V, W_MATMUL, true)) ||
	    get_weight(L, &m->output_b, "output.bias", V, 0, W_VECTOR, true))
		return -1;
	if (!m->output.data) {
		if (get_weight(L, &m->output, "token_embd.weight", E, V, W_MATMUL, false))
			return -1;
		m->weight_bytes -= m->output.row_bytes * (uint64_t)V; /* counted once */
		m->tied_output = true;
	}
	if (m->arch == MODEL_ARCH_PHI3) { /* llama.cpp's phi3 reads only these */
		if (get_rope_factors(L, "rope_factors_long.weight", &m->rope_long) ||
		    get_rope_factors(L, "rope_factors_short.weight", &m->rope_short))
			return -1;
	} else if (get_rope_factors(L, "rope_freqs.weight", &m->rope_freqs)) {
		return -1;
	}
	uint64_t experts = 0;
	for (int i = 0; i < m->n_layer; i++) {
		if (load_layer(L, i))
			return -1;
		const struct model_layer *l = &m->layers[i];
		experts += (l->gate_exps.row_bytes + l->up_exps.row_bytes) * (uint64_t)l->gate_exps.n_out +
			   l->down_exps.row_bytes * (uint64_t)l->down_exps.n_out;
	}
	/* a token reads one row of the table (or all of it as the output) */
	m->active_bytes = m->weight_bytes - m->tok_embd.row_bytes * (uint64_t)(V - 1);
	if (m->tied_output)
		m->active_bytes += m->output.row_bytes * (uint64_t)V;
	if (m->n_expert)
		m->active_bytes -= experts / (uint64_t)m->n_expert * (uint64_t)(m->n_expert - m->n_expert_used);
	return 0;
}

int model_load(struct model *m, const struct gguf *g, char *err, size_t errlen)
{
	struct loader L = { g, m, NULL, err, errlen };
	memset(m, 0, sizeof *m);
	if (model_load_hparams(&L) || load_weights(&L))
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

/* The matrices of layer l that model_pack rewrites, n of them. */
static int layer_mats(struct model_layer *l, struct model_w **ws)
{
	struct model_w *all[] = { &l->wq, &l->wk, &l->wv, &l->wo, &l->w_gate, &l->w_up,
				  &l->w_down, &l->ffn_gate_inp };
	int n = 0;
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		if (all[k]->data)
			ws[n++] = all[k];
	return n;
}

/* Each expert of a stack on its own, so no group straddles two. */
static void pack_experts(struct model_w *w, int n_expert, void *scratch)
{
	struct model_w x = model_expert(w, n_expert, 0);
	for (int e = 0; e < n_expert; e++) {
		x = model_expert(w, n_expert, e);
		model_pack_w(&x, scratch);
	}
	w->packed = x.packed;
	w->il4 = x.il4;
}

int model_pack(struct model *m)
{
	size_t most = model_pack_scratch(&m->output);
	struct model_w *ws[8];
	for (int i = 0; i < m->n_layer; i++) {
		struct model_layer *l = &m->layers[i];
		int n = layer_mats(l, ws);
		if (m->n_expert) {
			ws[n++] = &l->gate_exps;
			ws[n++] = &l->up_exps;
			ws[n++] = &l->down_exps;
		}
		for (int k = 0; k < n; k++)
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
		int n = layer_mats(l, ws);
		for (int k = 0; k < n; k++)
			model_pack_w(ws[k], scratch);
		if (m->n_expert) {
			pack_experts(&l->gate_exps, m->n_expert, scratch);
			pack_experts(&l->up_exps, m->n_expert, scratch);
			pack_experts(&l->down_exps, m->n_expert, scratch);
		}
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

/* forward: transformer evaluation with an f16 KV cache (experts: ai/moe.c). */
#include "ai/forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/forward_impl.h"
#include "ai/matmul.h"
#include "ai/parallel.h"
#include "ai/quant.h"
#include "ai/vmath.h"

#define FWD_ALIGN 64
/* attention below this much work (heads * head_dim * keys * tokens) runs
 * on the calling worker: waking the others costs more than it saves */
#define FWD_SERIAL_WORK (1 << 12)
#define ATT_ROWS 64 /* rows of the KV cache dotted at a time */

/* ---- layout ------------------------------------------------------------ */

struct layout {
	size_t k_cache, v_cache, x, xb, xb2, q, k, v, vh, att, hb, hb2, scores, qh,
		rope, rope_swa, logits, qbuf, probs, chosen, weight, pair_row, first, px, pg, pu,
		pd, segs, total;
};

static size_t take(size_t *off, size_t bytes)
{
	size_t at = *off;
	*off += (bytes + FWD_ALIGN - 1) / FWD_ALIGN * FWD_ALIGN;
	return at;
}

static bool any_swa(const struct model *m)
{
	for (int il = 0; il < m->n_layer; il++)
		if (m->layers[il].swa)
			return true;
	return false;
}

static void plan(const struct model *m, int n_ctx, int n_batch, struct layout *L)
{
	size_t C = (size_t)n_ctx, B = (size_t)n_batch, E = (size_t)m->n_embd;
	size_t Q = (size_t)model_q_dim(m), KV = (size_t)model_kv_dim(m), F = (size_t)m->n_ff;
	size_t H = (size_t)m->n_head, NL = (size_t)m->n_layer, V = (size_t)m->n_vocab;
	size_t f = sizeof(float), h = sizeof(ggml_half);
	size_t X = (size_t)m->n_expert, K = (size_t)m->n_expert_used, FX = (size_t)m->n_ff_exp;
	size_t P = B * K; /* (token, expert) pairs */
	int64_t max_in = m->n_embd;
	if (model_q_dim(m) > max_in)
		max_in = model_q_dim(m);
	if (m->n_ff > max_in)
		max_in = m->n_ff;
	if (m->n_ff_exp > max_in)
		max_in = m->n_ff_exp;
	bool swa = any_swa(m);
	size_t off = 0;
	L->k_cache = take(&off, NL * C * KV * h);
	L->v_cache = take(&off, NL * KV * C * h);
	L->x = take(&off, B * E * f);
	L->xb = take(&off, B * E * f);
	L->xb2 = take(&off, B * E * f);
	L->q = take(&off, B * Q * f);
	L->k = take(&off, B * KV * f);
	L->v = take(&off, B * KV * f);
	L->vh = take(&off, B * KV * h);
	L->att = take(&off, B * Q * f);
	L->hb = take(&off, B * F * f);
	L->hb2 = take(&off, B * F * f);
	L->scores = take(&off, H * C * f);
	L->qh = take(&off, H * (size_t)m->head_dim * f);
	L->rope = take(&off, B * (size_t)m->n_rot * f);
	L->rope_swa = take(&off, swa ? B * (size_t)m->n_rot * f : 0);
	L->logits = take(&off, B * V * f);
	L->qbuf = take(&off, MATMUL_MAX_W * matmul_qbuf_bytes(max_in, n_batch * (K > 1 ? (int)K : 1)));
	L->probs = take(&off, B * X * f);
	L->chosen = take(&off, P * sizeof(int32_t));
	L->weight = take(&off, P * f);
	L->pair_row = take(&off, P * sizeof(int32_t));
	L->first = take(&off, X ? (X + 1) * sizeof(int32_t) : 0);
	L->px = take(&off, B > 1 ? P * E * f : 0); /* one token reads xb itself */
	L->pg = take(&off, P * FX * f);
	L->pu = take(&off, P * FX * f);
	L->pd = take(&off, P * E * f);
	L->segs = take(&off, 2 * X * sizeof(struct matmul_seg));
	L->total = off;
}

size_t forward_bytes(const struct model *m, int n_ctx, int n_batch)
{
	struct layout L;
	plan(m, n_ctx, n_batch, &L);
	return L.total + sizeof(struct forward) + FWD_ALIGN;
}

int forward_max_ctx(const struct model *m, int want, int n_batch, size_t budget)
{
	if (want < 1 || forward_bytes(m, 1, n_batch) > budget)
		return 0;
	int lo = 1, hi = want; /* forward_bytes grows with n_ctx */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (forward_bytes(m, mid, n_batch) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

struct forward *forward_new(const struct model *m, int n_ctx, int n_batch,
			    char *err, size_t errlen)
{
	struct forward *f = NULL;
	struct layout L;
	if (n_ctx < 1 || n_ctx > (1 << 24) || n_batch < 1 || n_batch > 4096) {
		snprintf(err, errlen, "bad context size %d or batch %d", n_ctx, n_batch);
		goto fail;
	}
	f = calloc(1, sizeof *f);
	if (!f)
		goto oom;
	plan(m, n_ctx, n_batch, &L);
	f->mem = malloc(L.total + FWD_ALIGN);
	if (!f->mem)
		goto oom;
	f->mem_bytes = L.total;
	uint8_t *base = (uint8_t *)(((uintptr_t)f->mem + FWD_ALIGN - 1) & ~(uintptr_t)(FWD_ALIGN - 1));
	f->m = m;
	f->n_ctx = n_ctx;
	f->n_batch = n_batch;
	f->k_cache = (ggml_half *)(base + L.k_cache);
	f->v_cache = (ggml_half *)(base + L.v_cache);
	f->x = (float *)(base + L.x);
	f->xb = (float *)(base + L.xb);
	f->xb2 = (float *)(base + L.xb2);
	f->q = (float *)(base + L.q);
	f->k = (float *)(base + L.k);
	f->v = (float *)(base + L.v);
	f->vh = (ggml_half *)(base + L.vh);
	f->att = (float *)(base + L.att);
	f->hb = (float *)(base + L.hb);
	f->hb2 = (float *)(base + L.hb2);
	f->scores = (float *)(base + L.scores);
	f->qh = (float *)(base + L.qh);
	f->rope = (float *)(base + L.rope);
	f->rope_swa = any_swa(m) ? (float *)(base + L.rope_swa) : NULL;
	f->logits = (float *)(base + L.logits);
	f->qbuf = base + L.qbuf;
	f->probs = (float *)(base + L.probs);
	f->chosen = (int32_t *)(base + L.chosen);
	f->weight = (float *)(base + L.weight);
	f->pair_row = (int32_t *)(base + L.pair_row);
	f->first = (int32_t *)(base + L.first);
	f->px = (float *)(base + L.px);
	f->pg = (float *)(base + L.pg);
	f->pu = (float *)(base + L.pu);
	f->pd = (float *)(base + L.pd);
	f->segs = (struct matmul_seg *)(base + L.segs);
	if (m->act == MODEL_ACT_GELU)
		vmath_gelu_init();
	/* LongRoPE: llama.cpp takes the long factors when its context (n_ctx
	 * rounded up to 256) is longer than the original one */
	f->rope_factors = m->rope_freqs;
	if (m->rope_long || m->rope_short)
		f->rope_factors = (n_ctx + 255) / 256 * 256 > m->n_ctx_orig ? m->rope_long : m->rope_short;
	return f;
oom:
	snprintf(err, errlen, "out of memory for a context of %d tokens (%zu MiB)", n_ctx,
		 forward_bytes(m, n_ctx, n_batch) >> 20);
fail:
	forward_free(f);
	return NULL;
}

void forward_free(struct forward *f)
{
	if (!f)
		return;
	free(f->mem);
	free(f);
}

int forward_n_ctx(const struct forward *f) { return f->n_ctx; }
int forward_n_batch(const struct forward *f) { return f->n_batch; }
const struct model *forward_model(const struct forward *f) { return f->m; }

/* ---- element-wise pieces ---------------------------------------------- */

/* cs (n_rot/2 pairs cos, sin) for position pos, as ggml's rope cache:
 * theta_i = pos base^(-2i/n_rot), divided by the pair's frequency factor
 * (ff, if any), times freq_scale; cos and sin times mscale. */
static void rope_angles(int n_rot, float base, float freq_scale, const float *ff, float mscale,
			int pos, float *cs)
{
	float theta_scale = ai_powf(base, -2.0f / (float)n_rot);
	float theta = (float)pos;
	for (int i = 0; i < n_rot / 2; i++) {
		float th = freq_scale * (theta / (ff ? ff[i] : 1.0f));
		ai_sincosf(th, &cs[2 * i + 1], &cs[2 * i]);
		cs[2 * i] *= mscale;
		cs[2 * i + 1] *= mscale;
		theta *= theta_scale;
	}
}

static void add_bias(float *y, const struct model_w *b, int n_tok, int n)
{
	if (!b->data)
		return;
	for (int t = 0; t < n_tok; t++)
		vmath()->add(n, y + (size_t)t * n, b->data);
}

/* ---- attention ---------------------------------------------------------- */

struct att_job {
	struct forward *f;
	int layer, n_tok, pos;
};

/* out[r] = x_r . y for the n_rows f16 rows x_r = x + r * stride of n
 * elements, as ggml's vec_dot_f16 in an AVX-512 build: the SIMD part over
 * whole 64-element steps (our f16 kernel), the rest summed in double
 * (vmath's f16_dots, several rows at once). Attention dots shorter than 64
 * are then exactly llama.cpp's. */
static void attn_dots(const struct quant_traits *tr, int n_rows, int n, const ggml_half *x,
		      size_t stride, const float *y, float *out)
{
	int np = tr->vec_dot_type == GGML_TYPE_F32 ? n & ~63 : 0;
	double sum[ATT_ROWS];
	for (int r0 = 0; r0 < n_rows; r0 += ATT_ROWS) {
		int nr = n_rows - r0 < ATT_ROWS ? n_rows - r0 : ATT_ROWS;
		const ggml_half *xr = x + (size_t)r0 * stride;
		for (int r = 0; r < nr; r++) {
			float s = 0;
			if (np)
				tr->vec_dot(np, &s, xr + (size_t)r * stride, y);
			sum[r] = s;
		}
		if (np < n)
			vmath()->f16_dots(nr, n - np, xr + np, stride, y + np, sum);
		for (int r = 0; r < nr; r++)
			out[r0 + r] = (float)sum[r];
	}
}

/* One query head h of token t: att[t][h] = softmax(scores) V with scores =
 * (q * q_scale).K^T, soft-capped, times kq_scale. A sliding layer sees the
 * keys at pos - n_swa + 1 .. pos; the rows it skips start at a multiple of
 * 64 and the skipped ones inside are masked (weight 0), so the sums group
 * their elements as llama.cpp's masked rows over the whole cache do. */
static void attend(struct forward *f, int layer, int t, int pos, int h)
{
	const struct model *m = f->m;
	int hd = m->head_dim, KV = model_kv_dim(m), C = f->n_ctx;
	int kvh = h / (m->n_head / m->n_head_kv);
	int lo = m->layers[layer].swa && pos >= m->n_swa ? pos - m->n_swa + 1 : 0;
	int start = lo / 64 * 64, n = pos + 1 - start;
	const struct quant_traits *tr = quant_traits(GGML_TYPE_F16);
	float *sc = f->scores + (size_t)h * C;
	float *qh = f->qh + (size_t)h * hd;
	const float *q = f->q + (size_t)t * model_q_dim(m) + (size_t)h * hd;

	/* llama.cpp rounds q to f16 for the f16 K cache */
	vmath()->round_f16(hd, qh, q, m->q_scale);
	const ggml_half *kc = f->k_cache + ((size_t)layer * C + (size_t)start) * KV + (size_t)kvh * hd;
	attn_dots(tr, n, hd, kc, (size_t)KV, qh, sc);
	float cap = m->attn_softcap, inv_cap = cap ? 1.0f / cap : 0;
	float mx = -ai_inff();
	for (int i = 0; i < n; i++) {
		float s = sc[i];
		if (cap)
			s = ai_tanhf(s * inv_cap) * cap;
		s *= m->kq_scale;
		if (start + i < lo)
			s = -ai_inff();
		sc[i] = s;
		if (s > mx)
			mx = s;
	}
	double sum = vmath()->softmax(n, sc, sc, mx);
	/* 1/sum scales every weight before their rounding to f16 for the f16
	 * V cache */
	vmath()->round_f16(n, sc, sc, (float)(1.0 / sum));
	const ggml_half *vc = f->v_cache + ((size_t)layer * KV + (size_t)kvh * hd) * C + start;
	attn_dots(tr, hd, n, vc, (size_t)C, sc, f->att + (size_t)t * model_q_dim(m) + (size_t)h * hd);
}

static void att_task(void *arg, int ith, int nth)
{
	struct att_job *j = arg;
	for (int h = ith; h < j->f->m->n_head; h += nth)
		for (int t = 0; t < j->n_tok; t++)
			attend(j->f, j->layer, t, j->pos + t, h);
}

/* ---- the gated activation over all workers ------------------------------ */

struct glu_job {
	float *g;        /* (n_rows, n) gate in, result out */
	const float *u;  /* (n_rows, n) up */
	int n_rows, n, act;
};

/* Each worker takes a slice of every row that starts on a 16-element
 * block, as vmath's swiglu needs; the last one also takes the row's tail. */
static void glu_task(void *arg, int ith, int nth)
{
	struct glu_job *j = arg;
	int nb = j->n / VMATH_LANES;
	int c0 = nb * ith / nth * VMATH_LANES;
	int c1 = ith == nth - 1 ? j->n : nb * (ith + 1) / nth * VMATH_LANES;
	for (int t = 0; t < j->n_rows; t++) {
		size_t off = (size_t)t * j->n + (size_t)c0;
		if (j->act == MODEL_ACT_GELU)
			vmath()->geglu(c1 - c0, j->g + off, j->u + off);
		else
			vmath()->swiglu(c1 - c0, j->g + off, j->u + off);
	}
}

void forward_glu(const struct model *m, float *g, const float *u, int n_rows, int n)
{
	struct glu_job j = { g, u, n_rows, n, m->act };
	if ((size_t)n_rows * n < 4096)
		glu_task(&j, 0, 1);
	else
		par_for(glu_task, &j);
}

/* ---- one batch ---------------------------------------------------------- */

static void store_kv(struct forward *f, int layer, int n_tok, int pos)
{
	int KV = model_kv_dim(f->m), C = f->n_ctx;
	size_t n = (size_t)n_tok * KV;
	vmath()->to_f16((int)n, f->k_cache + ((size_t)layer * C + (size_t)pos) * KV, f->k);
	vmath()->to_f16((int)n, f->vh, f->v);
	/* V is transposed, one row per dimension: each row takes the batch's
	 * positions side by side, so every row (a page apart at large n_ctx)
	 * is visited once per batch rather than once per token */
	for (int i = 0; i < KV; i++) {
		ggml_half *vd = f->v_cache + ((size_t)layer * KV + (size_t)i) * C + (size_t)pos;
		for (int t = 0; t < n_tok; t++)
			vd[t] = f->vh[(size_t)t * KV + i];
	}
}

static void eval_layer(struct forward *f, int il, int n_tok, int pos)
{
	const struct model *m = f->m;
	const struct model_layer *l = &m->layers[il];
	int E = m->n_embd, Q = model_q_dim(m), KV = model_kv_dim(m), F = m->n_ff, hd = m->head_dim;

	vmath()->rmsnorm(n_tok, E, f->xb, f->x, l->attn_norm.data, m->norm_eps);
	const struct model_w *qkv[3] = { &l->wq, &l->wk, &l->wv };
	float *qkv_out[3] = { f->q, f->k, f->v };
	matmul_n(qkv, qkv_out, 3, f->xb, n_tok, f->qbuf);
	add_bias(f->q, &l->bq, n_tok, Q);
	add_bias(f->k, &l->bk, n_tok, KV);
	add_bias(f->v, &l->bv, n_tok, KV);
	if (l->attn_q_norm.data) { /* every head on its own */
		vmath()->rmsnorm(n_tok * m->n_head, hd, f->q, f->q, l->attn_q_norm.data, m->norm_eps);
		vmath()->rmsnorm(n_tok * m->n_head_kv, hd, f->k, f->k, l->attn_k_norm.data, m->norm_eps);
	}
	const float *rope = l->swa ? f->rope_swa : f->rope;
	for (int t = 0; t < n_tok; t++) {
		const float *cs = rope + (size_t)t * m->n_rot;
		vmath()->rope(f->q + (size_t)t * Q, m->n_head, hd, m->n_rot, m->rope_neox, cs);
		vmath()->rope(f->k + (size_t)t * KV, m->n_head_kv, hd, m->n_rot, m->rope_neox, cs);
	}
	store_kv(f, il, n_tok, pos);

	struct att_job aj = { f, il, n_tok, pos };
	uint64_t work = (uint64_t)m->n_head * hd * (uint64_t)(pos + n_tok) * n_tok;
	if (work < FWD_SERIAL_WORK) /* not worth waking the other workers */
		att_task(&aj, 0, 1);
	else
		par_for(att_task, &aj);
	matmul(&l->wo, f->xb2, f->att, n_tok, f->qbuf);
	add_bias(f->xb2, &l->bo, n_tok, E);
	if (l->attn_post_norm.data)
		vmath()->rmsnorm(n_tok, E, f->xb2, f->xb2, l->attn_post_norm.data, m->norm_eps);
	vmath()->add(n_tok * E, f->x, f->xb2);

	vmath()->rmsnorm(n_tok, E, f->xb, f->x, l->ffn_norm.data, m->norm_eps);
	if (m->n_expert) {
		moe_ffn(f, il, n_tok);
		return;
	}
	const struct model_w *gu[2] = { &l->w_gate, &l->w_up };
	float *gu_out[2] = { f->hb, f->hb2 };
	matmul_n(gu, gu_out, 2, f->xb, n_tok, f->qbuf);
	forward_glu(m, f->hb, f->hb2, n_tok, F);
	matmul(&l->w_down, f->xb2, f->hb, n_tok, f->qbuf);
	if (l->ffn_post_norm.data)
		vmath()->rmsnorm(n_tok, E, f->xb2, f->xb2, l->ffn_post_norm.data, m->norm_eps);
	vmath()->add(n_tok * E, f->x, f->xb2);
}

/* Tokens [0, n_tok) at pos..; logits for the last token, or all of them. */
static void eval_batch(struct forward *f, const int32_t *tokens, int n_tok, int pos,
		       bool logits, bool all)
{
	const struct model *m = f->m;
	int E = m->n_embd, R = m->n_rot;
	for (int t = 0; t < n_tok; t++) {
		float *x = f->x + (size_t)t * E;
		matmul_get_row(&m->tok_embd, tokens[t], x);
		if (m->embd_scale != 1.0f)
			for (int i = 0; i < E; i++)
				x[i] *= m->embd_scale;
		rope_angles(R, m->rope_base, m->rope_freq_scale, f->rope_factors, m->rope_attn_factor,
			    pos + t, f->rope + (size_t)t * R);
		if (f->rope_swa)
			rope_angles(R, m->rope_base_swa, m->rope_freq_scale_swa, f->rope_factors,
				    m->rope_attn_factor, pos + t, f->rope_swa + (size_t)t * R);
	}
	for (int il = 0; il < m->n_layer; il++)
		eval_layer(f, il, n_tok, pos);
	if (!logits)
		return;
	int first = all ? 0 : n_tok - 1, n_out = n_tok - first;
	int V = m->n_vocab;
	vmath()->rmsnorm(n_out, E, f->xb, f->x + (size_t)first * E, m->output_norm.data, m->norm_eps);
	matmul(&m->output, f->logits, f->xb, n_out, f->qbuf);
	add_bias(f->logits, &m->output_b, n_out, V);
	float cap = m->final_softcap;
	if (cap) {
		float inv_cap = 1.0f / cap;
		for (size_t i = 0; i < (size_t)n_out * V; i++)
			f->logits[i] = ai_tanhf(f->logits[i] * inv_cap) * cap;
	}
}

static bool args_ok(const struct forward *f, const int32_t *tokens, int n, int pos)
{
	if (n < 1 || pos < 0 || pos > f->n_ctx - n)
		return false;
	for (int i = 0; i < n; i++)
		if (tokens[i] < 0 || tokens[i] >= f->m->n_vocab)
			return false;
	return true;
}

const float *forward_embed(struct forward *f, const int32_t *tokens, int n, int pos)
{
	const struct model *m = f->m;
	if (n > f->n_batch || !args_ok(f, tokens, n, pos))
		return NULL;
	eval_batch(f, tokens, n, pos, false, false);
	vmath()->rmsnorm(n, m->n_embd, f->xb, f->x, m->output_norm.data, m->norm_eps);
	return f->xb;
}

const float *forward_eval(struct forward *f, const int32_t *tokens, int n, int pos,
			  bool all_logits)
{
	if ((all_logits && n > f->n_batch) || !args_ok(f, tokens, n, pos))
		return NULL;
	for (int done = 0; done < n;) {
		int nb = n - done < f->n_batch ? n - done : f->n_batch;
		bool last = done + nb == n;
		eval_batch(f, tokens + done, nb, pos + done, last, all_logits);
		done += nb;
	}
	return f->logits;
}

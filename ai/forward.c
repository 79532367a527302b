/* forward: llama/qwen2 transformer evaluation with an f16 KV cache. */
#include "ai/forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/matmul.h"
#include "ai/parallel.h"
#include "ai/quant.h"
#include "ai/vmath.h"

#define FWD_ALIGN 64
/* attention below this much work (heads * head_dim * keys * tokens) runs
 * on the calling worker: waking the others costs more than it saves */
#define FWD_SERIAL_WORK (1 << 12)
#define ATT_ROWS 64 /* rows of the KV cache dotted at a time */

struct forward {
	const struct model *m;
	int n_ctx, n_batch;
	void *mem;           /* the one allocation everything below lives in */
	size_t mem_bytes;
	ggml_half *k_cache;  /* (n_layer, n_ctx, kv_dim) */
	ggml_half *v_cache;  /* (n_layer, kv_dim, n_ctx) */
	float *x;            /* (n_batch, n_embd) residual stream */
	float *xb;           /* (n_batch, n_embd) normalized input of a block */
	float *xb2;          /* (n_batch, n_embd) output of a projection */
	float *q;            /* (n_batch, q_dim) */
	float *k, *v;        /* (n_batch, kv_dim) */
	ggml_half *vh;       /* (n_batch, kv_dim) v as f16, on its way to the cache */
	float *att;          /* (n_batch, q_dim) attention output */
	float *hb, *hb2;     /* (n_batch, n_ff) gate, up */
	float *scores;       /* (n_head, n_ctx) attention weights of one query */
	float *qh;           /* (n_head, head_dim) query rounded to f16 precision */
	float *rope;         /* (n_batch, n_rot) cos, sin pairs */
	float *logits;       /* (n_batch, n_vocab) */
	void *qbuf;          /* MATMUL_MAX_W * matmul_qbuf_bytes(max_in, n_batch) */
};

/* ---- layout ------------------------------------------------------------ */

struct layout {
	size_t k_cache, v_cache, x, xb, xb2, q, k, v, vh, att, hb, hb2, scores, qh,
		rope, logits, qbuf, total;
};

static size_t take(size_t *off, size_t bytes)
{
	size_t at = *off;
	*off += (bytes + FWD_ALIGN - 1) / FWD_ALIGN * FWD_ALIGN;
	return at;
}

static void plan(const struct model *m, int n_ctx, int n_batch, struct layout *L)
{
	size_t C = (size_t)n_ctx, B = (size_t)n_batch, E = (size_t)m->n_embd;
	size_t Q = (size_t)model_q_dim(m), KV = (size_t)model_kv_dim(m), F = (size_t)m->n_ff;
	size_t H = (size_t)m->n_head, NL = (size_t)m->n_layer, V = (size_t)m->n_vocab;
	size_t f = sizeof(float), h = sizeof(ggml_half);
	int64_t max_in = m->n_embd;
	if (model_q_dim(m) > max_in)
		max_in = model_q_dim(m);
	if (m->n_ff > max_in)
		max_in = m->n_ff;
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
	L->logits = take(&off, B * V * f);
	L->qbuf = take(&off, MATMUL_MAX_W * matmul_qbuf_bytes(max_in, n_batch));
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
	f->logits = (float *)(base + L.logits);
	f->qbuf = base + L.qbuf;
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

/* cs (n_rot/2 pairs cos, sin) for position pos, as ggml's rope cache. */
static void rope_angles(const struct model *m, int pos, float *cs)
{
	float theta_scale = ai_powf(m->rope_base, -2.0f / (float)m->n_rot);
	float theta = (float)pos;
	for (int i = 0; i < m->n_rot / 2; i++) {
		float ff = m->rope_freqs ? m->rope_freqs[i] : 1.0f;
		float th = m->rope_freq_scale * (theta / ff);
		ai_sincosf(th, &cs[2 * i + 1], &cs[2 * i]);
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

/* One query head h of token t: att[t][h] = softmax(q.K^T * scale) V. */
static void attend(struct forward *f, int layer, int t, int pos, int h)
{
	const struct model *m = f->m;
	int hd = m->head_dim, KV = model_kv_dim(m), C = f->n_ctx;
	int kvh = h / (m->n_head / m->n_head_kv);
	int n_kv = pos + 1;
	const struct quant_traits *tr = quant_traits(GGML_TYPE_F16);
	float *sc = f->scores + (size_t)h * C;
	float *qh = f->qh + (size_t)h * hd;
	const float *q = f->q + (size_t)t * model_q_dim(m) + (size_t)h * hd;

	/* llama.cpp rounds q to f16 for the f16 K cache */
	vmath()->round_f16(hd, qh, q, 1.0f);
	const ggml_half *kc = f->k_cache + ((size_t)layer * C) * KV + (size_t)kvh * hd;
	attn_dots(tr, n_kv, hd, kc, (size_t)KV, qh, sc);
	float scale = 1.0f / ai_sqrtf((float)hd);
	float mx = -ai_inff();
	for (int i = 0; i < n_kv; i++) {
		float s = sc[i] * scale;
		sc[i] = s;
		if (s > mx)
			mx = s;
	}
	double sum = vmath()->softmax(n_kv, sc, sc, mx);
	/* 1/sum scales every weight before their rounding to f16 for the f16
	 * V cache */
	vmath()->round_f16(n_kv, sc, sc, (float)(1.0 / sum));
	const ggml_half *vc = f->v_cache + ((size_t)layer * KV + (size_t)kvh * hd) * C;
	attn_dots(tr, hd, n_kv, vc, (size_t)C, sc, f->att + (size_t)t * model_q_dim(m) + (size_t)h * hd);
}

static void att_task(void *arg, int ith, int nth)
{
	struct att_job *j = arg;
	for (int h = ith; h < j->f->m->n_head; h += nth)
		for (int t = 0; t < j->n_tok; t++)
			attend(j->f, j->layer, t, j->pos + t, h);
}

/* ---- SwiGLU over all workers -------------------------------------------- */

struct swiglu_job {
	float *g;        /* (n_tok, n_ff) gate in, result out */
	const float *u;  /* (n_tok, n_ff) up */
	int n_tok, n_ff;
};

/* Each worker takes a slice of every row that starts on a 16-element
 * block, as vmath's swiglu needs; the last one also takes the row's tail. */
static void swiglu_task(void *arg, int ith, int nth)
{
	struct swiglu_job *j = arg;
	int nb = j->n_ff / VMATH_LANES;
	int c0 = nb * ith / nth * VMATH_LANES;
	int c1 = ith == nth - 1 ? j->n_ff : nb * (ith + 1) / nth * VMATH_LANES;
	for (int t = 0; t < j->n_tok; t++) {
		size_t off = (size_t)t * j->n_ff + (size_t)c0;
		vmath()->swiglu(c1 - c0, j->g + off, j->u + off);
	}
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
	int E = m->n_embd, Q = model_q_dim(m), KV = model_kv_dim(m), F = m->n_ff;

	vmath()->rmsnorm(n_tok, E, f->xb, f->x, l->attn_norm.data, m->norm_eps);
	const struct model_w *qkv[3] = { &l->wq, &l->wk, &l->wv };
	float *qkv_out[3] = { f->q, f->k, f->v };
	matmul_n(qkv, qkv_out, 3, f->xb, n_tok, f->qbuf);
	add_bias(f->q, &l->bq, n_tok, Q);
	add_bias(f->k, &l->bk, n_tok, KV);
	add_bias(f->v, &l->bv, n_tok, KV);
	for (int t = 0; t < n_tok; t++) {
		const float *cs = f->rope + (size_t)t * m->n_rot;
		vmath()->rope(f->q + (size_t)t * Q, m->n_head, m->head_dim, m->n_rot, m->rope_neox, cs);
		vmath()->rope(f->k + (size_t)t * KV, m->n_head_kv, m->head_dim, m->n_rot, m->rope_neox,
			      cs);
	}
	store_kv(f, il, n_tok, pos);

	struct att_job aj = { f, il, n_tok, pos };
	uint64_t work = (uint64_t)m->n_head * m->head_dim * (uint64_t)(pos + n_tok) * n_tok;
	if (work < FWD_SERIAL_WORK) /* not worth waking the other workers */
		att_task(&aj, 0, 1);
	else
		par_for(att_task, &aj);
	matmul(&l->wo, f->xb2, f->att, n_tok, f->qbuf);
	add_bias(f->xb2, &l->bo, n_tok, E);
	vmath()->add(n_tok * E, f->x, f->xb2);

	vmath()->rmsnorm(n_tok, E, f->xb, f->x, l->ffn_norm.data, m->norm_eps);
	const struct model_w *gu[2] = { &l->w_gate, &l->w_up };
	float *gu_out[2] = { f->hb, f->hb2 };
	matmul_n(gu, gu_out, 2, f->xb, n_tok, f->qbuf);
	struct swiglu_job sj = { f->hb, f->hb2, n_tok, F };
	if ((size_t)n_tok * F < 4096)
		swiglu_task(&sj, 0, 1);
	else
		par_for(swiglu_task, &sj);
	matmul(&l->w_down, f->xb2, f->hb, n_tok, f->qbuf);
	vmath()->add(n_tok * E, f->x, f->xb2);
}

/* Tokens [0, n_tok) at pos..; logits for the last token, or all of them. */
static void eval_batch(struct forward *f, const int32_t *tokens, int n_tok, int pos,
		       bool logits, bool all)
{
	const struct model *m = f->m;
	int E = m->n_embd;
	for (int t = 0; t < n_tok; t++) {
		matmul_get_row(&m->tok_embd, tokens[t], f->x + (size_t)t * E);
		rope_angles(m, pos + t, f->rope + (size_t)t * m->n_rot);
	}
	for (int il = 0; il < m->n_layer; il++)
		eval_layer(f, il, n_tok, pos);
	if (!logits)
		return;
	int first = all ? 0 : n_tok - 1, n_out = n_tok - first;
	vmath()->rmsnorm(n_out, E, f->xb, f->x + (size_t)first * E, m->output_norm.data, m->norm_eps);
	matmul(&m->output, f->logits, f->xb, n_out, f->qbuf);
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

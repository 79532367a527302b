/*
 * moe: the mixture-of-experts FFN (qwen3moe), computed as llama.cpp's
 * build_moe_ffn on its CPU backend:
 *   probs   = softmax(ffn_gate_inp x)                  (n_expert)
 *   chosen  = the n_expert_used largest, largest first
 *   w_s     = probs[chosen_s] / sum_s probs[chosen_s]  (the sum in double,
 *             clamped below at 2^-14; expert_norm)
 *   out     = sum_s w_s down_e(silu(gate_e x) * up_e x), e = chosen_s,
 *             each product rounded, then added in the order of s.
 * Every (token, chosen expert) pair gets a row; the rows are grouped by
 * expert, so each expert's matrices are read once per batch for all the
 * tokens that chose it (one token: its n_expert_used experts only), and
 * the products of all experts of a layer run in one pass of the workers
 * (matmul_segs).
 */
#include <string.h>

#include "ai/aimath.h"
#include "ai/forward_impl.h"
#include "ai/vmath.h"

/* Router probabilities of one token (ggml_soft_max: e^(x - max) with the
 * sum in double, then each times (float)(1 / sum)), the n_used largest
 * (ties: the lower expert first) and their weights. */
static void route(const struct model *m, float *p, int32_t *chosen, float *w)
{
	int X = m->n_expert, K = m->n_expert_used;
	float mx = -ai_inff();
	for (int e = 0; e < X; e++)
		if (p[e] > mx)
			mx = p[e];
	float inv = (float)(1.0 / vmath()->softmax(X, p, p, mx));
	for (int e = 0; e < X; e++)
		p[e] *= inv;
	for (int s = 0; s < K; s++) {
		int best = -1;
		for (int e = 0; e < X; e++) {
			bool taken = false;
			for (int r = 0; r < s && !taken; r++)
				taken = chosen[r] == e;
			if (!taken && (best < 0 || p[e] > p[best]))
				best = e;
		}
		chosen[s] = best;
		w[s] = p[best];
	}
	if (m->expert_norm) {
		double sum = 0;
		for (int s = 0; s < K; s++)
			sum += (double)w[s];
		float d = (float)sum;
		if (d < 6.103515625e-5f) /* ggml_clamp */
			d = 6.103515625e-5f;
		for (int s = 0; s < K; s++)
			w[s] /= d;
	}
	if (m->expert_scale != 1.0f)
		for (int s = 0; s < K; s++)
			w[s] *= m->expert_scale;
}

/* Rows of the pairs grouped by expert, tokens in order within an expert:
 * first[e] .. first[e + 1] - 1 are expert e's. */
static void group_pairs(struct forward *f, int n_tok)
{
	int X = f->m->n_expert, K = f->m->n_expert_used;
	int32_t *first = f->first;
	memset(first, 0, (size_t)(X + 1) * sizeof *first);
	for (int i = 0; i < n_tok * K; i++)
		first[f->chosen[i] + 1]++;
	for (int e = 0; e < X; e++)
		first[e + 1] += first[e];
	/* hand out rows, moving each first[e] to the end of its group... */
	for (int i = 0; i < n_tok * K; i++)
		f->pair_row[i] = first[f->chosen[i]]++;
	/* ...and back */
	for (int e = X; e > 0; e--)
		first[e] = first[e - 1];
	first[0] = 0;
}

/* One segment per expert that has rows: rows [first[e], first[e + 1]) of
 * the input times expert e of w into y (rows of w's expert height). With
 * one token every pair reads input row 0. */
static int expert_segs(const struct forward *f, struct matmul_seg *segs, const struct model_w *w,
		       float *y, bool one_row)
{
	const struct model *m = f->m;
	int n = 0;
	for (int e = 0; e < m->n_expert; e++) {
		int r0 = f->first[e], nr = f->first[e + 1] - r0;
		if (!nr)
			continue;
		struct matmul_seg *s = &segs[n++];
		memset(s, 0, sizeof *s);
		s->w = model_expert(w, m->n_expert, e);
		s->y = y + (size_t)r0 * (size_t)s->w.n_out;
		s->x_row = one_row ? 0 : r0;
		s->n_tok = nr;
	}
	return n;
}

void moe_ffn(struct forward *f, int il, int n_tok)
{
	const struct model *m = f->m;
	const struct model_layer *l = &m->layers[il];
	int E = m->n_embd, X = m->n_expert, K = m->n_expert_used, FX = m->n_ff_exp;
	int P = n_tok * K;

	matmul(&l->ffn_gate_inp, f->probs, f->xb, n_tok, f->qbuf);
	for (int t = 0; t < n_tok; t++)
		route(m, f->probs + (size_t)t * X, f->chosen + (size_t)t * K, f->weight + (size_t)t * K);
	group_pairs(f, n_tok);

	/* gate and up of every chosen expert in one pass */
	const float *x = f->xb;
	if (n_tok > 1) {
		for (int i = 0; i < P; i++)
			memcpy(f->px + (size_t)f->pair_row[i] * E, f->xb + (size_t)(i / K) * E,
			       (size_t)E * sizeof(float));
		x = f->px;
	}
	int ns = expert_segs(f, f->segs, &l->gate_exps, f->pg, n_tok == 1);
	ns += expert_segs(f, f->segs + ns, &l->up_exps, f->pu, n_tok == 1);
	matmul_segs(f->segs, ns, x, n_tok == 1 ? 1 : P, f->qbuf);
	forward_glu(m, f->pg, f->pu, P, FX);
	ns = expert_segs(f, f->segs, &l->down_exps, f->pd, false);
	matmul_segs(f->segs, ns, f->pg, P, f->qbuf);

	/* each expert's output times its weight, summed in the order chosen */
	for (int t = 0; t < n_tok; t++) {
		float *acc = f->xb2 + (size_t)t * E;
		const float *w = f->weight + (size_t)t * K;
		const int32_t *row = f->pair_row + (size_t)t * K;
		const float *d = f->pd + (size_t)row[0] * E;
		for (int i = 0; i < E; i++)
			acc[i] = d[i] * w[0];
		for (int s = 1; s < K; s++) {
			d = f->pd + (size_t)row[s] * E;
			for (int i = 0; i < E; i++) {
				float p = d[i] * w[s];
				acc[i] += p;
			}
		}
	}
	vmath()->add(n_tok * E, f->x, f->xb2);
}

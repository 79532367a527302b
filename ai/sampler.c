/* sampler: penalties, top-k/top-p/min-p, temperature and a seeded PCG32 draw. */
#include "ai/sampler.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"

struct cand {
	float logit;
	int32_t id;
};

struct sampler {
	struct sampler_params p;
	int n_vocab;
	struct cand *c;     /* (n_vocab) working candidates */
	int32_t *hist;      /* (repeat_last_n) ring of recent tokens */
	int hist_cap, hist_n, hist_pos;
	uint8_t *seen;      /* (n_vocab) marks while applying the penalty */
	struct pcg32 rng;
};

void pcg32_seed(struct pcg32 *r, uint64_t seed)
{
	r->state = 0;
	r->inc = (0xda3e39cb94b95bdbull << 1) | 1;
	pcg32_next(r);
	r->state += seed;
	pcg32_next(r);
}

uint32_t pcg32_next(struct pcg32 *r)
{
	uint64_t old = r->state;
	r->state = old * 6364136223846793005ull + r->inc;
	uint32_t xs = (uint32_t)(((old >> 18) ^ old) >> 27);
	uint32_t rot = (uint32_t)(old >> 59);
	return (xs >> rot) | (xs << ((-rot) & 31));
}

void sampler_defaults(struct sampler_params *p)
{
	p->temp = 0.8f;
	p->top_k = 40;
	p->top_p = 0.95f;
	p->min_p = 0.05f;
	p->repeat_penalty = 1.0f;
	p->repeat_last_n = 64;
	p->seed = 0;
}

struct sampler *sampler_new(const struct sampler_params *p, int n_vocab)
{
	if (n_vocab < 1)
		return NULL;
	struct sampler *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->n_vocab = n_vocab;
	s->c = malloc((size_t)n_vocab * sizeof *s->c);
	s->seen = calloc((size_t)n_vocab, 1);
	if (!s->c || !s->seen)
		goto fail;
	sampler_set_params(s, p);
	if (s->hist_cap && !s->hist)
		goto fail;
	return s;
fail:
	sampler_free(s);
	return NULL;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	free(s->c);
	free(s->seen);
	free(s->hist);
	free(s);
}

void sampler_reset(struct sampler *s)
{
	s->hist_n = s->hist_pos = 0;
	pcg32_seed(&s->rng, s->p.seed);
}

void sampler_set_params(struct sampler *s, const struct sampler_params *p)
{
	int cap = p->repeat_last_n > 0 ? p->repeat_last_n : 0;
	s->p = *p;
	if (cap != s->hist_cap) {
		int32_t *h = cap ? malloc((size_t)cap * sizeof *h) : NULL;
		free(s->hist);
		s->hist = h;
		s->hist_cap = h ? cap : 0;
		s->hist_n = s->hist_pos = 0;
	}
	pcg32_seed(&s->rng, p->seed);
}

void sampler_accept(struct sampler *s, int32_t token)
{
	if (!s->hist_cap)
		return;
	s->hist[s->hist_pos] = token;
	s->hist_pos = (s->hist_pos + 1) % s->hist_cap;
	if (s->hist_n < s->hist_cap)
		s->hist_n++;
}

/* a ranks before b: larger logit, then smaller id (a total order). */
static bool better(const struct cand *a, const struct cand *b)
{
	return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

/* Min-heap on `better` (root = worst kept candidate). */
static void sift_down(struct cand *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, w = i;
		if (l < n && better(&h[w], &h[l]))
			w = l;
		if (r < n && better(&h[w], &h[r]))
			w = r;
		if (w == i)
			return;
		struct cand t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

/* Move the k best of c[0..n) to c[0..k), best first. */
static void top_k_sorted(struct cand *c, int n, int k)
{
	for (int i = k / 2 - 1; i >= 0; i--)
		sift_down(c, k, i);
	for (int i = k; i < n; i++) {
		if (better(&c[i], &c[0])) {
			c[0] = c[i];
			sift_down(c, k, 0);
		}
	}
	/* heap sort: repeatedly move the worst to the end */
	for (int end = k - 1; end > 0; end--) {
		struct cand t = c[0];
		c[0] = c[end];
		c[end] = t;
		sift_down(c, end, 0);
	}
}

static void apply_penalty(struct sampler *s)
{
	float pen = s->p.repeat_penalty;
	if (pen == 1.0f || s->hist_n == 0)
		return;
	for (int i = 0; i < s->hist_n; i++) {
		int32_t id = s->hist[i];
		if (id < 0 || id >= s->n_vocab || s->seen[id])
			continue;
		s->seen[id] = 1;
		float *l = &s->c[id].logit;
		*l = *l <= 0 ? *l * pen : *l / pen;
	}
	for (int i = 0; i < s->hist_n; i++) {
		int32_t id = s->hist[i];
		if (id >= 0 && id < s->n_vocab)
			s->seen[id] = 0;
	}
}

int32_t sampler_sample(struct sampler *s, const float *logits)
{
	int n = s->n_vocab;
	struct cand *c = s->c;
	for (int i = 0; i < n; i++) {
		c[i].logit = logits[i];
		c[i].id = i;
	}
	apply_penalty(s);
	if (s->p.temp <= 0) {
		int best = 0;
		for (int i = 1; i < n; i++)
			if (c[i].logit > c[best].logit)
				best = i;
		return c[best].id;
	}
	int k = s->p.top_k > 0 && s->p.top_k < n ? s->p.top_k : n;
	top_k_sorted(c, n, k);
	n = k;
	float mx = c[0].logit;
	if (s->p.top_p < 1.0f) {
		double sum = 0, cum = 0;
		for (int i = 0; i < n; i++)
			sum += ai_expf(c[i].logit - mx);
		for (int i = 0; i < n; i++) {
			cum += ai_expf(c[i].logit - mx) / sum;
			if (cum >= s->p.top_p) {
				n = i + 1;
				break;
			}
		}
	}
	if (s->p.min_p > 0.0f) {
		float min_logit = mx + ai_logf(s->p.min_p);
		int keep = 1;
		while (keep < n && c[keep].logit >= min_logit)
			keep++;
		n = keep;
	}
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += ai_expf((c[i].logit - mx) / s->p.temp);
	double r = (double)(pcg32_next(&s->rng) >> 8) * (1.0 / 16777216.0) * sum;
	double cum = 0;
	for (int i = 0; i < n; i++) {
		cum += ai_expf((c[i].logit - mx) / s->p.temp);
		if (r < cum)
			return c[i].id;
	}
	return c[n - 1].id;
}

/*
 * libFuzzer harness for the sampler (ai/sampler.c) with hostile settings
 * and logits: the parameters come as raw bits (NaN, inf, negative,
 * huge), as the options' parser never passes them but a caller could,
 * or (byte 0 bit 0) clamped to the ranges of ai/genopt.c's table, as the
 * shell and the API pass them; the logits are raw floats of the input
 * (NaN, inf, denormals), the history tokens are any int32 (out of the
 * vocabulary too). Checks: every sampled id is in the vocabulary; the same
 * seed and history give the same ids after sampler_reset; the same
 * logits sampled greedily give their argmax when they hold no NaN.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/genopt.h"
#include "ai/sampler.h"

struct rd {
	const uint8_t *p;
	size_t n, at;
};

static uint32_t take32(struct rd *r)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | (r->at < r->n ? r->p[r->at++] : 0);
	return v;
}

static float takef(struct rd *r)
{
	uint32_t u = take32(r);
	float f;
	memcpy(&f, &u, 4);
	return f;
}

/* x clamped into the option's range (NaN: its low end) */
static double clamp_opt(const char *key, double x)
{
	const struct genopt *o = genopt_find(key);
	if (!(x >= o->lo))
		return o->lo;
	return x > o->hi ? o->hi : x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct rd r = { data, size, 1 };
	bool sane = data[0] & 1;
	int n_vocab = 1 + data[0] / 2 % 100;
	struct sampler_params p;
	sampler_defaults(&p);
	p.temp = takef(&r);
	p.top_k = (int32_t)take32(&r);
	p.top_p = takef(&r);
	p.min_p = takef(&r);
	p.repeat_penalty = takef(&r);
	p.repeat_last_n = (int32_t)(take32(&r) % 4096) - 16; /* negative too; the table allows 1<<20 */
	p.seed = (uint64_t)take32(&r) << 32 | take32(&r);
	if (sane) {
		p.temp = (float)clamp_opt("temp", p.temp);
		p.top_k = (int)clamp_opt("top-k", p.top_k);
		p.top_p = (float)clamp_opt("top-p", p.top_p);
		p.min_p = (float)clamp_opt("min-p", p.min_p);
		p.repeat_penalty = (float)clamp_opt("repeat-penalty", p.repeat_penalty);
		p.repeat_last_n = (int)clamp_opt("repeat-last-n", p.repeat_last_n);
	}
	struct sampler *s = sampler_new(&p, n_vocab);
	if (!s)
		return 0;
	float *logits = malloc((size_t)n_vocab * sizeof *logits);
	for (int i = 0; i < n_vocab; i++)
		logits[i] = takef(&r);
	int32_t hist[16];
	int nh = (int)(take32(&r) % 17);
	for (int i = 0; i < nh; i++) {
		hist[i] = (int32_t)take32(&r);
		if (hist[i] & 0x100)
			hist[i] &= 0xff; /* often inside the vocabulary */
		sampler_accept(s, hist[i]);
	}
	int32_t ids[8];
	for (int i = 0; i < 8; i++) {
		ids[i] = sampler_sample(s, logits);
		if (ids[i] < 0 || ids[i] >= n_vocab)
			abort();
	}
	/* again from the start: the same draws */
	sampler_reset(s);
	for (int i = 0; i < nh; i++)
		sampler_accept(s, hist[i]);
	for (int i = 0; i < 8; i++)
		if (sampler_sample(s, logits) != ids[i])
			abort();
	/* greedy, no penalty: the argmax (first of ties) of NaN-free logits */
	struct sampler_params g = p;
	g.temp = 0;
	g.repeat_penalty = 1;
	sampler_set_params(s, &g);
	int best = 0;
	bool nan = false;
	for (int i = 0; i < n_vocab; i++) {
		nan |= logits[i] != logits[i];
		if (logits[i] > logits[best])
			best = i;
	}
	if (!nan && sampler_sample(s, logits) != best)
		abort();
	/* new parameters mid-way (the history ring resized) */
	p.repeat_last_n = (int)(take32(&r) % 64);
	sampler_set_params(s, &p);
	sampler_accept(s, n_vocab - 1);
	int32_t id = sampler_sample(s, logits);
	if (id < 0 || id >= n_vocab)
		abort();
	free(logits);
	sampler_free(s);
	return 0;
}

/* Unit tests of the engine's own math (ai/aimath.c) and sampler
 * (ai/sampler.c): accuracy against libm in double, sampler semantics and
 * determinism. Prints PASS/FAIL lines; exit status 1 if any failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/forward.h"
#include "ai/sampler.h"

static int failed;

static void check(int ok, const char *name, const char *detail)
{
	printf("%s: %s%s%s%s\n", ok ? "PASS" : "FAIL", name, detail && *detail ? " (" : "",
	       detail ? detail : "", detail && *detail ? ")" : "");
	if (!ok)
		failed = 1;
}

/* Distance in ulps between two floats of the same sign. */
static long ulps(float a, float b)
{
	if (a == b || (isnan(a) && isnan(b)))
		return 0;
	int32_t ia, ib;
	memcpy(&ia, &a, 4);
	memcpy(&ib, &b, 4);
	if ((ia < 0) != (ib < 0))
		return 1L << 30;
	return labs((long)ia - (long)ib);
}

static uint32_t lcg(uint32_t *s)
{
	return *s = *s * 1664525u + 1013904223u;
}

/* Max ulp error of f against ref over n pseudo-random arguments in [lo, hi]. */
static long sweep(float (*f)(float), double (*ref)(double), float lo, float hi, int n, float *worst)
{
	uint32_t s = 7;
	long mx = 0;
	for (int i = 0; i < n; i++) {
		float x = lo + (hi - lo) * (float)((lcg(&s) >> 8) * (1.0 / 16777216.0));
		long u = ulps(f(x), (float)ref(x));
		if (u > mx) {
			mx = u;
			*worst = x;
		}
	}
	return mx;
}

static double powf_10000(double e) { return pow(10000.0, e); }
static float ai_powf_10000(float e) { return ai_powf(10000.0f, e); }

/* Each function against libm over a range: the most ulps it may be off. */
static const struct {
	const char *name;
	float (*f)(float);
	double (*ref)(double);
	float lo, hi;
	int n;
	long max_ulp;
} sweeps[] = {
	{"aimath-expf", ai_expf, exp, -87, 88, 200000, 1},
	{"aimath-logf", ai_logf, log, 1e-30f, 1e30f, 200000, 1},
	{"aimath-sinf", ai_sinf, sin, -3000, 3000, 200000, 1},
	{"aimath-cosf", ai_cosf, cos, -3000, 3000, 200000, 1},
	{"aimath-tanhf", ai_tanhf, tanh, -10, 10, 200000, 2},
	{"aimath-powf", ai_powf_10000, powf_10000, -1, 0, 100000, 1},
};

static void test_math(void)
{
	char d[128];
	for (size_t i = 0; i < sizeof sweeps / sizeof sweeps[0]; i++) {
		float w = 0;
		long u = sweep(sweeps[i].f, sweeps[i].ref, sweeps[i].lo, sweeps[i].hi, sweeps[i].n, &w);
		snprintf(d, sizeof d, "max %ld ulp at %g", u, (double)w);
		check(u <= sweeps[i].max_ulp, sweeps[i].name, d);
	}
	int ok = ai_powf(-2.0f, 3.0f) == -8.0f && ai_powf(-2.0f, 2.0f) == 4.0f &&
		 isnan(ai_powf(-2.0f, 0.5f)) && ai_powf(0.0f, 2.0f) == 0.0f &&
		 isinf(ai_powf(0.0f, -1.0f)) && ai_powf(5.0f, 0.0f) == 1.0f &&
		 ai_expf(100.0f) == INFINITY && ai_expf(-200.0f) == 0.0f &&
		 ai_logf(0.0f) == -INFINITY && isnan(ai_logf(-1.0f)) &&
		 ai_sqrtf(2.0f) == sqrtf(2.0f) && ai_siluf(0.0f) == 0.0f;
	check(ok, "aimath-special-values", "");
	/* RoPE-like angles: position * base^(-2i/d), exactly as glibc would round */
	long bad = 0;
	for (int p = 0; p < 4096; p += 7)
		for (int i = 0; i < 64; i++) {
			float th = (float)p * ai_powf(10000.0f, -(float)i / 64.0f);
			float s, c;
			ai_sincosf(th, &s, &c);
			bad += ulps(s, (float)sin(th)) > 1 || ulps(c, (float)cos(th)) > 1;
		}
	snprintf(d, sizeof d, "%ld angles off by more than 1 ulp", bad);
	check(bad == 0, "aimath-rope-angles", d);

	/* every float exponent: the full range reduction against glibc's
	 * (which reduces exactly too); the angle of the fuzzer's finding */
	uint32_t st = 11;
	long worst = 0;
	float wx = 0;
	for (int i = 0; i < 400000; i++) {
		uint32_t bits = lcg(&st) & 0x7fffffff;
		float x, s, c;
		memcpy(&x, &bits, 4);
		if (!isfinite(x))
			continue;
		x = (i & 1) ? -x : x;
		ai_sincosf(x, &s, &c);
		long us = ulps(s, (float)sin(x)), uc = ulps(c, (float)cos(x));
		if (us > worst || uc > worst)
			worst = us > uc ? us : uc, wx = x;
	}
	snprintf(d, sizeof d, "max %ld ulp at %g", worst, (double)wx);
	check(worst <= 1, "aimath-sincos-full-range", d);
	float s1, c1, s2, c2;
	ai_sincosf(6.42785e21f, &s1, &c1);
	ai_sincosf(-3.4028235e38f, &s2, &c2);
	ok = ulps(s1, (float)sin(6.42785e21f)) <= 1 && ulps(c1, (float)cos(6.42785e21f)) <= 1 &&
	     ulps(s2, (float)sin(-3.4028235e38f)) <= 1 && ulps(c2, (float)cos(-3.4028235e38f)) <= 1;
	ai_sincosf(INFINITY, &s1, &c1);
	ai_sincosf(NAN, &s2, &c2);
	ok = ok && isnan(s1) && isnan(c1) && isnan(s2) && isnan(c2) &&
	     ai_powf(-1.0f, INFINITY) == 1.0f && isnan(ai_expf(NAN)) && ai_expf(-INFINITY) == 0 &&
	     ai_tanhf(INFINITY) == 1.0f && isnan(ai_logf(NAN)) && ai_logf(INFINITY) == INFINITY;
	check(ok, "aimath-huge-nan-inf", "");
}

/* True when n draws from s over logits l never give token tok. */
static int never_draws(struct sampler *s, const float *l, int tok, int n)
{
	int ok = 1;
	for (int i = 0; i < n; i++)
		ok &= sampler_sample(s, l) != tok;
	return ok;
}

static struct sampler *mk(float temp, int top_k, float top_p, float min_p, float pen, uint64_t seed, int nv)
{
	struct sampler_params p;
	sampler_defaults(&p);
	p.temp = temp;
	p.top_k = top_k;
	p.top_p = top_p;
	p.min_p = min_p;
	p.repeat_penalty = pen;
	p.seed = seed;
	return sampler_new(&p, nv);
}

static void test_sampler(void)
{
	char d[160];
	float l[8] = { 1, 3, 3, -2, 0.5f, 2.9f, -1, 0 };
	struct sampler *s = mk(0, 40, 1, 0, 1, 0, 8);
	check(s && sampler_sample(s, l) == 1, "sampler-greedy-tie-lowest-id", "");
	sampler_free(s);

	/* repetition penalty: 3/1.5 = 2 < 2.9, so after seeing 1 and 2 it picks 5 */
	s = mk(0, 40, 1, 0, 1.5f, 0, 8);
	sampler_accept(s, 1);
	sampler_accept(s, 2);
	check(sampler_sample(s, l) == 5, "sampler-repeat-penalty", "");
	sampler_free(s);

	/* top-k 1 / min-p 1 / tiny top-p: always the argmax, whatever the
	 * temperature (min-p keeps exact ties: l2 has none) */
	float l2[8] = { 1, 3, 2.95f, -2, 0.5f, 2.9f, -1, 0 };
	int ok = 1;
	struct sampler *a = mk(5, 1, 1, 0, 1, 9, 8), *b = mk(5, 0, 1, 1.0f, 1, 9, 8);
	struct sampler *c = mk(5, 0, 1e-6f, 0, 1, 9, 8);
	for (int i = 0; i < 200; i++)
		ok &= sampler_sample(a, l2) == 1 && sampler_sample(b, l2) == 1 && sampler_sample(c, l2) == 1;
	check(ok, "sampler-topk1-minp1-topp0", "");
	sampler_free(a);
	sampler_free(b);
	sampler_free(c);

	/* top-k 3 never leaves the three best (1, 2, 5) */
	s = mk(10, 3, 1, 0, 1, 5, 8);
	ok = 1;
	for (int i = 0; i < 2000; i++) {
		int t = sampler_sample(s, l);
		ok &= t == 1 || t == 2 || t == 5;
	}
	check(ok, "sampler-top-k", "");
	sampler_free(s);

	/* a plain draw follows the softmax: p = 0.5, 0.3, 0.2 */
	float q[3] = { logf(0.5f), logf(0.3f), logf(0.2f) };
	s = mk(1, 0, 1, 0, 1, 123, 3);
	int cnt[3] = { 0 };
	int n = 30000;
	for (int i = 0; i < n; i++)
		cnt[sampler_sample(s, q)]++;
	double f0 = cnt[0] / (double)n, f1 = cnt[1] / (double)n, f2 = cnt[2] / (double)n;
	snprintf(d, sizeof d, "%.3f %.3f %.3f", f0, f1, f2);
	check(fabs(f0 - 0.5) < 0.015 && fabs(f1 - 0.3) < 0.015 && fabs(f2 - 0.2) < 0.015,
	      "sampler-distribution", d);
	/* top-p 0.75 keeps 0.5 + 0.3: token 2 never drawn */
	struct sampler_params p;
	sampler_defaults(&p);
	p.temp = 1;
	p.top_k = 0;
	p.min_p = 0;
	p.top_p = 0.75f;
	sampler_set_params(s, &p);
	check(never_draws(s, q, 2, 5000), "sampler-top-p", "");
	/* min-p 0.5: keep p >= 0.25 -> tokens 0 and 1 */
	p.top_p = 1;
	p.min_p = 0.5f;
	sampler_set_params(s, &p);
	check(never_draws(s, q, 2, 5000), "sampler-min-p", "");
	sampler_free(s);

	/* same seed, same sequence; reset restarts it */
	a = mk(0.8f, 40, 0.95f, 0.05f, 1.1f, 77, 8);
	b = mk(0.8f, 40, 0.95f, 0.05f, 1.1f, 77, 8);
	int sa[64], sb[64];
	ok = 1;
	for (int i = 0; i < 64; i++) {
		sa[i] = sampler_sample(a, l);
		sb[i] = sampler_sample(b, l);
		sampler_accept(a, sa[i]);
		sampler_accept(b, sb[i]);
		ok &= sa[i] == sb[i];
	}
	sampler_reset(a);
	for (int i = 0; i < 64; i++) {
		int t = sampler_sample(a, l);
		sampler_accept(a, t);
		ok &= t == sa[i];
	}
	check(ok, "sampler-seed-deterministic", "");
	sampler_free(a);
	sampler_free(b);

	struct pcg32 r1, r2;
	pcg32_seed(&r1, 1);
	pcg32_seed(&r2, 2);
	ok = pcg32_next(&r1) != pcg32_next(&r2);
	check(ok, "pcg32-seeds-differ", "");
}

/* forward_bytes grows with the context; forward_max_ctx inverts it. */
static void test_sizing(void)
{
	struct model m;
	static struct model_layer layers[22]; /* no sliding windows */
	memset(&m, 0, sizeof m);
	m.layers = layers;
	m.n_embd = 2048;
	m.n_ff = 5632;
	m.n_layer = 22;
	m.n_head = 32;
	m.n_head_kv = 4;
	m.head_dim = 64;
	m.n_rot = 64;
	m.n_vocab = 32000;
	size_t b1000 = forward_bytes(&m, 1000, 64), b1001 = forward_bytes(&m, 1001, 64);
	/* KV cache: 2 (K, V) * 22 layers * 256 kv_dim * 2 bytes = 22528 bytes per position */
	int ok = b1001 > b1000 && b1001 - b1000 >= 22528 && b1001 - b1000 < 22528 + 1024;
	ok &= forward_max_ctx(&m, 4096, 64, b1000) == 1000;
	ok &= forward_max_ctx(&m, 500, 64, b1000) == 500;
	ok &= forward_max_ctx(&m, 4096, 64, 1000) == 0;
	char d[96];
	snprintf(d, sizeof d, "%zu bytes at 1000, +%zu per position", b1000, b1001 - b1000);
	check(ok, "forward-sizing", d);
}

int main(void)
{
	test_math();
	test_sampler();
	test_sizing();
	return failed;
}

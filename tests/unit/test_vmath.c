/* Unit test of ai/vmath (ggml's vector exp, softmax and SwiGLU).
 *
 *   expf model     vmath_expf equals ggml_v_expf of an AVX-512 build as
 *                  modelled here with libm (fmaf for each vfmadd, ldexpf for
 *                  vscalefps), on every 4093rd float bit pattern (1M values)
 *   expf accuracy  within 2.5 ulp of e^x where the result is normal (ggml
 *                  quotes 1.45 ulp + 0.5 for Arm's variant; this one reaches 2.2)
 *   expf edges     0 and inf beyond the range, -inf, subnormal results
 *   levels         softmax and swiglu at every kernel level this CPU runs
 *                  give the scalar reference's bits (weights, sum, products)
 *                  for row lengths with and without a short last block, on
 *                  values that reach every path: normal, subnormal, 0, inf
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/quant.h"
#include "ai/vmath.h"
#include "tests/unit/check.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static float frand(void) /* [-1, 1) */
{
	return (float)((double)rnd() / 2147483648.0 - 1.0);
}

static uint32_t bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, 4);
	return u;
}

/* bit-identical, any NaN matching any NaN (inf - inf, inf * 0) */
static bool same(const float *a, const float *b, int n)
{
	for (int i = 0; i < n; i++)
		if (bits(a[i]) != bits(b[i]) && !(isnan(a[i]) && isnan(b[i])))
			return false;
	return true;
}

static float from_bits(uint32_t u)
{
	float x;
	memcpy(&x, &u, 4);
	return x;
}

/* ggml_v_expf (AVX-512) for one lane, in libm terms */
static float model_expf(float x)
{
	float z = fmaf(x, VMATH_LOG2E, VMATH_SHIFT);
	float n = z - VMATH_SHIFT;
	float b = fmaf(-n, VMATH_LN2_LO, fmaf(-n, VMATH_LN2_HI, x));
	float u = b * b;
	float j = fmaf(fmaf(fmaf(VMATH_C5, b, VMATH_C4), u, fmaf(VMATH_C3, b, VMATH_C2)), u,
		       fmaf(VMATH_C1, b, 1.0f));
	if (fabsf(n) > VMATH_N_FAR)
		return n <= 0 ? 0.0f : INFINITY;
	return ldexpf(j, (int)n);
}

static void test_expf_model(void)
{
	long n = 0, bad = 0;
	for (uint64_t u = 0; u < (1ull << 32); u += 4093) {
		float x = from_bits((uint32_t)u);
		if (isnan(x))
			continue;
		n++;
		if (bits(vmath_expf(x)) != bits(model_expf(x)) && !bad++)
			printf("expf(%a): %a, model %a\n", x, vmath_expf(x), model_expf(x));
	}
	check(bad == 0, "vmath expf model (%ld of %ld floats differ)", bad, n);
}

static void test_expf_accuracy(void)
{
	double worst = 0, at = 0;
	for (int i = 0; i <= 1000000; i++) {
		float x = -87.0f + 175.0f * (float)i / 1000000.0f;
		double e = exp((double)x);
		double ulp = ldexp(1.0, ilogb(e) - 23);
		double err = fabs((double)vmath_expf(x) - e) / ulp;
		if (err > worst)
			worst = err, at = x;
	}
	check(worst < 2.5, "vmath expf accuracy (worst %.3f ulp at %g)", worst, at);
}

static void test_expf_edges(void)
{
	float e100 = vmath_expf(-100.0f); /* 3.7e-44: a subnormal */
	check(vmath_expf(0.0f) == 1.0f && vmath_expf(-0.0f) == 1.0f &&
		      vmath_expf(89.0f) == INFINITY && vmath_expf(1e30f) == INFINITY &&
		      vmath_expf(INFINITY) == INFINITY && vmath_expf(-104.0f) == 0.0f &&
		      vmath_expf(-1e30f) == 0.0f && vmath_expf(-INFINITY) == 0.0f &&
		      e100 > 0 && fabs(e100 - exp(-100.0)) <= ldexp(1.0, -149) &&
		      isnan(vmath_expf(NAN)),
	      "vmath expf edges");
}

/* x: mostly in [-scale, scale], some at edges of the exp's paths */
static void fill(float *x, int n, float scale)
{
	static const float edge[] = { 0.0f, -0.0f, 87.0f, 88.5f, -87.5f, -90.0f, -103.5f,
				      -110.0f, -140.0f, 140.0f, 1e30f, -1e30f, INFINITY,
				      -INFINITY, 1e-40f, -1e-40f };
	int n_edge = (int)(sizeof edge / sizeof edge[0]);
	for (int i = 0; i < n; i++) {
		uint32_t r = rnd() % 16;
		x[i] = r == 0 ? edge[rnd() % n_edge] : frand() * scale;
	}
}

static void test_levels(int max_level)
{
	enum { N_MAX = 5632 + 15 };
	static const int lens[] = { 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 100, 255, 256, 1000,
				    5632, 5632 + 15 };
	static const float scales[] = { 1.0f, 10.0f, 100.0f, 200.0f };
	static float x[N_MAX], y0[N_MAX], y[N_MAX], g0[N_MAX], g[N_MAX], u[N_MAX];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad_sm = 0, bad_sw = 0, runs = 0;
		for (int rep = 0; rep < 20; rep++)
			for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
				for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++) {
					int n = lens[li];
					fill(x, n, scales[si]);
					float mx = -INFINITY;
					for (int i = 0; i < n; i++)
						if (x[i] > mx && x[i] != INFINITY)
							mx = x[i];
					if (mx == -INFINITY)
						mx = 0;
					double s0 = ref->softmax(n, y0, x, mx);
					double s = o->softmax(n, y, x, mx);
					if (memcmp(&s0, &s, sizeof s) || !same(y0, y, n))
						bad_sm++;
					fill(g0, n, scales[si]);
					fill(u, n, 4.0f);
					memcpy(g, g0, (size_t)n * 4);
					ref->swiglu(n, g0, u);
					o->swiglu(n, g, u);
					if (!same(g0, g, n))
						bad_sw++;
					runs++;
				}
		check(bad_sm == 0, "vmath softmax %s = scalar (%d of %d rows differ)",
		      quant_level_name(lv), bad_sm, runs);
		check(bad_sw == 0, "vmath swiglu %s = scalar (%d of %d rows differ)",
		      quant_level_name(lv), bad_sw, runs);
	}
}

int main(int argc, char **argv)
{
	int max_level = quant_init(argc > 1 ? atoi(argv[1]) : QUANT_AVX512);
	test_expf_model();
	test_expf_accuracy();
	test_expf_edges();
	test_levels(max_level);
	return n_fail ? 1 : 0;
}

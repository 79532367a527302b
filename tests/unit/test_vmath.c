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
 *   f16            to_f16 and round_f16 at every level = fp32_to_fp16 (and
 *                  back) on every 251st float bit pattern, NaNs included,
 *                  and on both sides of every halfway point between halves
 *   rope           every level = the scalar ai_fmaf reference, NeoX and
 *                  interleaved, full and partial rotation, odd sizes
 *   f16 dots       every level = the sequential double sums of the
 *                  reference, for row counts and lengths around the blocks
 *   rmsnorm, add   every level = the reference, rows and lengths likewise
 *   geglu          gelu(g) * u at f16 inputs equals entries of ggml's own
 *                  table (ggml_table_gelu_f16 as libggml-cpu.so of the 2026
 *                  llama.cpp fills it; the whole table matched when this was
 *                  written), and the -10 / 10 cut-offs
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/quant.h"
#include "ai/vmath.h"
#include "tests/unit/check.h"
#define TEST_RNG_SEED 0x9e3779b97f4a7c15ull
#include "tests/unit/rng.h"


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

/* n floats from bit patterns: 'first' and every 251st after it */
static void fill_bits(float *x, int n, uint64_t *next)
{
	for (int i = 0; i < n; i++, *next += 251)
		x[i] = from_bits((uint32_t)*next);
}

/* to_f16 and round_f16 (scale 1 and 1/3) at level lv against the scalar
 * reference on n values of x, in rows of every length mod 16. */
static int f16_rows_bad(const struct vmath_ops *o, const float *x, int n)
{
	enum { ROW = 4096 + 15 };
	static ggml_half h0[ROW], h[ROW];
	static float y0[ROW], y[ROW];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	int bad = 0;
	for (int i = 0, len = 4096; i < n; i += len, len = 4096 + (len + 1) % 16) {
		int m = n - i < len ? n - i : len;
		ref->to_f16(m, h0, x + i);
		o->to_f16(m, h, x + i);
		bad += memcmp(h0, h, (size_t)m * 2) != 0;
		for (int k = 0; k < 2; k++) {
			float sc = k ? 1.0f / 3.0f : 1.0f;
			ref->round_f16(m, y0, x + i, sc);
			memcpy(y, x + i, (size_t)m * 4);
			o->round_f16(m, y, y, sc); /* in place, as attention uses it */
			bad += memcmp(y0, y, (size_t)m * 4) != 0;
		}
	}
	return bad;
}

static void test_f16(int max_level)
{
	enum { N = 1 << 16 };
	static float x[3 * N];
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad = 0;
		for (uint64_t next = 0; next < (1ull << 32);) {
			fill_bits(x, N, &next);
			bad += f16_rows_bad(o, x, N);
		}
		/* below, at and above each halfway point between neighbour halves */
		for (uint32_t hb = 0; hb < N; hb++) {
			float a = fp16_to_fp32((ggml_half)hb), b = fp16_to_fp32((ggml_half)(hb + 1));
			uint32_t mid = bits((float)(((double)a + (double)b) / 2));
			for (int k = 0; k < 3; k++)
				x[3 * hb + k] = from_bits(mid - 1 + (uint32_t)k);
		}
		bad += f16_rows_bad(o, x, 3 * N);
		check(bad == 0, "vmath to_f16, round_f16 %s = scalar (%d rows differ)",
		      quant_level_name(lv), bad);
	}
}

static void test_rope(int max_level)
{
	enum { MAXD = 5 * 128 };
	static const int dims[][2] = { { 64, 64 }, { 128, 128 }, { 32, 32 }, { 80, 80 },
				       { 64, 32 }, { 128, 64 }, { 96, 24 }, { 6, 6 }, { 50, 46 } };
	static float x0[MAXD], x[MAXD], y[MAXD], cs[128];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad = 0, runs = 0;
		for (int rep = 0; rep < 50; rep++)
			for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++)
				for (int neox = 0; neox < 2; neox++) {
					int hd = dims[di][0], n_rot = dims[di][1], nh = 1 + rep % 5;
					for (int i = 0; i < n_rot / 2; i++) {
						float th = (float)rep * 3.7f * (float)i / (float)n_rot;
						cs[2 * i] = cosf(th);
						cs[2 * i + 1] = sinf(th);
					}
					fill(x0, nh * hd, rep % 2 ? 100.0f : 1.0f);
					memcpy(x, x0, sizeof x);
					memcpy(y, x0, sizeof y);
					ref->rope(x, nh, hd, n_rot, neox, cs);
					o->rope(y, nh, hd, n_rot, neox, cs);
					bad += !same(x, y, nh * hd);
					runs++;
				}
		check(bad == 0, "vmath rope %s = scalar (%d of %d runs differ)", quant_level_name(lv),
		      bad, runs);
	}
}

static void test_f16_dots(int max_level)
{
	enum { STRIDE = 160, MAXR = 70 };
	static const int rows[] = { 1, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 64, 70 };
	static const int lens[] = { 0, 1, 3, 4, 7, 8, 9, 31, 63, 100, 160 };
	static ggml_half x[MAXR * STRIDE];
	static float y[STRIDE];
	double s0[MAXR], s[MAXR];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad = 0, runs = 0;
		for (int rep = 0; rep < 20; rep++)
			for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++)
				for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
					int nr = rows[ri], n = lens[li];
					for (int i = 0; i < MAXR * STRIDE; i++)
						x[i] = fp32_to_fp16(frand() * (rep % 3 ? 4.0f : 60000.0f));
					fill(y, STRIDE, 1.0f);
					for (int r = 0; r < nr; r++)
						s0[r] = s[r] = rep % 2 ? (double)frand() : 0.0;
					ref->f16_dots(nr, n, x, STRIDE, y, s0);
					o->f16_dots(nr, n, x, STRIDE, y, s);
					bad += memcmp(s0, s, (size_t)nr * sizeof s[0]) != 0;
					runs++;
				}
		check(bad == 0, "vmath f16_dots %s = scalar (%d of %d runs differ)",
		      quant_level_name(lv), bad, runs);
	}
}

static void test_rmsnorm(int max_level)
{
	enum { MAXR = 19, MAXN = 2048 + 7 };
	static const int rows[] = { 1, 3, 4, 5, 8, 9, 16, 19 };
	static const int lens[] = { 1, 7, 8, 9, 16, 33, 64, 100, 2048, 2048 + 7 };
	static float x[MAXR * MAXN], w[MAXN], y0[MAXR * MAXN], y[MAXR * MAXN];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad = 0, runs = 0;
		for (int rep = 0; rep < 4; rep++)
			for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++)
				for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
					int nr = rows[ri], n = lens[li];
					for (int i = 0; i < nr * n; i++)
						x[i] = frand() * (rep % 2 ? 1e-3f : 30.0f);
					for (int i = 0; i < n; i++)
						w[i] = frand() * 2.0f;
					ref->rmsnorm(nr, n, y0, x, w, 1e-5f);
					o->rmsnorm(nr, n, y, x, w, 1e-5f);
					bad += memcmp(y0, y, (size_t)nr * n * 4) != 0;
					runs++;
				}
		check(bad == 0, "vmath rmsnorm %s = scalar (%d of %d runs differ)",
		      quant_level_name(lv), bad, runs);
	}
}

static void test_add(int max_level)
{
	enum { N = 1000 };
	static float x[N], y0[N], y[N];
	const struct vmath_ops *ref = vmath_at(QUANT_SCALAR);
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		const struct vmath_ops *o = vmath_at(lv);
		int bad = 0;
		for (int n = 0; n <= N; n += 1 + n / 8) {
			fill(x, n, 100.0f);
			fill(y0, n, 100.0f);
			memcpy(y, y0, sizeof y);
			ref->add(n, y0, x);
			o->add(n, y, x);
			bad += !same(y0, y, n);
		}
		check(bad == 0, "vmath add %s = scalar (%d lengths differ)", quant_level_name(lv), bad);
	}
}

static void test_geglu(int max_level)
{
	/* (f16 input, f16 gelu) pairs read from ggml_table_gelu_f16 */
	static const uint16_t ggml[][2] = {
		{ 0x0000, 0x0000 }, { 0x3c00, 0x3abb }, { 0xbc00, 0xb115 }, { 0x4000, 0x3fd2 },
		{ 0xc000, 0xa9d0 }, { 0x3800, 0x3588 }, { 0xb800, 0xb0f0 }, { 0x4200, 0x41fe },
		{ 0xc200, 0x9b73 }, { 0x2e66, 0x2ae8 }, { 0xae66, 0xa9e4 }, { 0x4500, 0x4500 },
		{ 0xc500, 0x8005 }, { 0x3a00, 0x38a4 }, { 0xba00, 0xb171 }, { 0x1400, 0x1001 },
		{ 0x9400, 0x8ffe }, { 0x3e00, 0x3d99 }, { 0xbe00, 0xae6d }, { 0x3555, 0x32b9 },
	};
	vmath_gelu_init();
	int bad = 0;
	for (size_t i = 0; i < sizeof ggml / sizeof ggml[0]; i++) {
		float g = fp16_to_fp32(ggml[i][0]), u = 1.5f;
		vmath_at(QUANT_SCALAR)->geglu(1, &g, &u);
		bad += bits(g) != bits(fp16_to_fp32(ggml[i][1]) * 1.5f);
	}
	float g[4] = { -10.0f, -10.5f, 10.0f, 12.5f }, u[4] = { 2, 2, 2, 2 };
	vmath_at(QUANT_SCALAR)->geglu(4, g, u);
	bad += g[0] != 0 || g[1] != 0 || g[2] != 20.0f || g[3] != 25.0f;
	check(bad == 0, "vmath geglu = ggml's GELU table (%d of %d differ)", bad,
	      (int)(sizeof ggml / sizeof ggml[0]) + 1);
	/* every level = the reference: every f16 value, halfway points, the
	 * cut-offs, NaN and inf, rows with and without a tail */
	enum { N = 1 << 16 };
	static float x[N + 64], u2[N + 64], y0[N + 64], y[N + 64];
	for (int i = 0; i < N; i++) {
		x[i] = fp16_to_fp32((ggml_half)i) * (i % 3 ? 1.0f : 1.0004883f);
		u2[i] = (float)(i % 7) - 3.25f;
	}
	float special[] = { -10.0f, 10.0f, -9.999f, 9.999f, -10.001f, 10.001f, NAN, INFINITY, -INFINITY };
	for (int i = 0; i < 64; i++) {
		x[N + i] = special[i % 9];
		u2[N + i] = 1.5f;
	}
	for (int lv = QUANT_AVX2; lv <= max_level; lv++) {
		int bad_lv = 0;
		for (int n = N + 64; n > N + 40; n -= 3) {
			memcpy(y0, x, sizeof x);
			memcpy(y, x, sizeof x);
			vmath_at(QUANT_SCALAR)->geglu(n, y0, u2);
			vmath_at(lv)->geglu(n, y, u2);
			bad_lv += !same(y0, y, n);
		}
		check(bad_lv == 0, "vmath geglu %s = scalar (%d rows differ)", quant_level_name(lv), bad_lv);
	}
}

int main(int argc, char **argv)
{
	int max_level = quant_init(argc > 1 ? atoi(argv[1]) : QUANT_AVX512);
	test_expf_model();
	test_expf_accuracy();
	test_expf_edges();
	test_levels(max_level);
	test_f16(max_level);
	test_rope(max_level);
	test_f16_dots(max_level);
	test_rmsnorm(max_level);
	test_add(max_level);
	test_geglu(max_level);
	return n_fail ? 1 : 0;
}

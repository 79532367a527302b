/* vmath: ggml's vector exp, softmax and SwiGLU; the scalar reference and
 * the table of variants by kernel level. */
#include "ai/vmath.h"

#include <stdint.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/quant.h"

/* j * 2^k rounded once, as vscalefps: exact in double for |k| <= 192 and
 * j near 1, then one rounding to float (to a subnormal, or to inf). */
static float scalef(float j, int k)
{
	uint64_t u = (uint64_t)(1023 + k) << 52;
	double p;
	memcpy(&p, &u, sizeof p);
	return (float)((double)j * p);
}

float vmath_expf(float x)
{
	float z = ai_fmaf(x, VMATH_LOG2E, VMATH_SHIFT);
	float n = z - VMATH_SHIFT;
	if (n != n)
		return n;
	if (ai_fabsf(n) > VMATH_N_FAR)
		return n > 0 ? ai_inff() : 0.0f;
	float b = ai_fmaf(-n, VMATH_LN2_LO, ai_fmaf(-n, VMATH_LN2_HI, x));
	float u = b * b;
	float j = ai_fmaf(ai_fmaf(ai_fmaf(VMATH_C5, b, VMATH_C4), u, ai_fmaf(VMATH_C3, b, VMATH_C2)),
			  u, ai_fmaf(VMATH_C1, b, 1.0f));
	return scalef(j, (int)n);
}

static double softmax_ref(int n, float *y, const float *x, float max)
{
	double sum = 0;
	for (int c = 0; c < n; c += VMATH_LANES) {
		float v[VMATH_LANES];
		for (int i = 0; i < VMATH_LANES; i++)
			v[i] = c + i < n ? vmath_expf(x[c + i] - max) : 0.0f;
		for (int i = 0; i < VMATH_LANES && c + i < n; i++)
			y[c + i] = v[i];
		/* _mm512_reduce_add_ps: i + (i+8), then 4 apart, 2 apart, 1 */
		for (int w = VMATH_LANES / 2; w >= 2; w /= 2)
			for (int i = 0; i < w; i++)
				v[i] = v[i] + v[i + w];
		sum += (double)(v[0] + v[1]);
	}
	return sum;
}

static void swiglu_ref(int n, float *g, const float *u)
{
	int nv = n - n % VMATH_LANES;
	for (int i = 0; i < n; i++) {
		float x = g[i];
		float s = i < nv ? x / (1.0f + vmath_expf(0.0f - x)) : ai_siluf(x);
		g[i] = s * u[i];
	}
}

static const struct vmath_ops ops[] = {
	[QUANT_SCALAR] = { softmax_ref, swiglu_ref },
	[QUANT_AVX2] = { vmath_softmax_avx2, vmath_swiglu_avx2 },
	[QUANT_AVX512] = { vmath_softmax_avx512, vmath_swiglu_avx512 },
};

const struct vmath_ops *vmath_at(int level)
{
	return &ops[level];
}

const struct vmath_ops *vmath(void)
{
	return &ops[quant_level()];
}

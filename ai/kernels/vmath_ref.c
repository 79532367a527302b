/* vmath: ggml's vector exp, softmax and SwiGLU, f16 rounding, RoPE, the f16
 * dots in double, RMSNorm and adds: the scalar reference (ai/vmath.h). */
#include "ai/vmath.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/kernels/kernels.h"
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

static void to_f16_ref(int n, ggml_half *y, const float *x)
{
	for (int i = 0; i < n; i++)
		y[i] = fp32_to_fp16(x[i]);
}

static void round_f16_ref(int n, float *y, const float *x, float scale)
{
	for (int i = 0; i < n; i++)
		y[i] = fp16_to_fp32(fp32_to_fp16(x[i] * scale));
}

void vmath_rope_pairs(float *x, int i0, int n_rot, int neox, const float *cs)
{
	int half = n_rot / 2;
	for (int i = i0; i < half; i++) {
		float c = cs[2 * i], s = cs[2 * i + 1];
		int a = neox ? i : 2 * i;
		int b = neox ? i + half : 2 * i + 1;
		float x0 = x[a], x1 = x[b];
		x[a] = ai_fmaf(x0, c, -(x1 * s));
		x[b] = ai_fmaf(x0, s, x1 * c);
	}
}

static void rope_ref(float *x, int n_heads, int head_dim, int n_rot, int neox, const float *cs)
{
	for (int h = 0; h < n_heads; h++)
		vmath_rope_pairs(x + (size_t)h * head_dim, 0, n_rot, neox, cs);
}

double vmath_f16_dot(int n, const ggml_half *x, const float *y, double sum)
{
	for (int i = 0; i < n; i++)
		sum += (double)(fp16_to_fp32(x[i]) * y[i]);
	return sum;
}

static void f16_dots_ref(int n_rows, int n, const ggml_half *x, size_t stride, const float *y,
			 double *sum)
{
	for (int r = 0; r < n_rows; r++)
		sum[r] = vmath_f16_dot(n, x + (size_t)r * stride, y, sum[r]);
}

double vmath_sumsq(int n, const float *x)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += (double)(x[i] * x[i]);
	return sum;
}

float vmath_rms_scale(double sumsq, int n, float eps)
{
	float mean = (float)(sumsq / n);
	return 1.0f / ai_sqrtf(mean + eps);
}

static void rmsnorm_ref(int n_rows, int n, float *y, const float *x, const float *w, float eps)
{
	for (int r = 0; r < n_rows; r++, x += n, y += n) {
		float scale = vmath_rms_scale(vmath_sumsq(n, x), n, eps);
		for (int i = 0; i < n; i++)
			y[i] = (x[i] * scale) * w[i];
	}
}

static void add_ref(int n, float *y, const float *x)
{
	for (int i = 0; i < n; i++)
		y[i] += x[i];
}

/* ggml_gelu_f32 as a -march=native gnu11 build of ggml-cpu.c computes it
 * (the one contraction: 1 + a x x as fma(a x, x, 1)), at the f16 inputs:
 * ggml's GGML_GELU_FP16 table. One code for every level. */
ggml_half vmath_gelu_table[(1 << 16) + 2];
static bool gelu_ready;

static float gelu_f32(float x)
{
	const float a = 0.044715f, s = 0.79788456080286535587989211986876f;
	return 0.5f * x * (1.0f + ai_tanhf(s * x * ai_fmaf(a * x, x, 1.0f)));
}

void vmath_gelu_init(void)
{
	if (gelu_ready)
		return;
	for (int i = 0; i < 1 << 16; i++)
		vmath_gelu_table[i] = fp32_to_fp16(gelu_f32(fp16_to_fp32((ggml_half)i)));
	gelu_ready = true;
}

static void geglu_ref(int n, float *g, const float *u)
{
	for (int i = 0; i < n; i++) {
		float x = g[i];
		if (x <= -10.0f)
			g[i] = 0.0f;
		else if (x >= 10.0f)
			g[i] = x * u[i];
		else
			g[i] = fp16_to_fp32(vmath_gelu_table[fp32_to_fp16(x)]) * u[i];
	}
}

void vmath_ref_fill(struct vmath_ops *o)
{
	static const struct vmath_ops k = {
		softmax_ref, swiglu_ref, to_f16_ref, round_f16_ref, rope_ref, f16_dots_ref,
		rmsnorm_ref, add_ref, geglu_ref
	};
	vmath_overlay(o, &k);
}

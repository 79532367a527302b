/*
 * vmath: the element-wise steps of a layer (RMSNorm, RoPE, f16 rounding
 * for the KV cache, the attention's sums in double, softmax, SwiGLU, the
 * residual adds), computed exactly as llama.cpp's CPU backend does in an
 * AVX-512 build, so that our logits match its to the bit there. Every
 * kernel gives the same bits at every level: the SIMD variants only do more
 * lanes at once.
 *
 * ggml evaluates e^x there with ggml_v_expf, a polynomial approximation
 * (within ~2 ulp) applied 16 lanes at a time: n = round(x log2 e), a
 * Cody-Waite reduction b = x - n ln2, a degree-5 polynomial j ~ e^b and
 * vscalefps (j * 2^n, rounded once). Elements that do not fill a vector
 * go through libm's expf instead. vmath_expf is that approximation in
 * portable C (ai_fmaf for each vfmadd); the AVX2 and AVX-512 variants
 * compute the same bits and are chosen by the kernel level (quant_level).
 */
#ifndef AI_VMATH_H
#define AI_VMATH_H

#include <stddef.h>

#include "ai/quant.h"

/* Lanes of ggml's vectors: what a block of the kernels below is. */
#define VMATH_LANES 16

/* ggml_v_expf's constants (from Arm's optimized-routines expf):
 * z = x log2e + SHIFT rounds x log2e to an integer n in z's low bits;
 * ln2 = LN2_HI + LN2_LO, LN2_HI short enough that n * LN2_HI is exact;
 * e^b ~ 1 + C1 b + C2 b^2 + C3 b^3 + C4 b^4 + C5 b^5 for |b| <= ln2/2. */
#define VMATH_SHIFT 0x1.8p23f
#define VMATH_LOG2E 0x1.715476p+0f
#define VMATH_LN2_HI 0x1.62e4p-1f
#define VMATH_LN2_LO 0x1.7f7d1cp-20f
#define VMATH_C1 0x1.ffffecp-1f
#define VMATH_C2 0x1.fffdb6p-2f
#define VMATH_C3 0x1.555e66p-3f
#define VMATH_C4 0x1.573e2ep-5f
#define VMATH_C5 0x1.0e4020p-7f
/* |n| beyond this: e^x is 0 or inf whatever j is (ggml's special case) */
#define VMATH_N_FAR 192.0f

struct vmath_ops {
	/* y[i] = e^(x[i] - max) for i < n, returning their sum as ggml's
	 * soft_max forms it for an attention row: one float sum per 16
	 * elements (the tree of _mm512_reduce_add_ps), added up in double.
	 * llama.cpp masks the rest of a padded KV row to -inf, whose weight
	 * is exactly 0: a short last block sums as if zero-filled, and its
	 * elements still take the vector exp. */
	double (*softmax)(int n, float *y, const float *x, float max);
	/* g[i] = silu(g[i]) * u[i] for i < n, as ggml_vec_silu_f32 on a row
	 * followed by ggml_mul: whole blocks of 16 from g use the vector exp,
	 * the last n % 16 elements ai_siluf. So g must start a row, or lie a
	 * multiple of 16 elements into one. */
	void (*swiglu)(int n, float *g, const float *u);
	/* y[i] = x[i] as f16, nearest-even (fp32_to_fp16, vcvtps2ph). */
	void (*to_f16)(int n, ggml_half *y, const float *x);
	/* y[i] = x[i] * scale rounded to f16 and widened back: a float row as
	 * llama.cpp converts it for a dot with the f16 KV cache. y may be x. */
	void (*round_f16)(int n, float *y, const float *x, float scale);
	/* RoPE of n_heads heads of head_dim floats in x by the angles cs
	 * (n_rot / 2 pairs cos, sin): pairs (x0, x1) = (x[i], x[i + n_rot/2])
	 * with neox, else (x[2i], x[2i + 1]), become
	 * x0' = fma(x0, cos, -(x1 sin)), x1' = fma(x0, sin, x1 cos), the
	 * products rounded first: ggml's rope as a -march=native build of
	 * llama.cpp contracts it. */
	void (*rope)(float *x, int n_heads, int head_dim, int n_rot, int neox, const float *cs);
	/* sum[r] += (double)(x_r[i] * y[i]) for i = 0, 1, .. n-1 in that order,
	 * for the n_rows f16 rows x_r = x + r * stride: the leftover loop of
	 * ggml_vec_dot_f16 on several rows of the KV cache at once. */
	void (*f16_dots)(int n_rows, int n, const ggml_half *x, size_t stride, const float *y,
			 double *sum);
	/* y_r = x_r / rms(x_r) * w for the n_rows rows of n floats in x and y:
	 * ggml_rms_norm (the squares summed in double, in order) and ggml_mul.
	 * Several rows at once: lane = row. */
	void (*rmsnorm)(int n_rows, int n, float *y, const float *x, const float *w, float eps);
	/* y[i] += x[i]: the residual adds and biases. */
	void (*add)(int n, float *y, const float *x);
	/* g[i] = gelu(g[i]) * u[i] as ggml's geglu with GGML_GELU_FP16: gelu
	 * (tanh form) looked up at g rounded to f16 in vmath_gelu_table, g <=
	 * -10 giving 0 and g >= 10 giving g * u. */
	void (*geglu)(int n, float *g, const float *u);
};

/* The kernels at a level (enum quant_level) the CPU runs, once quant_init
 * has built them (ai/vmath.c, from the files in ai/kernels/). */
const struct vmath_ops *vmath_at(int level);
/* The kernels at the level quant_init chose. */
const struct vmath_ops *vmath(void);

/* ggml's GELU table: gelu of every f16 as f16 (one entry of padding after
 * the last, for 32-bit gathers). vmath_gelu_init builds it once; it is not
 * thread-safe: call it before the workers use geglu (forward_new does). */
extern ggml_half vmath_gelu_table[(1 << 16) + 2];
void vmath_gelu_init(void);

/* ggml_v_expf of an AVX-512 build for one lane, in portable C. */
float vmath_expf(float x);

/* The reference RoPE of pairs i0 <= i < n_rot / 2 of one head: the SIMD
 * kernels' tail. */
void vmath_rope_pairs(float *x, int i0, int n_rot, int neox, const float *cs);
/* The reference f16 dot of one row in double: the SIMD kernels' tail. */
double vmath_f16_dot(int n, const ggml_half *x, const float *y, double sum);
/* The reference sum of squares of a row in double, and 1 / rms from it. */
double vmath_sumsq(int n, const float *x);
float vmath_rms_scale(double sumsq, int n, float eps);

#endif

/*
 * vmath: the exp-based element-wise steps of a layer (attention softmax,
 * SwiGLU), computed exactly as llama.cpp's CPU backend does in an AVX-512
 * build, so that our logits match its to the bit there.
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
};

/* The kernels at a level (enum quant_level) the CPU runs. */
const struct vmath_ops *vmath_at(int level);
/* The kernels at the level quant_init chose. */
const struct vmath_ops *vmath(void);

/* ggml_v_expf of an AVX-512 build for one lane, in portable C. */
float vmath_expf(float x);

double vmath_softmax_avx2(int n, float *y, const float *x, float max);
void vmath_swiglu_avx2(int n, float *g, const float *u);
double vmath_softmax_avx512(int n, float *y, const float *x, float max);
void vmath_swiglu_avx512(int n, float *g, const float *u);

#endif

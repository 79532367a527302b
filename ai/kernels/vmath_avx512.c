/* AVX-512 vmath kernels: the instructions of llama.cpp's AVX-512 build
 * (ggml_v_expf with vscalefps, _mm512_reduce_add_ps), 16 lanes at a time;
 * f16 conversions, RoPE and the f16 dots as in vmath_avx2.c, wider. */
#include <immintrin.h>

#include "ai/aimath.h"
#include "ai/kernels/kernels.h"
#include "ai/quant.h"
#include "ai/vmath.h"

static inline __m512 v_expf(__m512 x)
{
	const __m512 shift = _mm512_set1_ps(VMATH_SHIFT);
	__m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(VMATH_LOG2E), shift);
	__m512 n = _mm512_sub_ps(z, shift);
	__m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(VMATH_LN2_LO),
				    _mm512_fnmadd_ps(n, _mm512_set1_ps(VMATH_LN2_HI), x));
	__m512 u = _mm512_mul_ps(b, b);
	__m512 p45 = _mm512_fmadd_ps(_mm512_set1_ps(VMATH_C5), b, _mm512_set1_ps(VMATH_C4));
	__m512 p23 = _mm512_fmadd_ps(_mm512_set1_ps(VMATH_C3), b, _mm512_set1_ps(VMATH_C2));
	__m512 p01 = _mm512_fmadd_ps(_mm512_set1_ps(VMATH_C1), b, _mm512_set1_ps(1.0f));
	__m512 j = _mm512_fmadd_ps(_mm512_fmadd_ps(p45, u, p23), u, p01);
	__m512 r = _mm512_scalef_ps(j, n);
	__mmask16 far = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(VMATH_N_FAR), _CMP_GT_OQ);
	if (!far)
		return r;
	__mmask16 pos = _mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_GT_OQ);
	return _mm512_mask_blend_ps(far, r, _mm512_maskz_mov_ps(pos, _mm512_set1_ps(ai_inff())));
}

static double vmath_softmax_avx512(int n, float *y, const float *x, float max)
{
	__m512 mx = _mm512_set1_ps(max);
	double sum = 0;
	for (int i = 0; i < n; i += VMATH_LANES) {
		/* a short last block: -inf in the missing lanes (weight 0), as
		 * llama.cpp's masked KV row */
		__mmask16 in = n - i >= VMATH_LANES ? 0xffff : (__mmask16)((1u << (n - i)) - 1);
		__m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-ai_inff()), in, x + i);
		v = v_expf(_mm512_sub_ps(v, mx));
		_mm512_mask_storeu_ps(y + i, in, v);
		sum += (double)_mm512_reduce_add_ps(v);
	}
	return sum;
}

static void vmath_swiglu_avx512(int n, float *g, const float *u)
{
	int nv = n - n % VMATH_LANES, i = 0;
	for (; i < nv; i += VMATH_LANES) {
		__m512 x = _mm512_loadu_ps(g + i);
		__m512 e = v_expf(_mm512_sub_ps(_mm512_setzero_ps(), x));
		__m512 s = _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
		_mm512_storeu_ps(g + i, _mm512_mul_ps(s, _mm512_loadu_ps(u + i)));
	}
	for (; i < n; i++)
		g[i] = ai_siluf(g[i]) * u[i];
}

static void vmath_to_f16_avx512(int n, ggml_half *y, const float *x)
{
	int i = 0;
	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(y + i), _mm512_cvtps_ph(_mm512_loadu_ps(x + i), 0));
	for (; i < n; i++)
		y[i] = fp32_to_fp16(x[i]);
}

static void vmath_round_f16_avx512(int n, float *y, const float *x, float scale)
{
	__m512 sc = _mm512_set1_ps(scale);
	int i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + i), sc);
		_mm512_storeu_ps(y + i, _mm512_cvtph_ps(_mm512_cvtps_ph(v, 0)));
	}
	if (i < n) { /* the short last vector of a row of attention weights */
		__mmask16 in = (__mmask16)((1u << (n - i)) - 1);
		__m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(in, x + i), sc);
		_mm512_mask_storeu_ps(y + i, in, _mm512_cvtph_ps(_mm512_cvtps_ph(v, 0)));
	}
}

/* NeoX: sixteen pairs (x[i], x[i + half]); cs split into cos and sin. */
static int rope_neox16(float *x, int half, const float *cs)
{
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
	int i = 0;
	for (; i + 16 <= half; i += 16) {
		__m512 a = _mm512_loadu_ps(cs + 2 * i), b = _mm512_loadu_ps(cs + 2 * i + 16);
		__m512 c = _mm512_permutex2var_ps(a, even, b), s = _mm512_permutex2var_ps(a, odd, b);
		__m512 x0 = _mm512_loadu_ps(x + i), x1 = _mm512_loadu_ps(x + half + i);
		_mm512_storeu_ps(x + i, _mm512_fmsub_ps(x0, c, _mm512_mul_ps(x1, s)));
		_mm512_storeu_ps(x + half + i, _mm512_fmadd_ps(x0, s, _mm512_mul_ps(x1, c)));
	}
	return i;
}

/* Interleaved: eight pairs, vfmaddsub as in vmath_avx2.c. */
static int rope_norm16(float *x, int half, const float *cs)
{
	int i = 0;
	for (; i + 8 <= half; i += 8) {
		__m512 v = _mm512_loadu_ps(x + 2 * i), p = _mm512_loadu_ps(cs + 2 * i);
		__m512 x1sc = _mm512_mul_ps(_mm512_movehdup_ps(v), _mm512_permute_ps(p, 0xb1));
		_mm512_storeu_ps(x + 2 * i, _mm512_fmaddsub_ps(_mm512_moveldup_ps(v), p, x1sc));
	}
	return i;
}

static void vmath_rope_avx512(float *x, int n_heads, int head_dim, int n_rot, int neox, const float *cs)
{
	int half = n_rot / 2;
	for (int h = 0; h < n_heads; h++, x += head_dim) {
		int i = neox ? rope_neox16(x, half, cs) : rope_norm16(x, half, cs);
		vmath_rope_pairs(x, i, n_rot, neox, cs);
	}
}

/* Row r of x (f16) times y, eight positions. */
static inline __m256 prod8(const ggml_half *x, size_t stride, int r, __m256 y)
{
	return _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + r * stride))), y);
}

/* acc += the columns of the 8x8 tile whose rows are p0..p7, one column at
 * a time: lane r adds row r's elements in order. */
static inline __m512d add_cols8(__m512d acc, __m256 p0, __m256 p1, __m256 p2, __m256 p3,
				__m256 p4, __m256 p5, __m256 p6, __m256 p7)
{
	/* pairs of rows interleaved, then quads, then the 128-bit halves */
	__m256 t0 = _mm256_unpacklo_ps(p0, p1), t1 = _mm256_unpackhi_ps(p0, p1);
	__m256 t2 = _mm256_unpacklo_ps(p2, p3), t3 = _mm256_unpackhi_ps(p2, p3);
	__m256 t4 = _mm256_unpacklo_ps(p4, p5), t5 = _mm256_unpackhi_ps(p4, p5);
	__m256 t6 = _mm256_unpacklo_ps(p6, p7), t7 = _mm256_unpackhi_ps(p6, p7);
	__m256 q0 = _mm256_shuffle_ps(t0, t2, 0x44), q1 = _mm256_shuffle_ps(t0, t2, 0xee);
	__m256 q2 = _mm256_shuffle_ps(t1, t3, 0x44), q3 = _mm256_shuffle_ps(t1, t3, 0xee);
	__m256 q4 = _mm256_shuffle_ps(t4, t6, 0x44), q5 = _mm256_shuffle_ps(t4, t6, 0xee);
	__m256 q6 = _mm256_shuffle_ps(t5, t7, 0x44), q7 = _mm256_shuffle_ps(t5, t7, 0xee);
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q0, q4, 0x20)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q1, q5, 0x20)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q2, q6, 0x20)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q3, q7, 0x20)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q0, q4, 0x31)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q1, q5, 0x31)));
	acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q2, q6, 0x31)));
	return _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_permute2f128_ps(q3, q7, 0x31)));
}

/* Eight rows by eight positions of the f16 dots. */
static inline __attribute__((always_inline)) __m512d dots8x8(__m512d acc, const ggml_half *x,
							     size_t stride, __m256 y)
{
	return add_cols8(acc, prod8(x, stride, 0, y), prod8(x, stride, 1, y), prod8(x, stride, 2, y),
			 prod8(x, stride, 3, y), prod8(x, stride, 4, y), prod8(x, stride, 5, y),
			 prod8(x, stride, 6, y), prod8(x, stride, 7, y));
}

/* Eight rows, one position. */
static inline __m512d dots8x1(__m512d acc, const ggml_half *x, size_t stride, float y)
{
	__m128i h = _mm_setr_epi16((short)x[0], (short)x[stride], (short)x[2 * stride],
				   (short)x[3 * stride], (short)x[4 * stride], (short)x[5 * stride],
				   (short)x[6 * stride], (short)x[7 * stride]);
	return _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_mul_ps(_mm256_cvtph_ps(h), _mm256_set1_ps(y))));
}

/* Sixteen rows: two chains of additions in flight. */
static void dots16(int n, const ggml_half *x, size_t stride, const float *y, double *sum)
{
	const ggml_half *x8 = x + 8 * stride;
	__m512d a0 = _mm512_loadu_pd(sum), a1 = _mm512_loadu_pd(sum + 8);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 yv = _mm256_loadu_ps(y + i);
		a0 = dots8x8(a0, x + i, stride, yv);
		a1 = dots8x8(a1, x8 + i, stride, yv);
	}
	for (; i < n; i++) {
		a0 = dots8x1(a0, x + i, stride, y[i]);
		a1 = dots8x1(a1, x8 + i, stride, y[i]);
	}
	_mm512_storeu_pd(sum, a0);
	_mm512_storeu_pd(sum + 8, a1);
}

static void dots8(int n, const ggml_half *x, size_t stride, const float *y, double *sum)
{
	__m512d a = _mm512_loadu_pd(sum);
	int i = 0;
	for (; i + 8 <= n; i += 8)
		a = dots8x8(a, x + i, stride, _mm256_loadu_ps(y + i));
	for (; i < n; i++)
		a = dots8x1(a, x + i, stride, y[i]);
	_mm512_storeu_pd(sum, a);
}

static void vmath_f16_dots_avx512(int n_rows, int n, const ggml_half *x, size_t stride,
				  const float *y, double *sum)
{
	int r = 0;
	for (; r + 16 <= n_rows; r += 16)
		dots16(n, x + (size_t)r * stride, stride, y, sum + r);
	for (; r + 8 <= n_rows; r += 8)
		dots8(n, x + (size_t)r * stride, stride, y, sum + r);
	for (; r < n_rows; r++)
		sum[r] = vmath_f16_dot(n, x + (size_t)r * stride, y, sum[r]);
}

static inline __m256 sq8(const float *x)
{
	__m256 v = _mm256_loadu_ps(x);
	return _mm256_mul_ps(v, v);
}

/* The sums of squares of eight rows of n floats, n apart, in double. */
static __m512d sumsq8(int n, const float *x)
{
	__m512d acc = _mm512_setzero_pd();
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		const float *p = x + i;
		acc = add_cols8(acc, sq8(p), sq8(p + n), sq8(p + 2 * n), sq8(p + 3 * n), sq8(p + 4 * n),
				sq8(p + 5 * n), sq8(p + 6 * n), sq8(p + 7 * n));
	}
	for (; i < n; i++) {
		__m256 v = _mm256_setr_ps(x[i], x[n + i], x[2 * n + i], x[3 * n + i], x[4 * n + i],
					  x[5 * n + i], x[6 * n + i], x[7 * n + i]);
		acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm256_mul_ps(v, v)));
	}
	return acc;
}

/* y = (x * scale) * w: two roundings, as ggml_rms_norm then ggml_mul. */
static void scale_row(int n, float *y, const float *x, const float *w, float scale)
{
	__m512 s = _mm512_set1_ps(scale);
	int i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + i), s);
		_mm512_storeu_ps(y + i, _mm512_mul_ps(v, _mm512_loadu_ps(w + i)));
	}
	for (; i < n; i++)
		y[i] = (x[i] * scale) * w[i];
}

static void vmath_rmsnorm_avx512(int n_rows, int n, float *y, const float *x, const float *w, float eps)
{
	int r = 0;
	for (; r + 8 <= n_rows; r += 8) {
		double sum[8];
		_mm512_storeu_pd(sum, sumsq8(n, x + (size_t)r * n));
		for (int k = 0; k < 8; k++)
			scale_row(n, y + (size_t)(r + k) * n, x + (size_t)(r + k) * n, w,
				  vmath_rms_scale(sum[k], n, eps));
	}
	for (; r < n_rows; r++) {
		const float *xr = x + (size_t)r * n;
		scale_row(n, y + (size_t)r * n, xr, w, vmath_rms_scale(vmath_sumsq(n, xr), n, eps));
	}
}

static void vmath_add_avx512(int n, float *y, const float *x)
{
	int i = 0;
	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_loadu_ps(x + i)));
	for (; i < n; i++)
		y[i] += x[i];
}

void vmath_avx512_fill(struct vmath_ops *o)
{
	static const struct vmath_ops k = {
		vmath_softmax_avx512, vmath_swiglu_avx512, vmath_to_f16_avx512,
		vmath_round_f16_avx512, vmath_rope_avx512, vmath_f16_dots_avx512,
		vmath_rmsnorm_avx512, vmath_add_avx512,
		NULL /* geglu: AVX2's gather serves */
	};
	vmath_overlay(o, &k);
}

/* AVX2 + FMA + F16C vmath kernels: ggml_v_expf of the AVX-512 build, 8 lanes
 * at a time, bit-identical to vmath_expf (AVX2 has no vscalefps: j * 2^n is
 * one float multiply while the result stays normal, else formed in double);
 * f16 conversions by vcvtps2ph / vcvtph2ps; RoPE by vfmaddsub. */
#include <immintrin.h>

#include "ai/aimath.h"
#include "ai/kernels/kernels.h"
#include "ai/quant.h"
#include "ai/vmath.h"

/* Keeps the compiler from fusing a multiply into a later add (FMA
 * contraction), which would round differently from vscalefps + vaddps. */
#define NO_CONTRACT(v) __asm__("" : "+x"(v))

/* j * 2^k for four lanes, one rounding: exact in double, then to float. */
static inline __m128 scalef4(__m128 j, __m128i k)
{
	__m256i e = _mm256_add_epi64(_mm256_cvtepi32_epi64(k), _mm256_set1_epi64x(1023));
	__m256d p = _mm256_castsi256_pd(_mm256_slli_epi64(e, 52));
	return _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(j), p));
}

static inline __m256 v_expf(__m256 x)
{
	const __m256 shift = _mm256_set1_ps(VMATH_SHIFT);
	__m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(VMATH_LOG2E), shift);
	__m256 n = _mm256_sub_ps(z, shift);
	__m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(VMATH_LN2_LO),
				    _mm256_fnmadd_ps(n, _mm256_set1_ps(VMATH_LN2_HI), x));
	__m256 u = _mm256_mul_ps(b, b);
	__m256 p45 = _mm256_fmadd_ps(_mm256_set1_ps(VMATH_C5), b, _mm256_set1_ps(VMATH_C4));
	__m256 p23 = _mm256_fmadd_ps(_mm256_set1_ps(VMATH_C3), b, _mm256_set1_ps(VMATH_C2));
	__m256 p01 = _mm256_fmadd_ps(_mm256_set1_ps(VMATH_C1), b, _mm256_set1_ps(1.0f));
	__m256 j = _mm256_fmadd_ps(_mm256_fmadd_ps(p45, u, p23), u, p01);
	__m256 an = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
	__m256i k = _mm256_cvtps_epi32(n);
	/* j is within [0.7, 1.5]: for |n| <= 125, j * 2^n is a normal float
	 * and the multiply exact. NaN lanes stay NaN either way. */
	if (!_mm256_movemask_ps(_mm256_cmp_ps(an, _mm256_set1_ps(125.0f), _CMP_GT_OQ))) {
		__m256i e = _mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23);
		__m256 r = _mm256_mul_ps(j, _mm256_castsi256_ps(e));
		NO_CONTRACT(r);
		return r;
	}
	__m256 r = _mm256_set_m128(scalef4(_mm256_extractf128_ps(j, 1), _mm256_extracti128_si256(k, 1)),
				   scalef4(_mm256_castps256_ps128(j), _mm256_castsi256_si128(k)));
	__m256 pos = _mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_GT_OQ);
	__m256 far = _mm256_cmp_ps(an, _mm256_set1_ps(VMATH_N_FAR), _CMP_GT_OQ);
	return _mm256_blendv_ps(r, _mm256_and_ps(pos, _mm256_set1_ps(ai_inff())), far);
}

/* _mm512_reduce_add_ps of the 16 lanes lo:hi. */
static inline float sum16(__m256 lo, __m256 hi)
{
	__m256 s8 = _mm256_add_ps(lo, hi);
	__m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
	__m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
	return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

/* One block of 16: y = e^(x - max), returning its sum. */
static inline float softmax16(float *y, const float *x, __m256 max)
{
	__m256 lo = v_expf(_mm256_sub_ps(_mm256_loadu_ps(x), max));
	__m256 hi = v_expf(_mm256_sub_ps(_mm256_loadu_ps(x + 8), max));
	_mm256_storeu_ps(y, lo);
	_mm256_storeu_ps(y + 8, hi);
	return sum16(lo, hi);
}

static double vmath_softmax_avx2(int n, float *y, const float *x, float max)
{
	__m256 mx = _mm256_set1_ps(max);
	double sum = 0;
	int i = 0;
	for (; i + VMATH_LANES <= n; i += VMATH_LANES)
		sum += (double)softmax16(y + i, x + i, mx);
	if (i < n) { /* padded with -inf, as llama.cpp's masked KV row */
		float xt[VMATH_LANES], yt[VMATH_LANES];
		for (int c = 0; c < VMATH_LANES; c++)
			xt[c] = i + c < n ? x[i + c] : -ai_inff();
		sum += (double)softmax16(yt, xt, mx);
		for (int c = 0; i + c < n; c++)
			y[i + c] = yt[c];
	}
	return sum;
}

static void vmath_swiglu_avx2(int n, float *g, const float *u)
{
	int nv = n - n % VMATH_LANES, i = 0;
	for (; i < nv; i += 8) {
		__m256 x = _mm256_loadu_ps(g + i);
		__m256 e = v_expf(_mm256_sub_ps(_mm256_setzero_ps(), x));
		__m256 s = _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
		_mm256_storeu_ps(g + i, _mm256_mul_ps(s, _mm256_loadu_ps(u + i)));
	}
	for (; i < n; i++)
		g[i] = ai_siluf(g[i]) * u[i];
}

static void vmath_to_f16_avx2(int n, ggml_half *y, const float *x)
{
	int i = 0;
	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), 0));
	for (; i < n; i++)
		y[i] = fp32_to_fp16(x[i]);
}

/* The rows of attention weights have any length: their last, short vector
 * goes through masked loads and stores rather than scalar conversions. */
static void vmath_round_f16_avx2(int n, float *y, const float *x, float scale)
{
	__m256 sc = _mm256_set1_ps(scale);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), sc);
		_mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm256_cvtps_ph(v, 0)));
	}
	if (i < n) {
		__m256i in = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - i),
						_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
		__m256 v = _mm256_mul_ps(_mm256_maskload_ps(x + i, in), sc);
		_mm256_maskstore_ps(y + i, in, _mm256_cvtph_ps(_mm256_cvtps_ph(v, 0)));
	}
}

/* NeoX: eight pairs (x[i], x[i + half]); cs interleaved, split into cos and
 * sin lanes. */
static int rope_neox8(float *x, int half, const float *cs)
{
	int i = 0;
	for (; i + 8 <= half; i += 8) {
		__m256 a = _mm256_loadu_ps(cs + 2 * i), b = _mm256_loadu_ps(cs + 2 * i + 8);
		/* within 128-bit lanes: c0 c1 c4 c5 | c2 c3 c6 c7; then in order */
		__m256 c = _mm256_castpd_ps(_mm256_permute4x64_pd(
			_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xd8));
		__m256 s = _mm256_castpd_ps(_mm256_permute4x64_pd(
			_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xdd)), 0xd8));
		__m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + half + i);
		_mm256_storeu_ps(x + i, _mm256_fmsub_ps(x0, c, _mm256_mul_ps(x1, s)));
		_mm256_storeu_ps(x + half + i, _mm256_fmadd_ps(x0, s, _mm256_mul_ps(x1, c)));
	}
	return i;
}

/* Interleaved: four pairs (x0, x1) against (cos, sin) as cs holds them;
 * vfmaddsub subtracts in even lanes, adds in odd ones. */
static int rope_norm8(float *x, int half, const float *cs)
{
	int i = 0;
	for (; i + 4 <= half; i += 4) {
		__m256 v = _mm256_loadu_ps(x + 2 * i), p = _mm256_loadu_ps(cs + 2 * i);
		__m256 x1sc = _mm256_mul_ps(_mm256_movehdup_ps(v), _mm256_permute_ps(p, 0xb1));
		_mm256_storeu_ps(x + 2 * i, _mm256_fmaddsub_ps(_mm256_moveldup_ps(v), p, x1sc));
	}
	return i;
}

static void vmath_rope_avx2(float *x, int n_heads, int head_dim, int n_rot, int neox, const float *cs)
{
	int half = n_rot / 2;
	for (int h = 0; h < n_heads; h++, x += head_dim) {
		int i = neox ? rope_neox8(x, half, cs) : rope_norm8(x, half, cs);
		vmath_rope_pairs(x, i, n_rot, neox, cs);
	}
}

/* acc += the columns of the 4x4 tile whose rows are p0..p3, one column at
 * a time: lane r adds row r's elements in order. */
static inline __m256d add_cols4(__m256d acc, __m128 p0, __m128 p1, __m128 p2, __m128 p3)
{
	_MM_TRANSPOSE4_PS(p0, p1, p2, p3);
	acc = _mm256_add_pd(acc, _mm256_cvtps_pd(p0));
	acc = _mm256_add_pd(acc, _mm256_cvtps_pd(p1));
	acc = _mm256_add_pd(acc, _mm256_cvtps_pd(p2));
	return _mm256_add_pd(acc, _mm256_cvtps_pd(p3));
}

/* Row r of x (f16) times y, four positions. */
static inline __m128 prod4(const ggml_half *x, size_t stride, int r, __m128 y)
{
	return _mm_mul_ps(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)(x + r * stride))), y);
}

/* Four rows by four positions of the f16 dots. */
static inline __m256d dots4x4(__m256d acc, const ggml_half *x, size_t stride, __m128 y)
{
	return add_cols4(acc, prod4(x, stride, 0, y), prod4(x, stride, 1, y), prod4(x, stride, 2, y),
			 prod4(x, stride, 3, y));
}

/* Four rows, one position. */
static inline __m256d dots4x1(__m256d acc, const ggml_half *x, size_t stride, float y)
{
	__m128i h = _mm_setr_epi16((short)x[0], (short)x[stride], (short)x[2 * stride],
				   (short)x[3 * stride], 0, 0, 0, 0);
	return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm_mul_ps(_mm_cvtph_ps(h), _mm_set1_ps(y))));
}

/* Eight rows: two chains of additions in flight. */
static void dots8(int n, const ggml_half *x, size_t stride, const float *y, double *sum)
{
	const ggml_half *x4 = x + 4 * stride;
	__m256d a0 = _mm256_loadu_pd(sum), a1 = _mm256_loadu_pd(sum + 4);
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		__m128 yv = _mm_loadu_ps(y + i);
		a0 = dots4x4(a0, x + i, stride, yv);
		a1 = dots4x4(a1, x4 + i, stride, yv);
	}
	for (; i < n; i++) {
		a0 = dots4x1(a0, x + i, stride, y[i]);
		a1 = dots4x1(a1, x4 + i, stride, y[i]);
	}
	_mm256_storeu_pd(sum, a0);
	_mm256_storeu_pd(sum + 4, a1);
}

static void dots4(int n, const ggml_half *x, size_t stride, const float *y, double *sum)
{
	__m256d a = _mm256_loadu_pd(sum);
	int i = 0;
	for (; i + 4 <= n; i += 4)
		a = dots4x4(a, x + i, stride, _mm_loadu_ps(y + i));
	for (; i < n; i++)
		a = dots4x1(a, x + i, stride, y[i]);
	_mm256_storeu_pd(sum, a);
}

static void vmath_f16_dots_avx2(int n_rows, int n, const ggml_half *x, size_t stride,
				const float *y, double *sum)
{
	int r = 0;
	for (; r + 8 <= n_rows; r += 8)
		dots8(n, x + (size_t)r * stride, stride, y, sum + r);
	for (; r + 4 <= n_rows; r += 4)
		dots4(n, x + (size_t)r * stride, stride, y, sum + r);
	for (; r < n_rows; r++)
		sum[r] = vmath_f16_dot(n, x + (size_t)r * stride, y, sum[r]);
}

static inline __m128 sq4(const float *x)
{
	__m128 v = _mm_loadu_ps(x);
	return _mm_mul_ps(v, v);
}

/* The sums of squares of four rows of n floats, n apart, in double. */
static __m256d sumsq4(int n, const float *x)
{
	__m256d acc = _mm256_setzero_pd();
	int i = 0;
	for (; i + 4 <= n; i += 4)
		acc = add_cols4(acc, sq4(x + i), sq4(x + n + i), sq4(x + 2 * n + i), sq4(x + 3 * n + i));
	for (; i < n; i++) {
		__m128 v = _mm_setr_ps(x[i], x[n + i], x[2 * n + i], x[3 * n + i]);
		acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm_mul_ps(v, v)));
	}
	return acc;
}

/* y = (x * scale) * w: two roundings, as ggml_rms_norm then ggml_mul. */
static void scale_row(int n, float *y, const float *x, const float *w, float scale)
{
	__m256 s = _mm256_set1_ps(scale);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), s);
		_mm256_storeu_ps(y + i, _mm256_mul_ps(v, _mm256_loadu_ps(w + i)));
	}
	for (; i < n; i++)
		y[i] = (x[i] * scale) * w[i];
}

static void vmath_rmsnorm_avx2(int n_rows, int n, float *y, const float *x, const float *w, float eps)
{
	int r = 0;
	for (; r + 4 <= n_rows; r += 4) {
		double sum[4];
		_mm256_storeu_pd(sum, sumsq4(n, x + (size_t)r * n));
		for (int k = 0; k < 4; k++)
			scale_row(n, y + (size_t)(r + k) * n, x + (size_t)(r + k) * n, w,
				  vmath_rms_scale(sum[k], n, eps));
	}
	for (; r < n_rows; r++) {
		const float *xr = x + (size_t)r * n;
		scale_row(n, y + (size_t)r * n, xr, w, vmath_rms_scale(vmath_sumsq(n, xr), n, eps));
	}
}

static void vmath_add_avx2(int n, float *y, const float *x)
{
	int i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
	for (; i < n; i++)
		y[i] += x[i];
}

/* ggml's geglu (vmath.h): vcvtps2ph rounds as fp32_to_fp16, a 32-bit
 * gather at each f16 takes its entry (the table's padding covers the
 * last), vcvtph2ps widens it back. */
static void vmath_geglu_avx2(int n, float *g, const float *u)
{
	const __m256 lo = _mm256_set1_ps(-10.0f), hi = _mm256_set1_ps(10.0f);
	const __m256i low16 = _mm256_set1_epi32(0xffff);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 x = _mm256_loadu_ps(g + i), up = _mm256_loadu_ps(u + i);
		__m256i h = _mm256_cvtepu16_epi32(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
		__m256i e = _mm256_and_si256(_mm256_i32gather_epi32((const int *)vmath_gelu_table, h, 2), low16);
		__m128i e16 = _mm_packus_epi32(_mm256_castsi256_si128(e), _mm256_extracti128_si256(e, 1));
		__m256 y = _mm256_mul_ps(_mm256_cvtph_ps(e16), up);
		y = _mm256_blendv_ps(y, _mm256_mul_ps(x, up), _mm256_cmp_ps(x, hi, _CMP_GE_OQ));
		y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, lo, _CMP_LE_OQ));
		_mm256_storeu_ps(g + i, y);
	}
	if (i < n)
		vmath_at(QUANT_SCALAR)->geglu(n - i, g + i, u + i);
}

void vmath_avx2_fill(struct vmath_ops *o)
{
	static const struct vmath_ops k = {
		vmath_softmax_avx2, vmath_swiglu_avx2, vmath_to_f16_avx2, vmath_round_f16_avx2,
		vmath_rope_avx2, vmath_f16_dots_avx2, vmath_rmsnorm_avx2, vmath_add_avx2, vmath_geglu_avx2
	};
	vmath_overlay(o, &k);
}

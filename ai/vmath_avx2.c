/* AVX2 + FMA vmath kernels: ggml_v_expf of the AVX-512 build, 8 lanes at a
 * time, bit-identical to vmath_expf. AVX2 has no vscalefps: j * 2^n is one
 * float multiply while the result stays normal, else formed in double. */
#include <immintrin.h>

#include "ai/aimath.h"
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

double vmath_softmax_avx2(int n, float *y, const float *x, float max)
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

void vmath_swiglu_avx2(int n, float *g, const float *u)
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

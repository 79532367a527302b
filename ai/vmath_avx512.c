/* AVX-512 vmath kernels: the instructions of llama.cpp's AVX-512 build
 * (ggml_v_expf with vscalefps, _mm512_reduce_add_ps), 16 lanes at a time. */
#include <immintrin.h>

#include "ai/aimath.h"
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

double vmath_softmax_avx512(int n, float *y, const float *x, float max)
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

void vmath_swiglu_avx512(int n, float *g, const float *u)
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

/* Helpers shared by the AVX2 and AVX-512 kernel files (*_avx2.c,
 * *_avx512.c; built with at least -mavx2 -mfma -mf16c). */
#ifndef AI_KERNELS_SIMD_H
#define AI_KERNELS_SIMD_H

#include <immintrin.h>

#include "ai/quant.h"

#define AI __attribute__((always_inline)) static inline

/* Keeps the compiler from fusing a multiply into a later add (FMA
 * contraction), which would round differently from the reference. */
#ifdef __AVX512F__
#define NO_CONTRACT(v) __asm__("" : "+v"(v))
#else
#define NO_CONTRACT(v) __asm__("" : "+x"(v))
#endif

static inline float h2f(ggml_half h)
{
	return _cvtsh_ss(h);
}

static inline float hsum4(__m128 v)
{
	v = _mm_add_ps(v, _mm_movehl_ps(v, v));
	v = _mm_add_ss(v, _mm_movehdup_ps(v));
	return _mm_cvtss_f32(v);
}

/* ggml's hsum_float_8: (l + l+4), then (+2 apart), then (0 + 1) */
static inline float hsum8(__m256 v)
{
	return hsum4(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1)));
}

#endif

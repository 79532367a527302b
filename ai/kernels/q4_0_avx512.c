/* Q4_0 on AVX-512 VNNI: the packed 16-row kernel (layout and order in
 * q4_0.h). One zmm lane per row: a 64-byte load holds word i of the 16
 * rows' block; its low and high nibbles, dotted (vpdpbusd) with a
 * broadcast word of activations, add elements 4i..4i+3 and 16+4i..16+4i+3
 * of each row into that row's lane. Eight of those make the block's exact
 * integer sums (the nibbles' offset of 8 comes in with the activation's
 * precomputed -8 * sum(q)), then one FMA per block for all 16 rows. Rows
 * outside packed groups use the AVX2 kernels. */
#include <immintrin.h>
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/kernels/q4_0.h"

#define AI __attribute__((always_inline)) static inline

AI __m512i bcast32(const int8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return _mm512_set1_epi32(v);
}

/* Prefetch distance in superblocks (4.5 KiB): the group is one sequential
 * stream; 16 is faster than 8, 24 and 32 no faster (docs/performance.md). */
#define PF_SUPER 16

AI void gemm16_nt(int NT, int n, float *s, size_t ss, const void *group, const void *vy, size_t by)
{
	const int nb = n / QK4_0;
	const uint8_t *x = group;
	const uint8_t *y = vy;
	const size_t toff = q4_0_terms_offset(n);
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	__m512 acc[Q4_0_MAX_NT];

	_Pragma("GCC unroll 8")
	for (int t = 0; t < NT; t++)
		acc[t] = _mm512_setzero_ps();
	for (int b = 0; b < nb; b++) {
		const uint8_t *sb = x + (size_t)b * Q4_0_SUPER;
		_mm_prefetch((const char *)sb + PF_SUPER * Q4_0_SUPER, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)sb + PF_SUPER * Q4_0_SUPER + 64, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)sb + PF_SUPER * Q4_0_SUPER + 128, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)sb + PF_SUPER * Q4_0_SUPER + 192, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)sb + PF_SUPER * Q4_0_SUPER + 256, QUANT_PF_WEIGHTS);
		const __m512 dx = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)sb));
		__m512i lo[4], hi[4];
		_Pragma("GCC unroll 4")
		for (int i = 0; i < 4; i++) {
			__m512i z = _mm512_loadu_si512((const void *)(sb + 32 + 64 * i));
			lo[i] = _mm512_and_si512(z, m4);
			hi[i] = _mm512_and_si512(_mm512_srli_epi16(z, 4), m4);
		}
		_Pragma("GCC unroll 8")
		for (int t = 0; t < NT; t++) {
			const int8_t *q = ((const block_q8_0 *)(y + t * by))[b].qs;
			const struct q4_0_term *tm = (const struct q4_0_term *)(y + t * by + toff) + b;
			/* two chains of four, so the dot products overlap */
			__m512i a0 = _mm512_dpbusd_epi32(_mm512_set1_epi32(tm->off), lo[0], bcast32(q));
			__m512i a1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), lo[1], bcast32(q + 4));
			a0 = _mm512_dpbusd_epi32(a0, lo[2], bcast32(q + 8));
			a1 = _mm512_dpbusd_epi32(a1, lo[3], bcast32(q + 12));
			a0 = _mm512_dpbusd_epi32(a0, hi[0], bcast32(q + 16));
			a1 = _mm512_dpbusd_epi32(a1, hi[1], bcast32(q + 20));
			a0 = _mm512_dpbusd_epi32(a0, hi[2], bcast32(q + 24));
			a1 = _mm512_dpbusd_epi32(a1, hi[3], bcast32(q + 28));
			const __m512 d = _mm512_mul_ps(dx, _mm512_set1_ps(tm->d));
			acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(a0, a1)), d, acc[t]);
		}
	}
	_Pragma("GCC unroll 8")
	for (int t = 0; t < NT; t++)
		_mm512_storeu_ps(s + t * ss, acc[t]);
}

static void gemm16(int n, int nt, float *s, size_t ss, const void *group, const void *y, size_t by)
{
	switch (nt) {
	case 1: gemm16_nt(1, n, s, ss, group, y, by); break;
	case 2: gemm16_nt(2, n, s, ss, group, y, by); break;
	case 3: gemm16_nt(3, n, s, ss, group, y, by); break;
	case 4: gemm16_nt(4, n, s, ss, group, y, by); break;
	case 5: gemm16_nt(5, n, s, ss, group, y, by); break;
	case 6: gemm16_nt(6, n, s, ss, group, y, by); break;
	case 7: gemm16_nt(7, n, s, ss, group, y, by); break;
	default: gemm16_nt(8, n, s, ss, group, y, by); break;
	}
}

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_Q4_0, { .gemm_packed = gemm16 } },
};

void q4_0_avx512_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

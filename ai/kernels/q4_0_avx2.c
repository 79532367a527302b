/* Q4_0 on AVX2: one and four rows in the GGUF layout, and the packed
 * 16-row kernel as two halves of 8 rows, one ymm lane per row (layout and
 * order in q4_0.h). Without VNNI the products go through maddubs: nibble
 * (0..15) times activation (-127..127) pairs, eight of them summed in
 * int16 (at most 16 * 15 * 127 = 30480, no saturation), then one madd
 * makes each row's int32. */
#include <immintrin.h>
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/kernels/q4_0.h"

#define AI __attribute__((always_inline)) static inline

static inline float h2f(ggml_half h)
{
	return _cvtsh_ss(h);
}

/* Eight int32 lanes summing to block x . block y, exactly. */
AI __m256i block_lanes(const block_q4_0 *x, const block_q8_0 *y)
{
	__m128i t = _mm_loadu_si128((const __m128i *)x->qs);
	__m256i q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0f));
	__m256i yq = _mm256_loadu_si256((const __m256i *)y->qs);
	__m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, yq), _mm256_maddubs_epi16(_mm256_set1_epi8(8), yq));
	return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

static void vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q4_0 *x = vx;
	const block_q8_0 *y = vy;
	float acc = 0;
	for (int b = 0; b < n / QK4_0; b++) {
		__m256i p = block_lanes(&x[b], &y[b]);
		__m128i h = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
		h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
		acc = __builtin_fmaf((float)_mm_cvtsi128_si32(h), h2f(x[b].d) * h2f(y[b].d), acc);
	}
	*s = acc;
}

static inline ggml_half half_at(const uint8_t *p)
{
	ggml_half h;
	memcpy(&h, p, 2);
	return h;
}

/* Four rows bx bytes apart: the four block sums meet in one xmm (lane =
 * row) through horizontal adds, then one FMA per block for the four. */
static void vec_dot_4r(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	const uint8_t *x = vx;
	const block_q8_0 *y = vy;
	__m128 acc = _mm_setzero_ps();
	for (int b = 0; b < n / QK4_0; b++) {
		const uint8_t *xb = x + (size_t)b * sizeof(block_q4_0);
		_mm_prefetch((const char *)xb + 4 * bx, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)xb + 5 * bx, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)xb + 6 * bx, QUANT_PF_WEIGHTS);
		_mm_prefetch((const char *)xb + 7 * bx, QUANT_PF_WEIGHTS);
		__m256i p0 = block_lanes((const block_q4_0 *)xb, &y[b]);
		__m256i p1 = block_lanes((const block_q4_0 *)(xb + bx), &y[b]);
		__m256i p2 = block_lanes((const block_q4_0 *)(xb + 2 * bx), &y[b]);
		__m256i p3 = block_lanes((const block_q4_0 *)(xb + 3 * bx), &y[b]);
		__m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(p0, p1), _mm256_hadd_epi32(p2, p3));
		__m128i sum = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
		__m128 dx = _mm_cvtph_ps(_mm_setr_epi16((short)half_at(xb), (short)half_at(xb + bx),
							(short)half_at(xb + 2 * bx), (short)half_at(xb + 3 * bx), 0, 0, 0, 0));
		__m128 d = _mm_mul_ps(dx, _mm_set1_ps(h2f(y[b].d)));
		acc = _mm_fmadd_ps(_mm_cvtepi32_ps(sum), d, acc);
	}
	_mm_storeu_ps(s, acc);
}

AI __m256i bcast32(const int8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return _mm256_set1_epi32(v);
}

/* Rows 8h..8h+7 of a packed group by NT (<= 4) activation rows. */
AI void half_nt(int NT, int n, float *s, size_t ss, const uint8_t *x, int h, const uint8_t *y, size_t by)
{
	const int nb = n / QK4_0;
	const size_t toff = q4_0_terms_offset(n);
	const __m256i m4 = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi16(1);
	__m256 acc[4];

	_Pragma("GCC unroll 4")
	for (int t = 0; t < NT; t++)
		acc[t] = _mm256_setzero_ps();
	for (int b = 0; b < nb; b++) {
		const uint8_t *sb = x + (size_t)b * Q4_0_SUPER;
		const __m256 dx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(sb + 16 * h)));
		__m256i lo[4], hi[4];
		_Pragma("GCC unroll 4")
		for (int i = 0; i < 4; i++) {
			__m256i z = _mm256_loadu_si256((const __m256i *)(sb + 32 + 64 * i + 32 * h));
			lo[i] = _mm256_and_si256(z, m4);
			hi[i] = _mm256_and_si256(_mm256_srli_epi16(z, 4), m4);
		}
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++) {
			const int8_t *q = ((const block_q8_0 *)(y + t * by))[b].qs;
			const struct q4_0_term *tm = (const struct q4_0_term *)(y + t * by + toff) + b;
			__m256i p = _mm256_maddubs_epi16(lo[0], bcast32(q));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(lo[1], bcast32(q + 4)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(lo[2], bcast32(q + 8)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(lo[3], bcast32(q + 12)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(hi[0], bcast32(q + 16)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(hi[1], bcast32(q + 20)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(hi[2], bcast32(q + 24)));
			p = _mm256_add_epi16(p, _mm256_maddubs_epi16(hi[3], bcast32(q + 28)));
			__m256i sumi = _mm256_add_epi32(_mm256_madd_epi16(p, one), _mm256_set1_epi32(tm->off));
			const __m256 d = _mm256_mul_ps(dx, _mm256_set1_ps(tm->d));
			acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi), d, acc[t]);
		}
	}
	_Pragma("GCC unroll 4")
	for (int t = 0; t < NT; t++)
		_mm256_storeu_ps(s + t * ss + 8 * h, acc[t]);
}

static void gemm16(int n, int nt, float *s, size_t ss, const void *group, const void *vy, size_t by)
{
	const uint8_t *y = vy;
	for (int h = 0; h < 2; h++) {
		for (int t = 0; t < nt; t += 4) {
			switch (nt - t) {
			case 1: half_nt(1, n, s + t * ss, ss, group, h, y + t * by, by); break;
			case 2: half_nt(2, n, s + t * ss, ss, group, h, y + t * by, by); break;
			case 3: half_nt(3, n, s + t * ss, ss, group, h, y + t * by, by); break;
			default: half_nt(4, n, s + t * ss, ss, group, h, y + t * by, by); break;
			}
		}
	}
}

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_Q4_0, { .vec_dot = vec_dot, .vec_dot_4r = vec_dot_4r, .gemm_packed = gemm16 } },
};

void q4_0_avx2_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

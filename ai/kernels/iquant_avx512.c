/*
 * AVX-512 (F/BW/VL/DQ + VNNI) IQ4 kernels (ai/kernels/iquant.h), bit-identical to
 * iquant_ref.c. Two blocks of 32 per zmm, levels looked up by nibble; the
 * exact int32 lanes of four products come from vpdpbusd on |q| and y
 * negated where q < 0 (IQ4_NL), or maddubs and madd by the scales (IQ4_XS).
 * IQ4_NL: a zmm's low half is iquant_ref.c's even-block chain, the high
 * half the odd one, so one FMA per block pair keeps ggml's order. IQ4_XS:
 * the halves added at the end of a super-block give the eight lanes, then
 * one FMA per super-block and lane.
 */
#include <immintrin.h>

#include "ai/kernels/iquant.h"
#include "ai/kernels/kernels.h"

#define AI __attribute__((always_inline)) static inline

static inline float hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

static inline float h2f(ggml_half h)
{
	return _cvtsh_ss(h);
}

/* Keeps the compiler from fusing a multiply into a later add. */
#define NO_CONTRACT(v) __asm__("" : "+v"(v))

/* The levels of two blocks of 32 whose 16 quant bytes are at a (low 256
 * bits) and b (high), each in element order: [lo nibbles | hi nibbles]. */
AI __m512i levels64(const uint8_t *a, const uint8_t *b, __m512i tbl)
{
	__m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)a));
	z = _mm512_mask_broadcast_i32x4(z, 0xff00, _mm_loadu_si128((const __m128i *)b));
	z = _mm512_mask_srli_epi16(z, 0xff00ff00u, z, 4);
	return _mm512_shuffle_epi8(tbl, _mm512_and_si512(z, _mm512_set1_epi8(0x0f)));
}

AI __m512i iq4_table(void)
{
	return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)iq4nl_values));
}

/* ---- IQ4_NL x Q8_0 ------------------------------------------------------- */

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT
 * (constants); weight rows bx bytes apart, Q8_0 rows by apart. */
AI void nl_tile(int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx, const void *vy,
		size_t by)
{
	const __m512i tbl = iq4_table(), zero = _mm512_setzero_si512();
	const int nb = n / QK4_NL;
	__m512 acc[4][4];
	int i = 0;
#define NL_X(r, b) ((const block_iq4_nl *)((const uint8_t *)vx + (r) * bx) + (b))
#define NL_Y(t, b) ((const block_q8_0 *)((const uint8_t *)vy + (t) * by) + (b))
	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++)
			acc[r][t] = _mm512_setzero_ps();
	for (; i + 1 < nb; i += 2) {
		__m512i yq[4];
		float dy[4][2];
		if (NR > 1) /* the caller's next rows: short streams help the prefetcher */
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++)
				_mm_prefetch((const char *)NL_X(r + NR, i), QUANT_PF_WEIGHTS);
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++) {
			yq[t] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)NL_Y(t, i)->qs)),
						   _mm256_loadu_si256((const __m256i *)NL_Y(t, i + 1)->qs), 1);
			dy[t][0] = h2f(NL_Y(t, i)->d);
			dy[t][1] = h2f(NL_Y(t, i + 1)->d);
		}
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++) {
			const __m512i q = levels64(NL_X(r, i)->qs, NL_X(r, i + 1)->qs, tbl);
			const __m512i aq = _mm512_abs_epi8(q);
			const __mmask64 neg = _mm512_movepi8_mask(q);
			const float dx0 = h2f(NL_X(r, i)->d), dx1 = h2f(NL_X(r, i + 1)->d);
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++) {
				__m512i ys = _mm512_mask_sub_epi8(yq[t], neg, zero, yq[t]);
				__m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(zero, aq, ys));
				__m512 d = _mm512_insertf32x8(_mm512_set1_ps(dx0 * dy[t][0]), _mm256_set1_ps(dx1 * dy[t][1]), 1);
				acc[r][t] = _mm512_fmadd_ps(d, p, acc[r][t]);
			}
		}
	}
	for (int r = 0; r < NR; r++)
		for (int t = 0; t < NT; t++) {
			float sum = hsum8(_mm256_add_ps(_mm512_castps512_ps256(acc[r][t]), _mm512_extractf32x8_ps(acc[r][t], 1)));
			if (i < nb) { /* an odd last block: d * sum, then the add */
				const uint8_t *qs = NL_X(r, i)->qs;
				const int8_t *yb = NL_Y(t, i)->qs;
				int32_t p = 0;
				for (int j = 0; j < 16; j++)
					p += iq4nl_values[qs[j] & 15] * yb[j] + iq4nl_values[qs[j] >> 4] * yb[j + 16];
				float v = h2f(NL_X(r, i)->d) * h2f(NL_Y(t, i)->d) * (float)p;
				NO_CONTRACT(v);
				sum += v;
			}
			s[t * ss + r] = sum;
		}
#undef NL_X
#undef NL_Y
}

static void iq4_nl_vec_dot(int n, float *s, const void *x, const void *y)
{
	nl_tile(1, 1, n, s, 0, x, 0, y, 0);
}

static void iq4_nl_vec_dot_4r(int n, float *s, const void *x, size_t bx, const void *y)
{
	nl_tile(4, 1, n, s, 0, x, bx, y, 0);
}

static void iq4_nl_vec_dot_4xn(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y,
			       size_t by)
{
	switch (nt) {
	case 1: nl_tile(4, 1, n, s, ss, x, bx, y, by); break;
	case 2: nl_tile(4, 2, n, s, ss, x, bx, y, by); break;
	case 3: nl_tile(4, 3, n, s, ss, x, bx, y, by); break;
	default: nl_tile(4, 4, n, s, ss, x, bx, y, by); break;
	}
}

/* ---- IQ4_XS x Q8_K ------------------------------------------------------- */

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT
 * (constants); weight rows bx bytes apart, Q8_K rows by apart. */
AI void xs_tile(int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx, const void *vy,
		size_t by)
{
	const __m512i tbl = iq4_table(), zero = _mm512_setzero_si512();
	__m256 acc[4][4];
#define XS_X(r, b) ((const block_iq4_xs *)((const uint8_t *)vx + (r) * bx) + (b))
#define XS_Y(t, b) ((const block_q8_K *)((const uint8_t *)vy + (t) * by) + (b))
	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++)
			acc[r][t] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		__m512i sumi[4][4];
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++) {
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++)
				sumi[r][t] = zero;
			if (NR > 1) /* short streams: help the prefetcher */
				_mm_prefetch((const char *)XS_X(r, i + 2), QUANT_PF_WEIGHTS);
		}
		_Pragma("GCC unroll 4")
		for (int h = 0; h < QK_K / 64; h++) {
			__m512i yq[4];
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++)
				yq[t] = _mm512_loadu_si512((const void *)(XS_Y(t, i)->qs + 64 * h));
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++) {
				const block_iq4_xs *x = XS_X(r, i);
				const __m512i q = levels64(x->qs + 32 * h, x->qs + 32 * h + 16, tbl);
				const __m512i aq = _mm512_abs_epi8(q);
				const __mmask64 neg = _mm512_movepi8_mask(q);
				const __m512i ls = _mm512_inserti64x4(_mm512_set1_epi16((short)(iq4xs_scale(x, 2 * h) - 32)),
								      _mm256_set1_epi16((short)(iq4xs_scale(x, 2 * h + 1) - 32)), 1);
				_Pragma("GCC unroll 4")
				for (int t = 0; t < NT; t++) {
					__m512i ys = _mm512_mask_sub_epi8(yq[t], neg, zero, yq[t]);
					__m512i p16 = _mm512_maddubs_epi16(aq, ys);
					sumi[r][t] = _mm512_add_epi32(sumi[r][t], _mm512_madd_epi16(p16, ls));
				}
			}
		}
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++) {
			const float dx = h2f(XS_X(r, i)->d);
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++) {
				__m256i s8 = _mm256_add_epi32(_mm512_castsi512_si256(sumi[r][t]),
							      _mm512_extracti64x4_epi64(sumi[r][t], 1));
				acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * XS_Y(t, i)->d), _mm256_cvtepi32_ps(s8),
							    acc[r][t]);
			}
		}
	}
	for (int r = 0; r < NR; r++)
		for (int t = 0; t < NT; t++)
			s[t * ss + r] = hsum8(acc[r][t]);
#undef XS_X
#undef XS_Y
}

static void iq4_xs_vec_dot(int n, float *s, const void *x, const void *y)
{
	xs_tile(1, 1, n, s, 0, x, 0, y, 0);
}

static void iq4_xs_vec_dot_4r(int n, float *s, const void *x, size_t bx, const void *y)
{
	xs_tile(4, 1, n, s, 0, x, bx, y, 0);
}

/* 4 rows by nt activations: 4x2 tiles (a 4x4 one's sums would not fit in
 * the 32 zmm registers). */
static void iq4_xs_vec_dot_4xn(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y,
			       size_t by)
{
	int t = 0;
	for (; t + 2 <= nt; t += 2)
		xs_tile(4, 2, n, s + t * ss, ss, x, bx, (const uint8_t *)y + t * by, by);
	if (t < nt)
		xs_tile(4, 1, n, s + t * ss, ss, x, bx, (const uint8_t *)y + t * by, by);
}

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_IQ4_NL, { .vec_dot = iq4_nl_vec_dot, .vec_dot_4r = iq4_nl_vec_dot_4r,
			      .vec_dot_4xn = iq4_nl_vec_dot_4xn } },
	{ GGML_TYPE_IQ4_XS, { .vec_dot = iq4_xs_vec_dot, .vec_dot_4r = iq4_xs_vec_dot_4r,
			      .vec_dot_4xn = iq4_xs_vec_dot_4xn } },
};

void iquant_avx512_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

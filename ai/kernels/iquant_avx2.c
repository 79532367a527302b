/*
 * AVX2 + FMA + F16C IQ4 kernels (ai/kernels/iquant.h), bit-identical to
 * iquant_ref.c. Per 32 the levels are looked up by nibble (vpshufb) and
 * |q| . sign(y, q) summed by maddubs into int16 pairs (|q| <= 127 and
 * |y| <= 127: no saturation), then by madd into eight exact int32 lanes:
 * times one for IQ4_NL, times the sub-block's scale for IQ4_XS (whose
 * lanes run over the super-block); then the float chains of iquant_ref.c.
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
#define NO_CONTRACT(v) __asm__("" : "+x"(v))

/* The levels of the 32 elements whose 16 quant bytes are at qs, in
 * element order (low nibbles, then high ones). */
AI __m256i levels32(const uint8_t *qs, __m256i tbl)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);
	__m256i v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0f));
	return _mm256_shuffle_epi8(tbl, v);
}

/* int16 pairs of q . y for signed q (|q| <= 127) and y. */
AI __m256i pairs16(__m256i q, __m256i y)
{
	return _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y, q));
}

AI __m256i iq4_table(void)
{
	return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)iq4nl_values));
}

/* vec_dot_4xn from a tile kernel TILE(NR, NT, ...): 4 rows by nt
 * activations in 2x2 tiles (16 ymm registers hold no 4x4 one). */
#define TILES_4XN(name, TILE)                                                               \
	static void name(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, \
			 size_t by)                                                                 \
	{                                                                                   \
		for (int r = 0; r < 4; r += 2) {                                            \
			const uint8_t *xr = (const uint8_t *)x + r * bx;                    \
			int t = 0;                                                          \
			for (; t + 2 <= nt; t += 2)                                         \
				TILE(2, 2, n, s + t * ss + r, ss, xr, bx, (const uint8_t *)y + t * by, by); \
			if (t < nt)                                                         \
				TILE(2, 1, n, s + t * ss + r, ss, xr, bx, (const uint8_t *)y + t * by, by); \
		}                                                                           \
	}

/* ---- IQ4_NL x Q8_0 ------------------------------------------------------- */

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT
 * (constants); weight rows bx bytes apart, Q8_0 rows by apart. Block pairs:
 * even blocks into chain 0, odd into chain 1, as iquant_ref.c. */
AI void nl_tile(int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx, const void *vy,
		size_t by)
{
	const __m256i tbl = iq4_table(), one = _mm256_set1_epi16(1);
	const int nb = n / QK4_NL;
	__m256 acc[4][2][2];
	int i = 0;
#define NL_X(r, b) ((const block_iq4_nl *)((const uint8_t *)vx + (r) * bx) + (b))
#define NL_Y(t, b) ((const block_q8_0 *)((const uint8_t *)vy + (t) * by) + (b))
	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 2")
		for (int t = 0; t < NT; t++)
			acc[r][t][0] = acc[r][t][1] = _mm256_setzero_ps();
	for (; i + 1 < nb; i += 2) {
		if (NR > 1) /* the caller's next rows: short streams help the prefetcher */
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++)
				_mm_prefetch((const char *)NL_X(r + NR, i), QUANT_PF_WEIGHTS);
		_Pragma("GCC unroll 2")
		for (int k = 0; k < 2; k++) {
			__m256i yq[2];
			_Pragma("GCC unroll 2")
			for (int t = 0; t < NT; t++)
				yq[t] = _mm256_loadu_si256((const __m256i *)NL_Y(t, i + k)->qs);
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++) {
				const __m256i q = levels32(NL_X(r, i + k)->qs, tbl);
				const float dx = h2f(NL_X(r, i + k)->d);
				_Pragma("GCC unroll 2")
				for (int t = 0; t < NT; t++) {
					__m256i p = _mm256_madd_epi16(pairs16(q, yq[t]), one);
					acc[r][t][k] = _mm256_fmadd_ps(_mm256_set1_ps(dx * h2f(NL_Y(t, i + k)->d)),
								       _mm256_cvtepi32_ps(p), acc[r][t][k]);
				}
			}
		}
	}
	for (int r = 0; r < NR; r++)
		for (int t = 0; t < NT; t++) {
			float sum = hsum8(_mm256_add_ps(acc[r][t][0], acc[r][t][1]));
			if (i < nb) { /* an odd last block: d * sum, then the add */
				__m256i p = _mm256_madd_epi16(pairs16(levels32(NL_X(r, i)->qs, tbl),
								      _mm256_loadu_si256((const __m256i *)NL_Y(t, i)->qs)), one);
				__m128i p4 = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
				p4 = _mm_add_epi32(p4, _mm_shuffle_epi32(p4, 0x4e));
				p4 = _mm_add_epi32(p4, _mm_shuffle_epi32(p4, 0xb1));
				float v = h2f(NL_X(r, i)->d) * h2f(NL_Y(t, i)->d) * (float)_mm_cvtsi128_si32(p4);
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

TILES_4XN(iq4_nl_vec_dot_4xn, nl_tile)

/* ---- IQ4_XS x Q8_K ------------------------------------------------------- */

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT
 * (constants); weight rows bx bytes apart, Q8_K rows by apart. */
AI void xs_tile(int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx, const void *vy,
		size_t by)
{
	const __m256i tbl = iq4_table();
	__m256 acc[4][2];
#define XS_X(r, b) ((const block_iq4_xs *)((const uint8_t *)vx + (r) * bx) + (b))
#define XS_Y(t, b) ((const block_q8_K *)((const uint8_t *)vy + (t) * by) + (b))
	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 2")
		for (int t = 0; t < NT; t++)
			acc[r][t] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		__m256i sumi[4][2];
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++) {
			_Pragma("GCC unroll 2")
			for (int t = 0; t < NT; t++)
				sumi[r][t] = _mm256_setzero_si256();
			if (NR > 1) /* short streams: help the prefetcher */
				_mm_prefetch((const char *)XS_X(r, i + 2), QUANT_PF_WEIGHTS);
		}
		for (int j = 0; j < QK_K / 32; j++) {
			__m256i yq[2];
			_Pragma("GCC unroll 2")
			for (int t = 0; t < NT; t++)
				yq[t] = _mm256_loadu_si256((const __m256i *)(XS_Y(t, i)->qs + 32 * j));
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++) {
				const __m256i q = levels32(XS_X(r, i)->qs + 16 * j, tbl);
				const __m256i ls = _mm256_set1_epi16((short)(iq4xs_scale(XS_X(r, i), j) - 32));
				_Pragma("GCC unroll 2")
				for (int t = 0; t < NT; t++)
					sumi[r][t] = _mm256_add_epi32(sumi[r][t], _mm256_madd_epi16(pairs16(q, yq[t]), ls));
			}
		}
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++) {
			const float dx = h2f(XS_X(r, i)->d);
			_Pragma("GCC unroll 2")
			for (int t = 0; t < NT; t++)
				acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * XS_Y(t, i)->d),
							    _mm256_cvtepi32_ps(sumi[r][t]), acc[r][t]);
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

TILES_4XN(iq4_xs_vec_dot_4xn, xs_tile)

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_IQ4_NL, { .vec_dot = iq4_nl_vec_dot, .vec_dot_4r = iq4_nl_vec_dot_4r,
			      .vec_dot_4xn = iq4_nl_vec_dot_4xn } },
	{ GGML_TYPE_IQ4_XS, { .vec_dot = iq4_xs_vec_dot, .vec_dot_4r = iq4_xs_vec_dot_4r,
			      .vec_dot_4xn = iq4_xs_vec_dot_4xn } },
};

void iquant_avx2_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

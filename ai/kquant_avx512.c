/*
 * AVX-512 (BW/VL + VNNI) K-quant dots for the types that dominate real
 * files, Q4_K, Q5_K, Q6_K, and Q2_K, Q3_K, with Q8_K. Each 512-bit register holds 64 weight
 * q (unsigned) lined up with 64 contiguous or paired q8; maddubs gives
 * int16 pair sums and VNNI's dpwssd multiplies them by the sub-block
 * scales and accumulates in int32, one float FMA per super-block, one
 * horizontal sum per row. The same tile code also serves four activation
 * rows at once (dot_4c, batched prompts). The Q8_K quantizer uses the AVX2
 * code at this level (see kquant.c).
 */
#include <immintrin.h>
#include <string.h>

#include "ai/kquant.h"

static inline float h2f(ggml_half h) { return _cvtsh_ss(h); }

/* Two 32-byte halves from p and p + off as one 512-bit register. */
static inline __m512i load2x256(const void *p, int off)
{
	return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)p)),
				  _mm256_loadu_si256((const __m256i *)((const uint8_t *)p + off)), 1);
}

/* int16 lane l = scale a for l < 16, scale b for l >= 16 */
static inline __m512i idx2(int a, int b)
{
	return _mm512_inserti64x4(_mm512_set1_epi16((short)a), _mm256_set1_epi16((short)b), 1);
}

/* byte lanes: bit a in the low 256 bits, bit b in the high */
static inline __m512i bits2(int a, int b)
{
	return _mm512_inserti64x4(_mm512_set1_epi8((char)(1 << a)), _mm256_set1_epi8((char)(1 << b)), 1);
}

/* Q4_K/Q5_K scales (int16 lanes 0..7) and mins (8..15). */
static inline __m256i q45k_scales_mins(const uint8_t *scales)
{
	uint32_t u[4];
	memcpy(u, scales, 12);
	u[3] = ((u[2] >> 4) & 0x0f0f0f0f) | (((u[1] >> 6) & 0x03030303) << 4);
	uint32_t uaux = u[1] & 0x3f3f3f3f;
	u[1] = (u[2] & 0x0f0f0f0f) | (((u[0] >> 6) & 0x03030303) << 4);
	u[2] = uaux;
	u[0] &= 0x3f3f3f3f;
	return _mm256_cvtepu8_epi16(_mm_set_epi32((int)u[3], (int)u[2], (int)u[1], (int)u[0]));
}

static inline __m128i q45k_min_term(__m256i ms, const int16_t *bsums)
{
	__m256i b = _mm256_loadu_si256((const __m256i *)bsums);
	__m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
	return _mm_madd_epi16(_mm256_extracti128_si256(ms, 1), q8s);
}

static inline float hsum4(__m128 v)
{
	v = _mm_add_ps(v, _mm_movehl_ps(v, v));
	v = _mm_add_ss(v, _mm_movehdup_ps(v));
	return _mm_cvtss_f32(v);
}

#define AI __attribute__((always_inline)) static inline

/* Prefetch distance of the multi-row tiles (token generation). */
#define KQ_PF_BYTES 32768

/* Q4_K and Q5_K, a tile of nr rows (bx bytes apart) by nc activation rows
 * (by bytes apart), nr * nc <= 4 (used: 1 x 1, 1 x 4 for prompts, 4 x 1
 * for token generation: +43% cache-hot on Zen 5, and with the prefetch
 * +40% tg), into s[r * nc + c]. Every (r, c) runs the same operations in
 * the same order whatever the tile, so the result is bit-identical to the
 * 1 x 1 tile. Per half block (128 elements, qs
 * bytes 64h..64h+63) the low nibbles hold sub-blocks 4h and 4h+2, the high
 * ones 4h+1 and 4h+3; q8 is paired to match. qh (Q5_K) adds 16. */
AI void q45k_tile(int n, float *s, const uint8_t *x, size_t bx, int nr, const uint8_t *yv, size_t by,
		  int nc, bool five)
{
	const size_t bsize = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
	const __m512i m4 = _mm512_set1_epi8(0xF), m16 = _mm512_set1_epi8(16);
	const __m512i ilo0 = idx2(0, 2), ihi0 = idx2(1, 3), ilo1 = idx2(4, 6), ihi1 = idx2(5, 7);
	const __m512i bl0 = bits2(0, 2), bh0 = bits2(1, 3), bl1 = bits2(4, 6), bh1 = bits2(5, 7);
	__m512 acc[4];
	__m128 accm[4];
	#pragma GCC unroll 4
	for (int t = 0; t < nr * nc; t++) {
		acc[t] = _mm512_setzero_ps();
		accm[t] = _mm_setzero_ps();
	}
	/* several rows at once: short streams the hardware prefetcher
	 * follows late; fetch the same place KQ_PF_BYTES further on */
	const size_t pf_rows = nr > 1 && bx ? (KQ_PF_BYTES / bx + 3) / 4 * 4 + (size_t)nr : 0;
	for (int i = 0; i < n / QK_K; i++) {
		if (nr > 1)
			for (int r = 0; r < nr; r++)
				for (size_t o = 0; o < bsize; o += 64)
					_mm_prefetch((const char *)x + (r + pf_rows) * bx + (size_t)i * bsize + o, _MM_HINT_T0);
		const block_q8_K *yc[4];
		const uint8_t *qs[4], *qh[4];
		const block_q4_K *h[4]; /* d, dmin, scales lead both block types */
		__m512i sc[4], sumi[4];
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++)
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
		#pragma GCC unroll 4
		for (int r = 0; r < nr; r++) {
			const uint8_t *blk = x + r * bx + (size_t)i * bsize;
			h[r] = (const block_q4_K *)blk;
			qs[r] = five ? ((const block_q5_K *)blk)->qs : h[r]->qs;
			qh[r] = five ? ((const block_q5_K *)blk)->qh : NULL;
			__m256i ms = q45k_scales_mins(h[r]->scales);
			sc[r] = _mm512_castsi256_si512(ms);
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				float dmin = -yc[c]->d * h2f(h[r]->dmin);
				accm[r * nc + c] = _mm_fmadd_ps(_mm_set1_ps(dmin),
					_mm_cvtepi32_ps(q45k_min_term(ms, yc[c]->bsums)), accm[r * nc + c]);
				sumi[r * nc + c] = _mm512_setzero_si512();
			}
		}
#pragma GCC unroll 2
		for (int hb = 0; hb < 2; hb++) {
			__m512i q8l[4], q8h[4];
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				q8l[c] = load2x256(yc[c]->qs + 128 * hb, 64);
				q8h[c] = load2x256(yc[c]->qs + 128 * hb + 32, 64);
			}
			#pragma GCC unroll 4
			for (int r = 0; r < nr; r++) {
				__m512i bits = _mm512_loadu_si512((const void *)(qs[r] + 64 * hb));
				__m512i lo = _mm512_and_si512(bits, m4);
				__m512i hi = _mm512_and_si512(_mm512_srli_epi16(bits, 4), m4);
				if (five) {
					__m512i q2 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)qh[r]));
					lo = _mm512_mask_add_epi8(lo, _mm512_test_epi8_mask(q2, hb ? bl1 : bl0), lo, m16);
					hi = _mm512_mask_add_epi8(hi, _mm512_test_epi8_mask(q2, hb ? bh1 : bh0), hi, m16);
				}
				__m512i sl = _mm512_permutexvar_epi16(hb ? ilo1 : ilo0, sc[r]);
				__m512i sh = _mm512_permutexvar_epi16(hb ? ihi1 : ihi0, sc[r]);
				#pragma GCC unroll 4
				for (int c = 0; c < nc; c++) {
					__m512i pl = _mm512_maddubs_epi16(lo, q8l[c]);
					__m512i ph = _mm512_maddubs_epi16(hi, q8h[c]);
					sumi[r * nc + c] = _mm512_dpwssd_epi32(sumi[r * nc + c], pl, sl);
					sumi[r * nc + c] = _mm512_dpwssd_epi32(sumi[r * nc + c], ph, sh);
				}
			}
		}
		#pragma GCC unroll 4
		for (int r = 0; r < nr; r++)
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				float d = yc[c]->d * h2f(h[r]->d);
				acc[r * nc + c] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi[r * nc + c]),
								  acc[r * nc + c]);
			}
	}
	#pragma GCC unroll 4
	for (int t = 0; t < nr * nc; t++)
		s[t] = _mm512_reduce_add_ps(acc[t]) + hsum4(accm[t]);
}

void kquant_q4k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, 0, 1, vy, 0, 1, false);
}

void kquant_q4k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, 0, 1, vy, by, 4, false);
}

/* Four weight rows bx bytes apart against one activation row (token
 * generation): each (row, column) pair runs the same operations as
 * vec_dot, so s[r] is bit-identical to it; the Q8_K row is loaded once. */
void kquant_q4k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_tile(n, s, vx, bx, 4, vy, 0, 1, false);
}

void kquant_q5k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_tile(n, s, vx, bx, 4, vy, 0, 1, true);
}

void kquant_q5k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, 0, 1, vy, 0, 1, true);
}

void kquant_q5k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, 0, 1, vy, by, 4, true);
}

/* ggml's hsum_float_8: (l + l+4), then (+2 apart), then (0 + 1) */
static inline float q6k_hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* Q6_K, tiled as q45k_tile: per half block the 64 ql bytes' low nibbles
 * are elements 0..63, the high nibbles 64..127, each with 2 bits of the
 * same 32 qh bytes shifted per 256-bit half. q is used unsigned (0..63),
 * minus maddubs(32, y) in the same int16 lanes (computed once per column
 * for all rows); the two 256-bit halves are added (exact, integer) so each
 * of 8 lanes holds 4 neighbouring elements of every 32, one FMA per
 * super-block and ggml's hsum: bit-identical to ggml's AVX2 kernel, which
 * is the one llama.cpp runs on AVX-512 machines too. */
AI void q6k_tile(int n, float *s, const uint8_t *x, size_t bx, int nr, const uint8_t *yv, size_t by, int nc)
{
	const __m512i m4 = _mm512_set1_epi8(0xF), m2 = _mm512_set1_epi8(0x30);
	const __m512i shl = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
	const __m512i shr = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
	/* scales of 4 sub-blocks in one register: int16 lanes 8 apart */
	const __m512i i0 = _mm512_set_epi16(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2,
					    1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m512i four = _mm512_set1_epi16(4), m32 = _mm512_set1_epi8(32);
	const __m512i m128 = _mm512_set1_epi8((char)0x80);
	/* several columns: (y + 128) unsigned times (q - 32) signed instead,
	 * the 128 * (q - 32) excess taken off once per row and block */
	const bool swap = nc > 1;
	__m256 acc[4];
	#pragma GCC unroll 4
	for (int t = 0; t < nr * nc; t++)
		acc[t] = _mm256_setzero_ps();
	/* several rows at once: short streams the hardware prefetcher
	 * follows late; fetch the same place KQ_PF_BYTES further on */
	const size_t pf_rows = nr > 1 && bx ? (KQ_PF_BYTES / bx + 3) / 4 * 4 + (size_t)nr : 0;
	for (int i = 0; i < n / QK_K; i++) {
		if (nr > 1)
			for (int r = 0; r < nr; r++)
				for (size_t o = 0; o < sizeof(block_q6_K); o += 64)
					_mm_prefetch((const char *)x + (r + pf_rows) * bx + (size_t)i * sizeof(block_q6_K) + o, _MM_HINT_T0);
		const block_q8_K *yc[4];
		const block_q6_K *xr[4];
		__m512i sc[4], sumi[4], corr[4];
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++)
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
		#pragma GCC unroll 4
		for (int r = 0; r < nr; r++) {
			xr[r] = (const block_q6_K *)(x + r * bx) + i;
			__m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)xr[r]->scales));
			sc[r] = _mm512_castsi256_si512(sc16);
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++)
				sumi[r * nc + c] = _mm512_setzero_si512();
			corr[r] = _mm512_setzero_si512();
		}
		__m512i idx = i0;
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
			__m512i q8l[4], q8h[4], o8l[4], o8h[4];
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				q8l[c] = _mm512_loadu_si512((const void *)(yc[c]->qs + 128 * j));
				q8h[c] = _mm512_loadu_si512((const void *)(yc[c]->qs + 128 * j + 64));
				if (swap) {
					o8l[c] = _mm512_xor_si512(q8l[c], m128);
					o8h[c] = _mm512_xor_si512(q8h[c], m128);
				} else {
					o8l[c] = _mm512_maddubs_epi16(m32, q8l[c]);
					o8h[c] = _mm512_maddubs_epi16(m32, q8h[c]);
				}
			}
			__m512i idx2 = _mm512_add_epi16(idx, four);
			#pragma GCC unroll 4
			for (int r = 0; r < nr; r++) {
				__m512i ql = _mm512_loadu_si512((const void *)(xr[r]->ql + 64 * j));
				__m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(xr[r]->qh + 32 * j)));
				__m512i lo = _mm512_or_si512(_mm512_and_si512(ql, m4),
							     _mm512_and_si512(_mm512_sllv_epi16(qh, shl), m2));
				__m512i hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
							     _mm512_and_si512(_mm512_srlv_epi16(qh, shr), m2));
				__m512i sl = _mm512_permutexvar_epi16(idx, sc[r]);
				__m512i sh = _mm512_permutexvar_epi16(idx2, sc[r]);
				if (swap) {
					lo = _mm512_sub_epi8(lo, m32);
					hi = _mm512_sub_epi8(hi, m32);
					corr[r] = _mm512_dpwssd_epi32(corr[r], _mm512_maddubs_epi16(m128, lo), sl);
					corr[r] = _mm512_dpwssd_epi32(corr[r], _mm512_maddubs_epi16(m128, hi), sh);
				}
				#pragma GCC unroll 4
				for (int c = 0; c < nc; c++) {
					__m512i pl, ph;
					if (swap) {
						pl = _mm512_maddubs_epi16(o8l[c], lo);
						ph = _mm512_maddubs_epi16(o8h[c], hi);
					} else {
						pl = _mm512_sub_epi16(_mm512_maddubs_epi16(lo, q8l[c]), o8l[c]);
						ph = _mm512_sub_epi16(_mm512_maddubs_epi16(hi, q8h[c]), o8h[c]);
					}
					sumi[r * nc + c] = _mm512_dpwssd_epi32(sumi[r * nc + c], pl, sl);
					sumi[r * nc + c] = _mm512_dpwssd_epi32(sumi[r * nc + c], ph, sh);
				}
			}
			idx = _mm512_add_epi16(idx2, four);
		}
		#pragma GCC unroll 4
		for (int r = 0; r < nr; r++)
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				float d = yc[c]->d * h2f(xr[r]->d);
				__m512i v = swap ? _mm512_sub_epi32(sumi[r * nc + c], corr[r]) : sumi[r * nc + c];
				__m256i v8 = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
				acc[r * nc + c] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(v8), acc[r * nc + c]);
			}
	}
	#pragma GCC unroll 4
	for (int t = 0; t < nr * nc; t++)
		s[t] = q6k_hsum8(acc[t]);
}

void kquant_q6k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q6k_tile(n, s, vx, 0, 1, vy, 0, 1);
}

void kquant_q6k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q6k_tile(n, s, vx, 0, 1, vy, by, 4);
}

/* Q2_K and Q3_K share the qs layout: 64 bytes, element 128j + 32k + l in
 * byte 32j + l at bits 2k. One 512-bit load of qs shifted by 2k holds
 * elements 32k.. (low half) and 128 + 32k.. (high half), sub-blocks 2k,
 * 2k+1, 8+2k, 9+2k; q8 is paired to match. Scales come as 16 int16 in
 * sc16; Q3_K's hmask bit 4j+k adds 4 (q used as q + 4, the -4 comes back
 * as -4 * sum(scale_j * bsum_j)); Q2_K's mins times bsums are the min term. */
AI void q23k_tile(int n, float *s, const void *vx, const uint8_t *yv, size_t by, int nc, bool three)
{
	const size_t bsize = three ? sizeof(block_q3_K) : sizeof(block_q2_K);
	const __m512i m3 = _mm512_set1_epi8(3), m4b = _mm512_set1_epi8(4);
	const __m128i m4 = _mm_set1_epi8(0xF);
	const __m512i base = _mm512_set_epi16(9, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8,
					      1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m512i two = _mm512_set1_epi16(2);
	__m512 acc[4];
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		acc[c] = _mm512_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = (const uint8_t *)vx + (size_t)i * bsize;
		const block_q8_K *yc[4];
		__m512i sumi[4];
		const uint8_t *qs;
		__m256i sc16;
		__m512i hm2 = _mm512_setzero_si512();
		float xd;
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++)
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
		if (three) {
			const block_q3_K *x = (const block_q3_K *)blk;
			uint32_t aux[4], tmp;
			memcpy(aux, x->scales, 12);
			tmp = aux[2];
			aux[2] = ((aux[0] >> 4) & 0x0f0f0f0f) | (((tmp >> 4) & 0x03030303) << 4);
			aux[3] = ((aux[1] >> 4) & 0x0f0f0f0f) | (((tmp >> 6) & 0x03030303) << 4);
			aux[0] = (aux[0] & 0x0f0f0f0f) | (((tmp >> 0) & 0x03030303) << 4);
			aux[1] = (aux[1] & 0x0f0f0f0f) | (((tmp >> 2) & 0x03030303) << 4);
			sc16 = _mm256_cvtepi8_epi16(_mm_sub_epi8(
				_mm_set_epi32((int)aux[3], (int)aux[2], (int)aux[1], (int)aux[0]), _mm_set1_epi8(32)));
			hm2 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)x->hmask));
			qs = x->qs;
			xd = h2f(x->d);
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				__m256i off = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)yc[c]->bsums));
				sumi[c] = _mm512_zextsi256_si512(
					_mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(off, 2)));
			}
		} else {
			const block_q2_K *x = (const block_q2_K *)blk;
			__m128i ms = _mm_loadu_si128((const __m128i *)x->scales);
			sc16 = _mm256_cvtepi8_epi16(_mm_and_si128(ms, m4));
			__m256i mins = _mm256_cvtepi8_epi16(_mm_and_si128(_mm_srli_epi16(ms, 4), m4));
			qs = x->qs;
			xd = h2f(x->d);
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				float dmin = -yc[c]->d * h2f(x->dmin);
				__m256i prod = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)yc[c]->bsums));
				acc[c] = _mm512_fmadd_ps(_mm512_set1_ps(dmin),
							 _mm512_zextps256_ps512(_mm256_cvtepi32_ps(prod)), acc[c]);
				sumi[c] = _mm512_setzero_si512();
			}
		}
		__m512i sc = _mm512_castsi256_si512(sc16);
		__m512i bits = _mm512_loadu_si512((const void *)qs);
		__m512i idx = base;
#pragma GCC unroll 4
		for (int k = 0; k < 4; k++) {
			__m512i q = _mm512_and_si512(_mm512_srli_epi16(bits, 2 * k), m3);
			if (three)
				q = _mm512_mask_add_epi8(q, _mm512_test_epi8_mask(hm2, bits2(k, 4 + k)), q, m4b);
			__m512i scale = _mm512_permutexvar_epi16(idx, sc);
			idx = _mm512_add_epi16(idx, two);
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				__m512i p = _mm512_maddubs_epi16(q, load2x256(yc[c]->qs + 32 * k, 128));
				sumi[c] = _mm512_dpwssd_epi32(sumi[c], p, scale);
			}
		}
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			float d = yc[c]->d * xd;
			acc[c] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi[c]), acc[c]);
		}
	}
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = _mm512_reduce_add_ps(acc[c]);
}

void kquant_q2k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q23k_tile(n, s, vx, vy, 0, 1, false);
}

void kquant_q2k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q23k_tile(n, s, vx, vy, by, 4, false);
}

void kquant_q3k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q23k_tile(n, s, vx, vy, 0, 1, true);
}

void kquant_q3k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q23k_tile(n, s, vx, vy, by, 4, true);
}

void kquant_q6k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q6k_tile(n, s, vx, bx, 4, vy, 0, 1);
}

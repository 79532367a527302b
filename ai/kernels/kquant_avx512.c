/*
 * AVX-512 (BW/VL + VNNI) K-quant dots for the types that dominate real
 * files, Q4_K, Q5_K, Q6_K, and Q2_K, Q3_K, with Q8_K. Each 512-bit register holds 64 weight
 * q (unsigned) lined up with 64 contiguous or paired q8; maddubs gives
 * int16 pair sums and VNNI's dpwssd multiplies them by the sub-block
 * scales and accumulates in int32, one float FMA per super-block, one
 * horizontal sum per row. The same tile code also serves four activation
 * rows at once (dot_4c, batched prompts). Token generation has its own
 * 4-row kernels (vec_dot_4r) that reach the same int32 lane sums with
 * fewer instructions (dpbusd sums of four, two packed per int32 for one
 * dpwssd) and do the per-block and final float work for the four rows
 * together. The Q8_K quantizer uses the AVX2 code at this level (see
 * kquant_avx512_fill).
 */
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/kernels/kquant.h"
#include "ai/kernels/simd.h"

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

/* Prefetch distance of the 4-row kernels (token generation): short row
 * streams the hardware prefetcher follows late; each block fetches the
 * same place in the rows about this many bytes further on. Farther loses
 * cache-hot (lines leave L1 before use) and gains nothing from DRAM. */
#define KQ_PF_BYTES 4096

/* Q4_K and Q5_K, one weight row by nc activation rows (by bytes apart),
 * nc <= 4 (1 for vec_dot, 4 for prompts), into s[c]. Every column runs
 * the same operations in the same order, so the result is bit-identical
 * to nc = 1. Per half block (128 elements, qs bytes 64h..64h+63) the low
 * nibbles hold sub-blocks 4h and 4h+2, the high ones 4h+1 and 4h+3; q8 is
 * paired to match. qh (Q5_K) adds 16. */
AI void q45k_tile(int n, float *s, const uint8_t *x, const uint8_t *yv, size_t by, int nc, bool five)
{
	const size_t bsize = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
	const __m512i m4 = _mm512_set1_epi8(0xF), m16 = _mm512_set1_epi8(16);
	const __m512i ilo0 = idx2(0, 2), ihi0 = idx2(1, 3), ilo1 = idx2(4, 6), ihi1 = idx2(5, 7);
	const __m512i bl0 = bits2(0, 2), bh0 = bits2(1, 3), bl1 = bits2(4, 6), bh1 = bits2(5, 7);
	__m512 acc[4];
	__m128 accm[4];
	#pragma GCC unroll 4
	for (int c = 0; c < nc; c++) {
		acc[c] = _mm512_setzero_ps();
		accm[c] = _mm_setzero_ps();
	}
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = x + (size_t)i * bsize;
		const block_q4_K *h = (const block_q4_K *)blk; /* d, dmin, scales lead both types */
		const uint8_t *qs = five ? ((const block_q5_K *)blk)->qs : h->qs;
		const block_q8_K *yc[4];
		__m512i sumi[4];
		const __m256i ms = q45k_scales_mins(h->scales);
		const __m512i sc = _mm512_castsi256_si512(ms);
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
			float dmin = -yc[c]->d * h2f(h->dmin);
			accm[c] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(q45k_min_term(ms, yc[c]->bsums)), accm[c]);
			sumi[c] = _mm512_setzero_si512();
		}
#pragma GCC unroll 2
		for (int hb = 0; hb < 2; hb++) {
			__m512i bits = _mm512_loadu_si512((const void *)(qs + 64 * hb));
			__m512i lo = _mm512_and_si512(bits, m4);
			__m512i hi = _mm512_and_si512(_mm512_srli_epi16(bits, 4), m4);
			if (five) {
				const uint8_t *qh = ((const block_q5_K *)blk)->qh;
				__m512i q2 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)qh));
				lo = _mm512_mask_add_epi8(lo, _mm512_test_epi8_mask(q2, hb ? bl1 : bl0), lo, m16);
				hi = _mm512_mask_add_epi8(hi, _mm512_test_epi8_mask(q2, hb ? bh1 : bh0), hi, m16);
			}
			__m512i sl = _mm512_permutexvar_epi16(hb ? ilo1 : ilo0, sc);
			__m512i sh = _mm512_permutexvar_epi16(hb ? ihi1 : ihi0, sc);
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				__m512i pl = _mm512_maddubs_epi16(lo, load2x256(yc[c]->qs + 128 * hb, 64));
				__m512i ph = _mm512_maddubs_epi16(hi, load2x256(yc[c]->qs + 128 * hb + 32, 64));
				sumi[c] = _mm512_dpwssd_epi32(sumi[c], pl, sl);
				sumi[c] = _mm512_dpwssd_epi32(sumi[c], ph, sh);
			}
		}
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			float d = yc[c]->d * h2f(h->d);
			acc[c] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi[c]), acc[c]);
		}
	}
	#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = _mm512_reduce_add_ps(acc[c]) + hsum4(accm[c]);
}

void kquant_q4k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, vy, 0, 1, false);
}

void kquant_q4k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, vy, by, 4, false);
}

/* The first 16 bytes of four rows' blocks (bx apart), row r in 128-bit
 * lane r. */
AI __m512i heads4(const uint8_t *b, size_t bx)
{
	__m512i h = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)b));
	h = _mm512_inserti32x4(h, _mm_loadu_si128((const __m128i *)(b + bx)), 1);
	h = _mm512_inserti32x4(h, _mm_loadu_si128((const __m128i *)(b + 2 * bx)), 2);
	return _mm512_inserti32x4(h, _mm_loadu_si128((const __m128i *)(b + 3 * bx)), 3);
}

/* q45k_scales_mins for four heads at once (dwords d|dmin, u0, u1, u2 per
 * lane): bytes 0..7 of each lane the scales, 8..15 the mins. */
AI __m512i q45k_scales_mins4(__m512i h)
{
	const __m512i sh = _mm512_set4_epi32(4, 0, 0, 0);
	const __m512i lo = _mm512_set4_epi32(0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f);
	const __m512i top = _mm512_set4_epi32(0x30303030, 0, 0x30303030, 0);
	/* (u0, u2, u1, u2 >> 4) masked, or'ed with the top bits of u0 and u1 */
	__m512i a = _mm512_srlv_epi32(_mm512_shuffle_epi32(h, (_MM_PERM_ENUM)0xED), sh);
	__m512i b = _mm512_and_si512(_mm512_srli_epi32(_mm512_shuffle_epi32(h, (_MM_PERM_ENUM)0x84), 2), top);
	return _mm512_ternarylogic_epi32(a, lo, b, 0xEA); /* (a & lo) | b */
}

/* Final sums of four rows, each as _mm512_reduce_add_ps(acc[r]) +
 * hsum4(lane r of accm): the same additions, four rows per instruction. */
AI __m128 q45k_sums4(const __m512 acc[4], __m512 accm)
{
	__m512 a = _mm512_add_ps(_mm512_shuffle_f32x4(acc[0], acc[1], 0x44), _mm512_shuffle_f32x4(acc[0], acc[1], 0xEE));
	__m512 b = _mm512_add_ps(_mm512_shuffle_f32x4(acc[2], acc[3], 0x44), _mm512_shuffle_f32x4(acc[2], acc[3], 0xEE));
	__m512 v = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x88), _mm512_shuffle_f32x4(a, b, 0xDD));
	v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));
	v = _mm512_add_ps(v, _mm512_movehdup_ps(v));
	__m512 m = _mm512_add_ps(accm, _mm512_permute_ps(accm, 0xEE));
	m = _mm512_add_ps(m, _mm512_movehdup_ps(m));
	v = _mm512_add_ps(v, m);
	return _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), v));
}

/* Four weight rows bx bytes apart against one activation row (token
 * generation), s[r] bit-identical to vec_dot: the same int32 lane sums
 * and float chain as q45k_tile, built with fewer instructions. The heads
 * of the four blocks (d, dmin, scales) are decoded together, one row per
 * 128-bit lane, and the min terms and final sums are done for the four
 * rows at once. In the integer part vpdpbusd sums four products of one
 * sub-block per int32 lane (|sum| < 2^15 for q < 32); the low-nibble sums
 * and the high-nibble sums, shifted into the upper int16, make one
 * register that a single vpdpwssd scales by the (sub-block 2j, 2j+1)
 * scale pair. Q4_K's high nibbles are used in place (16 q) and their sum
 * shifted by 12 instead of 16. Faster than the 4-row q45k_tile it
 * replaced (docs/performance.md). */
AI void q45k_4r(int n, float *s, const uint8_t *x, size_t bx, const block_q8_K *y, bool five, bool il)
{
	const size_t bsize = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
	/* block i of row r at x + r * rs + i * bs: plain rows, or a 4-row
	 * interleaved group (quant.h's vec_dot_4r_il4), the same arithmetic */
	const size_t rs = il ? bsize : bx, bs = il ? 4 * bsize : bsize;
	const __m512i m4 = _mm512_set1_epi8(0xF), mf0 = _mm512_set1_epi8((char)0xF0);
	const __m512i m16 = _mm512_set1_epi8(16);
	const __m512i bl0 = bits2(0, 2), bh0 = bits2(1, 3), bl1 = bits2(4, 6), bh1 = bits2(5, 7);
	const __m512 negodd = _mm512_castsi512_ps(_mm512_set4_epi32((int)0x80000000, 0, (int)0x80000000, 0));
	__m512 acc[4], accm = _mm512_setzero_ps();
	#pragma GCC unroll 4
	for (int r = 0; r < 4; r++)
		acc[r] = _mm512_setzero_ps();
	const size_t pf_rows = kquant_pf_rows(KQ_PF_BYTES, bx);
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = x + (size_t)i * bs;
		if (il) /* the same bytes further on, in address order */
			for (size_t o = 0; o < 4 * bsize; o += 64)
				_mm_prefetch((const char *)x + pf_rows * bx + (size_t)i * bs + o, QUANT_PF_WEIGHTS);
		else
			#pragma GCC unroll 4
			for (int r = 0; r < 4; r++)
				for (size_t o = 0; o < bsize; o += 64)
					_mm_prefetch((const char *)blk + (r + pf_rows) * bx + o, QUANT_PF_WEIGHTS);
		const __m512i h = heads4(blk, rs);
		const __m512i w = q45k_scales_mins4(h);
		const __m512i sc = _mm512_unpacklo_epi8(w, _mm512_setzero_si512());
		const __m512i mins = _mm512_unpackhi_epi8(w, _mm512_setzero_si512());
		/* d, -dmin of the four rows times y's d, as vec_dot's products */
		__m512 dd = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi32(
			_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), h)));
		dd = _mm512_mul_ps(dd, _mm512_xor_ps(_mm512_set1_ps(y[i].d), negodd));
		const __m256i b = _mm256_loadu_si256((const __m256i *)y[i].bsums);
		const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
		const __m512i mt = _mm512_madd_epi16(mins, _mm512_broadcast_i32x4(q8s));
		accm = _mm512_fmadd_ps(_mm512_permutexvar_ps(_mm512_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7), dd),
				       _mm512_cvtepi32_ps(mt), accm);
		/* row r's scale pairs, one shuffle for both half blocks: 128-bit
		 * lanes 0, 1 hold (s0, s1), (s4, s5), lanes 2, 3 (s2, s3), (s6, s7) */
		__m512i sumi[4], srow[4];
		#pragma GCC unroll 4
		for (int r = 0; r < 4; r++)
			srow[r] = _mm512_permutexvar_epi32(_mm512_setr_epi32(4 * r, 4 * r + 2, 0, 0, 4 * r, 4 * r + 2, 0, 0,
									   4 * r + 1, 4 * r + 3, 0, 0, 4 * r + 1, 4 * r + 3, 0, 0), sc);
		#pragma GCC unroll 2
		for (int hb = 0; hb < 2; hb++) {
			const __m512i yl = load2x256(y[i].qs + 128 * hb, 64);
			const __m512i yh = load2x256(y[i].qs + 128 * hb + 32, 64);
			#pragma GCC unroll 4
			for (int r = 0; r < 4; r++) {
				const uint8_t *qs = five ? ((const block_q5_K *)(blk + r * rs))->qs : ((const block_q4_K *)(blk + r * rs))->qs;
				const __m512i bits = _mm512_loadu_si512((const void *)(qs + 64 * hb));
				__m512i lo = _mm512_and_si512(bits, m4), pb;
				if (five) {
					const uint8_t *qhp = ((const block_q5_K *)(blk + r * rs))->qh;
					__m512i q2 = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)qhp));
					__m512i hi = _mm512_and_si512(_mm512_srli_epi16(bits, 4), m4);
					lo = _mm512_mask_add_epi8(lo, _mm512_test_epi8_mask(q2, hb ? bl1 : bl0), lo, m16);
					hi = _mm512_mask_add_epi8(hi, _mm512_test_epi8_mask(q2, hb ? bh1 : bh0), hi, m16);
					pb = _mm512_slli_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), hi, yh), 16);
				} else {
					pb = _mm512_slli_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(),
										   _mm512_and_si512(bits, mf0), yh), 12);
				}
				__m512i pa = _mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, yl);
				__m512i pair = _mm512_mask_blend_epi16(0xAAAAAAAA, pa, pb);
				/* int32 lanes 0..7: scales (4hb, 4hb+1), 8..15: (4hb+2, 4hb+3) */
				__m512i sp = hb ? _mm512_shuffle_epi32(srow[r], (_MM_PERM_ENUM)0x55)
						: _mm512_shuffle_epi32(srow[r], (_MM_PERM_ENUM)0x00);
				sumi[r] = hb ? _mm512_dpwssd_epi32(sumi[r], pair, sp) : _mm512_madd_epi16(pair, sp);
			}
		}
		#pragma GCC unroll 4
		for (int r = 0; r < 4; r++)
			acc[r] = _mm512_fmadd_ps(_mm512_permutexvar_ps(_mm512_set1_epi32(2 * r), dd),
						 _mm512_cvtepi32_ps(sumi[r]), acc[r]);
	}
	_mm_storeu_ps(s, q45k_sums4(acc, accm));
}

void kquant_q4k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_4r(n, s, vx, bx, vy, false, false);
}

void kquant_q5k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_4r(n, s, vx, bx, vy, true, false);
}

void kquant_q4k_dot_4r_il4_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_4r(n, s, vx, bx, vy, false, true);
}

void kquant_q5k_dot_4r_il4_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q45k_4r(n, s, vx, bx, vy, true, true);
}

void kquant_q5k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, vy, 0, 1, true);
}

void kquant_q5k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, vy, by, 4, true);
}

/* Q6_K, one weight row by nc activation rows as q45k_tile: per half
 * block the 64 ql bytes' low nibbles are elements 0..63, the high nibbles
 * 64..127, each with 2 bits of the same 32 qh bytes shifted per 256-bit
 * half. q is used unsigned (0..63), minus maddubs(32, y) in the same
 * int16 lanes; the two 256-bit halves are added (exact, integer) so each
 * of 8 lanes holds 4 neighbouring elements of every 32, one FMA per
 * super-block and ggml's hsum: bit-identical to ggml's AVX2 kernel, which
 * is the one llama.cpp runs on AVX-512 machines too. */
AI void q6k_tile(int n, float *s, const uint8_t *x, const uint8_t *yv, size_t by, int nc)
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
	 * the 128 * (q - 32) excess taken off once per block */
	const bool swap = nc > 1;
	__m256 acc[4];
	#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		acc[c] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		const block_q6_K *xb = (const block_q6_K *)x + i;
		const block_q8_K *yc[4];
		__m512i sumi[4], corr = _mm512_setzero_si512();
		const __m512i sc = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)xb->scales)));
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
			sumi[c] = _mm512_setzero_si512();
		}
		__m512i idx = i0;
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
			__m512i idx2 = _mm512_add_epi16(idx, four);
			__m512i ql = _mm512_loadu_si512((const void *)(xb->ql + 64 * j));
			__m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(xb->qh + 32 * j)));
			__m512i lo = _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_and_si512(_mm512_sllv_epi16(qh, shl), m2));
			__m512i hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
						     _mm512_and_si512(_mm512_srlv_epi16(qh, shr), m2));
			__m512i sl = _mm512_permutexvar_epi16(idx, sc);
			__m512i sh = _mm512_permutexvar_epi16(idx2, sc);
			if (swap) {
				lo = _mm512_sub_epi8(lo, m32);
				hi = _mm512_sub_epi8(hi, m32);
				corr = _mm512_dpwssd_epi32(corr, _mm512_maddubs_epi16(m128, lo), sl);
				corr = _mm512_dpwssd_epi32(corr, _mm512_maddubs_epi16(m128, hi), sh);
			}
			#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				__m512i q8l = _mm512_loadu_si512((const void *)(yc[c]->qs + 128 * j));
				__m512i q8h = _mm512_loadu_si512((const void *)(yc[c]->qs + 128 * j + 64));
				__m512i pl, ph;
				if (swap) {
					pl = _mm512_maddubs_epi16(_mm512_xor_si512(q8l, m128), lo);
					ph = _mm512_maddubs_epi16(_mm512_xor_si512(q8h, m128), hi);
				} else {
					pl = _mm512_sub_epi16(_mm512_maddubs_epi16(lo, q8l), _mm512_maddubs_epi16(m32, q8l));
					ph = _mm512_sub_epi16(_mm512_maddubs_epi16(hi, q8h), _mm512_maddubs_epi16(m32, q8h));
				}
				sumi[c] = _mm512_dpwssd_epi32(sumi[c], pl, sl);
				sumi[c] = _mm512_dpwssd_epi32(sumi[c], ph, sh);
			}
			idx = _mm512_add_epi16(idx2, four);
		}
		#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			float d = yc[c]->d * h2f(xb->d);
			__m512i v = swap ? _mm512_sub_epi32(sumi[c], corr) : sumi[c];
			__m256i v8 = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
			acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(v8), acc[c]);
		}
	}
	#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = hsum8(acc[c]);
}

void kquant_q6k_dot_avx512(int n, float *s, const void *vx, const void *vy)
{
	q6k_tile(n, s, vx, vy, 0, 1);
}

void kquant_q6k_dot_4c_avx512(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q6k_tile(n, s, vx, vy, by, 4);
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
			uint32_t aux[4];
			kquant_q3k_scales(x->scales, aux);
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

/* Final sums of four rows, each as q6k_hsum8 of its 8 lanes (rows 0, 1 in
 * a01, rows 2, 3 in a23, 256 bits each): the same additions. */
AI __m128 q6k_sums4(__m512 a01, __m512 a23)
{
	__m512 v = _mm512_add_ps(_mm512_shuffle_f32x4(a01, a23, 0x88), _mm512_shuffle_f32x4(a01, a23, 0xDD));
	v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xEE));
	v = _mm512_add_ps(v, _mm512_movehdup_ps(v));
	return _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), v));
}

/* Q6_K, four weight rows bx bytes apart against one activation row (token
 * generation), s[r] bit-identical to vec_dot: the same int32 lane sums
 * and float chain as q6k_tile. vpdpbusd sums four products of one 16-
 * element sub-block per int32 lane, starting from -32 times the four q8
 * (shared by the rows), so the lane holds sum (q - 32) q8, |sum| <= 2^14;
 * the low-nibble (elements 0..63 of the half block) and high-nibble
 * (64..127) sums, the latter shifted into the upper int16, make one
 * register that a single vpdpwssd scales by the pair of sub-block scales.
 * Two rows share each float register (256 bits per row). Faster than
 * the 4-row q6k_tile it replaced (docs/performance.md). */
AI void q6k_4r(int n, float *s, const uint8_t *x, size_t bx, const block_q8_K *y, bool il)
{
	const size_t rs = il ? sizeof(block_q6_K) : bx, bs = il ? 4 * sizeof(block_q6_K) : sizeof(block_q6_K);
	const __m512i m4 = _mm512_set1_epi8(0xF), m30 = _mm512_set1_epi8(0x30), m32 = _mm512_set1_epi8(32);
	const __m512i shl = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
	const __m512i shr = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
	/* int16 lanes 2k, 2k+1: scales of the sub-blocks of elements 4k and
	 * 64 + 4k of the first half block; + 8 for the second */
	const __m512i sidx = _mm512_set_epi16(7, 3, 7, 3, 7, 3, 7, 3, 6, 2, 6, 2, 6, 2, 6, 2,
					      5, 1, 5, 1, 5, 1, 5, 1, 4, 0, 4, 0, 4, 0, 4, 0);
	const __m512i eight = _mm512_set1_epi16(8);
	__m512 a01 = _mm512_setzero_ps(), a23 = _mm512_setzero_ps();
	const size_t pf_rows = kquant_pf_rows(KQ_PF_BYTES, bx);
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = x + (size_t)i * bs;
		if (il)
			for (size_t o = 0; o < bs; o += 64)
				_mm_prefetch((const char *)x + pf_rows * bx + (size_t)i * bs + o, QUANT_PF_WEIGHTS);
		else
			#pragma GCC unroll 4
			for (int r = 0; r < 4; r++)
				for (size_t o = 0; o < sizeof(block_q6_K); o += 64)
					_mm_prefetch((const char *)blk + (r + pf_rows) * bx + o, QUANT_PF_WEIGHTS);
		const block_q6_K *xr[4];
		__m512i sc[4], sumi[4];
		#pragma GCC unroll 4
		for (int r = 0; r < 4; r++) {
			xr[r] = (const block_q6_K *)(blk + r * rs);
			sc[r] = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)xr[r]->scales)));
		}
		#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
			const __m512i q8l = _mm512_loadu_si512((const void *)(y[i].qs + 128 * j));
			const __m512i q8h = _mm512_loadu_si512((const void *)(y[i].qs + 128 * j + 64));
			const __m512i zl = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), m32, q8l));
			const __m512i zh = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), m32, q8h));
			const __m512i idx = j ? _mm512_add_epi16(sidx, eight) : sidx;
			#pragma GCC unroll 4
			for (int r = 0; r < 4; r++) {
				const __m512i ql = _mm512_loadu_si512((const void *)(xr[r]->ql + 64 * j));
				const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(xr[r]->qh + 32 * j)));
				/* a | (b & 0x30) */
				__m512i lo = _mm512_ternarylogic_epi32(_mm512_and_si512(ql, m4), _mm512_sllv_epi16(qh, shl), m30, 0xF8);
				__m512i hi = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
								       _mm512_srlv_epi16(qh, shr), m30, 0xF8);
				__m512i pa = _mm512_dpbusd_epi32(zl, lo, q8l);
				__m512i pb = _mm512_slli_epi32(_mm512_dpbusd_epi32(zh, hi, q8h), 16);
				__m512i pair = _mm512_mask_blend_epi16(0xAAAAAAAA, pa, pb);
				__m512i sp = _mm512_permutexvar_epi16(idx, sc[r]);
				sumi[r] = j ? _mm512_dpwssd_epi32(sumi[r], pair, sp) : _mm512_madd_epi16(pair, sp);
			}
		}
		/* d of the four rows times y's d, as vec_dot's products */
		__m128 d4 = _mm_cvtph_ps(_mm_setr_epi16((short)xr[0]->d, (short)xr[1]->d, (short)xr[2]->d, (short)xr[3]->d, 0, 0, 0, 0));
		__m512 dd = _mm512_castps128_ps512(_mm_mul_ps(d4, _mm_set1_ps(y[i].d)));
		/* each row's two 256-bit halves added, two rows per register */
		__m512i v01 = _mm512_add_epi32(_mm512_shuffle_i64x2(sumi[0], sumi[1], 0x44), _mm512_shuffle_i64x2(sumi[0], sumi[1], 0xEE));
		__m512i v23 = _mm512_add_epi32(_mm512_shuffle_i64x2(sumi[2], sumi[3], 0x44), _mm512_shuffle_i64x2(sumi[2], sumi[3], 0xEE));
		a01 = _mm512_fmadd_ps(_mm512_permutexvar_ps(_mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi32(1), 1), dd),
				      _mm512_cvtepi32_ps(v01), a01);
		a23 = _mm512_fmadd_ps(_mm512_permutexvar_ps(_mm512_inserti64x4(_mm512_set1_epi32(2), _mm256_set1_epi32(3), 1), dd),
				      _mm512_cvtepi32_ps(v23), a23);
	}
	_mm_storeu_ps(s, q6k_sums4(a01, a23));
}

void kquant_q6k_dot_4r_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q6k_4r(n, s, vx, bx, vy, false);
}

void kquant_q6k_dot_4r_il4_avx512(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	q6k_4r(n, s, vx, bx, vy, true);
}

/* vec_dot_4xn over an interleaved group: the token-generation kernel per
 * activation row (the group stays in L1 across them). */
#define KQ_4XN_IL4(name, dot4r)                                                               \
	void name(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, \
		  size_t by)                                                                   \
	{                                                                                      \
		for (int t = 0; t < nt; t++) {                                                 \
			float s4[4];                                                           \
			dot4r(n, s4, x, bx, (const uint8_t *)y + (size_t)t * by);              \
			for (int r = 0; r < 4; r++)                                            \
				s[(size_t)t * ss + r] = s4[r];                                 \
		}                                                                              \
	}

KQ_4XN_IL4(kquant_q4k_dot_4xn_il4_avx512, kquant_q4k_dot_4r_il4_avx512)
KQ_4XN_IL4(kquant_q5k_dot_4xn_il4_avx512, kquant_q5k_dot_4r_il4_avx512)
KQ_4XN_IL4(kquant_q6k_dot_4xn_il4_avx512, kquant_q6k_dot_4r_il4_avx512)

/* ---- table ------------------------------------------------------------------ */

/* What this level speeds up (the Q8_K quantizer stays AVX2's): one weight
 * row by one or four tokens (DOT); four rows, also as interleaved groups
 * (DOT4). */
#define DOT(T, t)                                                                             \
	{ GGML_TYPE_##T,                                                                      \
	  { .vec_dot = kquant_##t##_dot_avx512, .vec_dot_4c = kquant_##t##_dot_4c_avx512 } }
#define DOT4(T, t)                                                                            \
	{ GGML_TYPE_##T,                                                                      \
	  { .vec_dot = kquant_##t##_dot_avx512, .vec_dot_4c = kquant_##t##_dot_4c_avx512,     \
	    .vec_dot_4r = kquant_##t##_dot_4r_avx512,                                          \
	    .vec_dot_4r_il4 = kquant_##t##_dot_4r_il4_avx512,                                  \
	    .vec_dot_4xn_il4 = kquant_##t##_dot_4xn_il4_avx512 } }
static const struct quant_kernels kernels[] = {
	DOT(Q2_K, q2k), DOT(Q3_K, q3k), DOT4(Q4_K, q4k), DOT4(Q5_K, q5k), DOT4(Q6_K, q6k),
};

void kquant_avx512_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

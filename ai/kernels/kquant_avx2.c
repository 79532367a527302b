/*
 * AVX2 + FMA K-quant kernels: the Q8_K activation quantizer (byte-identical
 * to the scalar reference) and the Q2_K..Q6_K dot products with Q8_K.
 * Per super-block the dots accumulate exact int32 sums (maddubs of unsigned
 * weight q and signed q8, then madd with the sub-block scales) and convert
 * once to float; min and offset terms come from Q8_K's bsums. One
 * horizontal sum per row. Each dot is a tile that also serves four
 * activation rows at once (dot_4c, batched prompts), bit-identically;
 * Q4_K..Q6_K have vec_dot_4r for token generation (rows with prefetch);
 * Q6_K also takes 4-row interleaved groups, the rows together.
 */
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/kernels/kquant.h"
#include "ai/kernels/simd.h"

/* 16 int8 scales -> int16 lanes: 8 lanes of scale k, 8 lanes of k+1. */
static inline __m256i scale_pair(__m128i sc8, int k)
{
	const __m128i idx = _mm_set_epi64x(0x0101010101010101ll * (k + 1), 0x0101010101010101ll * k);
	return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, idx));
}

/* ---- Q8_K activations ------------------------------------------------------ */

void kquant_q8k_from_float_avx2(const float *x, void *vy, int64_t k)
{
	block_q8_K *y = vy;
	const __m256 sign = _mm256_set1_ps(-0.0f);
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		/* max(|x|); a NaN lane keeps the running max, as the scalar '>' does */
		__m256 m = _mm256_setzero_ps();
		#pragma GCC unroll 8
		for (int j = 0; j < QK_K; j += 8)
			m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), m);
		__m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
		h = _mm_max_ps(h, _mm_movehl_ps(h, h));
		h = _mm_max_ss(h, _mm_movehdup_ps(h));
		float amax = _mm_cvtss_f32(h);
		if (amax == 0) {
			memset(&y[i], 0, sizeof(y[i]));
			continue;
		}
		/* the first element of that magnitude gives the sign */
		__m256 va = _mm256_set1_ps(amax);
		int j = 0;
		for (;; j += 8) {
			__m256 a = _mm256_andnot_ps(sign, _mm256_loadu_ps(x + j));
			int mask = _mm256_movemask_ps(_mm256_cmp_ps(a, va, _CMP_EQ_OQ));
			if (mask) {
				j += __builtin_ctz((unsigned)mask);
				break;
			}
		}
		float iscale = -127.f / x[j];
		__m256 vs = _mm256_set1_ps(iscale);
		const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
		const __m256i top = _mm256_set1_epi32(127);
		for (int b = 0; b < QK_K; b += 32) {
			__m256i q[4];
			for (int c = 0; c < 4; c++) /* cvtps rounds half to even, as nearest_int */
				q[c] = _mm256_min_epi32(top, _mm256_cvtps_epi32(
					_mm256_mul_ps(vs, _mm256_loadu_ps(x + b + 8 * c))));
			__m256i p01 = _mm256_packs_epi32(q[0], q[1]);
			__m256i p23 = _mm256_packs_epi32(q[2], q[3]);
			__m256i p = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), perm);
			_mm256_storeu_si256((__m256i *)(y[i].qs + b), p);
			/* two bsums: sums of 16 via madd of int16 halves */
			__m256i s16 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(p)),
							_mm256_set1_epi16(1));
			__m256i t16 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(p, 1)),
							_mm256_set1_epi16(1));
			__m256i s = _mm256_hadd_epi32(s16, t16); /* [a01 a23 b01 b23 | a45 a67 b45 b67] */
			s = _mm256_hadd_epi32(s, s);             /* [A0 B0 . . | A1 B1 . .] */
			y[i].bsums[b / 16] = (int16_t)(_mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 4));
			y[i].bsums[b / 16 + 1] = (int16_t)(_mm256_extract_epi32(s, 1) + _mm256_extract_epi32(s, 5));
		}
		y[i].d = 1 / iscale;
	}
}

/* ---- dots ---------------------------------------------------------------- */

/* The tiles below take one weight row against nc (1 or 4) activation rows
 * by bytes apart, into s[c]. Each column runs the same operations in the
 * same order for any nc, so the 4-column tile is bit-identical to vec_dot. */

/* Q2_K and Q3_K share the qs layout: element 128j + 32k + l in byte
 * 32j + l at bits 2k. Q2_K: 4-bit scales and mins (the min term is
 * -dmin * d_y * sum(min_j * bsum_j)). Q3_K (q3): q = (low 2 bits |
 * hbit << 2) - 4 with q + 4 in 0..7 fed to maddubs; the -4 comes back as
 * -4 * sum(scale_j * bsum_j). */
AI void q23k_tile(bool q3, int n, float *s, const void *vx, const uint8_t *yv, size_t by, int nc)
{
	const size_t xs = q3 ? sizeof(block_q3_K) : sizeof(block_q2_K);
	const __m256i m3 = _mm256_set1_epi8(3), m4b = _mm256_set1_epi8(4);
	const __m128i m4 = _mm_set1_epi8(0xF);
	__m256 acc[4];
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		acc[c] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *xb = (const uint8_t *)vx + i * xs;
		const block_q2_K *x2 = (const void *)xb;
		const block_q3_K *x3 = (const void *)xb;
		const uint8_t *qs = q3 ? x3->qs : x2->qs;
		const block_q8_K *yc[4];
		__m256i sumi[4], hbits = _mm256_setzero_si256();
		__m128i sc8;
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++)
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
		if (q3) {
			uint32_t aux[4];
			kquant_q3k_scales(x3->scales, aux);
			sc8 = _mm_sub_epi8(_mm_set_epi32((int)aux[3], (int)aux[2], (int)aux[1], (int)aux[0]),
					   _mm_set1_epi8(32));
			__m256i sc16 = _mm256_cvtepi8_epi16(sc8);
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				__m256i off = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)yc[c]->bsums));
				sumi[c] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(off, 2));
			}
			hbits = _mm256_loadu_si256((const __m256i *)x3->hmask);
		} else {
			__m128i ms = _mm_loadu_si128((const __m128i *)x2->scales);
			sc8 = _mm_and_si128(ms, m4);
			__m256i mins = _mm256_cvtepi8_epi16(_mm_and_si128(_mm_srli_epi16(ms, 4), m4));
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				float dmin = -yc[c]->d * h2f(x2->dmin);
				__m256i prod = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)yc[c]->bsums));
				acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(prod), acc[c]);
				sumi[c] = _mm256_setzero_si256();
			}
		}
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
			__m256i bits = _mm256_loadu_si256((const __m256i *)(qs + 32 * j));
#pragma GCC unroll 4
			for (int k = 0; k < 4; k++) {
				__m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), m3);
				if (q3) { /* hmask bit 4j+k of each byte -> bit 2 */
					int b = 4 * j + k;
					__m256i hb = b >= 2 ? _mm256_srli_epi16(hbits, b - 2) : _mm256_slli_epi16(hbits, 2 - b);
					q = _mm256_or_si256(q, _mm256_and_si256(hb, m4b));
				}
				__m256i scale = scale_pair(sc8, 8 * j + 2 * k);
#pragma GCC unroll 4
				for (int c = 0; c < nc; c++) {
					const int8_t *q8 = yc[c]->qs + 128 * j + 32 * k;
					__m256i p = _mm256_maddubs_epi16(q, _mm256_loadu_si256((const __m256i *)q8));
					sumi[c] = _mm256_add_epi32(sumi[c], _mm256_madd_epi16(scale, p));
				}
			}
		}
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			float d = yc[c]->d * h2f(q3 ? x3->d : x2->d);
			acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[c]), acc[c]);
		}
	}
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = hsum8(acc[c]);
}

void kquant_q2k_dot_avx2(int n, float *s, const void *vx, const void *vy)
{
	q23k_tile(false, n, s, vx, vy, 0, 1);
}

void kquant_q2k_dot_4c_avx2(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q23k_tile(false, n, s, vx, vy, by, 4);
}

void kquant_q3k_dot_avx2(int n, float *s, const void *vx, const void *vy)
{
	q23k_tile(true, n, s, vx, vy, 0, 1);
}

void kquant_q3k_dot_4c_avx2(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q23k_tile(true, n, s, vx, vy, by, 4);
}

/* Q4_K/Q5_K: the 6-bit scales (bytes of *sc) and mins (bytes of *m) of
 * the 8 sub-blocks, unpacked in integer registers: the vector units are
 * the bottleneck of these dots, the integer ones are idle. */
static inline void q45k_scales_mins(const uint8_t *scales, uint64_t *sc, uint64_t *m)
{
	uint32_t u[3];
	memcpy(u, scales, 12);
	uint64_t lo = (u[0] & 0x3f3f3f3f) | (uint64_t)(u[1] & 0x3f3f3f3f) << 32;
	uint64_t hi = ((u[2] & 0x0f0f0f0f) | ((u[0] >> 2) & 0x30303030)) |
		      (uint64_t)(((u[2] >> 4) & 0x0f0f0f0f) | ((u[1] >> 2) & 0x30303030)) << 32;
	*sc = (lo & 0xffffffff) | hi << 32;
	*m = lo >> 32 | (hi & 0xffffffff00000000);
}

/* Q8_K bsums in pairs: lane j = bsums[2j] + bsums[2j+1], sub-block j's sum. */
static inline __m128i q8k_pair_sums(const int16_t *bsums)
{
	__m256i b = _mm256_loadu_si256((const __m256i *)bsums);
	return _mm_hadd_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
}

/* Distance of the token-generation prefetch (vec_dot_4r, vec_dot_4r_il4),
 * as AVX-512's: on Zen 1, 32 KiB streamed Q4_K and Q6_K about 5-10% slower
 * than 4-8 KiB (tools/pf-sweep.sh, docs/performance.md). */
#ifndef KQ_PF_AVX2
#define KQ_PF_AVX2 4096
#endif

/* The prefetch distance of a 4-row call in bytes (kquant_pf_rows rows). */
static inline size_t pf_bytes(size_t bx)
{
	return kquant_pf_rows(KQ_PF_AVX2, bx) * bx;
}

/* The eight int16 sums of one 32-element sub-block's products (maddubs
 * over a ymm): its two 128-bit halves added (they share the sub-block's
 * scale; |sum| <= 2 * 2 * 31 * 127). Zen 1 runs a ymm as two halves, so
 * the extract is one cheap op, and it halves the scale multiplies. */
static inline __m128i fold16(__m256i p)
{
	return _mm_add_epi16(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
}

/* Q4_K and Q5_K (qh adds 16 where its bit is set), one weight row by nc
 * activation rows (1 or 4, by bytes apart) into s[c]; with pf, each block
 * is fetched pf bytes ahead as it is used. Each sub-block's maddubs sums
 * are folded to 128 bits (fold16) before the scale's madd, so a block
 * adds up in four int32 lanes and four float lanes. */
AI void q45k_tile(int n, float *s, const uint8_t *x, size_t pf, const uint8_t *yv, size_t by, int nc,
		  bool five)
{
	const size_t bsize = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
	const __m256i m4 = _mm256_set1_epi8(0xF), m16 = _mm256_set1_epi8(16);
	__m128 acc[4];
	__m128 accm[4];
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++) {
		acc[c] = _mm_setzero_ps();
		accm[c] = _mm_setzero_ps();
	}
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = x + (size_t)i * bsize;
		if (pf)
			for (size_t o = 0; o < bsize; o += 64)
				_mm_prefetch((const char *)blk + pf + o, QUANT_PF_WEIGHTS);
		const block_q4_K *h = (const block_q4_K *)blk; /* d, dmin, scales lead both */
		const uint8_t *qs = five ? ((const block_q5_K *)blk)->qs : h->qs;
		uint64_t sc8, m8;
		q45k_scales_mins(h->scales, &sc8, &m8);
		__m128i sc = _mm_cvtsi64_si128((long long)sc8);
		__m128i mins = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)m8));
		uint32_t dd; /* d and dmin, side by side */
		memcpy(&dd, &h->d, 4);
		__m128 dm = _mm_cvtph_ps(_mm_cvtsi32_si128((int)dd));
		const block_q8_K *yc[4];
		__m128 dx[4];
		__m128i sumi[4];
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
			/* d * y.d, dmin * -y.d; sum over sub-blocks of min_j * q8 sum_j */
			__m128 f = _mm_mul_ps(_mm_setr_ps(yc[c]->d, -yc[c]->d, 0, 0), dm);
			__m128i mt = _mm_madd_epi16(mins, q8k_pair_sums(yc[c]->bsums));
			accm[c] = _mm_fmadd_ps(_mm_permute_ps(f, 0x55), _mm_cvtepi32_ps(mt), accm[c]);
			dx[c] = _mm_permute_ps(f, 0);
			sumi[c] = _mm_setzero_si128();
		}
		__m256i hbits = _mm256_setzero_si256();
		if (five)
			hbits = _mm256_loadu_si256((const __m256i *)((const block_q5_K *)blk)->qh);
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++) {
			__m256i bits = _mm256_loadu_si256((const __m256i *)(qs + 32 * j));
			__m256i lo = _mm256_and_si256(bits, m4);
			__m256i hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
			if (five) { /* qh bit 2j -> bit 4 of the low q, bit 2j+1 of the high */
				__m256i hl = 2 * j <= 4 ? _mm256_slli_epi16(hbits, 4 - 2 * j) : _mm256_srli_epi16(hbits, 2 * j - 4);
				__m256i hh = 2 * j + 1 <= 4 ? _mm256_slli_epi16(hbits, 3 - 2 * j) : _mm256_srli_epi16(hbits, 2 * j - 3);
				lo = _mm256_or_si256(lo, _mm256_and_si256(hl, m16));
				hi = _mm256_or_si256(hi, _mm256_and_si256(hh, m16));
			}
			/* int16 lanes all = scale 2j, 2j + 1 */
			__m128i sl = _mm_shuffle_epi8(sc, _mm_set1_epi16((short)(0x8000 | (2 * j))));
			__m128i sh = _mm_shuffle_epi8(sc, _mm_set1_epi16((short)(0x8000 | (2 * j + 1))));
#pragma GCC unroll 4
			for (int c = 0; c < nc; c++) {
				const int8_t *q8 = yc[c]->qs + 64 * j;
				__m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)q8));
				__m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
				__m128i l = _mm_madd_epi16(sl, fold16(pl));
				__m128i hs = _mm_madd_epi16(sh, fold16(ph));
				sumi[c] = _mm_add_epi32(sumi[c], _mm_add_epi32(l, hs));
			}
		}
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++)
			acc[c] = _mm_fmadd_ps(dx[c], _mm_cvtepi32_ps(sumi[c]), acc[c]);
	}
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = hsum4(acc[c]) + hsum4(accm[c]);
}

void kquant_q4k_dot_avx2(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, 0, vy, 0, 1, false);
}

void kquant_q4k_dot_4c_avx2(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, 0, vy, by, 4, false);
}

/* Four weight rows bx bytes apart against one activation row (token
 * generation). With 16 vector registers, tiles of 2 or 4 rows cost more
 * in spills than they save in loads (measured on Zen 5), so the rows go
 * one after the other as in vec_dot (the same results); what the 4-row
 * call adds is the prefetch, for weights streaming from DRAM
 * (docs/performance.md). */
void kquant_q4k_dot_4r_avx2(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	for (int r = 0; r < 4; r++)
		q45k_tile(n, s + r, (const uint8_t *)vx + r * bx, pf_bytes(bx), vy, 0, 1, false);
}

void kquant_q5k_dot_avx2(int n, float *s, const void *vx, const void *vy)
{
	q45k_tile(n, s, vx, 0, vy, 0, 1, true);
}

void kquant_q5k_dot_4c_avx2(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q45k_tile(n, s, vx, 0, vy, by, 4, true);
}

void kquant_q5k_dot_4r_avx2(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	for (int r = 0; r < 4; r++)
		q45k_tile(n, s + r, (const uint8_t *)vx + r * bx, pf_bytes(bx), vy, 0, 1, true);
}

/* Q6_K's quants 128j + 32k .. + 31 as unsigned bytes (0..63): element
 * 128j + 32k + l is ql byte 64j + 32(k & 1) + l, the high nibble when
 * k >= 2, and qh byte 32j + l, bits 2k and 2k+1. Loaded again for each k:
 * fewer live registers, faster than keeping the 96 bytes of a half block
 * (docs/performance.md). */
AI __m256i q6k_quants(const block_q6_K *xb, int j, int k)
{
	const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(0x30);
	__m256i l = _mm256_loadu_si256((const __m256i *)(xb->ql + 64 * j + 32 * (k & 1)));
	__m256i h = _mm256_loadu_si256((const __m256i *)(xb->qh + 32 * j));
	if (k >= 2)
		l = _mm256_srli_epi16(l, 4);
	h = k < 2 ? _mm256_slli_epi16(h, 4 - 2 * k) : _mm256_srli_epi16(h, 2 * k - 4);
	return _mm256_or_si256(_mm256_and_si256(l, m4), _mm256_and_si256(h, m2));
}

/* Q6_K, one weight row by nc activation rows as q45k_tile: unsigned q
 * (0..63) into maddubs, minus maddubs(32, y) in the same int16 lanes, so
 * each int32 lane holds 4 neighbouring elements of every 32 as in ggml's
 * kernel (the float sums then match it bit for bit). */
AI void q6k_tile(int n, float *s, const uint8_t *x, size_t pf, const uint8_t *yv, size_t by, int nc, size_t bs)
{
	const __m256i m32 = _mm256_set1_epi8(32), m128 = _mm256_set1_epi8((char)0x80);
	/* several columns: (y + 128) unsigned times (q - 32) signed instead,
	 * the 128 * (q - 32) excess taken off once per block (same integers) */
	const bool swap = nc > 1;
	__m256 acc[4];
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		acc[c] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		const block_q6_K *xb = (const block_q6_K *)(x + (size_t)i * bs);
		if (pf)
			for (size_t o = 0; o < sizeof(block_q6_K); o += 64)
				_mm_prefetch((const char *)xb + pf + o, QUANT_PF_WEIGHTS);
		const block_q8_K *yc[4];
		__m256i sumi[4], corr = _mm256_setzero_si256();
		__m128i sc8 = _mm_loadu_si128((const __m128i *)xb->scales);
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			yc[c] = (const block_q8_K *)(yv + c * by) + i;
			sumi[c] = _mm256_setzero_si256();
		}
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
#pragma GCC unroll 4
			for (int k = 0; k < 4; k++) {
				__m256i q = q6k_quants(xb, j, k);
				__m256i scale = scale_pair(sc8, 8 * j + 2 * k);
				if (swap) {
					q = _mm256_sub_epi8(q, m32);
					corr = _mm256_add_epi32(corr, _mm256_madd_epi16(scale, _mm256_maddubs_epi16(m128, q)));
				}
#pragma GCC unroll 4
				for (int c = 0; c < nc; c++) {
					__m256i y8 = _mm256_loadu_si256((const __m256i *)(yc[c]->qs + 128 * j + 32 * k));
					__m256i p = swap ? _mm256_maddubs_epi16(_mm256_xor_si256(y8, m128), q)
							 : _mm256_sub_epi16(_mm256_maddubs_epi16(q, y8),
									    _mm256_maddubs_epi16(m32, y8));
					sumi[c] = _mm256_add_epi32(sumi[c], _mm256_madd_epi16(scale, p));
				}
			}
		}
#pragma GCC unroll 4
		for (int c = 0; c < nc; c++) {
			float d = yc[c]->d * h2f(xb->d);
			__m256i v = swap ? _mm256_sub_epi32(sumi[c], corr) : sumi[c];
			acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(v), acc[c]);
		}
	}
#pragma GCC unroll 4
	for (int c = 0; c < nc; c++)
		s[c] = hsum8(acc[c]);
}

void kquant_q6k_dot_avx2(int n, float *s, const void *vx, const void *vy)
{
	q6k_tile(n, s, vx, 0, vy, 0, 1, sizeof(block_q6_K));
}

void kquant_q6k_dot_4c_avx2(int n, float *s, const void *vx, const void *vy, size_t by)
{
	q6k_tile(n, s, vx, 0, vy, by, 4, sizeof(block_q6_K));
}

/* Q6_K, a 4-row interleaved group (quant.h's vec_dot_4r_il4) by one
 * activation row (token generation), the rows together per 32 elements:
 * they share the activation's load and its maddubs(32, y), so a row takes
 * two multiplies per 32 elements where q6k_tile takes three. Each row's
 * int32 lanes hold the same integers as q6k_tile's and its float chain is
 * the same (bit-identical to vec_dot). Over four plain rows (four streams)
 * this was slower than the rows in turn (docs/performance.md). */
void kquant_q6k_dot_4r_il4_avx2(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	const uint8_t *x = vx;
	const block_q8_K *y = vy;
	const size_t bs = 4 * sizeof(block_q6_K);
	const __m256i m32 = _mm256_set1_epi8(32);
	const size_t pf = pf_bytes(bx);
	__m256 acc[4];
#pragma GCC unroll 4
	for (int r = 0; r < 4; r++)
		acc[r] = _mm256_setzero_ps();
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = x + (size_t)i * bs;
		const block_q6_K *xb[4];
		__m256i sumi[4], sc[4];
		for (size_t o = 0; o < bs; o += 64) /* the next groups' bytes, in address order */
			_mm_prefetch((const char *)blk + pf + o, QUANT_PF_WEIGHTS);
#pragma GCC unroll 4
		for (int r = 0; r < 4; r++) {
			xb[r] = (const block_q6_K *)blk + r;
			/* the 16 scales as int16, the even ones in the low 128-bit
			 * lane and the odd ones in the high: one in-lane shuffle
			 * gives a (2m, 2m + 1) pair below */
			sc[r] = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)xb[r]->scales),
					_mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)));
			sumi[r] = _mm256_setzero_si256();
		}
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
#pragma GCC unroll 4
			for (int k = 0; k < 4; k++) {
				__m256i y8 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 128 * j + 32 * k));
				__m256i c = _mm256_maddubs_epi16(m32, y8);
#pragma GCC unroll 4
				for (int r = 0; r < 4; r++) {
					__m256i q = q6k_quants(xb[r], j, k);
					/* int16 lanes: scale 8j + 2k, then 8j + 2k + 1 */
					__m256i scale = _mm256_shuffle_epi8(sc[r], _mm256_set1_epi16(
						(short)(0x0100 * (8 * j + 2 * k + 1) + 2 * (4 * j + k))));
					__m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, y8), c);
					sumi[r] = _mm256_add_epi32(sumi[r], _mm256_madd_epi16(scale, p));
					NO_CONTRACT(sumi[r]); /* one chain: no tree of 32 live sums */
				}
			}
		}
#pragma GCC unroll 4
		for (int r = 0; r < 4; r++) {
			float d = y[i].d * h2f(xb[r]->d);
			acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[r]), acc[r]);
		}
	}
#pragma GCC unroll 4
	for (int r = 0; r < 4; r++)
		s[r] = hsum8(acc[r]);
}

/* As kquant_q4k_dot_4r_avx2: rows in turn, with the prefetch. */
void kquant_q6k_dot_4r_avx2(int n, float *s, const void *vx, size_t bx, const void *vy)
{
	for (int r = 0; r < 4; r++)
		q6k_tile(n, s + r, (const uint8_t *)vx + r * bx, pf_bytes(bx), vy, 0, 1, sizeof(block_q6_K));
}

/* vec_dot_4xn over an interleaved group (prompts): each row of the group
 * (its blocks 4 apart) by four tokens at a time as vec_dot_4c, the rest
 * one by one; the group stays in cache across its rows. */
void kquant_q6k_dot_4xn_il4_avx2(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y,
				 size_t by)
{
	(void)bx;
	for (int r = 0; r < 4; r++) {
		const uint8_t *row = (const uint8_t *)x + r * sizeof(block_q6_K);
		int t = 0;
		for (; t + 4 <= nt; t += 4) {
			float s4[4];
			q6k_tile(n, s4, row, 0, (const uint8_t *)y + (size_t)t * by, by, 4, 4 * sizeof(block_q6_K));
			for (int u = 0; u < 4; u++)
				s[(size_t)(t + u) * ss + r] = s4[u];
		}
		for (; t < nt; t++)
			q6k_tile(n, &s[(size_t)t * ss + r], row, 0, (const uint8_t *)y + (size_t)t * by, 0, 1,
				 4 * sizeof(block_q6_K));
	}
}

/* ---- table ------------------------------------------------------------------ */

/* One weight row by one or four tokens (DOT); four rows by one token too (DOT4). */
#define DOT(T, t)                                                                             \
	{ GGML_TYPE_##T, { .vec_dot = kquant_##t##_dot_avx2, .vec_dot_4c = kquant_##t##_dot_4c_avx2 } }
#define DOT4(T, t)                                                                            \
	{ GGML_TYPE_##T, { .vec_dot = kquant_##t##_dot_avx2, .vec_dot_4c = kquant_##t##_dot_4c_avx2, \
			   .vec_dot_4r = kquant_##t##_dot_4r_avx2 } }
static const struct quant_kernels kernels[] = {
	DOT(Q2_K, q2k), DOT(Q3_K, q3k), DOT4(Q4_K, q4k), DOT4(Q5_K, q5k),
	{ GGML_TYPE_Q6_K, { .vec_dot = kquant_q6k_dot_avx2, .vec_dot_4c = kquant_q6k_dot_4c_avx2,
			    .vec_dot_4r = kquant_q6k_dot_4r_avx2, .vec_dot_4r_il4 = kquant_q6k_dot_4r_il4_avx2,
			    .vec_dot_4xn_il4 = kquant_q6k_dot_4xn_il4_avx2 } },
	{ GGML_TYPE_Q8_K, { .from_float = kquant_q8k_from_float_avx2 } },
};

void kquant_avx2_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

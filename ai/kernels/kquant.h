/*
 * K-quant kernels: Q2_K, Q3_K, Q4_K, Q5_K and Q6_K weights (256-element
 * super-blocks, layouts in ai/quant.h) dotted with Q8_K activations, plus
 * the Q8_K activation quantizer. The scalar reference (kquant_ref.c)
 * follows ggml's reference math; AVX2 (kquant_avx2.c) and AVX-512
 * (kquant_avx512.c) variants share its signatures; each file's
 * kquant_*_fill puts them in the traits (ai/kernels/kernels.h).
 *
 * Where an element e (0..255) of a super-block lives:
 *   Q2_K  2-bit q in qs[e/128*32 + e%32] >> 2*(e%128/32); 4-bit scale (low
 *         nibble) and min (high nibble) in scales[e/16];
 *         x = d*scale*q - dmin*min.
 *   Q3_K  low 2 bits as Q2_K; high bit hmask[e%32] bit e/32 (set: +0,
 *         clear: -4); 16 6-bit scales, stored +32: low nibbles in
 *         scales[0..7] (j<8 low, j>=8 high nibble of scales[j-8]), top 2
 *         bits in scales[8 + j%4] bits 2*(j/4); x = d*(scale-32)*q.
 *   Q4_K  4-bit q in qs[e/64*32 + e%32], high nibble when e%64 >= 32;
 *         sub-block j = e/32 has 6-bit scale and min (see kquant_scale_min);
 *         x = d*scale*q - dmin*min.
 *   Q5_K  as Q4_K, plus bit 4 of q in qh[e%32] bit e/32.
 *   Q6_K  low 4 bits in ql[e/128*64 + e%32 + (e%128/32 & 1)*32], high
 *         nibble when e%128 >= 64; bits 4-5 in qh[e/128*32 + e%32] >>
 *         2*(e%128/32); q - 32 signed; int8 scale scales[e/16];
 *         x = d*scale*(q-32).
 *   Q8_K  float d, int8 qs, bsums[j] = sum of qs[16j..16j+15].
 */
#ifndef AI_KQUANT_H
#define AI_KQUANT_H

#include <stdint.h>
#include <string.h>

#include "ai/quant.h"

/* Q4_K/Q5_K: 6-bit scale and min of sub-block j (0..7) from the 12 bytes. */
static inline void kquant_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m)
{
	if (j < 4) {
		*sc = q[j] & 63;
		*m = q[j + 4] & 63;
	} else {
		*sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
		*m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
	}
}

/* Rows ahead of a 4-row call's token-generation prefetch: dist bytes of
 * rows bx bytes long, rounded up to whole 4-row groups, and one group more
 * (the next call's rows). Shared by the AVX2 and AVX-512 kernels. */
static inline size_t kquant_pf_rows(size_t dist, size_t bx)
{
	return (dist / bx + 3) / 4 * 4 + 4;
}

/* Q3_K's 16 6-bit scales (0..63; less 32 is the signed scale), one a byte
 * in aux, from the 12 bytes of block_q3_K's scales (ggml's x86 unpacking). */
static inline void kquant_q3k_scales(const uint8_t *scales, uint32_t aux[4])
{
	uint32_t tmp;
	memcpy(aux, scales, 12);
	tmp = aux[2];
	aux[2] = ((aux[0] >> 4) & 0x0f0f0f0f) | (((tmp >> 4) & 0x03030303) << 4);
	aux[3] = ((aux[1] >> 4) & 0x0f0f0f0f) | (((tmp >> 6) & 0x03030303) << 4);
	aux[0] = (aux[0] & 0x0f0f0f0f) | (((tmp >> 0) & 0x03030303) << 4);
	aux[1] = (aux[1] & 0x0f0f0f0f) | (((tmp >> 2) & 0x03030303) << 4);
}

/* Scalar reference (kquant_ref.c). */
void kquant_q2k_to_float_ref(const void *x, float *y, int64_t k);
void kquant_q3k_to_float_ref(const void *x, float *y, int64_t k);
void kquant_q4k_to_float_ref(const void *x, float *y, int64_t k);
void kquant_q5k_to_float_ref(const void *x, float *y, int64_t k);
void kquant_q6k_to_float_ref(const void *x, float *y, int64_t k);
void kquant_q8k_to_float_ref(const void *x, float *y, int64_t k);

void kquant_q2k_from_float_ref(const float *x, void *y, int64_t k);
void kquant_q3k_from_float_ref(const float *x, void *y, int64_t k);
void kquant_q4k_from_float_ref(const float *x, void *y, int64_t k);
void kquant_q5k_from_float_ref(const float *x, void *y, int64_t k);
void kquant_q6k_from_float_ref(const float *x, void *y, int64_t k);
/* Activations, as ggml's quantize_row_q8_K_ref: per 256 the value of
 * largest magnitude maps to -127 (d = max/-127), q = round-half-even. */
void kquant_q8k_from_float_ref(const float *x, void *y, int64_t k);

void kquant_q2k_dot_ref(int n, float *s, const void *x, const void *y);
void kquant_q3k_dot_ref(int n, float *s, const void *x, const void *y);
void kquant_q4k_dot_ref(int n, float *s, const void *x, const void *y);
void kquant_q5k_dot_ref(int n, float *s, const void *x, const void *y);
void kquant_q6k_dot_ref(int n, float *s, const void *x, const void *y);

/* AVX2 + FMA (kquant_avx2.c): byte-identical Q8_K quantizer, dots. */
void kquant_q8k_from_float_avx2(const float *x, void *y, int64_t k);
void kquant_q2k_dot_avx2(int n, float *s, const void *x, const void *y);
void kquant_q3k_dot_avx2(int n, float *s, const void *x, const void *y);
void kquant_q4k_dot_avx2(int n, float *s, const void *x, const void *y);
void kquant_q5k_dot_avx2(int n, float *s, const void *x, const void *y);
void kquant_q6k_dot_avx2(int n, float *s, const void *x, const void *y);
void kquant_q2k_dot_4c_avx2(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q3k_dot_4c_avx2(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q4k_dot_4c_avx2(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q5k_dot_4c_avx2(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q6k_dot_4c_avx2(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q4k_dot_4r_avx2(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q5k_dot_4r_avx2(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q6k_dot_4r_avx2(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q6k_dot_4r_il4_avx2(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q6k_dot_4xn_il4_avx2(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, size_t by);

/* AVX-512 BW/VL/VNNI (kquant_avx512.c); the Q8_K quantizer is AVX2's. */
void kquant_q2k_dot_avx512(int n, float *s, const void *x, const void *y);
void kquant_q3k_dot_avx512(int n, float *s, const void *x, const void *y);
void kquant_q4k_dot_avx512(int n, float *s, const void *x, const void *y);
void kquant_q5k_dot_avx512(int n, float *s, const void *x, const void *y);
void kquant_q6k_dot_avx512(int n, float *s, const void *x, const void *y);

/* vec_dot_4r_fn tiles (four weight rows, one activation row). */
void kquant_q4k_dot_4r_avx512(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q5k_dot_4r_avx512(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q6k_dot_4r_avx512(int n, float *s, const void *x, size_t bx, const void *y);
/* The same over 4-row interleaved groups (quant.h's vec_dot_4r_il4). */
void kquant_q4k_dot_4r_il4_avx512(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q5k_dot_4r_il4_avx512(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q6k_dot_4r_il4_avx512(int n, float *s, const void *x, size_t bx, const void *y);
void kquant_q4k_dot_4xn_il4_avx512(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, size_t by);
void kquant_q5k_dot_4xn_il4_avx512(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, size_t by);
void kquant_q6k_dot_4xn_il4_avx512(int n, int nt, float *s, size_t ss, const void *x, size_t bx, const void *y, size_t by);

/* vec_dot_4c_fn tiles (one weight row, four activation rows). */
void kquant_q2k_dot_4c_avx512(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q3k_dot_4c_avx512(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q4k_dot_4c_avx512(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q5k_dot_4c_avx512(int n, float *s, const void *x, const void *y, size_t by);
void kquant_q6k_dot_4c_avx512(int n, float *s, const void *x, const void *y, size_t by);

#endif

/*
 * How a kernel file plugs into the registry. Every file in ai/kernels/ is
 * one family at one CPU level (`<family>_ref.c`, `<family>_avx2.c`,
 * `<family>_avx512.c`; mk/ compiles each with its level's instruction set
 * from the suffix) and exports one fill function:
 *
 *   void <family>_<level>_fill(struct quant_traits *t, int type);
 *
 * which sets the fields of t it implements for type (its own types only)
 * and leaves every other field alone: a table of struct quant_kernels,
 * one row per type with the fields the file sets, applied by
 * quant_overlay (so a fill adds and replaces kernels, never removes one).
 * ai/quant.c lists the fill functions by level; the traits of a level are
 * the fills of every level up to it, in that order, so a SIMD file only
 * sets what it speeds up and the rest falls back, function by function,
 * to the level below. ai/vmath.c does the same for the element-wise
 * kernels (struct vmath_ops, vmath_overlay).
 *
 * A SIMD fill function is compiled with its level's instruction set and is
 * only called once the CPU is known to run it.
 */
#ifndef AI_KERNELS_KERNELS_H
#define AI_KERNELS_KERNELS_H

#include "ai/aimath.h"
#include "ai/quant.h"
#include "ai/vmath.h"

/* A kernel file's kernels for one type: the fields it sets, the rest 0. */
struct quant_kernels {
	int type;
	struct quant_traits k;
};
/* Copies into t the fields set in the row for type, if rows has one. */
void quant_overlay(struct quant_traits *t, int type, const struct quant_kernels *rows, size_t n);

/* F32, F16, BF16 and the 32-element blocks: Q4_1, Q5_0, Q5_1, Q8_0, Q8_1,
 * and Q4_0's conversions (quant_*.c) */
void quant_ref_fill(struct quant_traits *t, int type);
void quant_avx2_fill(struct quant_traits *t, int type);
void quant_avx512_fill(struct quant_traits *t, int type);
/* Q4_0's dot products and its packed layout (q4_0_*.c, q4_0.h) */
void q4_0_ref_fill(struct quant_traits *t, int type);
void q4_0_avx2_fill(struct quant_traits *t, int type);
void q4_0_avx512_fill(struct quant_traits *t, int type);
/* Q2_K..Q6_K and the Q8_K activations (kquant_*.c, kquant.h) */
void kquant_ref_fill(struct quant_traits *t, int type);
void kquant_avx2_fill(struct quant_traits *t, int type);
void kquant_avx512_fill(struct quant_traits *t, int type);
/* IQ4_NL and IQ4_XS (iquant_*.c, iquant.h) */
void iquant_ref_fill(struct quant_traits *t, int type);
void iquant_avx2_fill(struct quant_traits *t, int type);
void iquant_avx512_fill(struct quant_traits *t, int type);
/* the element-wise steps of a layer (vmath_*.c) */
void vmath_ref_fill(struct vmath_ops *o);
void vmath_avx2_fill(struct vmath_ops *o);
void vmath_avx512_fill(struct vmath_ops *o);

/* Builds the vmath_ops of a level the CPU runs (ai/vmath.c); quant_init
 * calls it with the traits tables. */
void vmath_build(int level);
/* Copies into o the functions set in k (vmath's quant_overlay). */
void vmath_overlay(struct vmath_ops *o, const struct vmath_ops *k);

static inline float quant_fabs(float v)
{
	return v < 0 ? -v : v;
}

/* ggml's x86 summation order for the dot products with Q8_0 / Q8_1 (and,
 * per 32 of a super-block, some with Q8_K) activations, which the AVX2 and
 * AVX-512 kernels follow too: per block, eight int32 lanes of four
 * consecutive products, each times d_x * d_y by a fused multiply-add into
 * its own float accumulator, block after block; then lanes l + (l + 4),
 * those + 2 apart, the last two. The dot products feed 8-bit activation
 * quantizers whose rounding a one-ulp difference can flip, so the order is
 * part of matching llama.cpp. */
struct lanes8 {
	float acc[8];
};

/* acc[l] += d * p[l] for integer lane sums p. */
static inline void lanes8_add(struct lanes8 *a, const int32_t p[8], float d)
{
	for (int l = 0; l < 8; l++)
		a->acc[l] = ai_fmaf(d, (float)p[l], a->acc[l]);
}

/* acc += d * (x . y) of one 32-element block; x already signed. */
static inline void lanes8_block(struct lanes8 *a, const int8_t *x, const int8_t *y, float d)
{
	int32_t p[8];
	for (int l = 0; l < 8; l++) {
		p[l] = 0;
		for (int j = 4 * l; j < 4 * l + 4; j++)
			p[l] += x[j] * y[j];
	}
	lanes8_add(a, p, d);
}

static inline float lanes8_sum(const struct lanes8 *a)
{
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = a->acc[l] + a->acc[l + 4];
	return (h[0] + h[2]) + (h[1] + h[3]);
}

#endif

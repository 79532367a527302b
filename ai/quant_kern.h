/*
 * Inside the quant module: how quant.c assembles its traits table from the
 * kernel files. Each kernel file (quant_ref.c, quant_avx2.c, quant_avx512.c)
 * exports one fill function that sets the fields it implements for a type
 * and leaves the others alone, so a level's table is the scalar reference
 * overlaid with each SIMD level up to it (per-function fallback).
 *
 * A SIMD fill function is compiled with that level's instruction set and
 * must only be called once the CPU is known to run it.
 */
#ifndef AI_QUANT_KERN_H
#define AI_QUANT_KERN_H

#include "ai/aimath.h"
#include "ai/quant.h"

void quant_ref_fill(struct quant_traits *t, int type);
void quant_avx2_fill(struct quant_traits *t, int type);
void quant_avx512_fill(struct quant_traits *t, int type);

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

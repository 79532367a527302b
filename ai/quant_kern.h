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

#include "ai/quant.h"

void quant_ref_fill(struct quant_traits *t, int type);
void quant_avx2_fill(struct quant_traits *t, int type);
void quant_avx512_fill(struct quant_traits *t, int type);

/* roundf(): nearest, halves away from zero. Exact for |v| < 2^31, which is
 * all a quantizer feeds it. Every variant of the activation quantizers
 * rounds this way, so their blocks are byte-identical. */
static inline float quant_round(float v)
{
	float t = (float)(int32_t)v; /* toward zero */
	float r = v - t;             /* exact */
	if (r >= 0.5f)
		t += 1.0f;
	else if (r <= -0.5f)
		t -= 1.0f;
	return t;
}

static inline float quant_fabs(float v)
{
	return v < 0 ? -v : v;
}

#endif

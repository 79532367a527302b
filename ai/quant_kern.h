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

static inline float quant_fabs(float v)
{
	return v < 0 ? -v : v;
}

#endif

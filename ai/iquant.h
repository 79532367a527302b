/*
 * The IQ4 quant types, IQ4_NL and IQ4_XS (blocks in ai/quant.h): 4-bit
 * indices into iq4nl_values, a fixed non-linear table of 16 int8 levels
 * (denser near 0, where trained weights are), times a scale.
 *
 *   IQ4_NL  per 32: fp16 d; x = d * values[idx]. Q8_0 activations; the
 *           dot products sum in the order of Q8_0's (quant_kern.h's
 *           lanes8; llama.cpp runs IQ4_NL through the same tinyBLAS code
 *           as Q8_0), so its kernels are Q8_0's with a table lookup
 *           (quant_ref.c, quant_avx2.c, quant_avx512.c).
 *   IQ4_XS  per 256: fp16 d and eight 6-bit scales ls (0..63, stored +32,
 *           see block_iq4_xs); x = d * (ls - 32) * values[idx]. Q8_K
 *           activations; ggml's x86 order: per super-block eight int32
 *           lanes, lane m summing (ls - 32) * q * y over elements 4m..4m+3
 *           of every 32, one fused multiply-add per lane and super-block by
 *           d_x * d_y, then lanes8_sum (iquant_ref.c, iquant_avx2.c,
 *           iquant_avx512.c).
 *
 * The weight quantizers are simple (nearest level for a least-squares
 * scale): they write valid blocks for synthetic models and tests, not
 * llama-quantize's bytes.
 */
#ifndef AI_IQUANT_H
#define AI_IQUANT_H

#include <stdint.h>

#include "ai/quant.h"

extern const int8_t iq4nl_values[16];

/* Fill the IQ4 fields of traits t (see quant_kern.h) for type; other types
 * are left alone. The SIMD ones must only run on a CPU with that level. */
void iquant_ref_fill(struct quant_traits *t, int type);
void iquant_avx2_fill(struct quant_traits *t, int type);
void iquant_avx512_fill(struct quant_traits *t, int type);

/* The 6-bit scale (0..63, less 32 gives the signed scale) of sub-block j. */
static inline int iq4xs_scale(const block_iq4_xs *b, int j)
{
	return ((b->scales_l[j / 2] >> 4 * (j % 2)) & 0xf) | (((b->scales_h >> 2 * j) & 3) << 4);
}

#endif

/*
 * The IQ4 quant types, IQ4_NL and IQ4_XS (blocks in ai/quant.h): 4-bit
 * indices into iq4nl_values, a fixed non-linear table of 16 int8 levels
 * (denser near 0, where trained weights are), times a scale.
 *
 *   IQ4_NL  per 32: fp16 d; x = d * values[idx]. Q8_0 activations; the
 *           order of ggml's x86 vec_dot, which llama.cpp runs token by
 *           token: per block eight int32 lanes of four products, even
 *           blocks into one lanes8 chain (kernels.h) and odd blocks into
 *           another, added before the horizontal sum; an odd last block
 *           added as d * sum (not fused). (Its batches go through
 *           tinyBLAS, which sums as Q8_0; one order serves both here, as
 *           a batch must give the token-by-token logits.)
 *   IQ4_XS  per 256: fp16 d and eight 6-bit scales ls (0..63, stored +32,
 *           see block_iq4_xs); x = d * (ls - 32) * values[idx]. Q8_K
 *           activations; ggml's x86 order: per super-block eight int32
 *           lanes, lane m summing (ls - 32) * q * y over elements 4m..4m+3
 *           of every 32, one fused multiply-add per lane and super-block by
 *           d_x * d_y, then lanes8_sum.
 * Scalar reference iquant_ref.c, AVX2 iquant_avx2.c, AVX-512
 * iquant_avx512.c.
 *
 * The weight quantizers are simple (nearest level for a least-squares
 * scale): they write valid blocks for synthetic models and tests, not
 * llama-quantize's bytes.
 */
#ifndef AI_KERNELS_IQUANT_H
#define AI_KERNELS_IQUANT_H

#include <stdint.h>

#include "ai/quant.h"

extern const int8_t iq4nl_values[16];

/* The 6-bit scale (0..63, less 32 gives the signed scale) of sub-block j. */
static inline int iq4xs_scale(const block_iq4_xs *b, int j)
{
	return ((b->scales_l[j / 2] >> 4 * (j % 2)) & 0xf) | (((b->scales_h >> 2 * j) & 3) << 4);
}

#endif

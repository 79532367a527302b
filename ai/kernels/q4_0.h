/*
 * Q4_0 weights: the dot products in llama.cpp's order, and a packed layout
 * of 16 rows for fast kernels.
 *
 * Order. llama.cpp on x86 (AVX2 and up) repacks every Q4_0 matrix with a
 * multiple of 8 rows into 8-row groups and computes each output as one
 * float chain over the blocks: acc = fma((float)sumi_b, d_x * d_y, acc),
 * sumi_b the exact integer dot product of block b, d_x * d_y rounded to
 * float. That is the order of its reference logits (bit-identical here),
 * and every Q4_0 kernel of ours (scalar, AVX2, AVX-512; one row, four
 * rows, packed groups, any number of tokens) computes exactly it.
 *
 * Packed layout. A group of 16 consecutive rows of nb blocks is rewritten
 * in place (same bytes) as nb superblocks of 288 bytes:
 *   d[16]        the 16 rows' scales of block b (f16)
 *   qs[4][16]    32-bit words: qs[i][r] = bytes 4i..4i+3 of row r's block b
 * so one 64-byte load is word i of all 16 rows: its low nibbles are
 * elements 4i..4i+3 and its high nibbles 16+4i..16+4i+3 of every row,
 * ready for a dot product against a broadcast 32-bit word of activations.
 *
 * Activations are Q8_0 rows followed, at q4_0_terms_offset(n), by one
 * struct q4_0_term per block (q4_0_fill_terms): the kernels that read
 * packed groups take d_y and the offset term from there.
 */
#ifndef AI_Q4_0_H
#define AI_Q4_0_H

#include <stddef.h>
#include <stdint.h>

#include "ai/quant.h"

#define Q4_0_GROUP 16 /* rows per packed group */
#define Q4_0_SUPER (Q4_0_GROUP * (int)sizeof(block_q4_0)) /* 288 bytes per superblock */
#define Q4_0_MAX_NT 8 /* tokens per packed kernel call */

struct q4_0_term {
	float d;     /* d_y as float */
	int32_t off; /* -8 * sum(q_y): the nibbles' offset of 8 times y */
};

static inline size_t q4_0_terms_offset(int64_t n)
{
	return ((size_t)(n / QK8_0) * sizeof(block_q8_0) + 63) / 64 * 64;
}

/* Writes the terms of Q8_0 row y (n elements) after its blocks. */
void q4_0_fill_terms(void *y, int64_t n);

/* Rewrites 16 rows of n elements (16 * row bytes at rows) as a packed
 * group; scratch holds 16 rows' bytes. */
void q4_0_pack16(void *rows, int64_t n, void *scratch);
/* Row r (< 16) of a packed group, dequantized. */
void q4_0_packed_row(const void *group, int r, int64_t n, float *out);


#endif

/*
 * Matrix products with packed weights: Y = X W^T for a batch of activation
 * rows X (n_tok, n_in) and a weight W (n_out rows of n_in), on every worker
 * (par_for). The activations are quantized once per call to the weight
 * type's vec_dot_type (Q8_0, Q8_K, or F32; for F16/BF16 weights the f32
 * activations are rounded to f16/bf16 precision, as llama.cpp does); then each worker takes a
 * contiguous range of weight rows and, for each row, runs vec_dot against
 * every token, so a weight row is read from memory once per batch.
 *
 * Every output element is one vec_dot over one whole row: the result does
 * not depend on the number of workers or the batch size.
 */
#ifndef AI_MATMUL_H
#define AI_MATMUL_H

#include <stddef.h>
#include <stdint.h>

#include "ai/model.h"

#define MATMUL_MAX_W 4 /* weights sharing one input in a matmul_n call */

/* Scratch bytes one input needs for quantized activations of n_tok rows of
 * n_in elements, whatever the weight type. */
size_t matmul_qbuf_bytes(int64_t n_in, int n_tok);

/* For i < nw: ys[i] (n_tok, ws[i]->n_out) = x (n_tok, n_in) times ws[i]^T.
 * All ws[i] have the same n_in. qbuf: nw * matmul_qbuf_bytes(n_in, n_tok)
 * bytes, 64-byte aligned. */
void matmul_n(const struct model_w *const *ws, float *const *ys, int nw,
	      const float *x, int n_tok, void *qbuf);

static inline void matmul(const struct model_w *w, float *y, const float *x, int n_tok, void *qbuf)
{
	matmul_n(&w, &y, 1, x, n_tok, qbuf);
}

/* out (n_in) = row `row` of w, dequantized (embedding lookup). */
void matmul_get_row(const struct model_w *w, int64_t row, float *out);

#endif

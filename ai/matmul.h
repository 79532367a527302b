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
#include "ai/quant.h"

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

/* One product of a grouped call (matmul_segs): rows [x_row, x_row + n_tok)
 * of the call's input times w^T into y (n_tok rows of w.n_out). */
struct matmul_seg {
	struct model_w w;
	float *y;
	int x_row, n_tok;
	/* set by the call */
	const struct quant_traits *tr;
	const uint8_t *xq;      /* the rows as vec_dot_type, xstride apart */
	size_t xstride;
	int64_t unit0;          /* the call's first work unit in this product */
};

/* Every product of segs[0..n) in one pass of the workers (the experts of a
 * mixture: each its own weight and its own rows of one input). x holds
 * n_rows rows of n_in = segs[i].w.n_in floats, converted once per weight
 * type; qbuf: MATMUL_MAX_W * matmul_qbuf_bytes(n_in, n_rows) bytes,
 * 64-byte aligned, and at most MATMUL_MAX_W activation types among the
 * weights. Bit-identical to calling matmul on each. */
void matmul_segs(struct matmul_seg *segs, int n, const float *x, int n_rows, void *qbuf);

/* out (n_in) = row `row` of w, dequantized (embedding lookup). */
void matmul_get_row(const struct model_w *w, int64_t row, float *out);

#endif

/*
 * The transformer forward pass (llama / qwen2) with a KV cache.
 *
 * A context holds everything one conversation needs, allocated once by
 * forward_new: the KV cache for n_ctx positions and scratch buffers for up
 * to n_batch tokens per step. Evaluation allocates nothing.
 *
 * The KV cache is f16, like llama.cpp's default, laid out per layer:
 *   K  (n_layer, n_ctx, kv_dim)   one row per position
 *   V  (n_layer, kv_dim, n_ctx)   transposed: one row per dimension, so the
 *                                 weighted sum over positions is a dot product
 * Computation follows llama.cpp's CPU graph: RMSNorm (sum of squares in
 * double), RoPE angles built by repeated multiplication of theta_scale,
 * attention scores = (q . k) * 1/sqrt(head_dim), softmax with a double sum,
 * SwiGLU. A prompt evaluated as one batch gives exactly the logits of
 * evaluating it one token at a time.
 */
#ifndef AI_FORWARD_H
#define AI_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/model.h"

struct forward;

/* Bytes forward_new(m, n_ctx, n_batch) allocates (approximately, +-4 KiB):
 * lets the OS pick n_ctx from the memory it has free. */
size_t forward_bytes(const struct model *m, int n_ctx, int n_batch);

/* The largest n_ctx (<= want) whose context fits in `budget` bytes, or 0 if
 * not even a context of 1 does: the OS reduces the context to what is free. */
int forward_max_ctx(const struct model *m, int want, int n_batch, size_t budget);

/* n_ctx: positions in the KV cache (1..); n_batch: most tokens per internal
 * step (prompt chunks, and the rows forward_eval can return logits for).
 * NULL + message on bad sizes or out of memory. */
struct forward *forward_new(const struct model *m, int n_ctx, int n_batch,
			    char *err, size_t errlen);
void forward_free(struct forward *f);

int forward_n_ctx(const struct forward *f);
int forward_n_batch(const struct forward *f);
const struct model *forward_model(const struct forward *f);

/* Evaluate tokens[0..n) at positions pos..pos+n-1. Positions below pos must
 * have been evaluated already (the cache keeps them); pos + n <= n_ctx.
 * Larger n are processed in chunks of n_batch.
 * Returns the logits (n_vocab) of the last token, or with all_logits (which
 * needs n <= n_batch) the logits of every token (n, n_vocab). The pointer
 * stays valid until the next call. NULL if an argument is out of range (bad
 * token id, position past the context). */
const float *forward_eval(struct forward *f, const int32_t *tokens, int n, int pos,
			  bool all_logits);

/* The final hidden states of tokens[0..n) (n <= n_batch) evaluated at
 * positions pos..pos+n-1 like forward_eval: the output of the last
 * RMSNorm, before the output projection (what llama.cpp returns as a
 * token's embedding). Returns (n, n_embd), valid until the next call;
 * NULL if an argument is out of range. */
const float *forward_embed(struct forward *f, const int32_t *tokens, int n, int pos);

#endif

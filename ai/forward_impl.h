/*
 * Internal to the forward pass (ai/forward.c, ai/moe.c): the context's
 * buffers, allocated once by forward_new.
 */
#ifndef AI_FORWARD_IMPL_H
#define AI_FORWARD_IMPL_H

#include "ai/forward.h"
#include "ai/matmul.h"
#include "ai/quant.h"

struct forward {
	const struct model *m;
	int n_ctx, n_batch;
	void *mem;           /* the one allocation everything below lives in */
	size_t mem_bytes;
	const float *rope_factors; /* per-pair frequency factors for this n_ctx, or NULL */
	ggml_half *k_cache;  /* (n_layer, n_ctx, kv_dim) */
	ggml_half *v_cache;  /* (n_layer, kv_dim, n_ctx) */
	float *x;            /* (n_batch, n_embd) residual stream */
	float *xb;           /* (n_batch, n_embd) normalized input of a block */
	float *xb2;          /* (n_batch, n_embd) output of a projection */
	float *q;            /* (n_batch, q_dim) */
	float *k, *v;        /* (n_batch, kv_dim) */
	ggml_half *vh;       /* (n_batch, kv_dim) v as f16, on its way to the cache */
	float *att;          /* (n_batch, q_dim) attention output */
	float *hb, *hb2;     /* (n_batch, n_ff) gate, up */
	float *scores;       /* (n_head, n_ctx) attention weights of one query */
	float *qh;           /* (n_head, head_dim) query rounded to f16 precision */
	float *rope;         /* (n_batch, n_rot) cos, sin pairs */
	float *rope_swa;     /* (n_batch, n_rot) the same on sliding-window layers */
	float *logits;       /* (n_batch, n_vocab) */
	void *qbuf;          /* MATMUL_MAX_W * matmul_qbuf_bytes(max_in, max rows) */
	/* experts (n_expert > 0); a pair is a (token, chosen expert) */
	float *probs;        /* (n_batch, n_expert) router softmax */
	int32_t *chosen;     /* (n_batch, n_expert_used) experts, most probable first */
	float *weight;       /* (n_batch, n_expert_used) their weights */
	int32_t *pair_row;   /* (n_batch, n_expert_used) row of each pair below */
	int32_t *first;      /* (n_expert + 1) each expert's first row */
	float *px;           /* (pairs, n_embd) the pairs' inputs, grouped by expert */
	float *pg, *pu;      /* (pairs, n_ff_exp) gate, up */
	float *pd;           /* (pairs, n_embd) the experts' outputs */
	struct matmul_seg *segs; /* (2 n_expert) */
};

/* g = act(g) * u for n_rows rows of n (the model's gate activation), on
 * every worker. */
void forward_glu(const struct model *m, float *g, const float *u, int n_rows, int n);

/* The FFN of layer il with experts: f->x += moe(f->xb) for n_tok tokens. */
void moe_ffn(struct forward *f, int il, int n_tok);

#endif

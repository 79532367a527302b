/*
 * A transformer model described by a parsed GGUF: hyperparameters from the
 * {arch}.* keys and the weight tensors, every shape and type validated.
 * Weights are not copied or converted: each struct model_w points at the
 * packed tensor data inside the GGUF buffer, which must outlive the model.
 *
 * Supported architectures (general.architecture):
 *   llama  Llama 2/3, TinyLlama, Mistral, SmolLM: GQA, RoPE (normal, pairs
 *          (2i, 2i+1)), optional linear rope scaling and llama3 rope_freqs,
 *          tied or untied output.
 *   qwen2  as llama plus q/k/v biases, NeoX RoPE (pairs (i, i + n_rot/2)).
 *   qwen3  as qwen2 without the biases plus an RMSNorm on every head of q
 *          and k (attn_q_norm, attn_k_norm) before RoPE; head size from
 *          {arch}.attention.key_length.
 *   qwen3moe  qwen3 attention, and a mixture of experts in place of the
 *          FFN: a router (ffn_gate_inp) gives each token a softmax over
 *          n_expert experts, the top n_expert_used run (SwiGLU, 3-D tensors
 *          ffn_{gate,up,down}_exps), weighted by their renormalised probs.
 *   gemma2, gemma3  embeddings scaled by sqrt(n_embd), GELU (tanh) gated
 *          FFN, RMSNorms after attention and after the FFN, q scaled before
 *          q.k, sliding-window attention on some layers; gemma2 soft-caps
 *          the attention scores and the logits, gemma3 normalises q and k
 *          per head and has its own RoPE base on the sliding layers.
 *   phi3   llama with NeoX RoPE, LongRoPE factors (rope_factors_short/long)
 *          and q scaled before q.k.
 * Every architecture takes a fused attn_qkv (phi3) or separate q/k/v, and a
 * fused gate+up ffn_up of 2 n_ff rows where it has no ffn_gate (phi3).
 * quant_init() must have been called: weight types are checked against the
 * selected kernels (quant_traits).
 */
#ifndef AI_MODEL_H
#define AI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/gguf.h"
#include "ai/quant.h"

enum model_arch {
	MODEL_ARCH_LLAMA,
	MODEL_ARCH_QWEN2,
	MODEL_ARCH_QWEN3,
	MODEL_ARCH_QWEN3MOE,
	MODEL_ARCH_GEMMA2,
	MODEL_ARCH_GEMMA3,
	MODEL_ARCH_PHI3,
};

enum model_act { MODEL_ACT_SILU, MODEL_ACT_GELU }; /* gate activation of the FFN */

#define MODEL_MAX_EXPERTS 512

/* A 2-D weight (n_out rows of n_in elements, ggml's ne0 = n_in) or a 1-D
 * vector (n_out = 1), packed as the GGUF stores it. */
struct model_w {
	const void *data;
	int type;               /* enum ggml_type */
	int64_t n_in, n_out;
	size_t row_bytes;       /* bytes of one row of n_in elements */
	const char *name;       /* points into the GGUF buffer; not NUL-terminated */
	int name_len;
	bool packed;            /* full groups of pack_rows rows in the type's packed layout (model_pack) */
	bool il4;               /* rows 0..n_out/4*4 in 4-row interleaved groups (model_pack) */
};

struct model_layer {
	struct model_w attn_norm;         /* (n_embd) f32 */
	struct model_w wq, wk, wv, wo;    /* (n_embd -> q_dim), (n_embd -> kv_dim) x2, (q_dim -> n_embd) */
	struct model_w bq, bk, bv, bo;    /* optional biases (qwen2 has q/k/v): (q_dim), (kv_dim) x2, (n_embd) f32; data NULL if absent */
	struct model_w attn_q_norm, attn_k_norm; /* (head_dim) f32 per-head RMSNorm weights; data NULL if absent */
	struct model_w attn_post_norm;    /* (n_embd) f32 after attention (gemma); data NULL if absent */
	struct model_w ffn_norm;          /* (n_embd) f32 */
	struct model_w w_gate, w_up, w_down; /* (n_embd -> n_ff) x2, (n_ff -> n_embd); unused with experts */
	struct model_w ffn_post_norm;     /* (n_embd) f32 after the FFN (gemma); data NULL if absent */
	/* experts (n_expert > 0): the router, and the experts' matrices stacked:
	 * expert e's rows are [e * n_ff_exp, (e + 1) * n_ff_exp) of gate_exps
	 * and up_exps and [e * n_embd, (e + 1) * n_embd) of down_exps
	 * (model_expert gives one as a model_w) */
	struct model_w ffn_gate_inp;      /* (n_embd -> n_expert) */
	struct model_w gate_exps, up_exps; /* (n_embd -> n_ff_exp) x n_expert */
	struct model_w down_exps;         /* (n_ff_exp -> n_embd) x n_expert */
	bool swa;                         /* sliding-window attention (n_swa) on this layer */
};

struct model {
	int arch;                /* enum model_arch */
	char arch_name[16];
	int n_embd, n_ff, n_layer;
	int n_head, n_head_kv, head_dim; /* q_dim = n_head*head_dim, kv_dim = n_head_kv*head_dim */
	int n_vocab, n_ctx_train;
	int n_rot;               /* rotated dimensions per head (even, <= head_dim) */
	bool rope_neox;
	float rope_base, rope_freq_scale; /* freq_scale = 1/linear factor (1 = none) */
	float rope_base_swa, rope_freq_scale_swa; /* the same on sliding-window layers */
	float rope_attn_factor;  /* multiplies RoPE's cos and sin (LongRoPE's attn_factor; 1 = none) */
	const float *rope_freqs; /* (n_rot/2) llama3 frequency factors, NULL if absent */
	const float *rope_long, *rope_short; /* (n_rot/2) LongRoPE factors (phi3), NULL if absent: */
	int n_ctx_orig;          /* long ones for a context over this many positions */
	float norm_eps;
	float q_scale;           /* q *= q_scale before its f16 rounding (1 = none) */
	float kq_scale;          /* attention scores = q.k * kq_scale */
	float attn_softcap;      /* scores = c tanh(scores / c) before the softmax; 0 = none */
	float final_softcap;     /* the same on the logits */
	float embd_scale;        /* embeddings times this (gemma: sqrt(n_embd)); 1 = none */
	int n_swa;               /* window of the sliding layers: keys at pos - n_swa + 1 .. pos */
	int act;                 /* enum model_act */
	int n_expert, n_expert_used, n_ff_exp; /* 0 without experts */
	bool expert_norm;        /* renormalise the chosen experts' weights to sum 1 */
	float expert_scale;      /* then multiply them by this (1 = none) */
	struct model_w tok_embd; /* (n_embd -> n_vocab rows) */
	struct model_w output_norm;
	struct model_w output;   /* == tok_embd when tied */
	struct model_w output_b; /* (n_vocab) f32 logit bias; data NULL if absent */
	bool tied_output;
	struct model_layer *layers; /* n_layer */
	uint64_t weight_bytes;      /* all weights, for bandwidth figures */
	uint64_t active_bytes;      /* what one token reads: all weights but the embedding
				     * table (one row) and the unchosen experts */
};

/* Read hyperparameters and weights. Returns 0, or -1 with a message naming
 * the key or tensor at fault. On success release with model_free. */
int model_load(struct model *m, const struct gguf *g, char *err, size_t errlen);
void model_free(struct model *m);

/* The hyperparameters as "key: value" lines (architecture .. weights), for
 * `llm info` and the shell's `model`. Returns the length it needed (as
 * snprintf; the text is cut to n - 1 bytes). */
size_t model_summary(const struct model *m, char *buf, size_t n);

/* Rewrites the matrices in place into the layouts the fastest kernels of
 * the selected level (quant_init) read: the types with a packed layout
 * (quant_traits' pack: Q4_0's 16-row groups, ai/kernels/q4_0.h) into it;
 * the types whose traits at that level have vec_dot_4r_il4
 * (quant.h: Q8_0, Q5_0; Q4_K..Q6_K with AVX-512) into 4-row interleaved
 * groups. The level must not change afterwards. Bit-identical logits (an unpacked
 * model computes the same). The GGUF buffer must be writable. Returns 0,
 * or -1 (nothing changed) when out of memory for the one-group scratch. */
int model_pack(struct model *m);
/* The same for one weight, with scratch of model_pack_scratch(w) bytes. */
size_t model_pack_scratch(const struct model_w *w);
void model_pack_w(struct model_w *w, void *scratch);

/* Expert e of a stacked expert tensor (gate_exps, up_exps, down_exps), as
 * one matrix of w->n_out / n_expert rows. */
static inline struct model_w model_expert(const struct model_w *w, int n_expert, int e)
{
	struct model_w x = *w;
	x.n_out = w->n_out / n_expert;
	x.data = (const uint8_t *)w->data + (size_t)e * (size_t)x.n_out * w->row_bytes;
	return x;
}

static inline int model_q_dim(const struct model *m) { return m->n_head * m->head_dim; }
static inline int model_kv_dim(const struct model *m) { return m->n_head_kv * m->head_dim; }

#endif

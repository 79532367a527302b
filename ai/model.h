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

enum model_arch { MODEL_ARCH_LLAMA, MODEL_ARCH_QWEN2 };

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
	struct model_w ffn_norm;          /* (n_embd) f32 */
	struct model_w w_gate, w_up, w_down; /* (n_embd -> n_ff) x2, (n_ff -> n_embd) */
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
	const float *rope_freqs; /* (n_rot/2) llama3 frequency factors, NULL if absent */
	float norm_eps;
	struct model_w tok_embd; /* (n_embd -> n_vocab rows) */
	struct model_w output_norm;
	struct model_w output;   /* == tok_embd when tied */
	bool tied_output;
	struct model_layer *layers; /* n_layer */
	uint64_t weight_bytes;      /* all weights, for bandwidth figures */
};

/* Read hyperparameters and weights. Returns 0, or -1 with a message naming
 * the key or tensor at fault. On success release with model_free. */
int model_load(struct model *m, const struct gguf *g, char *err, size_t errlen);
void model_free(struct model *m);

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

static inline int model_q_dim(const struct model *m) { return m->n_head * m->head_dim; }
static inline int model_kv_dim(const struct model *m) { return m->n_head_kv * m->head_dim; }

#endif

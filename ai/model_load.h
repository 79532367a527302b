/*
 * Internal to model_load (ai/model.c, ai/model_arch.c): the loader's state
 * and the checked readers of {arch}.* keys. Every reader fails with a
 * message naming the key and the value at fault.
 */
#ifndef AI_MODEL_LOAD_H
#define AI_MODEL_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "ai/gguf.h"
#include "ai/model.h"

#define MODEL_MAX_DIM (1 << 20)
#define MODEL_MAX_LAYERS 1024

/* What an architecture has (ai/model_arch.c's table). */
struct model_arch_info {
	const char *name;
	int arch;          /* enum model_arch */
	bool neox;         /* NeoX RoPE */
	bool qk_norm;      /* attn_q_norm / attn_k_norm required */
	bool post_norms;   /* attn_post_norm / ffn_post_norm required */
	bool qkv_bias;     /* q/k/v biases required */
	bool experts;      /* ffn_gate_inp + ffn_{gate,up,down}_exps in place of the FFN */
	bool fused_ffn;    /* ffn_up holds gate and up (2 n_ff rows), no ffn_gate */
	bool tied_always;  /* the output is token_embd whatever the file holds */
	int act;           /* enum model_act */
};

/* Everything model_load needs while it works. */
struct loader {
	const struct gguf *g;
	struct model *m;
	const struct model_arch_info *ai;
	char *err;
	size_t errlen;
};

int model_fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* {arch}.suffix into key. */
void model_key(const struct loader *L, char *key, size_t n, const char *suffix);
/* A required integer {arch}.suffix in 1..max. */
int model_get_dim(struct loader *L, const char *suffix, int *out, int max);
/* The same, optional: *out untouched when absent. */
int model_get_dim_opt(struct loader *L, const char *suffix, int *out, int max);
/* An optional number in [lo, hi] (finite): *out untouched when absent. */
int model_get_float_opt(struct loader *L, const char *suffix, float *out, float lo, float hi);

/* general.architecture and the {arch}.* hyperparameters: fills L->ai and
 * every scalar of L->m. */
int model_load_hparams(struct loader *L);

#endif

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
#define MODEL_MAX_CTX (1 << 24)
/* The ranges of the float hyperparameters hold every published model with
 * room to spare (bases 1e4..1e8, linear factors 1..64, llama3 and LongRoPE
 * frequency factors 1..~100, epsilons 1e-12..1e-5, soft-caps 30..50); what
 * lies outside is a broken or hostile file: NaN, inf, a base of 1e-30 that
 * sent the RoPE angles to 1e21, a soft-cap of 1e-40 whose inverse is inf. */
#define MODEL_ROPE_BASE_MIN 1.0f
#define MODEL_ROPE_BASE_MAX 1e12f
#define MODEL_ROPE_FACTOR_MIN 1e-3f
#define MODEL_ROPE_FACTOR_MAX 1e6f
#define MODEL_EPS_MAX 1.0f
#define MODEL_SOFTCAP_MIN 1e-3f
#define MODEL_SOFTCAP_MAX 1e6f

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
/* The same, where 0 also means "none": 0 or [lo, hi]. */
int model_get_float_opt0(struct loader *L, const char *suffix, float *out, float lo, float hi);

/* general.architecture and the {arch}.* hyperparameters: fills L->ai and
 * every scalar of L->m. */
int model_load_hparams(struct loader *L);

#endif

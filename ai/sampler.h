/*
 * Choosing the next token from logits. The chain, in llama.cpp's default
 * order: repetition penalty over the last repeat_last_n tokens -> top-k ->
 * top-p -> min-p -> temperature -> a draw from the softmax. temp <= 0 is
 * greedy (argmax after the penalty; ties go to the lowest id).
 *
 * The random numbers come from our own PCG32 seeded by `seed`, and all the
 * arithmetic is ours (ai/aimath.h), so the host and the OS draw the same
 * tokens from the same logits. A sampler owns its buffers (allocated once)
 * and is used by one thread at a time.
 */
#ifndef AI_SAMPLER_H
#define AI_SAMPLER_H

#include <stdint.h>

struct sampler_params {
	float temp;           /* <= 0: greedy */
	int top_k;            /* <= 0: whole vocabulary */
	float top_p;          /* >= 1: off */
	float min_p;          /* <= 0: off */
	float repeat_penalty; /* 1: off */
	int repeat_last_n;    /* tokens of history the penalty looks at */
	uint64_t seed;
};

/* llama.cpp's defaults: temp 0.8, top-k 40, top-p 0.95, min-p 0.05,
 * repeat penalty 1.0 over 64 tokens, seed 0. */
void sampler_defaults(struct sampler_params *p);

struct sampler;

/* NULL if out of memory or n_vocab < 1. */
struct sampler *sampler_new(const struct sampler_params *p, int n_vocab);
void sampler_free(struct sampler *s);
/* Forget the history and restart the random sequence from the seed. */
void sampler_reset(struct sampler *s);
/* Change the parameters; the history stays, the RNG is reseeded. */
void sampler_set_params(struct sampler *s, const struct sampler_params *p);
/* Record a token (prompt or generated) in the penalty history. */
void sampler_accept(struct sampler *s, int32_t token);
/* Choose a token from logits (n_vocab); logits are not modified. */
int32_t sampler_sample(struct sampler *s, const float *logits);

/* The RNG on its own, for tests and the bench's random prompts. */
struct pcg32 {
	uint64_t state, inc;
};
void pcg32_seed(struct pcg32 *r, uint64_t seed);
uint32_t pcg32_next(struct pcg32 *r);

#endif

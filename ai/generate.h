/*
 * The generation loop shared by the host tool (`llm generate`) and the OS
 * shell (`generate`, `chat`): tokenize, evaluate the prompt as batches,
 * then sample and evaluate one token at a time, streaming each piece through
 * a callback. The engine cannot read clocks or keyboards: the caller passes
 * now_ns() and should_stop() (Ctrl-C) in struct gen_io.
 */
#ifndef AI_GENERATE_H
#define AI_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/forward.h"
#include "ai/sampler.h"
#include "ai/tokenizer.h"

struct gen_io {
	/* A generated token and its bytes (possibly a partial UTF-8 sequence;
	 * may be empty for control tokens). May be NULL. */
	void (*on_token)(void *user, int32_t id, const char *piece, int len);
	bool (*should_stop)(void *user); /* polled before each token is sampled and
					  * after each is emitted; may be NULL */
	uint64_t (*now_ns)(void *user);  /* monotonic clock; NULL: stats stay 0 */
	void *user;
};

enum gen_stop {
	GEN_STOP_EOG,   /* the model produced an end-of-generation token */
	GEN_STOP_LIMIT, /* n_predict tokens generated */
	GEN_STOP_CTX,   /* the context is full */
	GEN_STOP_USER,  /* should_stop() said so */
};

struct gen_stats {
	int n_prompt, n_gen;     /* tokens evaluated from the prompt; tokens emitted */
	uint64_t t_prompt_ns;    /* evaluating the prompt */
	uint64_t t_gen_ns;       /* from the first emitted token to the end:
				  * generation tok/s = (n_gen - 1) / t_gen */
	uint64_t t_first_ns;     /* from the start of the call to the first token */
	int stop;                /* enum gen_stop */
	int32_t pending;         /* last sampled token (EOG included), not in the
				  * KV cache; -1 if none was sampled */
};

struct gen_params {
	int n_predict;           /* tokens to generate; < 0: until EOG or the context is full */
	bool add_bos;            /* prepend BOS (when the tokenizer wants one) */
	bool parse_special;      /* recognise special-token texts in the prompt */
};

/* Generate from text: tokenize (prompt, len), reset the sampler (history,
 * RNG from its seed) and start at position 0. Returns 0, or -1 with a
 * message (empty prompt, prompt longer than the context, tokenizer error). */
int generate_text(struct forward *f, const struct tokenizer *tk, struct sampler *s,
		  const char *prompt, size_t len, const struct gen_params *gp,
		  const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen);

/* Continue a conversation: evaluate toks[0..n) (n >= 1) at position
 * *n_past (the cache holds every position below it), then generate. On
 * return *n_past counts the tokens in the cache; st->pending is the last
 * sampled token, which is not in the cache (feed it first in the next call to keep the
 * conversation intact, unless it is the EOG token and the chat template
 * renders that itself). The sampler's history and RNG carry on.
 * Returns 0, or -1 with a message (bad tokens, no room in the context). */
int generate_tokens(struct forward *f, const struct tokenizer *tk, struct sampler *s,
		    const int32_t *toks, int n, int *n_past, const struct gen_params *gp,
		    const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen);

/* The `bench` measurement: prompt processing of n_pp tokens as one batched
 * evaluation, then n_tg tokens one at a time; each repeated reps times
 * (fresh cache), median tok/s returned. Tokens are pseudo-random ids.
 * Returns 0 or -1 with a message (n_pp + n_tg must fit the context). */
int generate_bench(struct forward *f, int n_pp, int n_tg, int reps,
		   const struct gen_io *io, double *pp_tps, double *tg_tps,
		   char *err, size_t errlen);

/* ---- reporting a generation (the host tool, the shell, the HTTP API) ---- */

/* What gen_print_token prints to. */
struct gen_print {
	void (*write)(const char *s, size_t n);
	bool ids; /* the token ids, space-separated, instead of the text */
	int n;    /* tokens printed so far */
};

/* A gen_io on_token whose user is a struct gen_print. */
void gen_print_token(void *user, int32_t id, const char *piece, int len);

/* "end of text", "token limit", "context full", "stopped" (enum gen_stop). */
const char *gen_stop_name(int stop);

/* tok/s of the prompt's evaluation, and of the tokens generated after the
 * first (the first waits for the prompt); 0 when nothing was timed. */
double gen_prompt_tps(const struct gen_stats *st);
double gen_tg_tps(const struct gen_stats *st);

#endif

/*
 * Internals shared by the tokenizer files (ai/tokenizer.c: loading, special
 * tokens, pieces; ai/tok_spm.c: SentencePiece merges; ai/tok_bpe.c:
 * byte-level BPE and its pre-tokenizer). Not part of the public API.
 */
#ifndef AI_TOK_IMPL_H
#define AI_TOK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/tok_pre.h"
#include "ai/tokenizer.h"

enum tok_kind { TOK_SPM, TOK_BPE };

/* tokenizer.ggml.token_type values */
enum tok_type {
	TOKT_UNDEFINED = 0, TOKT_NORMAL = 1, TOKT_UNKNOWN = 2, TOKT_CONTROL = 3,
	TOKT_USER = 4, TOKT_UNUSED = 5, TOKT_BYTE = 6,
};

struct tok_merge {
	uint64_t key;   /* (left id << 32) | right id; 0 with rank < 0 = empty */
	int32_t rank;   /* merge priority: lower first; -1 = empty slot */
	int32_t result; /* id of the merged token */
};

#define TOK_MAX_EOG 32

/* strip[] bits: whitespace next to the special token is dropped (llama.cpp's
 * LSTRIP / RSTRIP token attributes) */
enum { TOK_LSTRIP = 1, TOK_RSTRIP = 2 };

struct tokenizer {
	enum tok_kind kind;
	struct tok_pre *pre; /* BPE: split rules of tokenizer.ggml.pre */
	unsigned pre_flags;  /* BPE: enum tok_pre_flag */
	int n_vocab;
	char *pool;       /* all token texts, back to back */
	uint32_t *off;    /* (n_vocab) text offset in pool */
	uint32_t *len;    /* (n_vocab) text length */
	float *score;     /* (n_vocab) SPM merge scores */
	uint8_t *type;    /* (n_vocab) enum tok_type */
	int32_t *ht;      /* text -> id, open addressing, -1 = empty */
	uint32_t ht_mask;
	struct tok_merge *mt; /* BPE (left, right) -> rank, result */
	uint32_t mt_mask;
	int32_t byte_tok[256]; /* SPM: <0xNN> token; BPE: token of the mapped char */
	uint16_t byte_cp[256]; /* BPE: GPT-2 byte -> codepoint map */
	int16_t cp_byte[324];  /* BPE: inverse map (codepoints < 324), -1 = none */
	int32_t bos, eos, eot, eom, unk;
	int32_t eog[TOK_MAX_EOG];
	int n_eog;
	bool add_bos, add_space_prefix, ignore_merges;
	int32_t *special; /* control/user/unknown ids, longest text first */
	int n_special;
	uint8_t *strip;   /* NULL, or (n_vocab) TOK_LSTRIP | TOK_RSTRIP */
};

/* Output sink: counts every id, writes the first max. */
struct tok_out {
	int32_t *ids;
	int max;
	int n;
};

static inline void tok_push(struct tok_out *o, int32_t id)
{
	if (o->n < o->max)
		o->ids[o->n] = id;
	o->n++;
}

/* Id of the token with text (s, n), or -1. */
int32_t tok_lookup(const struct tokenizer *t, const char *s, size_t n);

/* llama.cpp's special-token fix-ups (ai/tok_special.c): EOT/EOM/FIM by
 * text, the end-of-generation set, and the types these force; then, once
 * the special list is built, the per-model whitespace stripping (0, or -1
 * out of memory). */
void tok_special_init(struct tokenizer *t, const struct gguf *g);
int tok_special_strip(struct tokenizer *t, const struct gguf *g);

/* Encode one raw-text fragment (no special tokens). Return 0 or -1 (out of
 * memory). spm: space_prefix prepends U+2581 before escaping. */
int tok_spm_encode(const struct tokenizer *t, const char *s, size_t n,
		   bool space_prefix, struct tok_out *o);
int tok_bpe_encode(const struct tokenizer *t, const char *s, size_t n, struct tok_out *o);

/* BPE setup: pre-tokenizer (gemma4: the "gemma4" tokenizer model), byte map,
 * merges table. 0, or -1 with a message. */
int tok_bpe_init(struct tokenizer *t, const struct gguf *g, bool gemma4, char *err,
		 size_t errlen);

/* Bigram priority queue shared by SPM (score, higher first) and BPE (rank,
 * lower first); ties go to the leftmost pair, as in llama.cpp. */
struct tok_bigram {
	int left, right; /* symbol indices */
	int size;        /* bytes covered by the pair when it was queued */
	int32_t id;      /* token the merge produces */
	float key;       /* SPM: -score; BPE: rank */
};

static inline bool tok_bigram_before(const struct tok_bigram *a, const struct tok_bigram *b)
{
	return a->key < b->key || (a->key == b->key && a->left < b->left);
}

static inline void tok_heap_push(struct tok_bigram *h, int *n, struct tok_bigram v)
{
	int i = (*n)++;
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!tok_bigram_before(&v, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = v;
}

static inline struct tok_bigram tok_heap_pop(struct tok_bigram *h, int *n)
{
	struct tok_bigram top = h[0], last = h[--(*n)];
	int i = 0;
	for (;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && tok_bigram_before(&h[c + 1], &h[c]))
			c++;
		if (!tok_bigram_before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

#endif

/*
 * BPE pre-tokenizers: split text into words the way llama.cpp does for each
 * tokenizer.ggml.pre name, by a sequence of regexes, each splitting every
 * current span into its matches and the gaps between them (ai/tok_pre_names.c
 * lists them). Regexes llama.cpp hand-codes are hand-coded here; the rest
 * run on ai/tok_regex.c with std::regex's match order. Invalid UTF-8 bytes
 * count as U+FFFD for matching but stay the original bytes in the words, so
 * the words always cover the input exactly.
 */
#ifndef AI_TOK_PRE_H
#define AI_TOK_PRE_H

#include <stdbool.h>
#include <stddef.h>

/* How a pre-tokenizer's words become tokens (llama.cpp's per-name flags). */
enum tok_pre_flag {
	TOK_PRE_IGNORE_MERGES = 1,   /* a word that is a token is that token */
	TOK_PRE_ADD_BOS = 2,         /* add_bos defaults to true */
	TOK_PRE_NO_BOS = 4,          /* no default BOS id (GLM) */
	TOK_PRE_RAW = 8,             /* no GPT-2 byte mapping: symbols are UTF-8
				      * characters, <0xNN> byte fallback */
	TOK_PRE_ESCAPE_WS = 16,      /* spaces become U+2581 before splitting */
	TOK_PRE_FORCE_BOS = 32,      /* add_bos even if the file says no (Gemma 4) */
	TOK_PRE_NL_WORDS = 64,       /* a word of newlines is looked up whole (Gemma 4) */
	TOK_PRE_MERGES_OPTIONAL = 128, /* no tokenizer.ggml.merges is fine (Kimi K2) */
};

struct tok_pre_def {
	const char *name;
	const char *const *regexes; /* NULL-terminated, applied in order */
	unsigned flags;
};

/* Every name llama.cpp accepts, terminated by a NULL name. */
extern const struct tok_pre_def tok_pre_defs[];

struct tok_pre; /* compiled rules; read-only, shareable between threads */

/* The rules for tokenizer.ggml.pre = name[0..n) (NULL: "default"). NULL +
 * message naming it when llama.cpp does not know the name. */
struct tok_pre *tok_pre_new(const char *name, size_t n, char *err, size_t errlen);
void tok_pre_free(struct tok_pre *p);
unsigned tok_pre_flags(const struct tok_pre *p);
const char *tok_pre_name(const struct tok_pre *p);

struct tok_word {
	size_t off, len; /* bytes of the input */
};

struct tok_words {
	struct tok_word *v; /* malloc'ed; the caller frees v */
	int n;
};

/* Split s[0..n) into consecutive words. Returns 0, or -1 out of memory. */
int tok_pre_split(const struct tok_pre *p, const char *s, size_t n, struct tok_words *out);

#endif

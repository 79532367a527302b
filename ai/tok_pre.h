/*
 * BPE pre-tokenizers: split text into words the way the regexes that
 * llama.cpp selects from tokenizer.ggml.pre do, with hand-written matchers
 * over Unicode categories instead of a regex engine. Invalid UTF-8 bytes
 * count as U+FFFD for matching but stay the original bytes in the words,
 * so the words always cover the input exactly.
 */
#ifndef AI_TOK_PRE_H
#define AI_TOK_PRE_H

#include <stddef.h>

#include "ai/tok_impl.h"

struct tok_word {
	size_t off, len; /* bytes of the input */
};

struct tok_words {
	struct tok_word *v; /* malloc'ed; the caller frees v */
	int n;
};

/* Split s[0..n) into consecutive words. Returns 0, or -1 out of memory. */
int tok_pre_split(enum tok_pre pre, const char *s, size_t n, struct tok_words *out);

#endif

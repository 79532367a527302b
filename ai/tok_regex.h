/*
 * The regex engine behind the BPE pre-tokenizers whose split rules llama.cpp
 * runs through std::regex (ECMAScript, libstdc++): a backtracking VM that
 * explores alternatives in the same order, so it finds the same match.
 *
 * llama.cpp matches a regex that names \p{N} \p{L} \p{P} \p{M} \p{S} (or
 * \p{Lu} \p{Ll} \p{Lt} \p{Lm} \p{Lo}, all "letter") against a "collapsed"
 * text: ASCII stays itself, other whitespace becomes \v, other codepoints
 * one byte per category (0xD1 N, 0xD2 L, 0xD3 P, 0xD4 M, 0xD5 S, 0xD0
 * other), and rewrites each \p{X} into a class of that byte and the ASCII
 * members of X. Any other regex runs on the codepoints themselves (non-ASCII
 * whitespace again \v). tok_regex_compile does the same rewriting;
 * tok_regex_sym gives the symbol the regex sees for a codepoint.
 *
 * Supported: literals, escapes (\s \S \d \D \w \W \r \n \t \v \f \xHH
 * \uHHHH and identity escapes), classes with ranges and negation, '.', '$',
 * groups (...) (?:...), lookaheads (?=...) (?!...), alternation, and the
 * quantifiers * + ? {n} {n,} {n,m}, greedy or lazy. Anything else (and a
 * loop whose body can match empty) fails to compile with a message.
 */
#ifndef AI_TOK_REGEX_H
#define AI_TOK_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tok_regex; /* opaque, read-only once compiled */

/* Compile the UTF-8 pattern pat. NULL + message on error. */
struct tok_regex *tok_regex_compile(const char *pat, char *err, size_t errlen);
void tok_regex_free(struct tok_regex *re);

/* The symbol re sees for codepoint cp, whose category is cat (enum
 * unicode_cat) and whose whitespace-ness is space. */
uint32_t tok_regex_sym(const struct tok_regex *re, uint32_t cp, int cat, bool space);

/* Backtracking stack of one matching thread; zero-initialise, reuse across
 * calls, release with tok_regex_vm_free. */
struct tok_regex_vm {
	struct tok_regex_thr *st;
	size_t n, cap;
};
void tok_regex_vm_free(struct tok_regex_vm *vm);

/* Try to match re at sym[at], sym[end] being the end of the span searched
 * ('$' and lookaheads see no further). not_null rejects an empty match.
 * Returns the end of the match, -1 for no match, -2 out of memory. */
long tok_regex_match(const struct tok_regex *re, struct tok_regex_vm *vm, const uint32_t *sym,
		     size_t at, size_t end, bool not_null);

#endif

/* BPE pre-tokenizers: the split regexes of llama.cpp as hand-written
 * matchers. Each pass splits every current span into matches and the gaps
 * between them (a regex_search loop); passes run in sequence. */
#include <stdlib.h>

#include "ai/tok_pre.h"
#include "ai/unicode.h"

enum { F_L = 1, F_N = 2, F_SP = 4, F_P = 8, F_CRLF = 16 };

struct pre_text {
	uint8_t *f;  /* (ncp) F_* flags of each codepoint */
	uint32_t *c; /* (ncp) codepoints (U+FFFD for invalid bytes) */
	size_t *bo;  /* (ncp + 1) byte offset of each codepoint */
	size_t ncp;
};

enum pass {
	P_GPT2,     /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
	P_LLAMA3,   /* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
		       ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
	P_QWEN2,    /* the same with \p{N} (one digit) */
	P_N1,       /* \p{N} */
	P_NPLUS,    /* \p{N}+ */
	P_PUNCT,    /* [\p{P}\$\+<=>\^~\|]+ */
	P_PUNCT_BT, /* [\p{P}\$\+<=>\^~\|`]+ */
	P_D3,       /* [0-9][0-9][0-9] */
	P_END
};

static const enum pass passes[][5] = {
	[PRE_DEFAULT] = {P_PUNCT, P_GPT2, P_NPLUS, P_D3, P_END},
	[PRE_GPT2] = {P_GPT2, P_END},
	[PRE_LLAMA3] = {P_LLAMA3, P_END},
	[PRE_QWEN2] = {P_QWEN2, P_END},
	[PRE_SMOLLM] = {P_N1, P_GPT2, P_END},
	[PRE_FALCON] = {P_PUNCT_BT, P_GPT2, P_D3, P_END},
};

static uint32_t lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 's 't 're 've 'm 'll 'd at i (optionally case-insensitive); end or i. */
static size_t m_contraction(const struct pre_text *t, size_t i, size_t e, bool nocase)
{
	if (t->c[i] != '\'' || i + 1 >= e)
		return i;
	uint32_t a = t->c[i + 1], b = i + 2 < e ? t->c[i + 2] : 0;
	if (nocase)
		a = lower(a), b = lower(b);
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
		return i + 3;
	return i;
}

static size_t run(const struct pre_text *t, size_t i, size_t e, uint8_t flag)
{
	while (i < e && (t->f[i] & flag))
		i++;
	return i;
}

static bool other(const struct pre_text *t, size_t i) /* [^\s\p{L}\p{N}] */
{
	return !(t->f[i] & (F_L | F_N | F_SP));
}

/* \s+(?!\S)|\s+ : a whitespace run, less its last char when a non-space
 * follows (that char then leads the next word). */
static size_t m_spaces(const struct pre_text *t, size_t i, size_t e)
{
	size_t k = run(t, i, e, F_SP);
	if (k == i)
		return i;
	if (k < e && k - i >= 2)
		return k - 1;
	return k;
}

static size_t m_gpt2(const struct pre_text *t, size_t i, size_t e)
{
	size_t j = m_contraction(t, i, e, false), k;
	if (j > i)
		return j;
	j = i + (t->c[i] == ' ' && i + 1 < e ? 1 : 0);
	if ((k = run(t, j, e, F_L)) > j)
		return k;
	if ((k = run(t, j, e, F_N)) > j)
		return k;
	for (k = j; k < e && other(t, k); k++)
		;
	if (k > j)
		return k;
	return m_spaces(t, i, e);
}

static size_t m_llama3(const struct pre_text *t, size_t i, size_t e, size_t maxdig)
{
	size_t j = m_contraction(t, i, e, true), k;
	if (j > i)
		return j;
	/* [^\r\n\p{L}\p{N}]?\p{L}+ */
	if (!(t->f[i] & (F_CRLF | F_L | F_N)) && i + 1 < e && (t->f[i + 1] & F_L))
		return run(t, i + 1, e, F_L);
	if (t->f[i] & F_L)
		return run(t, i, e, F_L);
	/* \p{N}{1,maxdig} */
	if (t->f[i] & F_N) {
		for (k = i; k < e && k - i < maxdig && (t->f[k] & F_N); k++)
			;
		return k;
	}
	/* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
	j = i + (t->c[i] == ' ' && i + 1 < e && other(t, i + 1) ? 1 : 0);
	for (k = j; k < e && other(t, k); k++)
		;
	if (k > j)
		return run(t, k, e, F_CRLF);
	/* \s*[\r\n]+ : up to the last CR/LF of the whitespace run */
	k = run(t, i, e, F_SP);
	for (size_t p = k; p > i; p--)
		if (t->f[p - 1] & F_CRLF)
			return p;
	return m_spaces(t, i, e);
}

static bool punct(const struct pre_text *t, size_t i, bool backtick)
{
	uint32_t c = t->c[i];
	return (t->f[i] & F_P) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' ||
	       c == '^' || c == '~' || c == '|' || (backtick && c == '`');
}

static bool digit(const struct pre_text *t, size_t i) { return t->c[i] >= '0' && t->c[i] <= '9'; }

static size_t match(const struct pre_text *t, enum pass p, size_t i, size_t e)
{
	size_t k = i;
	switch (p) {
	case P_GPT2:
		return m_gpt2(t, i, e);
	case P_LLAMA3:
		return m_llama3(t, i, e, 3);
	case P_QWEN2:
		return m_llama3(t, i, e, 1);
	case P_N1:
		return (t->f[i] & F_N) ? i + 1 : i;
	case P_NPLUS:
		return run(t, i, e, F_N);
	case P_PUNCT:
	case P_PUNCT_BT:
		while (k < e && punct(t, k, p == P_PUNCT_BT))
			k++;
		return k;
	case P_D3:
		return i + 3 <= e && digit(t, i) && digit(t, i + 1) && digit(t, i + 2) ? i + 3 : i;
	case P_END:
		break;
	}
	return i;
}

/* Span boundaries in codepoint indices: spans are [b[k], b[k+1]). */
struct bounds {
	size_t *b;
	size_t n, cap;
};

static int badd(struct bounds *s, size_t v)
{
	if (s->n && s->b[s->n - 1] == v)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		size_t *b = realloc(s->b, sizeof(*b) * cap);
		if (!b)
			return -1;
		s->b = b, s->cap = cap;
	}
	s->b[s->n++] = v;
	return 0;
}

static int split_pass(const struct pre_text *t, enum pass p, const struct bounds *in,
		      struct bounds *out)
{
	out->n = 0;
	if (badd(out, 0) < 0)
		return -1;
	for (size_t k = 0; k + 1 < in->n; k++) {
		size_t s = in->b[k], e = in->b[k + 1];
		for (size_t i = s; i < e;) {
			size_t m = match(t, p, i, e);
			if (m > i) {
				if (badd(out, i) < 0 || badd(out, m) < 0)
					return -1;
				i = m;
			} else {
				i++;
			}
		}
		if (badd(out, e) < 0)
			return -1;
	}
	return 0;
}

int tok_pre_split(enum tok_pre pre, const char *s, size_t n, struct tok_words *out)
{
	struct pre_text t = {0};
	struct bounds a = {0}, b = {0};
	int rc = -1;

	out->v = NULL;
	out->n = 0;
	t.f = malloc(n + 1);
	t.c = malloc(sizeof(*t.c) * (n + 1));
	t.bo = malloc(sizeof(*t.bo) * (n + 1));
	if (!t.f || !t.c || !t.bo)
		goto out;
	for (size_t off = 0; off < n;) {
		uint32_t c;
		int k = unicode_decode((const uint8_t *)s + off, n - off, &c);
		enum unicode_cat cat = unicode_category(c);
		uint8_t f = cat == UCAT_LETTER ? F_L : cat == UCAT_NUMBER ? F_N :
			    cat == UCAT_PUNCT ? F_P : 0;
		if (unicode_is_space(c))
			f |= F_SP;
		if (c == '\r' || c == '\n')
			f |= F_CRLF;
		t.c[t.ncp] = c;
		t.f[t.ncp] = f;
		t.bo[t.ncp++] = off;
		off += (size_t)k;
	}
	t.bo[t.ncp] = n;
	if (badd(&a, 0) < 0 || badd(&a, t.ncp) < 0)
		goto out;
	for (const enum pass *p = passes[pre]; *p != P_END; p++) {
		struct bounds tmp;
		if (split_pass(&t, *p, &a, &b) < 0)
			goto out;
		tmp = a, a = b, b = tmp;
	}
	out->v = malloc(sizeof(*out->v) * (a.n ? a.n : 1));
	if (!out->v)
		goto out;
	for (size_t k = 0; k + 1 < a.n; k++) {
		size_t b0 = t.bo[a.b[k]], b1 = t.bo[a.b[k + 1]];
		if (b1 > b0)
			out->v[out->n++] = (struct tok_word){b0, b1 - b0};
	}
	rc = 0;
out:
	free(t.f);
	free(t.c);
	free(t.bo);
	free(a.b);
	free(b.b);
	return rc;
}

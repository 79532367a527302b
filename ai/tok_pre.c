/* BPE pre-tokenizers: the passes of llama.cpp's unicode_regex_split. Each
 * pass cuts every current span into pieces: a hand-written one where
 * llama.cpp has one (recognised, as there, by the regex's text), otherwise
 * the regex's matches and the gaps between them, found the way
 * std::regex_iterator finds them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_pre.h"
#include "ai/tok_regex.h"
#include "ai/unicode.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

enum { F_L = 1, F_N = 2, F_SP = 4, F_P = 8, F_CRLF = 16, F_M = 32 };

/* Hand-written passes, by the regex text llama.cpp recognises. */
enum custom { C_REGEX, C_GPT2, C_LLAMA3, C_QWEN2, C_QWEN35, C_KIMI, C_DIGITS, C_NEWLINES };

static const struct {
	const char *re;
	enum custom c;
} customs[] = {
	{"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)", C_GPT2},
	{"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+"
	 "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", C_LLAMA3},
	{"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
	 "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", C_LLAMA3},
	{"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
	 "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", C_QWEN2},
	{"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|"
	 "\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", C_QWEN35},
	{"\\p{Han}+", C_KIMI},
	{"\\p{AFMoE_digits}", C_DIGITS},
	{"\\d{1,3}(?=(?:\\d{3})*\\b)", C_DIGITS},
	{"[^\\n]+|[\\n]+", C_NEWLINES},
};

#define MAX_PASSES 8

struct tok_pre {
	const struct tok_pre_def *def;
	int n;
	enum custom kind[MAX_PASSES];
	struct tok_regex *re[MAX_PASSES];
};

struct tok_pre *tok_pre_new(const char *name, size_t n, char *err, size_t errlen)
{
	const struct tok_pre_def *d = tok_pre_defs;
	struct tok_pre *p;

	if (!name)
		name = "default", n = 7;
	while (d->name && !(strlen(d->name) == n && memcmp(d->name, name, n) == 0))
		d++;
	if (!d->name)
		return ERR("unsupported tokenizer.ggml.pre '%.*s'", (int)(n > 40 ? 40 : n), name), NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return ERR("tokenizer: out of memory"), NULL;
	p->def = d;
	for (const char *const *r = d->regexes; *r && p->n < MAX_PASSES; r++, p->n++) {
		p->kind[p->n] = C_REGEX;
		for (size_t k = 0; k < sizeof(customs) / sizeof(customs[0]); k++)
			if (!strcmp(*r, customs[k].re))
				p->kind[p->n] = customs[k].c;
		if (p->kind[p->n] == C_REGEX && !(p->re[p->n] = tok_regex_compile(*r, err, errlen))) {
			tok_pre_free(p);
			return NULL;
		}
	}
	return p;
}

void tok_pre_free(struct tok_pre *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		tok_regex_free(p->re[i]);
	free(p);
}

unsigned tok_pre_flags(const struct tok_pre *p) { return p->def->flags; }
const char *tok_pre_name(const struct tok_pre *p) { return p->def->name; }

/* ---- the text as codepoints ------------------------------------------------ */

struct pre_text {
	uint8_t *f;   /* (ncp) F_* flags of each codepoint */
	uint8_t *cat; /* (ncp) enum unicode_cat */
	uint32_t *c;  /* (ncp) codepoints (U+FFFD for invalid bytes) */
	size_t *bo;   /* (ncp + 1) byte offset of each codepoint */
	size_t ncp;
};

/* Span boundaries in codepoint indices: spans are [b[k], b[k+1]). */
struct bounds {
	size_t *b;
	size_t n, cap;
	bool oom;
};

static void badd(struct bounds *s, size_t v)
{
	if (s->n && s->b[s->n - 1] == v)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		size_t *b = realloc(s->b, sizeof(*b) * cap);
		if (!b) {
			s->oom = true;
			return;
		}
		s->b = b, s->cap = cap;
	}
	s->b[s->n++] = v;
}

/* ---- hand-written passes: each returns where the piece starting at i ends -- */

static size_t run(const struct pre_text *t, size_t i, size_t e, uint8_t flag)
{
	while (i < e && (t->f[i] & flag))
		i++;
	return i;
}

/* 's 't 're 've 'm 'll 'd at i (optionally case-insensitive); i if none. */
static size_t m_contraction(const struct pre_text *t, size_t i, size_t e, bool nocase)
{
	if (i >= e || t->c[i] != '\'' || i + 1 >= e)
		return i;
	uint32_t a = t->c[i + 1], b = i + 2 < e ? t->c[i + 2] : 0;
	if (nocase) /* llama.cpp's unicode_tolower: only A-Z map onto these letters */
		a = a >= 'A' && a <= 'Z' ? a + 32 : a, b = b >= 'A' && b <= 'Z' ? b + 32 : b;
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	if (i + 2 < e && ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')))
		return i + 3;
	return i;
}

/* \s+(?!\S)|\s+ : a whitespace run, less its last char when a non-space
 * follows within the span (that char then leads the next word). */
static size_t m_spaces(const struct pre_text *t, size_t i, size_t e)
{
	size_t k = run(t, i, e, F_SP);
	if (k < e && k - i >= 2)
		return k - 1;
	return k;
}

/* [^\s\p{L}\p{N}] (less \p{M} with marks) */
static bool other(const struct pre_text *t, size_t i, uint8_t word)
{
	return !(t->f[i] & (word | F_N | F_SP));
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
	for (k = j; k < e && other(t, k, F_L); k++)
		;
	if (k > j)
		return k;
	return m_spaces(t, i, e);
}

/* What Llama 3's regex tries after the contractions and the letters (word:
 * the flags of a letter), from \p{N}{1,maxdig} on. */
static size_t m_llama3_rest(const struct pre_text *t, size_t i, size_t e, size_t maxdig, uint8_t word)
{
	size_t j, k;
	/* \p{N}{1,maxdig} */
	if (t->f[i] & F_N) {
		for (k = i; k < e && k - i < maxdig && (t->f[k] & F_N); k++)
			;
		return k;
	}
	/* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
	j = i + (t->c[i] == ' ' && (i + 1 >= e || other(t, i + 1, word)) ? 1 : 0);
	for (k = j; k < e && other(t, k, word); k++)
		;
	if (k > j || j > i)
		return run(t, k, e, F_CRLF);
	/* \s*[\r\n]+ : up to the last CR/LF of the whitespace run */
	k = run(t, i, e, F_SP);
	for (size_t p = k; p > i; p--)
		if (t->f[p - 1] & F_CRLF)
			return p;
	return m_spaces(t, i, e);
}

/* Llama 3 (maxdig 3), Qwen 2 (1) and Qwen 3.5 (1, marks join letters). */
static size_t m_llama3(const struct pre_text *t, size_t i, size_t e, size_t maxdig, bool marks)
{
	uint8_t word = marks ? F_L | F_M : F_L;
	size_t j = m_contraction(t, i, e, true);
	if (j > i)
		return j;
	/* [^\r\n\p{L}\p{N}]?\p{L}+ */
	if (!(t->f[i] & (F_CRLF | F_N)) && ((t->f[i] & word) || (i + 1 < e && (t->f[i + 1] & word))))
		return run(t, i + 1, e, word);
	return m_llama3_rest(t, i, e, maxdig, word);
}

/* llama.cpp's unicode_cpt_is_han */
static bool is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
	       (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
	       (c >= 0x2CEB0 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Kimi K2: [\p{Han}]+ first, then Llama 3's pieces with letters that are not
 * Han, cased as in GPT-4o's regex (which a letter run always satisfies), an
 * optional contraction after the letters, and no "\s*[\r\n]+" subtleties
 * beyond llama.cpp's own. */
static size_t m_kimi(const struct pre_text *t, size_t i, size_t e)
{
	size_t k;
#define LET(p) ((p) < e && (t->f[p] & F_L) && !is_han(t->c[p]))
	if (is_han(t->c[i])) {
		for (k = i; k < e && is_han(t->c[k]); k++)
			;
		return k;
	}
	bool lead = !(t->c[i] == '\r' || t->c[i] == '\n' || (t->f[i] & (F_L | F_N)));
	if (LET(i) || (lead && LET(i + 1))) {
		k = i + (lead ? 1 : 0);
		while (LET(k))
			k++;
		size_t c = m_contraction(t, k, e, true);
		return c;
	}
#undef LET
	return m_llama3_rest(t, i, e, 3, F_L);
}

static void cut_custom(const struct pre_text *t, enum custom c, size_t s, size_t e, struct bounds *o)
{
	for (size_t i = s; i < e;) {
		size_t m = c == C_GPT2 ? m_gpt2(t, i, e) : c == C_KIMI ? m_kimi(t, i, e) :
			   m_llama3(t, i, e, c == C_LLAMA3 ? 3 : 1, c == C_QWEN35);
		if (m <= i)
			m = i + 1; /* llama.cpp: no match, one character */
		badd(o, m);
		i = m;
	}
}

/* AFMoE / Tiny Aya digits: a run of n digits is cut after its first n % 3
 * and then every 3; as in llama.cpp, the first cut of a run also closes the
 * non-digits before it (they join the run's first group). */
static void cut_digits(const struct pre_text *t, size_t s, size_t e, struct bounds *o)
{
	for (size_t i = s; i < e;) {
		if (!(t->f[i] & F_N)) {
			i++;
			continue;
		}
		size_t k = run(t, i, e, F_N), cur = i + (k - i) % 3;
		if (cur > i)
			badd(o, cur);
		for (; cur < k; cur += 3)
			badd(o, cur + 3);
		i = k;
	}
}

static void cut_newlines(const struct pre_text *t, size_t s, size_t e, struct bounds *o)
{
	for (size_t i = s + 1; i < e; i++)
		if ((t->c[i] == '\n') != (t->c[i - 1] == '\n'))
			badd(o, i);
}

/* ---- regex passes -------------------------------------------------------- */

/* The first match at or after from in [from, e]; 1 found, 0 none, -1 OOM. */
static int search(const struct tok_regex *re, struct tok_regex_vm *vm, const uint32_t *sym,
		  size_t from, size_t e, size_t *ms, size_t *me)
{
	for (size_t p = from; p <= e; p++) {
		long m = tok_regex_match(re, vm, sym, p, e, false);
		if (m == -2)
			return -1;
		if (m >= 0) {
			*ms = p, *me = (size_t)m;
			return 1;
		}
	}
	return 0;
}

/* std::regex_iterator over [s, e): after an empty match, first a non-empty
 * match at the same place, else the search resumes one further. */
static int cut_regex(const struct tok_regex *re, struct tok_regex_vm *vm, const uint32_t *sym,
		     size_t s, size_t e, struct bounds *o)
{
	size_t ms, me;
	int r = search(re, vm, sym, s, e, &ms, &me);
	while (r == 1) {
		badd(o, ms);
		badd(o, me);
		size_t from = me;
		if (ms == me) {
			if (me == e)
				break;
			long m = tok_regex_match(re, vm, sym, me, e, true);
			if (m == -2)
				return -1;
			if (m >= 0) {
				ms = me, me = (size_t)m;
				continue;
			}
			from = me + 1;
		}
		r = search(re, vm, sym, from, e, &ms, &me);
	}
	return r < 0 ? -1 : 0;
}

static int pass(const struct tok_pre *p, int k, const struct pre_text *t, const struct bounds *in,
		struct bounds *out, struct tok_regex_vm *vm, uint32_t *sym)
{
	out->n = 0;
	badd(out, 0);
	if (p->kind[k] == C_REGEX)
		for (size_t i = 0; i < t->ncp; i++)
			sym[i] = tok_regex_sym(p->re[k], t->c[i], t->cat[i], t->f[i] & F_SP);
	for (size_t j = 0; j + 1 < in->n; j++) {
		size_t s = in->b[j], e = in->b[j + 1];
		switch (p->kind[k]) {
		case C_REGEX:
			if (cut_regex(p->re[k], vm, sym, s, e, out) < 0)
				return -1;
			break;
		case C_DIGITS:
			cut_digits(t, s, e, out);
			break;
		case C_NEWLINES:
			cut_newlines(t, s, e, out);
			break;
		default:
			cut_custom(t, p->kind[k], s, e, out);
			break;
		}
		badd(out, e);
	}
	return out->oom ? -1 : 0;
}

int tok_pre_split(const struct tok_pre *p, const char *s, size_t n, struct tok_words *out)
{
	struct pre_text t = {0};
	struct bounds a = {0}, b = {0};
	struct tok_regex_vm vm = {0};
	uint32_t *sym = NULL;
	int rc = -1;

	out->v = NULL;
	out->n = 0;
	t.f = malloc(n + 1);
	t.cat = malloc(n + 1);
	t.c = malloc(sizeof(*t.c) * (n + 1));
	t.bo = malloc(sizeof(*t.bo) * (n + 1));
	sym = malloc(sizeof(*sym) * (n + 1));
	if (!t.f || !t.cat || !t.c || !t.bo || !sym)
		goto out;
	for (size_t off = 0; off < n;) {
		uint32_t c;
		int k = unicode_decode((const uint8_t *)s + off, n - off, &c);
		enum unicode_cat cat = unicode_category(c);
		uint8_t f = cat == UCAT_LETTER ? F_L : cat == UCAT_NUMBER ? F_N :
			    cat == UCAT_PUNCT ? F_P : cat == UCAT_MARK ? F_M : 0;
		if (unicode_is_space(c))
			f |= F_SP;
		if (c == '\r' || c == '\n')
			f |= F_CRLF;
		t.c[t.ncp] = c;
		t.f[t.ncp] = f;
		t.cat[t.ncp] = (uint8_t)cat;
		t.bo[t.ncp++] = off;
		off += (size_t)k;
	}
	t.bo[t.ncp] = n;
	badd(&a, 0);
	badd(&a, t.ncp);
	if (a.oom)
		goto out;
	for (int k = 0; k < p->n; k++) {
		struct bounds tmp;
		if (pass(p, k, &t, &a, &b, &vm, sym) < 0)
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
	free(t.cat);
	free(t.c);
	free(t.bo);
	free(sym);
	free(a.b);
	free(b.b);
	tok_regex_vm_free(&vm);
	return rc;
}

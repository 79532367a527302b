/* Byte-level BPE (tokenizer.ggml.model = "gpt2"), as llama.cpp's
 * llm_tokenizer_bpe: the text is split into words by the pre-tokenizer
 * regexes of tokenizer.ggml.pre (hand-written matchers over Unicode
 * categories, ai/tok_pre.c), each byte of a word becomes its GPT-2
 * byte->unicode character, and ranked merges (tokenizer.ggml.merges) join
 * adjacent symbols, lowest rank first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_impl.h"
#include "ai/tok_pre.h"
#include "ai/unicode.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

/* GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the
 * other 68 bytes to U+0100.. in byte order. */
static void byte_map(struct tokenizer *t)
{
	int next = 256;
	for (int i = 0; i < 324; i++)
		t->cp_byte[i] = -1;
	for (int b = 0; b < 256; b++) {
		bool keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
		t->byte_cp[b] = (uint16_t)(keep ? b : next++);
		t->cp_byte[t->byte_cp[b]] = (int16_t)b;
	}
	for (int b = 0; b < 256; b++) {
		char buf[4];
		int k = unicode_encode(t->byte_cp[b], buf);
		t->byte_tok[b] = tok_lookup(t, buf, (size_t)k);
	}
}

/* Vocabularies without the byte mapping (Gemma 4): bytes fall back to <0xNN>. */
static void raw_byte_tokens(struct tokenizer *t)
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < 324; i++)
		t->cp_byte[i] = -1;
	for (int b = 0; b < 256; b++) {
		char buf[6] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>'};
		t->byte_cp[b] = (uint16_t)b;
		t->byte_tok[b] = tok_lookup(t, buf, 6);
	}
}

static uint32_t hash_pair(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (uint32_t)k;
}

static const struct tok_merge *merge_find(const struct tokenizer *t, int32_t l, int32_t r)
{
	uint64_t key = ((uint64_t)(uint32_t)l << 32) | (uint32_t)r;
	for (uint32_t i = hash_pair(key) & t->mt_mask;; i = (i + 1) & t->mt_mask) {
		const struct tok_merge *m = &t->mt[i];
		if (m->rank < 0)
			return NULL;
		if (m->key == key)
			return m;
	}
}

/* tokenizer.ggml.pre -> split rules and llama.cpp's per-name flags. The
 * "gemma4" tokenizer model implies the "gemma4" pre-tokenizer. */
static int pick_pre(struct tokenizer *t, const struct gguf *g, bool gemma4, char *err,
		    size_t errlen)
{
	struct gguf_str pre = {"gemma4", 6};

	if (!gemma4 && !gguf_get_str(g, "tokenizer.ggml.pre", &pre))
		pre = (struct gguf_str){"default", 7};
	if (!(t->pre = tok_pre_new(pre.p, (size_t)pre.n, err, errlen)))
		return -1;
	t->pre_flags = tok_pre_flags(t->pre);
	if (t->pre_flags & TOK_PRE_IGNORE_MERGES)
		t->ignore_merges = true;
	if (t->pre_flags & TOK_PRE_ADD_BOS)
		t->add_bos = true;
	if (t->pre_flags & TOK_PRE_NO_BOS)
		t->bos = -1;
	return 0;
}

int tok_bpe_init(struct tokenizer *t, const struct gguf *g, bool gemma4, char *err, size_t errlen)
{
	const struct gguf_kv *mk = gguf_find(g, "tokenizer.ggml.merges");
	struct gguf_str *strs = NULL;
	uint32_t cap = 1;

	if (pick_pre(t, g, gemma4, err, errlen) < 0)
		return -1;
	if (t->pre_flags & TOK_PRE_RAW)
		raw_byte_tokens(t);
	else
		byte_map(t);
	if (!mk && (t->pre_flags & TOK_PRE_MERGES_OPTIONAL)) {
		t->mt = malloc(sizeof(*t->mt));
		if (!t->mt)
			return ERR("tokenizer: out of memory"), -1;
		t->mt[0] = (struct tok_merge){0, -1, -1};
		t->mt_mask = 0;
		return 0;
	}
	if (!mk || mk->type != GGUF_TYPE_ARRAY || mk->arr_type != GGUF_TYPE_STRING)
		return ERR("tokenizer.ggml.merges missing or not an array of strings"), -1;
	if (mk->arr_n > (1u << 24))
		return ERR("tokenizer.ggml.merges: too many (%llu)", (unsigned long long)mk->arr_n), -1;
	while (cap < 2 * (uint32_t)mk->arr_n + 2)
		cap <<= 1;
	strs = malloc(sizeof(*strs) * (size_t)(mk->arr_n ? mk->arr_n : 1));
	t->mt = malloc(sizeof(*t->mt) * cap);
	if (!strs || !t->mt || gguf_arr_strs(mk, strs) < 0) {
		free(strs);
		return ERR("tokenizer: out of memory"), -1;
	}
	t->mt_mask = cap - 1;
	for (uint32_t i = 0; i < cap; i++)
		t->mt[i] = (struct tok_merge){0, -1, -1};
	char *buf = malloc(1);
	size_t bufcap = 1;
	for (uint64_t i = 0; i < mk->arr_n && buf; i++) {
		const char *s = strs[i].p;
		size_t n = (size_t)strs[i].n, sp;
		for (sp = 1; sp < n && s[sp] != ' '; sp++)
			;
		if (sp >= n)
			continue; /* no separator: ignored, as llama.cpp */
		int32_t l = tok_lookup(t, s, sp), r = tok_lookup(t, s + sp + 1, n - sp - 1);
		if (n > bufcap) {
			free(buf);
			buf = malloc(bufcap = n);
			if (!buf)
				break;
		}
		memcpy(buf, s, sp);
		memcpy(buf + sp, s + sp + 1, n - sp - 1);
		int32_t res = tok_lookup(t, buf, n - 1);
		if (l < 0 || r < 0 || res < 0)
			continue;
		uint64_t key = ((uint64_t)(uint32_t)l << 32) | (uint32_t)r;
		uint32_t h = hash_pair(key) & t->mt_mask;
		while (t->mt[h].rank >= 0 && t->mt[h].key != key)
			h = (h + 1) & t->mt_mask;
		if (t->mt[h].rank < 0) /* the first rank of a pair wins */
			t->mt[h] = (struct tok_merge){key, (int32_t)i, res};
	}
	free(strs);
	if (!buf)
		return ERR("tokenizer: out of memory"), -1;
	free(buf);
	return 0;
}

struct bpe_sym {
	int prev, next;
	int n;      /* bytes of the word; 0 once merged into its left neighbour */
	int32_t id; /* current token of this span, -1 if it has none */
	int off;    /* first byte in the word */
};

struct bpe_work {
	struct bpe_sym *sym;
	struct tok_bigram *heap;
	char *mapped; /* the word as byte-mapped text (ignore_merges lookup) */
};

static void add_bigram(const struct tokenizer *t, struct bpe_sym *sym, int left, int right,
		       struct tok_bigram *heap, int *nheap)
{
	if (left < 0 || right < 0 || sym[left].id < 0 || sym[right].id < 0)
		return;
	const struct tok_merge *m = merge_find(t, sym[left].id, sym[right].id);
	if (!m)
		return;
	tok_heap_push(heap, nheap, (struct tok_bigram){
		.left = left, .right = right, .size = sym[left].n + sym[right].n,
		.id = m->result, .key = (float)m->rank});
}

static void bpe_word(const struct tokenizer *t, const uint8_t *w, int n, struct bpe_work *wk,
		     struct tok_out *o)
{
	struct bpe_sym *sym = wk->sym;
	bool raw = t->pre_flags & TOK_PRE_RAW;
	int nsym = 0, nheap = 0;

	if (t->ignore_merges || (t->pre_flags & TOK_PRE_NL_WORDS)) {
		const char *txt = (const char *)w;
		size_t len = (size_t)n;
		bool nl = n > 0;
		for (int i = 0; i < n && nl; i++)
			nl = w[i] == '\n';
		if (!raw) { /* the word as the vocabulary spells it */
			len = 0;
			for (int i = 0; i < n; i++)
				len += (size_t)unicode_encode(t->byte_cp[w[i]], wk->mapped + len);
			txt = wk->mapped;
		}
		int32_t id = t->ignore_merges || nl ? tok_lookup(t, txt, len) : -1;
		if (id >= 0) {
			tok_push(o, id);
			return;
		}
	}
	/* one symbol per byte (byte-mapped) or per UTF-8 character (raw) */
	for (int i = 0; i < n; nsym++) {
		int k = raw ? unicode_len_utf8(w[i]) : 1;
		if (k > n - i)
			k = n - i;
		int32_t id = raw ? tok_lookup(t, (const char *)w + i, (size_t)k) : t->byte_tok[w[i]];
		sym[nsym] = (struct bpe_sym){nsym - 1, i + k < n ? nsym + 1 : -1, k, id, i};
		i += k;
	}
	for (int i = 1; i < nsym; i++)
		add_bigram(t, sym, i - 1, i, wk->heap, &nheap);
	while (nheap > 0) {
		struct tok_bigram b = tok_heap_pop(wk->heap, &nheap);
		struct bpe_sym *l = &sym[b.left], *r = &sym[b.right];
		if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
			continue; /* outdated */
		l->n += r->n;
		l->id = b.id;
		r->n = 0;
		l->next = r->next;
		if (r->next >= 0)
			sym[r->next].prev = b.left;
		add_bigram(t, sym, l->prev, b.left, wk->heap, &nheap);
		add_bigram(t, sym, b.left, l->next, wk->heap, &nheap);
	}
	for (int i = nsym ? 0 : -1; i >= 0; i = sym[i].next) {
		if (sym[i].id >= 0)
			tok_push(o, sym[i].id);
		else if (raw) /* a character with no token: <0xNN> per byte */
			for (int j = 0; j < sym[i].n; j++)
				if (t->byte_tok[w[sym[i].off + j]] >= 0)
					tok_push(o, t->byte_tok[w[sym[i].off + j]]);
	}
}

/* The code point of the UTF-8 sequence at s[0..n) as llama.cpp's
 * unicode_cpt_from_utf8 reads it (lead byte and continuation bytes only:
 * overlong forms and surrogates pass) in *cp, and its length; 0 where
 * llama.cpp throws. */
static int lenient_utf8(const uint8_t *s, size_t n, uint32_t *cp)
{
	int len = s[0] < 0x80 ? 1 : s[0] < 0xC0 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF8 ? 4 : 0;
	if (len == 0 || (size_t)len > n)
		return 0;
	uint32_t v = len == 1 ? s[0] : len == 2 ? (s[0] & 0x1Fu) : len == 3 ? (s[0] & 0x0Fu) : (s[0] & 0x07u);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return len;
}

/* llama.cpp splits and merges the text as code points read by
 * lenient_utf8, re-encoded: a byte that starts no sequence becomes U+FFFD
 * (EF BF BD) and an overlong form its shortest encoding. So do we, to give
 * the same ids. Returns 0 with a malloc'd copy in *out (length *out_n), or
 * NULL in *out when the text is already canonical; -1 when out of memory. */
static int canonical_utf8(const char *s, size_t n, char **out, size_t *out_n)
{
	const uint8_t *u = (const uint8_t *)s;
	char *c = NULL;
	size_t k = 0;
	*out = NULL;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0xFFFD;
		char enc[4];
		int l = lenient_utf8(u + i, n - i, &cp);
		if (cp > 0x10FFFF)
			cp = 0xFFFD;
		int m = unicode_encode(cp, enc);
		if (!c && (l == 0 || m != l || memcmp(enc, s + i, (size_t)m) != 0)) {
			/* first change: copy what came before; each byte grows to 3 at most */
			if (!(c = malloc(3 * n)))
				return -1;
			memcpy(c, s, i);
			k = i;
		}
		if (c) {
			memcpy(c + k, enc, (size_t)m);
			k += (size_t)m;
		}
		i += l ? (size_t)l : 1;
	}
	*out = c;
	*out_n = c ? k : n;
	return 0;
}

int tok_bpe_encode(const struct tokenizer *t, const char *s, size_t n, struct tok_out *o)
{
	struct tok_words words = {0};
	struct bpe_work wk = {0};
	char *fixed = NULL, *esc = NULL;
	int rc = -1;

	if (n > (size_t)INT32_MAX / 12)
		return -1;
	if (t->pre_flags & TOK_PRE_ESCAPE_WS) { /* ' ' -> U+2581 */
		size_t k = 0;
		if (!(esc = malloc(3 * n + 1)))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (s[i] == ' ')
				memcpy(esc + k, "\xe2\x96\x81", 3), k += 3;
			else
				esc[k++] = s[i];
		s = esc, n = k;
	}
	if (canonical_utf8(s, n, &fixed, &n) < 0) {
		free(esc);
		return -1;
	}
	if (fixed)
		s = fixed;
	if (tok_pre_split(t->pre, s, n, &words) < 0)
		goto out;
	wk.sym = malloc(sizeof(*wk.sym) * (n ? n : 1));
	wk.heap = malloc(sizeof(*wk.heap) * (3 * n + 1));
	wk.mapped = malloc(2 * n + 1);
	if (!wk.sym || !wk.heap || !wk.mapped)
		goto out;
	for (int i = 0; i < words.n; i++)
		bpe_word(t, (const uint8_t *)s + words.v[i].off, (int)words.v[i].len, &wk, o);
	rc = 0;
out:
	free(wk.sym);
	free(wk.heap);
	free(wk.mapped);
	free(words.v);
	free(fixed);
	free(esc);
	return rc;
}

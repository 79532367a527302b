/* SentencePiece-style tokenization (tokenizer.ggml.model = "llama"), as
 * llama.cpp's llm_tokenizer_spm: spaces become U+2581, the text starts as
 * one symbol per UTF-8 character, and the adjacent pair whose concatenation
 * is the highest-scoring vocabulary token is merged until none is left.
 * Characters that end up in no token fall back to <0xNN> byte tokens. */
#include <stdlib.h>
#include <string.h>

#include "ai/tok_impl.h"
#include "ai/unicode.h"

struct spm_sym {
	int prev, next;
	size_t off; /* into the escaped text */
	int n;      /* bytes; 0 once merged into its left neighbour */
};

static void try_bigram(const struct tokenizer *t, const char *s, struct spm_sym *sym,
		       int left, int right, struct tok_bigram *heap, int *nheap)
{
	if (left < 0 || right < 0)
		return;
	int size = sym[left].n + sym[right].n;
	int32_t id = tok_lookup(t, s + sym[left].off, (size_t)size);
	if (id < 0)
		return;
	tok_heap_push(heap, nheap, (struct tok_bigram){
		.left = left, .right = right, .size = size, .id = id, .key = -t->score[id]});
}

int tok_spm_encode(const struct tokenizer *t, const char *text, size_t n,
		   bool space_prefix, struct tok_out *o)
{
	/* escaped text: at most 3 bytes per input byte, plus the prefix */
	size_t len = 0;
	char *s = n <= (size_t)INT32_MAX / 4 ? malloc(3 * n + 3) : NULL;
	struct spm_sym *sym = NULL;
	struct tok_bigram *heap = NULL;
	int nsym = 0, nheap = 0;

	if (!s)
		return -1;
	if (space_prefix) {
		memcpy(s, "\xe2\x96\x81", 3);
		len = 3;
	}
	for (size_t i = 0; i < n; i++) {
		if (text[i] == ' ') {
			memcpy(s + len, "\xe2\x96\x81", 3);
			len += 3;
		} else {
			s[len++] = text[i];
		}
	}
	sym = malloc(sizeof(*sym) * (len ? len : 1));
	heap = malloc(sizeof(*heap) * (3 * len + 1));
	if (!sym || !heap)
		goto fail;
	for (size_t off = 0; off < len;) {
		int k = unicode_len_utf8((uint8_t)s[off]);
		if ((size_t)k > len - off)
			k = (int)(len - off);
		sym[nsym] = (struct spm_sym){nsym - 1, -1, off, k};
		if (nsym > 0)
			sym[nsym - 1].next = nsym;
		nsym++;
		off += (size_t)k;
	}
	for (int i = 1; i < nsym; i++)
		try_bigram(t, s, sym, i - 1, i, heap, &nheap);
	while (nheap > 0) {
		struct tok_bigram b = tok_heap_pop(heap, &nheap);
		struct spm_sym *l = &sym[b.left], *r = &sym[b.right];
		if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
			continue; /* outdated */
		l->n += r->n;
		r->n = 0;
		l->next = r->next;
		if (r->next >= 0)
			sym[r->next].prev = b.left;
		try_bigram(t, s, sym, l->prev, b.left, heap, &nheap);
		try_bigram(t, s, sym, b.left, l->next, heap, &nheap);
	}
	for (int i = nsym ? 0 : -1; i >= 0; i = sym[i].next) {
		int32_t id = tok_lookup(t, s + sym[i].off, (size_t)sym[i].n);
		if (id >= 0) {
			tok_push(o, id);
			continue;
		}
		for (int j = 0; j < sym[i].n; j++) {
			int32_t bt = t->byte_tok[(uint8_t)s[sym[i].off + (size_t)j]];
			if (bt >= 0)
				tok_push(o, bt);
		}
	}
	free(s);
	free(sym);
	free(heap);
	return 0;
fail:
	free(s);
	free(sym);
	free(heap);
	return -1;
}

/* Tokenizer: vocabulary loading from GGUF, special-token partitioning,
 * encode dispatch (SPM / BPE) and token pieces. Follows llama.cpp's
 * llama-vocab behaviour so that ids match it exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_impl.h"
#include "ai/unicode.h"

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

int32_t tok_lookup(const struct tokenizer *t, const char *s, size_t n)
{
	uint32_t i = hash_bytes(s, n) & t->ht_mask;
	for (;; i = (i + 1) & t->ht_mask) {
		int32_t id = t->ht[i];
		if (id < 0)
			return -1;
		if (t->len[id] == n && memcmp(t->pool + t->off[id], s, n) == 0)
			return id;
	}
}

/* Later duplicates win, as with llama.cpp's token_to_id map. */
static void ht_insert(struct tokenizer *t, int32_t id)
{
	const char *s = t->pool + t->off[id];
	uint32_t i = hash_bytes(s, t->len[id]) & t->ht_mask;
	for (;; i = (i + 1) & t->ht_mask) {
		int32_t o = t->ht[i];
		if (o < 0 || (t->len[o] == t->len[id] && memcmp(t->pool + t->off[o], s, t->len[id]) == 0)) {
			t->ht[i] = id;
			return;
		}
	}
}

/* Read the token texts, scores and types; build the text -> id table. */
static int load_vocab(struct tokenizer *t, const struct gguf *g, char *err, size_t errlen)
{
	const struct gguf_kv *toks = gguf_find(g, "tokenizer.ggml.tokens");
	const struct gguf_kv *sc = gguf_find(g, "tokenizer.ggml.scores");
	const struct gguf_kv *ty = gguf_find(g, "tokenizer.ggml.token_type");
	struct gguf_str *strs = NULL;
	uint64_t total = 0;
	uint32_t cap = 1;

	if (!toks || toks->type != GGUF_TYPE_ARRAY || toks->arr_type != GGUF_TYPE_STRING)
		return ERR("tokenizer.ggml.tokens missing or not an array of strings"), -1;
	if (toks->arr_n == 0 || toks->arr_n > (1u << 24))
		return ERR("tokenizer.ggml.tokens: bad vocabulary size %llu",
			   (unsigned long long)toks->arr_n), -1;
	t->n_vocab = (int)toks->arr_n;
	size_t nv = (size_t)toks->arr_n;
	if (sc && (sc->type != GGUF_TYPE_ARRAY || sc->arr_n != toks->arr_n ||
		   (sc->arr_type != GGUF_TYPE_FLOAT32 && sc->arr_type != GGUF_TYPE_FLOAT64)))
		return ERR("tokenizer.ggml.scores: not %d floats", t->n_vocab), -1;
	if (ty && (ty->type != GGUF_TYPE_ARRAY || ty->arr_n != toks->arr_n ||
		   ty->arr_type == GGUF_TYPE_STRING || ty->arr_type == GGUF_TYPE_ARRAY))
		return ERR("tokenizer.ggml.token_type: not %d integers", t->n_vocab), -1;

	strs = malloc(sizeof(*strs) * nv);
	if (!strs || gguf_arr_strs(toks, strs) < 0)
		goto oom;
	for (int i = 0; i < t->n_vocab; i++)
		total += strs[i].n;
	if (total > 0xFFFFFFF0u) {
		free(strs);
		return ERR("tokenizer.ggml.tokens: texts too large"), -1;
	}
	t->pool = malloc(total + 1);
	t->off = malloc(sizeof(uint32_t) * nv);
	t->len = malloc(sizeof(uint32_t) * nv);
	t->score = malloc(sizeof(float) * nv);
	t->type = malloc(nv);
	while (cap < 2u * (uint32_t)t->n_vocab)
		cap <<= 1;
	t->ht = malloc(sizeof(int32_t) * cap);
	if (!t->pool || !t->off || !t->len || !t->score || !t->type || !t->ht)
		goto oom;
	t->ht_mask = cap - 1;
	memset(t->ht, 0xFF, sizeof(int32_t) * cap);
	total = 0;
	for (int i = 0; i < t->n_vocab; i++) {
		memcpy(t->pool + total, strs[i].p, strs[i].n);
		t->off[i] = (uint32_t)total;
		t->len[i] = (uint32_t)strs[i].n;
		total += strs[i].n;
		t->score[i] = sc ? gguf_arr_f32(sc, (uint64_t)i) : 0.0f;
		int64_t v = ty ? gguf_arr_int(ty, (uint64_t)i) : TOKT_NORMAL;
		t->type[i] = (uint8_t)(v >= 0 && v <= TOKT_BYTE ? v : TOKT_UNDEFINED);
		if (strs[i].n > 0)
			ht_insert(t, i);
	}
	free(strs);
	return 0;
oom:
	free(strs);
	return ERR("tokenizer: out of memory"), -1;
}

/* Special token ids: key present -> must be in range (-1 means none). */
static int get_id(const struct tokenizer *t, const struct gguf *g, const char *key,
		  int32_t *id, char *err, size_t errlen)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	int32_t v;
	if (!kv)
		return 0;
	if (!gguf_get_i32(g, key, &v)) {
		uint32_t u;
		if (!gguf_get_u32(g, key, &u))
			return ERR("%s: not an integer", key), -1;
		v = u == 0xFFFFFFFFu ? -1 : (int32_t)(u > INT32_MAX ? INT32_MAX : u);
	}
	if (v < -1 || v >= t->n_vocab)
		return ERR("%s = %d is not a token id (vocabulary has %d)", key, (int)v, t->n_vocab), -1;
	*id = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Control, user-defined and unknown tokens, longest text first (ties by id). */
static int cache_special(struct tokenizer *t)
{
	uint64_t *keys = malloc(sizeof(uint64_t) * (size_t)t->n_vocab);
	int n = 0;

	if (!keys)
		return -1;
	for (int i = 0; i < t->n_vocab; i++)
		if ((t->type[i] == TOKT_CONTROL || t->type[i] == TOKT_USER ||
		     t->type[i] == TOKT_UNKNOWN) && t->len[i] > 0)
			keys[n++] = ((uint64_t)(0xFFFFFFFFu - t->len[i]) << 32) | (uint32_t)i;
	qsort(keys, (size_t)n, sizeof(uint64_t), cmp_u64);
	t->special = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
	if (!t->special) {
		free(keys);
		return -1;
	}
	for (int i = 0; i < n; i++)
		t->special[i] = (int32_t)(keys[i] & 0xFFFFFFFFu);
	t->n_special = n;
	free(keys);
	return 0;
}

static void spm_byte_tokens(struct tokenizer *t)
{
	static const char hex[] = "0123456789ABCDEF";
	for (int b = 0; b < 256; b++) {
		char buf[6] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>'};
		char one = (char)b;
		int32_t id = tok_lookup(t, buf, 6);
		if (id < 0)
			id = tok_lookup(t, &one, 1);
		t->byte_tok[b] = id >= 0 ? id : t->unk;
	}
}

struct tokenizer *tokenizer_load(const struct gguf *g, char *err, size_t errlen)
{
	struct tokenizer *t = calloc(1, sizeof(*t));
	struct gguf_str model;
	bool b;

	if (!t)
		return ERR("tokenizer: out of memory"), NULL;
	if (!gguf_get_str(g, "tokenizer.ggml.model", &model)) {
		ERR("tokenizer.ggml.model missing");
		goto fail;
	}
	if (gguf_str_eq(model, "llama")) {
		t->kind = TOK_SPM;
		t->bos = 1, t->eos = 2, t->unk = 0;
		t->add_bos = true;
		t->add_space_prefix = true;
	} else if (gguf_str_eq(model, "gpt2")) {
		t->kind = TOK_BPE;
		t->bos = 11, t->eos = 11, t->unk = -1;
	} else if (gguf_str_eq(model, "gemma4")) {
		t->kind = TOK_BPE;
		t->bos = t->eos = t->unk = -1;
	} else {
		ERR("unsupported tokenizer.ggml.model '%.*s' (want llama, gpt2 or gemma4)",
		    (int)(model.n > 40 ? 40 : model.n), model.p);
		goto fail;
	}
	t->eot = t->eom = -1;
	if (load_vocab(t, g, err, errlen) < 0)
		goto fail;
	if (t->bos >= t->n_vocab)
		t->bos = -1;
	if (t->eos >= t->n_vocab)
		t->eos = -1;
	if (t->unk >= t->n_vocab)
		t->unk = -1;
	if (t->kind == TOK_BPE && tok_bpe_init(t, g, gguf_str_eq(model, "gemma4"), err, errlen) < 0)
		goto fail;
	if (get_id(t, g, "tokenizer.ggml.bos_token_id", &t->bos, err, errlen) < 0 ||
	    get_id(t, g, "tokenizer.ggml.eos_token_id", &t->eos, err, errlen) < 0 ||
	    get_id(t, g, "tokenizer.ggml.eot_token_id", &t->eot, err, errlen) < 0 ||
	    get_id(t, g, "tokenizer.ggml.eom_token_id", &t->eom, err, errlen) < 0 ||
	    get_id(t, g, "tokenizer.ggml.unknown_token_id", &t->unk, err, errlen) < 0)
		goto fail;
	if (gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &b))
		t->add_bos = b;
	if (gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &b))
		t->add_space_prefix = b;
	if (t->kind == TOK_BPE)
		t->add_space_prefix = false;
	if (t->pre_flags & TOK_PRE_FORCE_BOS)
		t->add_bos = true;
	if (t->add_bos && t->bos < 0) {
		ERR("tokenizer wants BOS but has no valid tokenizer.ggml.bos_token_id");
		goto fail;
	}
	tok_special_init(t, g);
	if (t->kind == TOK_SPM)
		spm_byte_tokens(t);
	if (cache_special(t) < 0 || tok_special_strip(t, g) < 0) {
		ERR("tokenizer: out of memory");
		goto fail;
	}
	return t;
fail:
	tokenizer_free(t);
	return NULL;
}

void tokenizer_free(struct tokenizer *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->off);
	free(t->len);
	free(t->score);
	free(t->type);
	free(t->ht);
	free(t->mt);
	free(t->special);
	free(t->strip);
	tok_pre_free(t->pre);
	free(t);
}

/* ---- encoding ------------------------------------------------------------ */

struct frag {
	int32_t id; /* -1: raw text [off, off+len) */
	size_t off, len;
};

struct frags {
	struct frag *v;
	int n, cap;
};

static int frag_add(struct frags *f, int32_t id, size_t off, size_t len)
{
	if (f->n == f->cap) {
		int cap = f->cap ? 2 * f->cap : 16;
		struct frag *v = realloc(f->v, sizeof(*v) * (size_t)cap);
		if (!v)
			return -1;
		f->v = v, f->cap = cap;
	}
	f->v[f->n++] = (struct frag){id, off, len};
	return 0;
}

static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0 || nn > hn)
		return NULL;
	for (const char *p = h, *last = h + (hn - nn); p <= last; p++) {
		p = memchr(p, nd[0], (size_t)(last - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, nd, nn) == 0)
			return p;
	}
	return NULL;
}

static bool ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Split the text at special-token texts, longest token first, as
 * llama.cpp's tokenizer_st_partition. User-defined tokens always match;
 * control and unknown ones only with parse_special. */
static int partition(const struct tokenizer *t, const char *text, size_t len,
		     bool parse_special, struct frags *out)
{
	struct frags cur = {0}, nxt = {0};

	if (len > 0 && frag_add(&cur, -1, 0, len) < 0)
		goto fail;
	for (int k = 0; k < t->n_special; k++) {
		int32_t id = t->special[k];
		const char *st = t->pool + t->off[id];
		size_t sn = t->len[id];
		uint8_t strip = t->strip ? t->strip[id] : 0;
		bool any = false;

		if (!parse_special && t->type[id] != TOKT_USER)
			continue;
		for (int i = 0; i < cur.n && !any; i++)
			any = cur.v[i].id < 0 && find_bytes(text + cur.v[i].off, cur.v[i].len, st, sn);
		if (!any)
			continue;
		nxt.n = 0;
		for (int i = 0; i < cur.n; i++) {
			struct frag f = cur.v[i];
			const char *p;
			if (f.id >= 0) {
				if (frag_add(&nxt, f.id, 0, 0) < 0)
					goto fail;
				continue;
			}
			while ((p = find_bytes(text + f.off, f.len, st, sn)) != NULL) {
				size_t at = (size_t)(p - text), left = at - f.off;
				while (left > 0 && (strip & TOK_LSTRIP) && ascii_space(text[f.off + left - 1]))
					left--;
				if (left > 0 && frag_add(&nxt, -1, f.off, left) < 0)
					goto fail;
				if (frag_add(&nxt, id, 0, 0) < 0)
					goto fail;
				f.len -= at + sn - f.off;
				f.off = at + sn;
				while (f.len > 0 && (strip & TOK_RSTRIP) && ascii_space(text[f.off]))
					f.off++, f.len--;
			}
			if (f.len > 0 && frag_add(&nxt, -1, f.off, f.len) < 0)
				goto fail;
		}
		struct frags tmp = cur;
		cur = nxt, nxt = tmp;
	}
	free(nxt.v);
	*out = cur;
	return 0;
fail:
	free(cur.v);
	free(nxt.v);
	return -1;
}

int tokenizer_encode(const struct tokenizer *t, const char *text, size_t len,
		     bool add_bos, bool parse_special, int32_t *out, int max)
{
	struct tok_out o = {out, max < 0 ? 0 : max, 0};
	struct frags fr = {0};
	bool prev_special = true;

	if (!t || (!text && len))
		return -1;
	if (add_bos && t->bos >= 0)
		tok_push(&o, t->bos);
	if (partition(t, text, len, parse_special, &fr) < 0)
		return -1;
	for (int i = 0; i < fr.n; i++) {
		const struct frag *f = &fr.v[i];
		int rc;
		if (f->id >= 0) {
			tok_push(&o, f->id);
			prev_special = true;
			continue;
		}
		if (t->kind == TOK_SPM)
			rc = tok_spm_encode(t, text + f->off, f->len,
					    t->add_space_prefix && prev_special, &o);
		else
			rc = tok_bpe_encode(t, text + f->off, f->len, &o);
		prev_special = false;
		if (rc < 0) {
			free(fr.v);
			return -1;
		}
	}
	free(fr.v);
	return o.n;
}

/* ---- pieces and accessors ------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int put(char *buf, int n, int at, const char *s, int k)
{
	for (int i = 0; i < k; i++)
		if (at + i < n)
			buf[at + i] = s[i];
	return at + k;
}

int tokenizer_piece(const struct tokenizer *t, int32_t id, char *buf, int n)
{
	const char *s;
	int len, w = 0;

	if (!t || id < 0 || id >= t->n_vocab)
		return -1;
	if (n < 0)
		n = 0;
	s = t->pool + t->off[id];
	len = (int)t->len[id];
	switch (t->type[id]) {
	case TOKT_USER:
		return put(buf, n, 0, s, len);
	case TOKT_NORMAL:
		break;
	case TOKT_BYTE:
		if (t->kind == TOK_SPM && len == 6 && hexval(s[3]) >= 0 && hexval(s[4]) >= 0) {
			char c = (char)(hexval(s[3]) * 16 + hexval(s[4]));
			return put(buf, n, 0, &c, 1);
		}
		return 0;
	default: /* control, unknown, unused, undefined */
		return 0;
	}
	if (t->kind == TOK_SPM) {
		for (int i = 0; i < len;) {
			if (i + 3 <= len && memcmp(s + i, "\xe2\x96\x81", 3) == 0) {
				w = put(buf, n, w, " ", 1);
				i += 3;
			} else {
				w = put(buf, n, w, s + i, 1);
				i++;
			}
		}
		return w;
	}
	for (int i = 0; i < len;) {
		uint32_t cp;
		int k = unicode_decode((const uint8_t *)s + i, (size_t)(len - i), &cp);
		if (cp < 324 && t->cp_byte[cp] >= 0 && cp != UNICODE_INVALID) {
			char c = (char)t->cp_byte[cp];
			w = put(buf, n, w, &c, 1);
		} else {
			w = put(buf, n, w, s + i, k);
		}
		i += k;
	}
	return w;
}

int tokenizer_n_vocab(const struct tokenizer *t) { return t->n_vocab; }
int32_t tokenizer_bos(const struct tokenizer *t) { return t->bos; }
int32_t tokenizer_eos(const struct tokenizer *t) { return t->eos; }
int32_t tokenizer_eot(const struct tokenizer *t) { return t->eot; }
bool tokenizer_wants_bos(const struct tokenizer *t) { return t->add_bos; }

bool tokenizer_is_eog(const struct tokenizer *t, int32_t id)
{
	for (int i = 0; i < t->n_eog; i++)
		if (t->eog[i] == id)
			return true;
	return false;
}

const char *tokenizer_kind(const struct tokenizer *t)
{
	return t->kind == TOK_SPM ? "llama" : "gpt2";
}

int32_t tokenizer_find(const struct tokenizer *t, const char *text, size_t len)
{
	return text ? tok_lookup(t, text, len) : -1;
}

/*
 * libFuzzer harness for the tokenizers: fuzzes the TEXT given to
 * tokenizer_encode and checks the results with tokenizer_piece.
 *
 * Vocabularies: the GGUF files named in $FUZZ_TOK_VOCAB (colon-separated),
 * else ../shared/conformance/vocab/ggml-vocab-{llama-spm,gpt-2}.gguf when
 * present (run from the repo root); always tiny built-in ones (a
 * SentencePiece vocab with byte fallback, and a byte-level BPE with merges
 * once per family of pre-tokenizer split rules, 27 of them).
 *
 * Input: byte 0 picks the vocab (low 6 bits) and the flags (0x40 add_bos,
 * 0x80 parse_special); the rest is the text. Checks: ids in range, pieces
 * consistent under truncation, and (parse_special off, valid UTF-8 text)
 * decode(encode(text)) == text, allowing SentencePiece's leading space.
 * Set FUZZ_TOK_NO_ROUNDTRIP=1 to skip the round trip.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/tokenizer.h"

#define MAX_TOK 40

static struct tokenizer *toks[MAX_TOK];
static int n_toks;
static bool roundtrip = true;

/* ---- tiny GGUF writer ------------------------------------------------------ */

struct wb {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct wb *w, const void *d, size_t n)
{
	if (w->n + n > w->cap) {
		w->cap = (w->n + n) * 2 + 256;
		w->p = realloc(w->p, w->cap);
		if (!w->p)
			abort();
	}
	memcpy(w->p + w->n, d, n);
	w->n += n;
}

static void put_u32(struct wb *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(struct wb *w, uint64_t v) { put(w, &v, 8); }
static void put_sn(struct wb *w, const char *s, size_t n) { put_u64(w, n), put(w, s, n); }
static void put_s(struct wb *w, const char *s) { put_sn(w, s, strlen(s)); }
static void put_key(struct wb *w, const char *k, uint32_t t) { put_s(w, k), put_u32(w, t); }

static void put_arr(struct wb *w, const char *k, uint32_t et, uint64_t n)
{
	put_key(w, k, GGUF_TYPE_ARRAY);
	put_u32(w, et);
	put_u64(w, n);
}

/* ---- built-in vocabularies ------------------------------------------------- */

static const char *const spm_pieces[] = {
	"\342\226\201", "\342\226\201t", "\342\226\201th", "\342\226\201the", "\342\226\201a",
	"he", "th", "t", "h", "e", "a", "n", "\342\226\201an", "in", "\342\226\201in", "ing",
	"\303\251", "\342\226\201w", "or", "ld", "\342\226\201wor", "\342\226\201world",
};

/* SentencePiece: <unk> <s> </s>, 256 byte tokens, then scored pieces. */
static struct wb build_spm(void)
{
	struct wb w = {0};
	size_t np = sizeof(spm_pieces) / sizeof(spm_pieces[0]);
	uint64_t n = 3 + 256 + np;
	put(&w, "GGUF", 4), put_u32(&w, 3), put_u64(&w, 0), put_u64(&w, 7);
	put_key(&w, "general.architecture", GGUF_TYPE_STRING), put_s(&w, "llama");
	put_key(&w, "tokenizer.ggml.model", GGUF_TYPE_STRING), put_s(&w, "llama");
	put_arr(&w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, n);
	put_s(&w, "<unk>"), put_s(&w, "<s>"), put_s(&w, "</s>");
	for (int b = 0; b < 256; b++) {
		char s[8];
		snprintf(s, sizeof(s), "<0x%02X>", b);
		put_s(&w, s);
	}
	for (size_t i = 0; i < np; i++)
		put_s(&w, spm_pieces[i]);
	put_arr(&w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, n);
	for (uint64_t i = 0; i < n; i++) {
		float f = i < 259 ? 0.0f : -(float)(i - 259) * 0.5f - 1.0f;
		put(&w, &f, 4);
	}
	put_arr(&w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, n);
	for (uint64_t i = 0; i < n; i++)
		put_u32(&w, i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1);
	put_key(&w, "tokenizer.ggml.bos_token_id", GGUF_TYPE_UINT32), put_u32(&w, 1);
	put_key(&w, "tokenizer.ggml.eos_token_id", GGUF_TYPE_UINT32), put_u32(&w, 2);
	return w;
}

/* GPT-2's byte -> code point map: printable bytes map to themselves, the
 * others to 256 + n in byte order. */
static int byte_cp(int b)
{
	if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff))
		return b;
	int n = 0;
	for (int x = 0; x < b; x++)
		if (!((x >= '!' && x <= '~') || (x >= 0xa1 && x <= 0xac) || (x >= 0xae && x <= 0xff)))
			n++;
	return 256 + n;
}

static size_t utf8_put(char *s, int cp)
{
	if (cp < 0x80)
		return s[0] = (char)cp, 1;
	s[0] = (char)(0xc0 | (cp >> 6));
	s[1] = (char)(0x80 | (cp & 0x3f));
	return 2;
}

static const char *const bpe_merges[] = {
	"\304\240 t", "h e", "\304\240t he", "\304\240 a", "i n", "\304\240 w", "o r", "\304\240w or",
	"l d", "\304\240wor ld", "1 2", "' s",
};
static const char *const bpe_extra[] = {
	"\304\240t", "he", "\304\240the", "\304\240a", "in", "\304\240w", "or", "\304\240wor",
	"ld", "\304\240world", "12", "'s", "<|endoftext|>",
};

/* Byte-level BPE: the 256 byte tokens (id = byte), merged tokens, merges,
 * and <|endoftext|> as a control token. */
static struct wb build_bpe(const char *pre)
{
	struct wb w = {0};
	size_t ne = sizeof(bpe_extra) / sizeof(bpe_extra[0]);
	size_t nm = sizeof(bpe_merges) / sizeof(bpe_merges[0]);
	uint64_t n = 256 + ne;
	put(&w, "GGUF", 4), put_u32(&w, 3), put_u64(&w, 0), put_u64(&w, 8);
	put_key(&w, "general.architecture", GGUF_TYPE_STRING), put_s(&w, "gpt2");
	put_key(&w, "tokenizer.ggml.model", GGUF_TYPE_STRING), put_s(&w, "gpt2");
	put_key(&w, "tokenizer.ggml.pre", GGUF_TYPE_STRING), put_s(&w, pre);
	put_arr(&w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, n);
	for (int b = 0; b < 256; b++) {
		char s[4];
		put_sn(&w, s, utf8_put(s, byte_cp(b)));
	}
	for (size_t i = 0; i < ne; i++)
		put_s(&w, bpe_extra[i]);
	put_arr(&w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, n);
	for (uint64_t i = 0; i < n; i++)
		put_u32(&w, i == n - 1 ? 3 : 1);
	put_arr(&w, "tokenizer.ggml.merges", GGUF_TYPE_STRING, nm);
	for (size_t i = 0; i < nm; i++)
		put_s(&w, bpe_merges[i]);
	put_key(&w, "tokenizer.ggml.bos_token_id", GGUF_TYPE_UINT32), put_u32(&w, (uint32_t)n - 1);
	put_key(&w, "tokenizer.ggml.eos_token_id", GGUF_TYPE_UINT32), put_u32(&w, (uint32_t)n - 1);
	return w;
}

/* ---- loading ---------------------------------------------------------------- */

static void add_tok(const uint8_t *p, size_t n, const char *what)
{
	struct gguf g;
	char err[256];
	if (n_toks == MAX_TOK)
		return;
	if (gguf_open(&g, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_tokenizer: %s: %s\n", what, err);
		abort();
	}
	struct tokenizer *t = tokenizer_load(&g, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "fuzz_tokenizer: %s: %s\n", what, err);
		abort();
	}
	fprintf(stderr, "fuzz_tokenizer: vocab %d: %s (%s, %d tokens)\n", n_toks, what,
		tokenizer_kind(t), tokenizer_n_vocab(t));
	toks[n_toks++] = t;
	gguf_close(&g);
}

static void add_file(const char *path, bool required)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (required) {
			fprintf(stderr, "fuzz_tokenizer: cannot open %s\n", path);
			abort();
		}
		return;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	add_tok(p, (size_t)n, path);
	free(p); /* the tokenizer keeps copies */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *env = getenv("FUZZ_TOK_VOCAB");
	if (getenv("FUZZ_TOK_NO_ROUNDTRIP"))
		roundtrip = false;
	/* one built-in BPE vocab per family of split rules (ai/tok_pre_names.c;
	 * not the raw UTF-8 ones, which this byte-level vocabulary cannot spell) */
	static const char *const pres[] = {"gpt-2", "llama-bpe", "qwen2", "smollm", "falcon",
		"default", "deepseek-llm", "deepseek-coder", "deepseek-v3", "youtu", "jais-2", "qwen35",
		"bloom", "viking", "tekken", "chameleon", "gpt-4o", "granite-embed-multi-97m",
		"tiny_aya", "kimi-k2", "superbpe", "bailingmoe", "seed-coder", "afmoe", "laguna",
		"exaone-moe", "minicpm5"};
	struct wb a = build_spm();
	add_tok(a.p, a.n, "built-in spm");
	free(a.p);
	for (size_t i = 0; i < sizeof(pres) / sizeof(pres[0]); i++) {
		char what[64];
		struct wb b = build_bpe(pres[i]);
		snprintf(what, sizeof(what), "built-in bpe, pre %s", pres[i]);
		add_tok(b.p, b.n, what);
		free(b.p);
	}
	if (env) {
		char *list = strdup(env), *save = NULL;
		for (char *s = strtok_r(list, ":", &save); s; s = strtok_r(NULL, ":", &save))
			add_file(s, true);
		free(list);
	} else {
		add_file("../shared/conformance/vocab/ggml-vocab-llama-spm.gguf", false);
		add_file("../shared/conformance/vocab/ggml-vocab-gpt-2.gguf", false);
	}
	return 0;
}

static bool valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		if (k > n - i - 1)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || n_toks == 0)
		return 0;
	const struct tokenizer *t = toks[(data[0] & 0x3f) % n_toks];
	bool add_bos = data[0] & 0x40, special = data[0] & 0x80;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	int max = (int)(4 * len + 16);
	int32_t *ids = malloc((size_t)max * sizeof(*ids));
	char *dec = malloc(4 * len + 64);
	int n = tokenizer_encode(t, text, len, add_bos, special, ids, max);
	if (n < 0 || n > max)
		abort(); /* an error on plain text, or more ids than 4 per byte */
	int nv = tokenizer_n_vocab(t);
	size_t dn = 0;
	bool fits = true;
	for (int i = 0; i < n; i++) {
		char small[3], big[256];
		if (ids[i] < 0 || ids[i] >= nv)
			abort();
		int a = tokenizer_piece(t, ids[i], small, sizeof(small));
		int b = tokenizer_piece(t, ids[i], big, sizeof(big));
		if (a < 0 || a != b || memcmp(small, big, (size_t)(a < 3 ? a : 3)) != 0)
			abort(); /* same piece however large the buffer */
		if (b <= (int)sizeof(big) && dn + (size_t)b <= 4 * len + 64)
			memcpy(dec + dn, big, (size_t)b), dn += (size_t)b;
		else
			fits = false;
	}
	if (roundtrip && fits && !special && valid_utf8(data + 1, len)) {
		bool spm = strcmp(tokenizer_kind(t), "llama") == 0;
		/* SentencePiece maps U+2581 in the text to a space on decoding */
		bool ok = (dn == len && memcmp(dec, text, len) == 0) ||
			  (spm && dn == len + 1 && dec[0] == ' ' && memcmp(dec + 1, text, len) == 0) ||
			  (spm && memmem(text, len, "\342\226\201", 3));
		if (!ok) {
			fprintf(stderr, "round trip: %zu bytes in, %zu out: '%.*s' -> '%.*s'\n", len, dn,
				(int)len, text, (int)dn, dec);
			abort();
		}
	}
	free(ids);
	free(dec);
	return 0;
}

/* Tokenizer tests on synthetic vocabularies built in memory (no ../shared):
 * pre-tokenizer splits, merge order, special tokens, EOG, pieces, errors.
 * Prints one "PASS: name" / "FAIL: name" line per check. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_pre.h"
#include "ai/tokenizer.h"
#include "tests/unit/tok_gguf.h"
#include "tests/unit/check.h"


/* ---- pre-tokenizer splits ------------------------------------------------ */

static void pre_case(const char *name, const char *text, const char *const *want, int nw)
{
	struct tok_words w = {0};
	char err[128];
	struct tok_pre *pre = tok_pre_new(name, strlen(name), err, sizeof(err));
	bool ok = pre && tok_pre_split(pre, text, strlen(text), &w) == 0 && w.n == nw;
	for (int i = 0; ok && i < nw; i++)
		ok = w.v[i].len == strlen(want[i]) && memcmp(text + w.v[i].off, want[i], w.v[i].len) == 0;
	if (!ok) {
		printf("  got:");
		for (int i = 0; i < w.n; i++)
			printf(" [%.*s]", (int)w.v[i].len, text + w.v[i].off);
		printf("\n");
	}
	char esc[256];
	size_t k = 0;
	for (const char *c = text; *c && k + 3 < sizeof(esc); c++) {
		if (*c == '\n' || *c == '\r' || *c == '\t') {
			esc[k++] = '\\';
			esc[k++] = *c == '\n' ? 'n' : *c == '\r' ? 'r' : 't';
		} else {
			esc[k++] = *c;
		}
	}
	esc[k] = 0;
	check(ok, "pre-tokenizer %s splits \"%s\"", name, esc);
	free(w.v);
	tok_pre_free(pre);
}

#define PRE(pre, text, ...)                                                        \
	do {                                                                       \
		static const char *const w_[] = {__VA_ARGS__};                     \
		pre_case(pre, text, w_, (int)(sizeof(w_) / sizeof(w_[0])));        \
	} while (0)

static void pre_suite(void)
{
	const char *s = "Hello world's  12345\n\n  x!!\n";
	PRE("llama3", s, "Hello", " world", "'s", " ", " ", "123", "45", "\n\n", " ", " x", "!!\n");
	PRE("qwen2", s, "Hello", " world", "'s", " ", " ", "1", "2", "3", "4", "5", "\n\n", " ",
	    " x", "!!\n");
	PRE("gpt-2", s, "Hello", " world", "'s", " ", " 12345", "\n\n ", " x", "!!", "\n");
	PRE("smollm", s, "Hello", " world", "'s", "  ", "1", "2", "3", "4", "5", "\n\n ", " x",
	    "!!", "\n");
	PRE("default", s, "Hello", " world", "'", "s", " ", " ", "123", "45", "\n\n ", " x", "!!",
	    "\n");
	PRE("llama3", "I'M we'LL", "I", "'M", " we", "'LL");
	PRE("gpt-2", "I'M we'll", "I", "'", "M", " we", "'ll");
	/* café 你好 ١٢٣ (Arabic-Indic digits are \p{N}), NBSP is \s */
	PRE("llama3", "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd \xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4",
	    "caf\xc3\xa9", " \xe4\xbd\xa0\xe5\xa5\xbd", " ", "\xd9\xa1\xd9\xa2\xd9\xa3", "\xd9\xa4");
	PRE("gpt-2", "a\302\240\302\240b", "a", "\xc2\xa0", "\xc2\xa0", "b");
	/* invalid bytes stay in the words, counted as "other" */
	PRE("llama3", "ab\xff\xfe cd", "ab", "\xff\xfe", " cd");
	PRE("llama3", "\t\tx \r\n", "\t", "\tx", " \r\n");
}

/* ---- byte-level BPE vocabulary -------------------------------------------- */

static int bytecp(int b)
{
	int n = 0;
	for (int c = 0; c < b; c++)
		if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || c >= 174))
			n++;
	return ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) ? b : 256 + n;
}

#define NB_EXTRA 17
static const char *const bpe_extra[NB_EXTRA] = {
	"he", "ll", "hell", "hello", "\xc4\xa0w", "or", "\xc4\xa0wor", "ld", "\xc4\xa0world",
	"ab", "bc", "xyz", "<|im_start|>", "<|im_end|>", "<tool>", "<|endoftext|>", "\xc4\xa0hello",
};
static const int32_t bpe_extra_type[NB_EXTRA] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 4, 3, 1};
static const char *const bpe_merges[] = {
	"h e", "l l", "he ll", "hell o", "\xc4\xa0 w", "o r", "\xc4\xa0w or", "l d",
	"\xc4\xa0wor ld", "b c", "a b", "\xc4\xa0 hello",
};
#define ID(k) (256 + (k)) /* id of bpe_extra[k] */

static void bpe_vocab(struct gb *b, const char *pre, bool merges)
{
	static char chars[256][4];
	const char *toks[256 + NB_EXTRA];
	int32_t types[256 + NB_EXTRA];
	for (int i = 0; i < 256; i++) {
		int c = bytecp(i);
		if (c < 0x80) {
			chars[i][0] = (char)c, chars[i][1] = 0;
		} else {
			chars[i][0] = (char)(0xC0 | c >> 6), chars[i][1] = (char)(0x80 | (c & 63));
			chars[i][2] = 0;
		}
		toks[i] = chars[i];
		types[i] = 1;
	}
	for (int k = 0; k < NB_EXTRA; k++)
		toks[256 + k] = bpe_extra[k], types[256 + k] = bpe_extra_type[k];
	gb_init(b);
	gb_kv_str(b, "tokenizer.ggml.model", "gpt2");
	if (pre)
		gb_kv_str(b, "tokenizer.ggml.pre", pre);
	gb_kv_strs(b, "tokenizer.ggml.tokens", toks, 256 + NB_EXTRA);
	gb_kv_i32s(b, "tokenizer.ggml.token_type", types, 256 + NB_EXTRA);
	if (merges)
		gb_kv_strs(b, "tokenizer.ggml.merges", bpe_merges,
			   (int)(sizeof(bpe_merges) / sizeof(bpe_merges[0])));
	gb_kv_u32(b, "tokenizer.ggml.bos_token_id", ID(15));
	gb_kv_u32(b, "tokenizer.ggml.eos_token_id", ID(15));
}

static struct tokenizer *open_vocab(struct gb *b, struct gguf *g, char *err, size_t errlen)
{
	if (gb_open(b, g, err, errlen) < 0)
		return NULL;
	return tokenizer_load(g, err, errlen);
}

static bool enc_is(const struct tokenizer *t, const char *s, bool special,
		   const int32_t *want, int nw)
{
	int32_t ids[256];
	int n = tokenizer_encode(t, s, strlen(s), false, special, ids, 256);
	bool ok = n == nw && memcmp(ids, want, sizeof(int32_t) * (size_t)nw) == 0;
	if (!ok) {
		printf("  \"%s\" ->", s);
		for (int i = 0; i < n && i < 256; i++)
			printf(" %d", ids[i]);
		printf("\n");
	}
	return ok;
}

#define ENC(t, s, special, ...)                                                     \
	({                                                                          \
		static const int32_t w_[] = {__VA_ARGS__};                          \
		enc_is(t, s, special, w_, (int)(sizeof(w_) / sizeof(w_[0])));       \
	})

static bool piece_is(const struct tokenizer *t, int32_t id, const char *want)
{
	char buf[64];
	int n = tokenizer_piece(t, id, buf, sizeof(buf));
	return n == (int)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

static void bpe_suite(void)
{
	struct gb b;
	struct gguf g;
	char err[256];
	struct tokenizer *t;

	bpe_vocab(&b, "qwen2", true);
	t = open_vocab(&b, &g, err, sizeof(err));
	check(t != NULL, "bpe: synthetic qwen2 vocabulary loads%s%s", t ? "" : ": ", t ? "" : err);
	if (!t)
		goto out;
	check(ENC(t, "hello world", false, ID(3), ID(8)), "bpe: merges build hello / \xc4\xa0world");
	check(ENC(t, "abc", false, 'a', ID(10)), "bpe: lower rank merges first (b c before a b)");
	check(ENC(t, "xyz", false, 'x', 'y', 'z'), "bpe: qwen2 applies merges (no whole-word lookup)");
	check(ENC(t, "<|im_start|>hello<|im_end|>\n", true, ID(12), ID(3), ID(13), 10 + 0),
	      "bpe: parse_special finds control tokens");
	{
		int32_t ids[64];
		int n = tokenizer_encode(t, "<|im_end|>", 10, false, false, ids, 64);
		check(n > 1 && ids[0] == '<', "bpe: without parse_special control texts are plain text");
	}
	check(ENC(t, "a<tool>b", false, 'a', ID(14), 'b'), "bpe: user-defined tokens always match");
	check(tokenizer_is_eog(t, ID(13)) && tokenizer_is_eog(t, ID(15)) && !tokenizer_is_eog(t, ID(12)),
	      "bpe: <|im_end|> and EOS end generation, <|im_start|> does not");
	check(tokenizer_eot(t) == ID(13), "bpe: EOT detected as <|im_end|>");
	check(piece_is(t, ID(13), "") && piece_is(t, ID(14), "<tool>") &&
	      piece_is(t, ID(8), " world") && piece_is(t, 10, "\n"),
	      "bpe: pieces (control empty, user raw, byte-mapped decoded)");
	check(tokenizer_find(t, "<|im_end|>", 10) == ID(13) && tokenizer_find(t, "nope", 4) == -1,
	      "bpe: tokenizer_find");
	check(!tokenizer_wants_bos(t) && strcmp(tokenizer_kind(t), "gpt2") == 0 &&
	      tokenizer_n_vocab(t) == 256 + NB_EXTRA, "bpe: kind, size, no BOS by default");
	{
		int32_t one;
		int n = tokenizer_encode(t, "hello world", 11, true, false, &one, 1);
		check(n == 3 && one == ID(15), "bpe: returns the full count when max is small");
		check(tokenizer_encode(t, "", 0, false, true, NULL, 0) == 0, "bpe: empty text gives no ids");
	}
	tokenizer_free(t);
	gguf_close(&g);
	free(b.p);

	bpe_vocab(&b, "llama-bpe", true);
	t = open_vocab(&b, &g, err, sizeof(err));
	check(t && tokenizer_wants_bos(t) && ENC(t, "xyz hello", false, ID(11), ID(16)),
	      "bpe: llama-bpe looks whole words up first and wants BOS");
	tokenizer_free(t);
	gguf_close(&g);
	free(b.p);
out:;
}

/* ---- SentencePiece vocabulary --------------------------------------------- */

static void spm_suite(void)
{
	static char bytes[256][7];
	const char *toks[3 + 256 + 9];
	int32_t types[3 + 256 + 9];
	float scores[3 + 256 + 9];
	static const char *const pieces[9] = {"\xe2\x96\x81", "a", "b", "h", "i", "\342\226\201a",
		"\342\226\201b", "hi", "\xe2\x96\x81hi"};
	static const float pscore[9] = {-1, -2, -2, -2, -2, -3, -3, -1, -4};
	int n = 0;
	struct gb b;
	struct gguf g;
	char err[256];

	toks[n] = "<unk>", types[n] = 2, scores[n++] = 0;
	toks[n] = "<s>", types[n] = 3, scores[n++] = 0;
	toks[n] = "</s>", types[n] = 3, scores[n++] = 0;
	for (int i = 0; i < 256; i++) {
		snprintf(bytes[i], sizeof(bytes[i]), "<0x%02X>", i);
		toks[n] = bytes[i], types[n] = 6, scores[n++] = 0;
	}
	for (int i = 0; i < 9; i++)
		toks[n] = pieces[i], types[n] = 1, scores[n++] = pscore[i];
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "llama");
	gb_kv_strs(&b, "tokenizer.ggml.tokens", toks, n);
	gb_kv_f32s(&b, "tokenizer.ggml.scores", scores, n);
	gb_kv_i32s(&b, "tokenizer.ggml.token_type", types, n);
	struct tokenizer *t = open_vocab(&b, &g, err, sizeof(err));
	check(t != NULL, "spm: synthetic vocabulary loads%s%s", t ? "" : ": ", t ? "" : err);
	if (!t) {
		free(b.p);
		return;
	}
#define P(k) (259 + (k))
	check(ENC(t, "hi", false, P(8)), "spm: space prefix and score-ordered merges");
	check(ENC(t, "a b", false, P(5), P(6)), "spm: spaces become U+2581");
	check(ENC(t, "a<s>b", true, P(5), 1, P(6)), "spm: control token, space prefix after it");
	check(ENC(t, "\xc3\xa9", false, P(0), 3 + 0xC3, 3 + 0xA9), "spm: byte fallback for unknown chars");
	check(tokenizer_wants_bos(t) && tokenizer_bos(t) == 1 && tokenizer_eos(t) == 2 &&
	      tokenizer_is_eog(t, 2) && tokenizer_eot(t) == -1, "spm: default BOS/EOS ids");
	check(piece_is(t, P(8), " hi") && piece_is(t, 1, "") && piece_is(t, 3 + 0xC3, "\xc3") &&
	      piece_is(t, 0, ""), "spm: pieces (U+2581 -> space, <0xNN> -> byte, control empty)");
	check(tokenizer_piece(t, n, NULL, 0) == -1 && tokenizer_piece(t, -1, NULL, 0) == -1,
	      "spm: piece of an out-of-range id is -1");
	tokenizer_free(t);
	gguf_close(&g);
	free(b.p);
}

/* ---- load errors ------------------------------------------------------------ */

static void err_case(struct gb *b, const char *want, const char *name)
{
	struct gguf g;
	char err[256] = "";
	struct tokenizer *t = open_vocab(b, &g, err, sizeof(err));
	check(!t && strstr(err, want), "error: %s (\"%s\")", name, err);
	tokenizer_free(t);
	gguf_close(&g);
	free(b->p);
}

static void err_suite(void)
{
	struct gb b;
	static const char *const two[] = {"a", "b"};
	static const float one_score[] = {0};

	bpe_vocab(&b, "foo-bar", true);
	err_case(&b, "foo-bar", "unknown tokenizer.ggml.pre is named");
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "bert");
	err_case(&b, "bert", "unknown tokenizer.ggml.model is named");
	gb_init(&b);
	err_case(&b, "tokenizer.ggml.model", "missing model key");
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "llama");
	err_case(&b, "tokenizer.ggml.tokens", "missing token list");
	bpe_vocab(&b, "gpt-2", false);
	err_case(&b, "merges", "gpt2 without merges");
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "llama");
	gb_kv_strs(&b, "tokenizer.ggml.tokens", two, 2);
	gb_kv_f32s(&b, "tokenizer.ggml.scores", one_score, 1);
	err_case(&b, "scores", "score count differs from vocabulary size");
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "llama");
	gb_kv_strs(&b, "tokenizer.ggml.tokens", two, 2);
	gb_kv_u32(&b, "tokenizer.ggml.bos_token_id", 9999);
	err_case(&b, "bos_token_id", "BOS id out of range");
}

/* --split: read "PRE<tab>HEX(text)" lines, print "PRE<tab>HEX<tab>HEX(word),..."
 * (compared with tests/tok_pre_ref.py by tests/t-20-tokenizer.sh). */
static int split_mode(void)
{
	char line[4096], text[2048], err[128];

	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(line, '\t'), *hex;
		size_t n = 0;
		if (!tab)
			continue;
		*tab = 0;
		hex = tab + 1;
		hex[strcspn(hex, "\t\r\n")] = 0;
		for (; hex[2 * n] && hex[2 * n + 1] && n < sizeof(text); n++) {
			unsigned v;
			sscanf(hex + 2 * n, "%2x", &v);
			text[n] = (char)v;
		}
		printf("%s\t%s\t", line, hex);
		struct tok_pre *pre = tok_pre_new(line, strlen(line), err, sizeof(err));
		struct tok_words w;
		if (!pre || tok_pre_split(pre, text, n, &w) < 0) {
			printf("ERROR\n");
			tok_pre_free(pre);
			continue;
		}
		for (int i = 0; i < w.n; i++) {
			for (size_t k = 0; k < w.v[i].len; k++)
				printf("%02x", (uint8_t)text[w.v[i].off + k]);
			if (i + 1 < w.n)
				printf(",");
		}
		printf("\n");
		free(w.v);
		tok_pre_free(pre);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--split"))
		return split_mode();
	pre_suite();
	bpe_suite();
	spm_suite();
	err_suite();
	return n_fail ? 1 : 0;
}

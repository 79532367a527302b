/* Special tokens settled as llama.cpp's vocabulary loader settles them (the
 * 2026 llama-vocab.cpp): end-of-turn, end-of-message and fill-in-the-middle
 * tokens found by their text become control tokens, the end-of-generation
 * set, gpt-oss's and Gemma 4's exceptions, and Phi-3's whitespace stripping
 * after special tokens. Control tokens are what parse_special recognises,
 * so these change tokenization, not only when generation stops. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_impl.h"

#define FULLBAR "\357\275\234" /* U+FF5C, DeepSeek's bar */
#define LOWBAR "\342\226\201"  /* U+2581 */

/* Candidates for EOT; each category of FIM tokens; EOG. */
static const char *const eot_texts[] = {
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
	"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<" FULLBAR "end" LOWBAR "of" LOWBAR "sentence" FULLBAR ">",
	"<end_of_utterance>", NULL,
};
static const char *const fim_texts[6][9] = {
	{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<" FULLBAR "fim" LOWBAR "begin" FULLBAR ">",
	 "<PRE>", LOWBAR "<PRE>", "<|code_prefix|>", "<|prefix|>", NULL},
	{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<" FULLBAR "fim" LOWBAR "hole" FULLBAR ">",
	 "<SUF>", LOWBAR "<SUF>", "<|code_suffix|>", "<|suffix|>", NULL},
	{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<" FULLBAR "fim" LOWBAR "end" FULLBAR ">",
	 "<MID>", LOWBAR "<MID>", "<|code_middle|>", "<|middle|>", NULL},
	{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", NULL},
	{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", NULL},
	{"<|file_sep|>", NULL},
};
static const char *const fim_keys[6][2] = {
	{"tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id"},
	{"tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id"},
	{"tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id"},
	{"tokenizer.ggml.fim_pad_token_id", NULL},
	{"tokenizer.ggml.fim_rep_token_id", NULL},
	{"tokenizer.ggml.fim_sep_token_id", NULL},
};
static const char *const eog_texts[] = {
	"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
	"<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
	"<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
	"<" FULLBAR "end" LOWBAR "of" LOWBAR "sentence" FULLBAR ">", "[e~[", NULL,
};

static int32_t find(const struct tokenizer *t, const char *s) { return tok_lookup(t, s, strlen(s)); }

static void add_eog(struct tokenizer *t, int32_t id)
{
	if (id < 0)
		return;
	for (int i = 0; i < t->n_eog; i++)
		if (t->eog[i] == id)
			return;
	if (t->n_eog < TOK_MAX_EOG)
		t->eog[t->n_eog++] = id;
}

static void del_eog(struct tokenizer *t, int32_t id)
{
	for (int i = 0; i < t->n_eog; i++)
		if (t->eog[i] == id)
			t->eog[i--] = t->eog[--t->n_eog];
}

static bool is_eog_text(const struct tokenizer *t, int i, const char *s)
{
	int32_t id = t->eog[i];
	return t->len[id] == strlen(s) && memcmp(t->pool + t->off[id], s, t->len[id]) == 0;
}

static bool eog_has(const struct tokenizer *t, const char *s)
{
	for (int i = 0; i < t->n_eog; i++)
		if (is_eog_text(t, i, s))
			return true;
	return false;
}

/* The id a key gives, when it is present and in range; else -1. */
static int32_t key_id(const struct tokenizer *t, const struct gguf *g, const char *key)
{
	uint32_t u;
	int32_t v;
	if (!key)
		return -1;
	if (gguf_get_u32(g, key, &u))
		return u < (uint32_t)t->n_vocab ? (int32_t)u : -1;
	if (gguf_get_i32(g, key, &v))
		return v >= 0 && v < t->n_vocab ? v : -1;
	return -1;
}

void tok_special_init(struct tokenizer *t, const struct gguf *g)
{
	int32_t fim[6];

	/* EOT and EOM by text when the file names none; they are control tokens */
	for (const char *const *s = eot_texts; *s && t->eot < 0; s++)
		if ((t->eot = find(t, *s)) >= 0)
			t->type[t->eot] = TOKT_CONTROL;
	if (t->eom < 0 && (t->eom = find(t, "<|eom_id|>")) >= 0)
		t->type[t->eom] = TOKT_CONTROL;
	/* FIM tokens: the key's, else the first by text, which becomes control */
	for (int c = 0; c < 6; c++) {
		fim[c] = key_id(t, g, fim_keys[c][0]);
		if (fim[c] < 0)
			fim[c] = key_id(t, g, fim_keys[c][1]);
		for (const char *const *s = fim_texts[c]; *s && fim[c] < 0; s++)
			if ((fim[c] = find(t, *s)) >= 0)
				t->type[fim[c]] = TOKT_CONTROL;
	}
	/* end of generation: FIM pad/repo/sep, the end-looking texts, EOS/EOT/EOM */
	for (int c = 3; c < 6; c++)
		add_eog(t, fim[c]);
	for (const char *const *s = eog_texts; *s; s++) {
		int32_t id = find(t, *s);
		if (id >= 0) {
			add_eog(t, id);
			t->type[id] = TOKT_CONTROL;
		}
	}
	/* gpt-oss: always rendered (user-defined) */
	static const char *const shown[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"};
	for (int k = 0; k < 4; k++) {
		int32_t id = find(t, shown[k]);
		if (id >= 0)
			t->type[id] = TOKT_USER;
	}
	add_eog(t, t->eos);
	add_eog(t, t->eot);
	add_eog(t, t->eom);
	/* gpt-oss / Solar Open: <|end|> ends a message, not the generation */
	bool ret = eog_has(t, "<|return|>"), call = eog_has(t, "<|call|>") || eog_has(t, "<|calls|>");
	if (((ret && call) || (call && eog_has(t, "<|flush|>"))) && eog_has(t, "<|end|>")) {
		int32_t id = find(t, "<|end|>");
		del_eog(t, id);
		t->type[id] = TOKT_USER;
	}
	/* Gemma 4: </s> is ordinary text */
	if (eog_has(t, "<|tool_response>") && eog_has(t, "</s>")) {
		int32_t id = find(t, "</s>");
		del_eog(t, id);
		t->type[id] = TOKT_NORMAL;
	}
}

static bool contains_ci(struct gguf_str s, const char *needle)
{
	size_t m = strlen(needle);
	for (uint64_t i = 0; i + m <= s.n; i++) {
		size_t k = 0;
		while (k < m && tolower((unsigned char)s.p[i + k]) == needle[k])
			k++;
		if (k == m)
			return true;
	}
	return false;
}

static int set_strip(struct tokenizer *t, int32_t id, uint8_t bit, bool on)
{
	if (id < 0)
		return 0;
	if (!t->strip && !(t->strip = calloc((size_t)t->n_vocab, 1)))
		return -1;
	t->strip[id] = (uint8_t)(on ? t->strip[id] | bit : t->strip[id] & ~bit);
	return 0;
}

int tok_special_strip(struct tokenizer *t, const struct gguf *g)
{
	struct gguf_str name = {"", 0}, pre = {"", 0}, arch = {"", 0};
	int rc = 0;

	gguf_get_str(g, "general.name", &name);
	gguf_get_str(g, "tokenizer.ggml.pre", &pre);
	gguf_get_str(g, "general.architecture", &arch);
	if (contains_ci(pre, "jina-v2-de") || contains_ci(pre, "jina-v2-es") ||
	    contains_ci(pre, "jina-v2-code") || contains_ci(arch, "nomic-bert-moe") ||
	    contains_ci(arch, "jina-bert-v3")) {
		rc = set_strip(t, find(t, "<mask>"), TOK_LSTRIP, true);
	} else if (contains_ci(name, "phi-3") || contains_ci(name, "phi3")) {
		for (int i = 0; i < t->n_special && rc == 0; i++)
			rc = set_strip(t, t->special[i], TOK_RSTRIP, true);
		rc |= set_strip(t, find(t, "</s>"), TOK_RSTRIP, true);
		rc |= set_strip(t, find(t, "<unk>"), TOK_RSTRIP, false);
		rc |= set_strip(t, find(t, "<s>"), TOK_RSTRIP, false);
		rc |= set_strip(t, find(t, "<|endoftext|>"), TOK_RSTRIP, false);
	} else if (contains_ci(name, "modern-bert")) {
		rc = set_strip(t, find(t, "[MASK]"), TOK_LSTRIP, true);
	}
	return rc;
}

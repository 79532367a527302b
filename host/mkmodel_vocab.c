/*
 * Synthetic vocabularies for mkmodel. SentencePiece: <unk> <s> </s>, the 256
 * byte-fallback tokens, then pieces of one to three letters with and without
 * the U+2581 word marker, scored by rank. Byte-level BPE: the 256 byte tokens
 * in GPT-2's byte-to-unicode spelling, then tokens built by merges of two
 * existing tokens (the merge list is what the tokenizer applies), then the
 * control tokens. Deterministic; every token text is unique.
 */
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "host/mkmodel.h"

#define TOK_NORMAL 1
#define TOK_UNKNOWN 2
#define TOK_CONTROL 3
#define TOK_BYTE 6

static const char chatml_template[] =
	"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
	" + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

struct vocab {
	char **text;
	float *score;
	int32_t *type;
	int n, cap;
	char **merges;
	int n_merges;
};

static void vocab_add(struct vocab *v, const char *s, float score, int type)
{
	if (v->n >= v->cap)
		return;
	v->text[v->n] = strdup(s);
	v->score[v->n] = score;
	v->type[v->n] = type;
	v->n++;
}

/* GPT-2's printable spelling of byte b, as UTF-8 in out. */
static void byte_to_unicode(int b, char *out)
{
	int cp;
	if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
		cp = b;
	} else {
		int k = 0; /* rank of b among the bytes that get remapped */
		for (int i = 0; i < b; i++)
			if (!((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255)))
				k++;
		cp = 256 + k;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = 0;
	} else {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		out[2] = 0;
	}
}

static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";

static void build_spm(struct vocab *v, int n_special)
{
	char s[32];
	vocab_add(v, "<unk>", 0.f, TOK_UNKNOWN);
	vocab_add(v, "<s>", 0.f, TOK_CONTROL);
	vocab_add(v, "</s>", 0.f, TOK_CONTROL);
	for (int b = 0; b < 256; b++) {
		snprintf(s, sizeof s, "<0x%02X>", b);
		vocab_add(v, s, 0.f, TOK_BYTE);
	}
	int limit = v->cap - n_special;
	float score = -1.f;
	vocab_add(v, "\xE2\x96\x81", score--, TOK_NORMAL);
	/* single printable characters, then marker + letter, then pairs, triples */
	for (int c = 33; c < 127 && v->n < limit; c++) {
		s[0] = (char)c;
		s[1] = 0;
		vocab_add(v, s, score--, TOK_NORMAL);
	}
	for (int len = 1; len <= 3 && v->n < limit; len++) {
		int total = 1;
		for (int i = 0; i < len; i++)
			total *= 26;
		for (int k = 0; k < total && v->n < limit; k++) {
			char w[8];
			int x = k;
			for (int i = 0; i < len; i++, x /= 26)
				w[i] = letters[x % 26];
			w[len] = 0;
			snprintf(s, sizeof s, "\xE2\x96\x81%s", w);
			vocab_add(v, s, score--, TOK_NORMAL);
			if (len > 1 && v->n < limit)
				vocab_add(v, w, score--, TOK_NORMAL);
		}
	}
}

static void build_bpe(struct vocab *v, int n_special)
{
	char a[64], b[64], s[128];
	int limit = v->cap - n_special;
	for (int i = 0; i < 256; i++) {
		byte_to_unicode(i, a);
		vocab_add(v, a, 0.f, TOK_NORMAL);
	}
	/* merges: "Ġ" + letter, letter pairs, then (token + letter) from earlier merges */
	int first_merged = v->n;
	byte_to_unicode(' ', a);
	for (int i = 0; i < 26 && v->n < limit; i++) {
		snprintf(b, sizeof b, "%c", letters[i]);
		snprintf(s, sizeof s, "%s %s", a, b);
		v->merges[v->n_merges++] = strdup(s);
		snprintf(s, sizeof s, "%s%s", a, b);
		vocab_add(v, s, 0.f, TOK_NORMAL);
	}
	for (int i = 0; i < 26 && v->n < limit; i++)
		for (int j = 0; j < 26 && v->n < limit; j++) {
			snprintf(s, sizeof s, "%c %c", letters[i], letters[j]);
			v->merges[v->n_merges++] = strdup(s);
			snprintf(s, sizeof s, "%c%c", letters[i], letters[j]);
			vocab_add(v, s, 0.f, TOK_NORMAL);
		}
	for (int base = first_merged; v->n < limit; base++)
		for (int j = 0; j < 26 && v->n < limit; j++) {
			if (strlen(v->text[base]) > 40)
				continue;
			snprintf(s, sizeof s, "%s %c", v->text[base], letters[j]);
			v->merges[v->n_merges++] = strdup(s);
			snprintf(s, sizeof s, "%s%c", v->text[base], letters[j]);
			vocab_add(v, s, 0.f, TOK_NORMAL);
		}
}

void mk_vocab(struct gguf_writer *w, const struct mk_hparams *hp)
{
	struct vocab v = { .cap = hp->n_vocab };
	v.text = calloc(v.cap, sizeof *v.text);
	v.score = calloc(v.cap, sizeof *v.score);
	v.type = calloc(v.cap, sizeof *v.type);
	v.merges = calloc(v.cap, sizeof *v.merges);
	if (!v.text || !v.score || !v.type || !v.merges) {
		w->err = 1;
		return;
	}
	/* llama.cpp looks up Phi-3's <|endoftext|> by name in a model named phi3 */
	bool phi3 = strcmp(hp->arch, "phi3") == 0;
	int n_special = hp->bpe ? 3 : (hp->chatml ? 2 : 0) + (phi3 ? 2 : 0);
	if (hp->bpe)
		build_bpe(&v, n_special);
	else
		build_spm(&v, n_special);
	/* fill any rest with unused placeholders, then the control tokens last */
	char s[32];
	while (v.n < v.cap - n_special) {
		snprintf(s, sizeof s, "<unused%d>", v.n);
		vocab_add(&v, s, -1e9f, TOK_CONTROL);
	}
	int32_t id_eot = -1, id_endoftext = -1;
	if (hp->bpe) {
		id_endoftext = v.n;
		vocab_add(&v, "<|endoftext|>", 0.f, TOK_CONTROL);
	}
	if (phi3 && !hp->bpe) {
		vocab_add(&v, "<|endoftext|>", 0.f, TOK_CONTROL);
		vocab_add(&v, "<|end|>", 0.f, TOK_CONTROL);
	}
	if (hp->chatml) {
		vocab_add(&v, "<|im_start|>", 0.f, TOK_CONTROL);
		id_eot = v.n;
		vocab_add(&v, "<|im_end|>", 0.f, TOK_CONTROL);
	}

	gw_kv_str(w, "tokenizer.ggml.model", hp->bpe ? "gpt2" : "llama");
	if (hp->bpe)
		gw_kv_str(w, "tokenizer.ggml.pre", hp->pre ? hp->pre : "qwen2");
	gw_kv_arr(w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, v.n);
	for (int i = 0; i < v.n; i++)
		gw_rawstr(w, v.text[i], strlen(v.text[i]));
	if (!hp->bpe) {
		gw_kv_arr(w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, v.n);
		gw_raw(w, v.score, (size_t)v.n * 4);
	}
	gw_kv_arr(w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, v.n);
	gw_raw(w, v.type, (size_t)v.n * 4);
	if (hp->bpe) {
		gw_kv_arr(w, "tokenizer.ggml.merges", GGUF_TYPE_STRING, v.n_merges);
		for (int i = 0; i < v.n_merges; i++)
			gw_rawstr(w, v.merges[i], strlen(v.merges[i]));
		gw_kv_u32(w, "tokenizer.ggml.bos_token_id", id_endoftext);
		gw_kv_u32(w, "tokenizer.ggml.eos_token_id", id_endoftext);
		gw_kv_bool(w, "tokenizer.ggml.add_bos_token", false);
	} else {
		gw_kv_u32(w, "tokenizer.ggml.bos_token_id", 1);
		gw_kv_u32(w, "tokenizer.ggml.eos_token_id", 2);
		gw_kv_u32(w, "tokenizer.ggml.unknown_token_id", 0);
	}
	if (hp->chatml) {
		gw_kv_u32(w, "tokenizer.ggml.eot_token_id", id_eot);
		gw_kv_str(w, "tokenizer.chat_template", chatml_template);
	}
	for (int i = 0; i < v.n; i++)
		free(v.text[i]);
	for (int i = 0; i < v.n_merges; i++)
		free(v.merges[i]);
	free(v.text);
	free(v.score);
	free(v.type);
	free(v.merges);
}

/* Every BPE pre-tokenizer against llama.cpp's own output.
 *
 * tests/data/llamacpp-tok/pre.txt holds test texts (T lines), the words
 * llama.cpp's unicode_regex_split cuts each into for every regex set (S
 * lines: codepoints per word), and the ids llama_tokenize gives with a
 * synthetic vocabulary for every tokenizer.ggml.pre name (G lines: names that
 * give the same ids; I lines: the ids). The vocabulary is learned from the
 * texts here (byte-pair merges over whole texts, so merges straddle every
 * possible word boundary) and written with --gguf for llama.cpp; see the
 * data file's header for how it was made. The names "spm:llama",
 * "spm:gemma" and "spm:phi3" stand for SentencePiece vocabularies (with the
 * space prefix, without it as Gemma's, with Phi-3's whitespace stripping
 * after special tokens). The texts include special-token texts that
 * llama.cpp's loader turns into control or user-defined tokens.
 *
 *   test_tok_pre DATA             compare (PASS:/FAIL: lines)
 *   test_tok_pre --split          stdin NAME<tab>HEX -> NAME<tab>HEX<tab>lengths
 *   test_tok_pre --gguf NAME DATA OUT   write the vocabulary for NAME
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_pre.h"
#include "ai/tokenizer.h"
#include "ai/unicode.h"
#include "tests/unit/check.h"
#include "tests/unit/files.h"
#include "tests/unit/tok_gguf.h"

/* ---- the data file ---------------------------------------------------------- */

#define MAX_TEXTS 512

struct text {
	char *s;
	size_t n;
};

static struct text texts[MAX_TEXTS];
static int n_texts;
static int vocab_texts[MAX_TEXTS]; /* the V line: texts the vocabulary is learned from */
static int n_vocab_texts;

static int unhex(const char *h, char *out, size_t max)
{
	size_t n = 0;
	for (; h[0] && h[1] && h[0] != '\t' && h[0] != '\n' && n < max; h += 2) {
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			return -1;
		out[n++] = (char)v;
	}
	return (int)n;
}

static int load_texts(FILE *f)
{
	char line[8192];
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == 'V' && line[1] == ' ')
			for (char *p = line + 1, *e; n_vocab_texts < MAX_TEXTS; p = e) {
				long k = strtol(p, &e, 10);
				if (e == p)
					break;
				vocab_texts[n_vocab_texts++] = (int)k;
			}
		if (line[0] == 'T' && line[1] == ' ' && n_texts < MAX_TEXTS) {
			char *hex = strchr(line + 2, ' ');
			char buf[4096];
			int n = hex ? unhex(hex + 1, buf, sizeof(buf)) : -1;
			if (n < 0)
				return -1;
			texts[n_texts].s = malloc((size_t)n + 1);
			memcpy(texts[n_texts].s, buf, (size_t)n);
			texts[n_texts++].n = (size_t)n;
		}
	}
	for (int i = 0; i < n_vocab_texts; i++)
		if (vocab_texts[i] < 0 || vocab_texts[i] >= n_texts)
			return -1;
	return n_texts;
}

/* "3,1,4": codepoints per word of s split by pre (invalid bytes count one). */
static int split_lens(const struct tok_pre *pre, const char *s, size_t n, char *out, size_t max)
{
	struct tok_words w;
	size_t k = 0;
	if (tok_pre_split(pre, s, n, &w) < 0)
		return -1;
	out[0] = 0;
	for (int i = 0; i < w.n && k + 16 < max; i++) {
		int ncp = 0;
		for (size_t off = w.v[i].off; off < w.v[i].off + w.v[i].len; ncp++) {
			uint32_t cp;
			off += (size_t)unicode_decode((const uint8_t *)s + off,
						      w.v[i].off + w.v[i].len - off, &cp);
		}
		k += (size_t)snprintf(out + k, max - k, i ? ",%d" : "%d", ncp);
	}
	free(w.v);
	return 0;
}

/* ---- the synthetic vocabulary -------------------------------------------------- */

#define MAX_TOK 4096
#define N_MERGES 3000

/* Kinds: byte-level BPE (GPT-2 byte characters), character-level BPE
 * (Gemma 4 style: UTF-8 characters, <0xNN> byte fallback; spaces as U+2581
 * when escaped), and SentencePiece ("spm:NAME" test names: Llama's with the
 * space prefix, Gemma's without, Phi-3's with stripping after specials). */
enum vkind { VK_BYTE, VK_RAW, VK_RAW_ESC, VK_SPM, VK_COUNT };

struct vocab {
	char *text[MAX_TOK];
	int32_t type[MAX_TOK];
	float score[MAX_TOK];
	int n;
	char *merge[MAX_TOK];
	int n_merges;
	int32_t bos, eos;
	enum vkind kind;
};

static int vocab_find(const struct vocab *v, const char *s)
{
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->text[i], s))
			return i;
	return -1;
}

static int vocab_add(struct vocab *v, const char *s, int type)
{
	int id = vocab_find(v, s);
	if (id >= 0 || v->n >= MAX_TOK)
		return id;
	v->text[v->n] = strdup(s);
	v->type[v->n] = type;
	v->score[v->n] = -(float)v->n;
	return v->n++;
}

static void gpt2_char(int b, char *out)
{
	int n = 0;
	for (int c = 0; c < b; c++)
		if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || c >= 174))
			n++;
	int cp = ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) ? b : 256 + n;
	out[unicode_encode((uint32_t)cp, out)] = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Merges learned over the vocabulary texts, most frequent adjacent pair
 * first (ties: lowest ids). Character-level merges never join a space or a
 * newline (llama.cpp's merge lines split at ' '); SentencePiece leaves
 * emoji out of the vocabulary so that they fall back to bytes. */
static void build_vocab(struct vocab *v, enum vkind kind)
{
	static int32_t seq[MAX_TEXTS][4096];
	static int len[MAX_TEXTS];
	static uint64_t pairs[MAX_TEXTS * 4096];
	bool chars = kind != VK_BYTE, escape = kind == VK_RAW_ESC || kind == VK_SPM;
	char buf[64];

	memset(v, 0, sizeof(*v));
	v->kind = kind;
	if (kind == VK_SPM) {
		vocab_add(v, "<unk>", 2);
		v->bos = vocab_add(v, "<s>", 3);
		v->eos = vocab_add(v, "</s>", 3);
	}
	for (int b = 0; b < 256; b++) {
		if (chars)
			snprintf(buf, sizeof(buf), "<0x%02X>", b);
		else
			gpt2_char(b, buf);
		vocab_add(v, buf, chars ? 6 : 1);
	}
	for (int t = 0; t < n_vocab_texts; t++) {
		const struct text *tx = &texts[vocab_texts[t]];
		const uint8_t *s = (const uint8_t *)tx->s;
		len[t] = 0;
		if (kind == VK_SPM)
			seq[t][len[t]++] = vocab_add(v, "\xe2\x96\x81", 1);
		for (size_t off = 0; off < tx->n && len[t] < 4096;) {
			if (!chars) {
				seq[t][len[t]++] = s[off++];
				continue;
			}
			uint32_t cp;
			int k = unicode_decode(s + off, tx->n - off, &cp);
			if (escape && cp == ' ')
				cp = 0x2581;
			buf[unicode_encode(cp, buf)] = 0;
			seq[t][len[t]++] = kind == VK_SPM && cp >= 0x1F000 ? -1 : vocab_add(v, buf, 1);
			off += (size_t)k;
		}
	}
	while (v->n_merges < N_MERGES && v->n < MAX_TOK - 16) {
		size_t np = 0;
		for (int t = 0; t < n_vocab_texts; t++)
			for (int i = 0; i + 1 < len[t]; i++) {
				int32_t l = seq[t][i], r = seq[t][i + 1];
				if (l < 0 || r < 0 ||
				    (chars && (strpbrk(v->text[l], " \n") || strpbrk(v->text[r], " \n"))))
					continue;
				pairs[np++] = (uint64_t)l << 32 | (uint32_t)r;
			}
		qsort(pairs, np, sizeof(*pairs), cmp_u64);
		uint64_t best = 0;
		size_t best_n = 1;
		for (size_t i = 0; i < np;) {
			size_t j = i;
			while (j < np && pairs[j] == pairs[i])
				j++;
			if (j - i > best_n)
				best = pairs[i], best_n = j - i;
			i = j;
		}
		if (best_n < 2)
			break;
		int32_t l = (int32_t)(best >> 32), r = (int32_t)(best & 0xFFFFFFFF);
		char *cat = malloc(strlen(v->text[l]) + strlen(v->text[r]) + 2);
		sprintf(cat, "%s %s", v->text[l], v->text[r]);
		v->merge[v->n_merges++] = cat;
		char *joined = malloc(strlen(cat) + 1);
		sprintf(joined, "%s%s", v->text[l], v->text[r]);
		int32_t res = vocab_add(v, joined, 1);
		free(joined);
		for (int t = 0; t < n_vocab_texts; t++) {
			int k = 0;
			for (int i = 0; i < len[t]; i++) {
				if (i + 1 < len[t] && seq[t][i] == l && seq[t][i + 1] == r)
					seq[t][k++] = res, i++;
				else
					seq[t][k++] = seq[t][i];
			}
			len[t] = k;
		}
	}
	if (chars) {
		vocab_add(v, "\n\n", 1);
		vocab_add(v, "\n\n\n", 1);
		vocab_add(v, "\xef\xbf\xbd", 1);
	}
	if (kind != VK_SPM) {
		v->bos = vocab_add(v, "<s>", 3);
		v->eos = vocab_add(v, "</s>", 3);
	}
	/* control and user-defined texts, and texts llama.cpp makes special */
	static const char *const ctl[] = {"<|im_start|>", "<|im_end|>", "<start_of_turn>",
		"<end_of_turn>", "<|user|>", "<|end|>", NULL};
	static const char *const normal[] = {"<eos>", "[EOS]", "<|fim_pad|>", "<|file_sep|>",
		"<|channel|>", "<|endoftext|>", NULL};
	for (const char *const *c = ctl; *c; c++)
		vocab_add(v, *c, 3);
	for (const char *const *c = normal; *c; c++)
		vocab_add(v, *c, 1);
	vocab_add(v, "<tool>", 4);
}

static void vocab_free(struct vocab *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->text[i]);
	for (int i = 0; i < v->n_merges; i++)
		free(v->merge[i]);
}

static void vocab_gguf(const struct vocab *v, const char *pre, struct gb *b)
{
	gb_init(b);
	gb_kv_str(b, "general.architecture", "llama");
	if (v->kind == VK_SPM) {
		gb_kv_str(b, "tokenizer.ggml.model", "llama");
		gb_kv_f32s(b, "tokenizer.ggml.scores", v->score, v->n);
		if (!strcmp(pre, "spm:gemma"))
			gb_kv_bool(b, "tokenizer.ggml.add_space_prefix", 0);
		if (!strcmp(pre, "spm:phi3"))
			gb_kv_str(b, "general.name", "Phi-3-mini-4k-instruct");
	} else {
		gb_kv_str(b, "tokenizer.ggml.model", "gpt2");
		gb_kv_str(b, "tokenizer.ggml.pre", pre);
		gb_kv_strs(b, "tokenizer.ggml.merges", (const char *const *)v->merge, v->n_merges);
	}
	gb_kv_strs(b, "tokenizer.ggml.tokens", (const char *const *)v->text, v->n);
	gb_kv_i32s(b, "tokenizer.ggml.token_type", v->type, v->n);
	gb_kv_u32(b, "tokenizer.ggml.bos_token_id", (uint32_t)v->bos);
	gb_kv_u32(b, "tokenizer.ggml.eos_token_id", (uint32_t)v->eos);
}

static const struct tok_pre_def *def_of(const char *name)
{
	for (const struct tok_pre_def *d = tok_pre_defs; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

static enum vkind kind_of(const char *name)
{
	const struct tok_pre_def *d = def_of(name);
	unsigned f = d ? d->flags : 0;
	if (!strncmp(name, "spm:", 4))
		return VK_SPM;
	return !(f & TOK_PRE_RAW) ? VK_BYTE : (f & TOK_PRE_ESCAPE_WS) ? VK_RAW_ESC : VK_RAW;
}

/* ---- modes ------------------------------------------------------------------- */

static int split_mode(void)
{
	char line[16384], text[8192], err[128], lens[16384];

	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		int n = unhex(tab + 1, text, sizeof(text));
		tab[1 + strcspn(tab + 1, "\t\r\n")] = 0;
		struct tok_pre *pre = tok_pre_new(line, strlen(line), err, sizeof(err));
		if (!pre || n < 0 || split_lens(pre, text, (size_t)n, lens, sizeof(lens)) < 0)
			printf("%s\t%s\tERROR %s\n", line, tab + 1, pre ? "" : err);
		else
			printf("%s\t%s\t%s\n", line, tab + 1, lens);
		tok_pre_free(pre);
	}
	return 0;
}

static int gguf_mode(const char *name, const char *data, const char *out)
{
	FILE *f = fopen(data, "r");
	struct vocab v;
	struct gb b;
	if (!f || load_texts(f) <= 0)
		return fprintf(stderr, "cannot read texts from %s\n", data), 1;
	fclose(f);
	build_vocab(&v, kind_of(name));
	vocab_gguf(&v, name, &b);
	memcpy(b.p + 16, &b.n_kv, 8);
	f = fopen(out, "wb");
	if (!f || fwrite(b.p, 1, b.n, f) != b.n || fclose(f) != 0)
		return fprintf(stderr, "cannot write %s\n", out), 1;
	vocab_free(&v);
	free(b.p);
	return 0;
}

/* The names of the group on a "P ID names..." or "G ID names..." line. */
static int group_names(const char *line, char kind, int *id, char names[][64], int max)
{
	int off, n = 0;
	char fmt[] = "X %d %n";
	fmt[0] = kind;
	if (line[0] != kind || sscanf(line, fmt, id, &off) != 1)
		return 0;
	for (const char *p = line + off; n < max;) {
		int k = 0;
		while (*p == ' ')
			p++;
		while (p[k] && p[k] != ' ' && p[k] != '\n' && p[k] != '\r')
			k++;
		if (!k || k >= 64)
			break;
		memcpy(names[n], p, (size_t)k);
		names[n++][k] = 0;
		p += k;
	}
	return n;
}

/* Each "X ID K ..." line of group id, in file order: calls fn(K, rest). */
static void each_row(FILE *f, char kind, int id, void (*fn)(int k, const char *rest, void *ctx),
		     void *ctx)
{
	static char line[65536];
	long pos = ftell(f);
	char fmt[] = "X %d %d %n";
	fmt[0] = kind;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		int gid, k, off;
		if (line[0] != kind || sscanf(line, fmt, &gid, &k, &off) != 2 || gid != id || k < 0 ||
		    k >= n_texts)
			continue;
		line[strcspn(line, "\r\n")] = 0;
		fn(k, line + off, ctx);
	}
	fseek(f, pos, SEEK_SET);
}

struct run {
	const char *name;
	struct tok_pre *pre;
	struct tokenizer *tok;
	int n, bad;
};

static void split_row(int k, const char *want, void *ctx)
{
	static char got[65536];
	struct run *r = ctx;
	r->n++;
	if (split_lens(r->pre, texts[k].s, texts[k].n, got, sizeof(got)) == 0 && !strcmp(got, want))
		return;
	if (r->bad++ < 2)
		printf("  %s text %d: want %.70s\n  %*s got  %.70s\n", r->name, k, want,
		       (int)strlen(r->name), "", got);
}

/* P ID NAMES: names whose splits are the S ID lines' (S ID K LENS: text K). */
static void check_splits(FILE *f)
{
	char line[4096], names[128][64], err[128];
	int n_names = 0, n_groups = 0, gid;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		int n = group_names(line, 'P', &gid, names, 128);
		for (int i = 0; i < n; i++) {
			struct run r = {names[i], tok_pre_new(names[i], strlen(names[i]), err, sizeof(err)), NULL, 0, 0};
			if (r.pre)
				each_row(f, 'S', gid, split_row, &r);
			check(r.pre && r.n > 0 && r.bad == 0, "pre-tokenizer %s: %d texts split as llama.cpp's%s%s",
			      names[i], r.n, r.pre ? "" : ": ", r.pre ? "" : err);
			tok_pre_free(r.pre);
			n_names++;
		}
		n_groups += n > 0;
	}
	int n_known = 0;
	while (tok_pre_defs[n_known].name)
		n_known++;
	check(n_names == n_known, "splits checked for %d of the %d names llama.cpp accepts (%d distinct)",
	      n_names, n_known, n_groups);
}

static void ids_row(int k, const char *rest, void *ctx)
{
	struct run *r = ctx;
	int32_t want[4096], got[4096];
	int nw = parse_ids(rest, want, 4096);
	int ng = tokenizer_encode(r->tok, texts[k].s, texts[k].n, tokenizer_wants_bos(r->tok), true, got, 4096);
	r->n++;
	if (ng == nw && !memcmp(got, want, sizeof(int32_t) * (size_t)nw))
		return;
	if (r->bad++ < 2) {
		printf("  %s text %d: want", r->name, k);
		for (int i = 0; i < nw && i < 12; i++)
			printf(" %d", want[i]);
		printf("\n  %*s got ", (int)strlen(r->name), "");
		for (int i = 0; i < ng && i < 12; i++)
			printf(" %d", got[i]);
		printf("\n");
	}
}

/* G ID NAMES: names whose ids are the I ID lines' (I ID K IDS: text K). */
static void check_ids(FILE *f)
{
	static struct vocab vocabs[VK_COUNT];
	static bool built[VK_COUNT];
	char line[4096], names[128][64], err[256];
	int n_names = 0, gid;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		int n = group_names(line, 'G', &gid, names, 128);
		for (int i = 0; i < n; i++) {
			enum vkind vi = kind_of(names[i]);
			struct run r = {names[i], NULL, NULL, 0, 0};
			struct gb b;
			struct gguf g;
			if (!built[vi])
				build_vocab(&vocabs[vi], vi);
			built[vi] = true;
			vocab_gguf(&vocabs[vi], names[i], &b);
			if (gb_open(&b, &g, err, sizeof(err)) == 0) {
				r.tok = tokenizer_load(&g, err, sizeof(err));
				if (r.tok)
					each_row(f, 'I', gid, ids_row, &r);
				gguf_close(&g);
			}
			check(r.tok && r.n > 0 && r.bad == 0, "tokenizer.ggml.pre %s: ids of %d texts as llama.cpp's%s%s",
			      names[i], r.n, r.tok ? "" : ": ", r.tok ? "" : err);
			tokenizer_free(r.tok);
			free(b.p);
			n_names += def_of(names[i]) != NULL;
		}
	}
	for (int i = 0; i < VK_COUNT; i++)
		if (built[i])
			vocab_free(&vocabs[i]);
	int n_known = 0;
	while (tok_pre_defs[n_known].name)
		n_known++;
	check(n_names == n_known, "ids checked for %d of the %d names llama.cpp accepts", n_names, n_known);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--split"))
		return split_mode();
	if (argc > 4 && !strcmp(argv[1], "--gguf"))
		return gguf_mode(argv[2], argv[3], argv[4]);
	if (argc < 2) {
		fprintf(stderr, "usage: test_tok_pre DATA | --split | --gguf NAME DATA OUT\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f || load_texts(f) <= 0) {
		check(false, "read %s", argv[1]);
		return 1;
	}
	check_splits(f);
	check_ids(f);
	fclose(f);
	return n_fail ? 1 : 0;
}

/* Tokenizer tests: llama.cpp's vocab test cases (../shared/conformance/vocab),
 * the prompts of the model references, decode round trips, and synthetic
 * vocabularies built in memory (special tokens, errors, pre-tokenizers).
 * Prints one "PASS: name" / "FAIL: name" / "SKIP: name (why)" line per check.
 * Usage: test_tokenizer [SHARED_CONFORMANCE_DIR] */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/tokenizer.h"
#include "ai/unicode.h"
#include "tests/unit/check.h"
#include "tests/unit/files.h"


struct model {
	char *buf;
	struct gguf g;
	struct tokenizer *t;
};

static bool model_open(struct model *m, const char *path)
{
	char err[256];
	size_t len;
	memset(m, 0, sizeof(*m));
	if (!(m->buf = read_file(path, &len))) {
		printf("cannot read %s\n", path);
		return false;
	}
	if (gguf_open(&m->g, m->buf, len, err, sizeof(err)) < 0) {
		printf("%s: %s\n", path, err);
		free(m->buf);
		return false;
	}
	if (!(m->t = tokenizer_load(&m->g, err, sizeof(err)))) {
		printf("%s: %s\n", path, err);
		gguf_close(&m->g);
		free(m->buf);
		return false;
	}
	return true;
}

static void model_close(struct model *m)
{
	tokenizer_free(m->t);
	gguf_close(&m->g);
	free(m->buf);
}

/* Encode into a malloc'ed array; *n = count (or -1). */
static int32_t *encode(const struct tokenizer *t, const char *s, size_t len, bool bos,
		       bool special, int *n)
{
	int cap = (int)len + 8;
	int32_t *ids = malloc(sizeof(int32_t) * (size_t)cap);
	*n = tokenizer_encode(t, s, len, bos, special, ids, cap);
	if (*n > cap) { /* cannot happen: at most one id per byte, plus BOS */
		printf("encode returned %d ids for %zu bytes\n", *n, len);
		*n = -1;
	}
	return ids;
}

static char *decode(const struct tokenizer *t, const int32_t *ids, int n, size_t *len)
{
	size_t cap = 64, w = 0;
	char *out = malloc(cap);
	for (int i = 0; i < n; i++) {
		int k = tokenizer_piece(t, ids[i], NULL, 0);
		if (k < 0)
			continue;
		while (w + (size_t)k + 1 > cap)
			out = realloc(out, cap *= 2);
		tokenizer_piece(t, ids[i], out + w, k);
		w += (size_t)k;
	}
	out[w] = 0;
	*len = w;
	return out;
}

static void print_ids(const char *what, const int32_t *ids, int n)
{
	printf("  %s:", what);
	for (int i = 0; i < n; i++)
		printf(" %d", ids[i]);
	printf("\n");
}

/* ---- ../shared/conformance/vocab ---------------------------------------- */

/* tokenizer.ggml.model is one we implement (llama, gpt2, gemma4). */
static bool vocab_kind_supported(const char *dir, const char *name)
{
	char path[1024], err[256];
	size_t len;
	struct gguf g;
	struct gguf_str k;
	bool ok = false;
	snprintf(path, sizeof(path), "%s/vocab/%s", dir, name);
	char *buf = read_file(path, &len);
	if (buf && gguf_open(&g, buf, len, err, sizeof(err)) == 0) {
		ok = !gguf_get_str(&g, "tokenizer.ggml.model", &k) || gguf_str_eq(k, "llama") ||
		     gguf_str_eq(k, "gpt2") || gguf_str_eq(k, "gemma4");
		gguf_close(&g);
	} else {
		ok = true; /* let vocab_suite report it */
	}
	free(buf);
	return ok;
}

static void vocab_suite(const char *dir, const char *name)
{
	char path[1024];
	struct model m;
	size_t ilen, olen;
	char *inp, *outp;
	static const char sep[] = "\n__ggml_vocab_test__\n";
	int ncase = 0, nbad = 0;

	snprintf(path, sizeof(path), "%s/vocab/%s.inp", dir, name);
	inp = read_file(path, &ilen);
	snprintf(path, sizeof(path), "%s/vocab/%s.out", dir, name);
	outp = read_file(path, &olen);
	snprintf(path, sizeof(path), "%s/vocab/%s", dir, name);
	if (!inp || !outp || !model_open(&m, path)) {
		check(false, "vocab %s: files load", name);
		free(inp);
		free(outp);
		return;
	}
	char *ip = inp, *op = outp;
	for (;;) {
		char *end = strstr(ip, sep);
		if (!end)
			break;
		char *eol = strchr(op, '\n');
		if (!eol) {
			printf("  .out has fewer lines than .inp cases\n");
			nbad++;
			break;
		}
		*eol = 0;
		int32_t want[4096];
		int nw = parse_ids(op, want, 4096);
		int n;
		int32_t *got = encode(m.t, ip, (size_t)(end - ip), false, false, &n);
		bool ok = n == nw && memcmp(got, want, sizeof(int32_t) * (size_t)nw) == 0;
		if (!ok && nbad++ < 5) {
			printf("  case %d: \"%.*s\"\n", ncase, (int)(end - ip), ip);
			print_ids("want", want, nw);
			print_ids("got ", got, n);
		}
		/* decoding gives the text back (SPM: after the prefix space) */
		size_t dl;
		char *dec = decode(m.t, got, n < 0 ? 0 : n, &dl);
		const char *want_txt = ip;
		size_t wl = (size_t)(end - ip);
		const char *d = dec;
		if (strcmp(tokenizer_kind(m.t), "llama") == 0 && dl > 0 && d[0] == ' ')
			d++, dl--;
		if ((dl != wl || memcmp(d, want_txt, wl) != 0) && nbad++ < 5)
			printf("  case %d: decode mismatch \"%s\"\n", ncase, dec);
		free(dec);
		free(got);
		ncase++;
		ip = end + strlen(sep);
		op = eol + 1;
	}
	check(nbad == 0 && ncase > 0, "vocab %s: %d cases encode to the .out ids and decode back",
	      name, ncase);
	model_close(&m);
	free(inp);
	free(outp);
}

/* What byte-level BPE round trips to, as in llama.cpp: code points read
 * leniently (lead byte + continuation bytes), a byte that starts none as
 * U+FFFD, written back in shortest form. out holds 3 * len bytes. */
static size_t bpe_canonical(const char *s, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k = 0;
	for (size_t i = 0; i < len;) {
		int l = u[i] < 0x80 ? 1 : u[i] < 0xC0 ? 0 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : u[i] < 0xF8 ? 4 : 0;
		unsigned c = l == 1 ? u[i] : l == 2 ? u[i] & 31u : l == 3 ? u[i] & 15u : u[i] & 7u;
		if (i + (size_t)l > len)
			l = 0;
		for (int j = 1; j < l; j++) {
			if ((u[i + j] & 0xC0) != 0x80)
				l = 0;
			else
				c = c << 6 | (u[i + j] & 63u);
		}
		if (l == 0 || c > 0x10FFFF)
			c = 0xFFFD;
		k += (size_t)unicode_encode(c, out + k);
		i += l ? (size_t)l : 1;
	}
	return k;
}

/* Round trip of arbitrary bytes through a vocabulary: decode(encode(x)) == x
 * (SPM: with the prefix space; BPE: x in bpe_canonical form). */
static void roundtrip_suite(const char *dir, const char *name)
{
	static const char *const texts[] = {
		"Hello, world! \xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd emoji",
		"\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c CJK \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",
		"invalid \xff\xfe\x80 bytes \xc3 \xe2\x82 cut \xf0\x9f\x98",
		"  \t\n\n\r\n  spaces   and\ttabs\x0b\x0c end   ",
		"numbers 1234567 3.14159 -42 1,000,000 \xd9\xa1\xd9\xa2\xd9\xa3",
		"<|endoftext|> <s> </s> [INST] <<SYS>>",
		"it's I'M we'LL they've don't 'd 're",
		"\x01\x02\x1f\x7f\xc2\x80\xc2\xa0\xe2\x80\x8b\xe3\x80\x80",
	};
	char path[1024];
	struct model m;
	int nbad = 0;
	snprintf(path, sizeof(path), "%s/vocab/%s", dir, name);
	if (!model_open(&m, path)) {
		check(false, "roundtrip %s: load", name);
		return;
	}
	bool spm = strcmp(tokenizer_kind(m.t), "llama") == 0;
	unsigned seed = 12345;
	char rnd[257];
	for (int k = 0; k < (int)(sizeof(texts) / sizeof(texts[0])) + 200; k++) {
		const char *s;
		size_t len;
		if (k < (int)(sizeof(texts) / sizeof(texts[0]))) {
			s = texts[k];
			len = strlen(s);
		} else if (!spm) { /* random bytes, biased to ASCII */
			len = (size_t)(k % 64) + 1;
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				unsigned r = (seed >> 16) & 0xFF;
				rnd[i] = (char)(r < 128 ? ' ' + r % 95 : r);
			}
			s = rnd;
		} else { /* random valid UTF-8 (SPM splits invalid bytes as llama.cpp) */
			len = 0;
			while (len < (size_t)(k % 60) + 1) {
				seed = seed * 1103515245u + 12345u;
				unsigned r = (seed >> 8) & 0xFFFFF, c = r % 4 ? ' ' + r % 95 : r % 0x2FFFF + 0x80;
				if (c >= 0xD800 && c < 0xE000)
					continue;
				len += (size_t)unicode_encode(c, rnd + len);
			}
			s = rnd;
		}
		if (spm && k == 2)
			continue; /* invalid UTF-8 */
		int n;
		int32_t *ids = encode(m.t, s, len, false, false, &n);
		size_t dl;
		char *dec = decode(m.t, ids, n < 0 ? 0 : n, &dl);
		const char *d = dec;
		if (spm && dl > 0)
			d++, dl--;
		char want[3 * 256 + 3 * 80];
		if (!spm) {
			len = bpe_canonical(s, len, want);
			s = want;
		}
		if ((n < 0 || dl != len || memcmp(d, s, len) != 0) && nbad++ < 3)
			printf("  round trip %d failed: \"%.*s\" -> \"%s\"\n", k, (int)len, s, dec);
		free(ids);
		free(dec);
	}
	check(nbad == 0, "roundtrip %s: 208 texts (UTF-8, emoji, CJK%s) decode back exactly",
	      name, spm ? "" : ", invalid bytes as U+FFFD like llama.cpp");
	model_close(&m);
}

/* The "prompt" of every models/NAME.ref tokenizes to its prompt_tokens. */
static void ref_suite(const char *dir)
{
	char path[1024];
	DIR *d;
	struct dirent *e;
	int nref = 0, nbad = 0;

	snprintf(path, sizeof(path), "%s/models", dir);
	if (!(d = opendir(path))) {
		check(false, "models: open %s", path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name), len;
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".ref") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/models/%s", dir, e->d_name);
		char *ref = read_file(path, &len);
		if (!ref)
			continue;
		char *prompt = strstr(ref, "\nprompt ");
		char *toks = strstr(ref, "\nprompt_tokens ");
		if (!prompt || !toks) {
			free(ref);
			continue;
		}
		prompt += 8;
		*strchr(prompt, '\n') = 0;
		toks += 15;
		int32_t want[1024];
		int nw = parse_ids(toks, want, 1024);
		snprintf(path, sizeof(path), "%s/models/%.*s.gguf", dir, (int)(nl - 4), e->d_name);
		struct model m;
		nref++;
		if (!model_open(&m, path)) {
			nbad++;
			free(ref);
			continue;
		}
		int n;
		int32_t *got = encode(m.t, prompt, strlen(prompt), tokenizer_wants_bos(m.t), false, &n);
		if (n != nw || memcmp(got, want, sizeof(int32_t) * (size_t)nw) != 0) {
			nbad++;
			printf("  %s: \"%s\"\n", e->d_name, prompt);
			print_ids("want", want, nw);
			print_ids("got ", got, n);
		}
		free(got);
		model_close(&m);
		free(ref);
	}
	closedir(d);
	check(nbad == 0 && nref > 0, "models: %d .ref prompts tokenize to prompt_tokens (BOS included)",
	      nref);
}

static void synth_suite(void) {}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/conformance";
	char path[1024];
	DIR *d;

	synth_suite();
	snprintf(path, sizeof(path), "%s/vocab", dir);
	if (!(d = opendir(path))) {
		printf("SKIP: conformance vocab and models (%s absent)\n", dir);
		return n_fail ? 1 : 0;
	}
	/* every ggml-vocab-*.gguf with its .inp/.out (llama.cpp's test vocabularies) */
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "ggml-vocab-", 11) || n < 5 || strcmp(e->d_name + n - 5, ".gguf"))
			continue;
		if (!vocab_kind_supported(dir, e->d_name)) {
			printf("SKIP: vocab %s (tokenizer kind not supported)\n", e->d_name);
			continue;
		}
		vocab_suite(dir, e->d_name);
	}
	closedir(d);
	roundtrip_suite(dir, "ggml-vocab-gpt-2.gguf");
	roundtrip_suite(dir, "ggml-vocab-llama-spm.gguf");
	ref_suite(dir);
	return n_fail ? 1 : 0;
}

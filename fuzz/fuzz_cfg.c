/*
 * libFuzzer harness for the llm.cfg parser and the load options (fs/cfg.c):
 * byte 0 picks the mode (bit 0: words, as the image's load options), the
 * rest is the text. cfg_parse must never fail or read outside the text;
 * every warning's argument lies inside the text, the values it sets are in
 * their documented ranges and the strings it writes are terminated; a
 * second parse of the same text into a fresh config gives the same bytes.
 * Then cfg_model_matches on the text cut in two at a NUL.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined); the
 * parser is included whole, as tests/unit/test_bootfs.c does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/keymap.c"
#include "fs/cfg.c"

struct span {
	const char *p;
	size_t n;
	int warns, last_line;
};

static void warn(void *ctx, int line, const char *msg, const char *arg, size_t arg_len)
{
	struct span *s = ctx;
	if (!msg || !*msg || line < 1 || line < s->last_line)
		abort(); /* a message, lines in order */
	if (arg_len && (arg < s->p || arg > s->p + s->n || arg_len > (size_t)(s->p + s->n - arg)))
		abort(); /* the argument lies inside the text */
	s->last_line = line;
	s->warns++;
}

static void check_cfg(const struct boot_config *c, const struct cfg_boot *b)
{
	if (!memchr(c->model, 0, sizeof c->model) || !memchr(c->keymap, 0, sizeof c->keymap) ||
	    !memchr(c->autorun, 0, sizeof c->autorun))
		abort(); /* strings stay terminated */
	if (c->ctx > (1u << 20) || c->threads > 256 || (c->baud && 115200 % c->baud) ||
	    (c->temp_set && !(c->temp >= 0 && c->temp <= 100)) || b->timeout < 0 || b->timeout > 60 ||
	    b->chunk_mib > (1u << 20) || b->split_map > 100000)
		abort();
	for (const char *p = c->model; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			abort(); /* a printable file name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool words = data[0] & 1;
	/* an exact copy of the text: a read past it is an ASan report */
	size_t n = size - 1;
	char *text = malloc(n ? n : 1);
	memcpy(text, data + 1, n);

	struct boot_config c1, c2;
	struct cfg_boot b1 = { CFG_DEFAULT_TIMEOUT, 0, 0 }, b2 = b1;
	memset(&c1, 0, sizeof c1);
	memset(&c2, 0, sizeof c2);
	struct span s1 = { text, n, 0, 0 }, s2 = s1;
	int w1 = cfg_parse(text, n, words, &c1, &b1, warn, &s1);
	if (w1 != s1.warns || w1 < 0)
		abort(); /* the count is the callbacks' */
	check_cfg(&c1, &b1);
	int w2 = cfg_parse(text, n, words, &c2, &b2, warn, &s2);
	if (w1 != w2 || memcmp(&b1, &b2, sizeof b1) || memcmp(&c1, &c2, sizeof c1))
		abort(); /* the same text, the same settings (both start zeroed) */

	/* file-name matching: "model" NUL "path" */
	const char *nul = memchr(text, 0, n);
	if (nul) {
		char *path = malloc(n - (size_t)(nul - text));
		memcpy(path, nul + 1, n - (size_t)(nul - text) - 1);
		path[n - (size_t)(nul - text) - 1] = 0;
		bool m = cfg_model_matches(text, path);
		bool just_sep = cfg_fold(text[0]) == '\\' && !text[1];
		if (*text && !just_sep && !strcmp(text, path) && !m)
			abort(); /* a name matches itself */
		free(path);
	}
	free(text);
	return 0;
}

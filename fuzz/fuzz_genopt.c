/*
 * libFuzzer harness for the generation options (ai/genopt.c, the one table
 * that `llm generate`, the shell's generate/set and the HTTP API parse):
 * the input is NUL-separated words, read as the shell reads a command
 * line: an option name (key, flag, alias or JSON name) followed by its
 * value. Byte 0 picks the usage width and buffer size.
 *
 * Checks: a name genopt_find knows is one of the table's spellings; a
 * value genopt_parse accepts lies in the option's range and formats back
 * (genopt_format) to text that parses again, in range; a refused one
 * leaves the values unchanged and says why; the same for the word read as
 * a JSON number (genopt_set_number); genopt_usage writes within its
 * buffer, NUL-terminated, and says the length it needed.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/genopt.h"

static bool named(const struct genopt *o, const char *w)
{
	const char *names[4] = { o->key, o->flag, o->alias, o->json };
	for (int i = 0; i < 4; i++)
		if (names[i] && !strcmp(names[i], w))
			return true;
	return false;
}

static double value_of(const struct genopt *o, const struct genopt_values *v)
{
	const char *p = (const char *)v + o->offset;
	if (o->kind == GENOPT_INT)
		return *(const int *)p;
	if (o->kind == GENOPT_FLOAT)
		return *(const float *)p;
	return 0; /* u64: every value is in range */
}

static void in_range(const struct genopt *o, const struct genopt_values *v)
{
	double x = value_of(o, v);
	if (o->kind != GENOPT_U64 && !((float)x >= (float)o->lo && (float)x <= (float)o->hi))
		abort();
}

/* parse (or set_number when num) word as o's value */
static void try_value(const struct genopt *o, const char *name, const char *word, bool num, double x)
{
	struct genopt_values v, before;
	char err[128], text[64];
	memset(&v, 0x5a, sizeof v);
	before = v;
	err[0] = 0;
	int rc = num ? genopt_set_number(o, name, x, &v, err, sizeof err)
		     : genopt_parse(o, name, word, &v, err, sizeof err);
	if (rc != 0) {
		if (!err[0] || memcmp(&v, &before, sizeof v))
			abort(); /* a refusal says why and changes nothing */
		return;
	}
	in_range(o, &v);
	int tn = genopt_format(o, &v, text, sizeof text);
	if (tn <= 0 || tn >= (int)sizeof text)
		abort();
	struct genopt_values w = v;
	if (genopt_parse(o, NULL, text, &w, err, sizeof err) != 0)
		abort(); /* what format writes, parse reads */
	in_range(o, &w);
	if (o->kind != GENOPT_FLOAT && memcmp(&v, &w, sizeof v))
		abort(); /* integers round-trip exactly */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int width = 10 + data[0] % 100;
	size_t len = (size_t)(data[0] >> 2) * 3;
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;

	/* usage into an exactly sized buffer (0 too) */
	char *u = malloc(len ? len : 1);
	size_t need = genopt_usage(len ? u : NULL, len, "usage:", text, width);
	if (len && (strlen(u) >= len || (need < len && strlen(u) != need)))
		abort();
	free(u);

	/* name, value pairs */
	const char *words[32];
	int nw = 0;
	for (size_t at = 0; at < size - 1 && nw < 32; at += strlen(text + at) + 1)
		words[nw++] = text + at;
	for (int i = 0; i < nw; i++) {
		const struct genopt *o = genopt_find(words[i]);
		if (!o)
			continue;
		if (!named(o, words[i]))
			abort();
		const char *val = i + 1 < nw ? words[i + 1] : NULL;
		try_value(o, words[i], val, false, 0);
		if (val) {
			char *end;
			double x = strtod(val, &end);
			if (end != val)
				try_value(o, words[i], NULL, true, x);
		}
		i++;
	}
	for (int i = 0; genopt_at(i); i++)
		if (genopt_find(genopt_at(i)->key) != genopt_at(i))
			abort();
	free(text);
	return 0;
}

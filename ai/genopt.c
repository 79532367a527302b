/* The table of generation options and their parsing (ai/genopt.h). */
#include "ai/genopt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(field) offsetof(struct genopt_values, field)

static const struct genopt table[] = {
	{ "n", "-n", "--n-predict", "n_predict", "N",
	  "tokens to generate (-1: to the end of text or context)",
	  GENOPT_INT, -1, 1 << 24, OFF(n_predict) },
	{ "temp", "--temp", NULL, "temperature", "T", "sampling temperature (0: greedy)",
	  GENOPT_FLOAT, 0, 1000, OFF(sp.temp) },
	{ "top-k", "--top-k", NULL, "top_k", "K", "keep the K most likely tokens (0: all)",
	  GENOPT_INT, 0, 1 << 24, OFF(sp.top_k) },
	{ "top-p", "--top-p", NULL, "top_p", "P",
	  "keep the likeliest tokens up to probability P (1: all)",
	  GENOPT_FLOAT, 0, 1, OFF(sp.top_p) },
	{ "min-p", "--min-p", NULL, "min_p", "P",
	  "drop tokens below P times the top probability (0: none)",
	  GENOPT_FLOAT, 0, 1, OFF(sp.min_p) },
	{ "repeat-penalty", "--repeat-penalty", NULL, "repeat_penalty", "R",
	  "penalise recent tokens by R (1: off)", GENOPT_FLOAT, 0.01, 100, OFF(sp.repeat_penalty) },
	{ "repeat-last-n", "--repeat-last-n", NULL, "repeat_last_n", "N",
	  "how many recent tokens the penalty looks at", GENOPT_INT, 0, 1 << 20,
	  OFF(sp.repeat_last_n) },
	{ "seed", "--seed", "-s", "seed", "S", "random seed of the sampler", GENOPT_U64, 0, 0,
	  OFF(sp.seed) },
};
#define N_OPTS ((int)(sizeof(table) / sizeof(table[0])))

const struct genopt *genopt_at(int i)
{
	return i >= 0 && i < N_OPTS ? &table[i] : NULL;
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

const struct genopt *genopt_find(const char *name)
{
	for (int i = 0; i < N_OPTS; i++) {
		const struct genopt *o = &table[i];
		if (same(name, o->key) || same(name, o->flag) || same(name, o->alias) ||
		    same(name, o->json))
			return o;
	}
	return NULL;
}

static void *field(const struct genopt *opt, struct genopt_values *v)
{
	return (char *)v + opt->offset;
}

static int bad(const struct genopt *opt, const char *name, const char *s, char *err, size_t errlen)
{
	name = name ? name : opt->key;
	if (opt->kind == GENOPT_INT)
		snprintf(err, errlen, "%s: bad number '%s' (expected an integer in %ld..%ld)", name, s,
			 (long)opt->lo, (long)opt->hi);
	else if (opt->kind == GENOPT_FLOAT)
		snprintf(err, errlen, "%s: bad number '%s' (expected %g..%g)", name, s, opt->lo, opt->hi);
	else
		snprintf(err, errlen, "%s: bad number '%s' (expected 0..%llu)", name, s,
			 (unsigned long long)UINT64_MAX);
	return -1;
}

/* Decimal digits only, no sign, at most UINT64_MAX. */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int genopt_parse(const struct genopt *opt, const char *name, const char *s,
		 struct genopt_values *v, char *err, size_t errlen)
{
	char *end = NULL;
	if (!s)
		s = "";
	switch (opt->kind) {
	case GENOPT_INT: {
		/* a value too long to be in range would overflow strtol */
		long x = *s && strlen(s) <= 12 ? strtol(s, &end, 10) : 0;
		if (!end || *end || x < (long)opt->lo || x > (long)opt->hi)
			return bad(opt, name, s, err, errlen);
		*(int *)field(opt, v) = (int)x;
		return 0;
	}
	case GENOPT_FLOAT: {
		float x = *s ? strtof(s, &end) : 0;
		if (!end || *end || !(x >= (float)opt->lo && x <= (float)opt->hi))
			return bad(opt, name, s, err, errlen);
		*(float *)field(opt, v) = x;
		return 0;
	}
	default: {
		uint64_t x;
		if (!parse_u64(s, &x))
			return bad(opt, name, s, err, errlen);
		*(uint64_t *)field(opt, v) = x;
		return 0;
	}
	}
}

int genopt_set_number(const struct genopt *opt, const char *name, double x,
		      struct genopt_values *v, char *err, size_t errlen)
{
	char s[40];
	snprintf(s, sizeof s, "%.17g", x);
	switch (opt->kind) {
	case GENOPT_INT:
		if (!(x >= opt->lo && x <= opt->hi) || x != (double)(int)x)
			return bad(opt, name, s, err, errlen);
		*(int *)field(opt, v) = (int)x;
		return 0;
	case GENOPT_FLOAT:
		if (!((float)x >= (float)opt->lo && (float)x <= (float)opt->hi))
			return bad(opt, name, s, err, errlen);
		*(float *)field(opt, v) = (float)x;
		return 0;
	default:
		/* JSON numbers are doubles: exact up to 2^53 */
		if (!(x >= 0 && x <= 9007199254740992.0) || x != (double)(uint64_t)x)
			return bad(opt, name, s, err, errlen);
		*(uint64_t *)field(opt, v) = (uint64_t)x;
		return 0;
	}
}

int genopt_format(const struct genopt *opt, const struct genopt_values *v, char *buf, size_t len)
{
	const void *p = (const char *)v + opt->offset;
	if (opt->kind == GENOPT_INT)
		return snprintf(buf, len, "%d", *(const int *)p);
	if (opt->kind == GENOPT_FLOAT)
		return snprintf(buf, len, "%g", (double)*(const float *)p);
	return snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)p);
}

/* ---- usage text ------------------------------------------------------------ */

struct text {
	char *buf;
	size_t len, pos; /* pos counts what was needed, written or not */
	int col, indent, width;
};

static void put(struct text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, t->pos++)
		if (t->pos + 1 < t->len)
			t->buf[t->pos] = s[i];
}

/* One word, on a new line when it does not fit before width. */
static void word(struct text *t, const char *s, size_t n)
{
	if (t->col > t->indent && t->col + 1 + (int)n > t->width) {
		put(t, "\n", 1);
		for (int i = 0; i < t->indent; i++)
			put(t, " ", 1);
		t->col = t->indent;
	} else if (t->col > t->indent) {
		put(t, " ", 1);
		t->col++;
	}
	put(t, s, n);
	t->col += (int)n;
}

size_t genopt_usage(char *buf, size_t len, const char *head, const char *tail, int width)
{
	struct text t = { buf, len, 0, 0, 0, width };
	size_t hl = strlen(head);
	while (hl && head[hl - 1] == ' ')
		hl--;
	put(&t, head, hl);
	t.col = t.indent = (int)hl + 1;
	put(&t, " ", 1);
	t.col = t.indent;
	for (int i = 0; i < N_OPTS; i++) {
		char w[64];
		int n = snprintf(w, sizeof w, "[%s %s]", table[i].flag, table[i].arg);
		word(&t, w, (size_t)n);
	}
	for (const char *p = tail ? tail : ""; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n)
			word(&t, p, n);
		p += n;
	}
	put(&t, "\n", 1);
	if (len)
		buf[t.pos < len ? t.pos : len - 1] = 0;
	return t.pos;
}

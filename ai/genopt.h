/*
 * The options of a generation, in one table: the sampling parameters
 * (struct sampler_params) and the token count, each with its names, its
 * range and a line of help. The host tool (`llm generate --temp 0.5`), the
 * shell (`generate --temp 0.5`, `set temp 0.5`) and the HTTP API
 * ({"temperature": 0.5}) parse and describe their options from it, so a
 * new option or a changed range is one line in ai/genopt.c.
 *
 * An option answers to its key ("top-k", as `set` takes it), its flag
 * ("--top-k"), an alias ("-s" for --seed, "--n-predict" for -n) and its
 * JSON name ("top_k", as llama.cpp's server calls it).
 */
#ifndef AI_GENOPT_H
#define AI_GENOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "ai/sampler.h"

/* The values the options set. */
struct genopt_values {
	struct sampler_params sp;
	int n_predict; /* tokens to generate; -1: until the end of text or a full context */
};

enum genopt_kind { GENOPT_INT, GENOPT_FLOAT, GENOPT_U64 };

struct genopt {
	const char *key;   /* "top-k" */
	const char *flag;  /* "--top-k": how usage lines spell it */
	const char *alias; /* another spelling, or NULL */
	const char *json;  /* "top_k" */
	const char *arg;   /* "K": the value's name in usage lines */
	const char *help;
	int kind;          /* enum genopt_kind */
	double lo, hi;     /* the range, inclusive (GENOPT_U64: any u64) */
	size_t offset;     /* of the value in struct genopt_values */
};

/* The table: genopt_at(0), genopt_at(1), ... until NULL. */
const struct genopt *genopt_at(int i);
/* The option with that key, flag, alias or JSON name; NULL if none. */
const struct genopt *genopt_find(const char *name);

/* Parses the text s as opt's value into v. Returns 0, or -1 with a
 * message in err, "NAME: bad number 'S' (expected 0..1)", NAME being the
 * spelling the caller got (name; NULL: the key). v is unchanged on error. */
int genopt_parse(const struct genopt *opt, const char *name, const char *s,
		 struct genopt_values *v, char *err, size_t errlen);
/* The same for a number already read (a JSON value): integer options
 * take whole numbers only. */
int genopt_set_number(const struct genopt *opt, const char *name, double x,
		      struct genopt_values *v, char *err, size_t errlen);
/* opt's value in v as text ("0.8", "40"); returns snprintf's count. */
int genopt_format(const struct genopt *opt, const struct genopt_values *v, char *buf, size_t len);

/* A usage text: head, then "[FLAG ARG]" for every option, then the words
 * of tail, wrapped before width columns, continuation lines indented by
 * the length of head; ends with a newline. Returns the length it needed
 * (as snprintf; the text is cut when len is smaller). */
size_t genopt_usage(char *buf, size_t len, const char *head, const char *tail, int width);

#endif

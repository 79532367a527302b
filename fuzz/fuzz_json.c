/*
 * libFuzzer harness for the JSON parser and writer (net/json.h): the input
 * is JSON text. json_parse must accept or reject it without any
 * out-of-bounds access or deep recursion; an accepted document is walked,
 * written back with the writer, and the text written must parse again to
 * the same tree (types, numbers, strings once made valid UTF-8, order).
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/json.h"

static void write_value(struct jw *w, const struct json_doc *d, const struct json *v)
{
	switch (v->type) {
	case JSON_NULL: jw_null(w); break;
	case JSON_FALSE: jw_bool(w, false); break;
	case JSON_TRUE: jw_bool(w, true); break;
	case JSON_NUMBER: jw_num(w, v->num); break;
	case JSON_STRING: jw_str(w, v->str, (size_t)v->n); break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		v->type == JSON_ARRAY ? jw_arr(w) : jw_obj(w);
		for (const struct json *e = json_first(d, v); e; e = json_next(d, e)) {
			if (v->type == JSON_OBJECT)
				jw_key(w, e->key);
			write_value(w, d, e);
		}
		jw_end(w);
		break;
	}
}

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k <= 0)
			return false;
		i += (size_t)k;
	}
	return true;
}

/* The two trees are the same. Numbers that overflowed to infinity are
 * written as null; strings and keys are compared only when valid UTF-8
 * without NUL (the writer replaces invalid bytes; jw_key takes a C string). */
static void same(const struct json_doc *da, const struct json *a, const struct json_doc *db,
		 const struct json *b)
{
	if (a->type == JSON_NUMBER && !(a->num - a->num == 0)) {
		if (b->type != JSON_NULL)
			abort();
		return;
	}
	if (a->type != b->type)
		abort();
	if (a->type == JSON_NUMBER && a->num != b->num)
		abort();
	if (a->type == JSON_STRING && valid_utf8(a->str, (size_t)a->n) &&
	    (a->n != b->n || memcmp(a->str, b->str, (size_t)a->n)))
		abort();
	if (a->type == JSON_ARRAY || a->type == JSON_OBJECT) {
		if (a->n != b->n)
			abort();
		const struct json *x = json_first(da, a), *y = json_first(db, b);
		for (; x && y; x = json_next(da, x), y = json_next(db, y)) {
			if (a->type == JSON_OBJECT && strlen(x->key) == (size_t)x->key_len &&
			    valid_utf8(x->key, (size_t)x->key_len) && strcmp(x->key, y->key))
				abort();
			same(da, x, db, y);
		}
		if (x || y)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d, d2;
	char err[128];
	if (json_parse(&d, (const char *)data, size, err, sizeof err) != 0) {
		if (!err[0])
			abort(); /* a refusal always says why */
		json_free(&d);
		return 0;
	}
	struct jw w;
	jw_init(&w);
	write_value(&w, &d, json_root(&d));
	if (!w.oom) {
		if (json_parse(&d2, w.p, w.n, err, sizeof err) != 0)
			abort(); /* the writer's output is JSON */
		same(&d, json_root(&d), &d2, json_root(&d2));
		json_free(&d2);
	}
	jw_free(&w);
	json_free(&d);
	return 0;
}

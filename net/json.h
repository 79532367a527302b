/*
 * JSON (RFC 8259): a parser into a read-only tree, and a writer into a
 * growing buffer. For the API's request and response bodies.
 *
 * Parsing is strict (no comments, trailing commas, NaN or leading zeros;
 * one value, then only whitespace) and bounded: nesting deeper than
 * JSON_MAX_DEPTH is an error, and the tree grows with the input (the
 * caller bounds the input). Strings are decoded (escapes, \u with
 * surrogate pairs; a lone surrogate becomes U+FFFD) and NUL-terminated;
 * raw control characters in strings are errors, other bytes pass as they
 * are. Numbers are doubles. Duplicate object keys: the first one wins in
 * json_get.
 *
 * The writer emits valid UTF-8 (invalid bytes become U+FFFD), numbers that
 * are not finite as null, and puts the commas in itself:
 *
 *   jw_obj(&w); jw_key(&w, "a"); jw_int(&w, 1); jw_key(&w, "b");
 *   jw_arr(&w); jw_str(&w, "x", 1); jw_end(&w); jw_end(&w);  -> {"a":1,"b":["x"]}
 */
#ifndef NET_JSON_H
#define NET_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64 /* also the writer's deepest nesting */

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };

struct json {
	enum json_type type;
	int n;                 /* string: bytes; array/object: elements or members */
	const char *str;       /* string: the decoded bytes (NUL after them) */
	double num;            /* number */
	const char *key;       /* a member of an object: its name (NUL-terminated) */
	int key_len;
	int child;             /* array/object: index of the first element, or -1 */
	int next;              /* the next element of the parent, or -1 */
};

struct json_doc {
	struct json *v;        /* v[0] is the root */
	int n, cap;
	char *strs;            /* the decoded strings */
	size_t n_strs;
};

/* Parse s[0..len). Returns 0, or -1 with a message naming the offset
 * (out of memory says so). Free with json_free even after an error. */
int json_parse(struct json_doc *d, const char *s, size_t len, char *err, size_t errlen);
void json_free(struct json_doc *d);

static inline const struct json *json_root(const struct json_doc *d) { return d->v; }
/* First element / next element (NULL at the end). */
const struct json *json_first(const struct json_doc *d, const struct json *v);
const struct json *json_next(const struct json_doc *d, const struct json *v);
/* The member of object o named key, or NULL (also when o is not an object). */
const struct json *json_get(const struct json_doc *d, const struct json *o, const char *key);
const char *json_type_name(enum json_type t); /* "string", "number", ... */

/* ---- the writer ------------------------------------------------------------ */

struct jw {
	char *p;
	size_t n, cap;
	bool oom;              /* an allocation failed: the text is incomplete */
	int depth;
	uint64_t comma;        /* bit d: the container at depth d has an element */
	uint64_t arr;          /* bit d: the container at depth d is an array */
	bool after_key;
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s, size_t n);
void jw_cstr(struct jw *w, const char *s); /* NULL writes null */
void jw_int(struct jw *w, long long v);
void jw_num(struct jw *w, double v);  /* shortest %.17g that reads back the same */
void jw_float(struct jw *w, float v); /* the same for a float */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_base64(struct jw *w, const void *data, size_t n); /* a string: data in base64 */
/* Raw bytes, outside the JSON structure (e.g. "data: " around an event). */
void jw_raw(struct jw *w, const char *s, size_t n);

/* UTF-8: the length of the valid sequence at s[0..n) (1..4), 0 if s starts
 * an incomplete but so far valid sequence, -1 if invalid. */
int utf8_seq(const unsigned char *s, size_t n);

#endif

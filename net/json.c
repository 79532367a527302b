/* json: the parser (recursive descent, depth-limited) and tree access. */
#include "net/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_NUM_MAX 512 /* longest number text accepted */

struct parser {
	struct json_doc *d;
	const char *s;
	size_t len, at;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "invalid JSON at offset %zu: %s", p->at, what);
	p->failed = true;
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->at < p->len && strchr(" \t\r\n", p->s[p->at]) && p->s[p->at])
		p->at++;
}

static int new_node(struct parser *p, enum json_type t)
{
	struct json_doc *d = p->d;
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct json *v = cap > 0 ? realloc(d->v, (size_t)cap * sizeof *v) : NULL;
		if (!v) {
			snprintf(p->err, p->errlen, "out of memory parsing JSON");
			p->failed = true;
			return -1;
		}
		d->v = v;
		d->cap = cap;
	}
	struct json *v = &d->v[d->n];
	memset(v, 0, sizeof *v);
	v->type = t;
	v->child = v->next = -1;
	return d->n++;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at s[at] == '"': decoded into the doc's string space (never
 * longer than the encoded text, quotes included). */
static int string(struct parser *p, const char **out, int *out_len)
{
	char *o = p->d->strs + p->d->n_strs, *o0 = o;
	p->at++;
	for (;;) {
		if (p->at >= p->len)
			return fail(p, "unterminated string");
		unsigned char c = (unsigned char)p->s[p->at];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c != '\\') {
			*o++ = (char)c;
			p->at++;
			continue;
		}
		if (p->at + 1 >= p->len)
			return fail(p, "unterminated string");
		char e = p->s[p->at + 1];
		const char *simple = strchr("\"\\/bfnrt", e);
		if (simple && e) {
			*o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			p->at += 2;
			continue;
		}
		if (e != 'u')
			return fail(p, "bad escape");
		int cp = p->at + 6 <= p->len ? hex4(p->s + p->at + 2) : -1;
		if (cp < 0)
			return fail(p, "bad \\u escape");
		p->at += 6;
		if (cp >= 0xd800 && cp < 0xdc00) {
			int lo = p->at + 6 <= p->len && p->s[p->at] == '\\' && p->s[p->at + 1] == 'u'
					 ? hex4(p->s + p->at + 2) : -1;
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->at += 6;
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			cp = 0xfffd;
		}
		o += put_utf8(o, (unsigned)cp);
	}
	p->at++;
	*o = 0;
	*out = o0;
	*out_len = (int)(o - o0);
	p->d->n_strs += (size_t)(o - o0) + 1;
	return 0;
}

static int number(struct parser *p, double *v)
{
	size_t i = p->at;
	const char *s = p->s;
	if (i < p->len && s[i] == '-')
		i++;
	if (i >= p->len || s[i] < '0' || s[i] > '9')
		return fail(p, "bad number");
	if (s[i] == '0')
		i++;
	else
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < p->len && s[i] == '.') {
		if (++i >= p->len || s[i] < '0' || s[i] > '9')
			return fail(p, "bad number");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= p->len || s[i] < '0' || s[i] > '9')
			return fail(p, "bad number");
		while (i < p->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	char buf[JSON_NUM_MAX + 1];
	size_t n = i - p->at;
	if (n > JSON_NUM_MAX)
		return fail(p, "number too long");
	memcpy(buf, s + p->at, n);
	buf[n] = 0;
	*v = strtod(buf, NULL);
	p->at = i;
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->at < n || memcmp(p->s + p->at, word, n))
		return fail(p, "unexpected character");
	p->at += n;
	return 0;
}

static int value(struct parser *p, int depth);

/* The elements of an array or members of an object at s[at] == '[' / '{'. */
static int container(struct parser *p, int self, bool obj, int depth)
{
	char close = obj ? '}' : ']';
	int prev = -1, count = 0;
	p->at++;
	skip_ws(p);
	if (p->at < p->len && p->s[p->at] == close) {
		p->at++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		int key_len = 0;
		if (obj) {
			if (p->at >= p->len || p->s[p->at] != '"')
				return fail(p, "expected a member name");
			if (string(p, &key, &key_len))
				return -1;
			skip_ws(p);
			if (p->at >= p->len || p->s[p->at] != ':')
				return fail(p, "expected ':'");
			p->at++;
			skip_ws(p);
		}
		int v = value(p, depth + 1);
		if (v < 0)
			return -1;
		p->d->v[v].key = key;
		p->d->v[v].key_len = key_len;
		if (prev < 0)
			p->d->v[self].child = v;
		else
			p->d->v[prev].next = v;
		prev = v;
		count++;
		skip_ws(p);
		if (p->at >= p->len)
			return fail(p, obj ? "unterminated object" : "unterminated array");
		char c = p->s[p->at++];
		if (c == close)
			break;
		if (c != ',')
			return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		skip_ws(p);
	}
	p->d->v[self].n = count;
	return 0;
}

/* One value at s[at] (no leading whitespace): its node index, or -1. */
static int value(struct parser *p, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return fail(p, "nested too deeply");
	if (p->at >= p->len)
		return fail(p, "unexpected end");
	char c = p->s[p->at];
	int v;
	switch (c) {
	case '{':
	case '[':
		if ((v = new_node(p, c == '{' ? JSON_OBJECT : JSON_ARRAY)) < 0)
			return -1;
		return container(p, v, c == '{', depth) ? -1 : v;
	case '"': {
		const char *s;
		int n;
		if ((v = new_node(p, JSON_STRING)) < 0 || string(p, &s, &n))
			return -1;
		p->d->v[v].str = s;
		p->d->v[v].n = n;
		return v;
	}
	case 't':
		return literal(p, "true") ? -1 : new_node(p, JSON_TRUE);
	case 'f':
		return literal(p, "false") ? -1 : new_node(p, JSON_FALSE);
	case 'n':
		return literal(p, "null") ? -1 : new_node(p, JSON_NULL);
	default: {
		double num;
		if (number(p, &num) || (v = new_node(p, JSON_NUMBER)) < 0)
			return -1;
		p->d->v[v].num = num;
		return v;
	}
	}
}

int json_parse(struct json_doc *d, const char *s, size_t len, char *err, size_t errlen)
{
	struct parser p = { d, s, len, 0, err, errlen, false };
	memset(d, 0, sizeof *d);
	if (len > (size_t)1 << 30) {
		snprintf(err, errlen, "JSON text too long");
		return -1;
	}
	d->strs = malloc(len + 1);
	if (!d->strs) {
		snprintf(err, errlen, "out of memory parsing JSON");
		return -1;
	}
	skip_ws(&p);
	if (value(&p, 1) < 0)
		return -1;
	skip_ws(&p);
	if (p.at != len)
		return fail(&p, "text after the value");
	return 0;
}

void json_free(struct json_doc *d)
{
	free(d->v);
	free(d->strs);
	memset(d, 0, sizeof *d);
}

const struct json *json_first(const struct json_doc *d, const struct json *v)
{
	return v && (v->type == JSON_ARRAY || v->type == JSON_OBJECT) && v->child >= 0
		       ? &d->v[v->child] : NULL;
}

const struct json *json_next(const struct json_doc *d, const struct json *v)
{
	return v && v->next >= 0 ? &d->v[v->next] : NULL;
}

const struct json *json_get(const struct json_doc *d, const struct json *o, const char *key)
{
	if (!o || o->type != JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const struct json *m = json_first(d, o); m; m = json_next(d, m))
		if ((size_t)m->key_len == n && !memcmp(m->key, key, n))
			return m;
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	static const char *names[] = { "null", "boolean", "boolean", "number", "string",
				       "array", "object" };
	return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

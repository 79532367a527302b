/* json_write: JSON text into a growing buffer, commas placed by depth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/json.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof *w);
}

void jw_free(struct jw *w)
{
	free(w->p);
	memset(w, 0, sizeof *w);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->n + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->n + n + 1)
			cap *= 2;
		char *p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
	w->p[w->n] = 0;
}

/* Before a value: the comma after a previous element of the container. */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->depth <= 64) {
		uint64_t bit = 1ull << (w->depth - 1);
		if (w->comma & bit)
			jw_raw(w, ",", 1);
		w->comma |= bit;
	}
}

static void open_c(struct jw *w, char c)
{
	sep(w);
	jw_raw(w, &c, 1);
	w->depth++;
	if (w->depth <= 64) {
		uint64_t bit = 1ull << (w->depth - 1);
		w->comma &= ~bit;
		w->arr = c == '[' ? w->arr | bit : w->arr & ~bit;
	}
}

void jw_obj(struct jw *w) { open_c(w, '{'); }
void jw_arr(struct jw *w) { open_c(w, '['); }

void jw_end(struct jw *w)
{
	if (w->depth <= 0)
		return;
	bool arr = w->depth <= 64 && (w->arr >> (w->depth - 1) & 1);
	w->depth--;
	jw_raw(w, arr ? "]" : "}", 1);
}

void jw_key(struct jw *w, const char *key)
{
	jw_str(w, key, strlen(key));
	jw_raw(w, ":", 1);
	w->after_key = true;
}

int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return -1;
	unsigned cp = c & (0x3f >> (len - 1));
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return 0;
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
		/* reject overlong, surrogate and too-large forms as early as
		 * the second byte decides them */
		if (i == 1) {
			unsigned hi = cp << (6 * (len - 2));
			if ((len == 3 && (hi < 0x800 || (hi >= 0xd800 && hi < 0xe000))) ||
			    (len == 4 && (hi < 0x10000 || hi > 0x10ffff)))
				return -1;
		}
	}
	return cp < min ? -1 : len;
}

void jw_str(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	sep(w);
	jw_raw(w, "\"", 1);
	size_t run = 0; /* start of bytes that need no escaping */
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		char esc[8];
		size_t en = 0;
		int k = 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, en = 2;
		} else if (c < 0x20 || c == 0x7f) {
			const char *short_esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
			if (short_esc) {
				memcpy(esc, short_esc, 2);
				en = 2;
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
				en = 6;
			}
		} else if (c >= 0x80) {
			k = utf8_seq(u + i, n - i);
			if (k <= 0) { /* invalid or cut: U+FFFD for this byte */
				memcpy(esc, "\xef\xbf\xbd", 3);
				en = 3;
				k = 1;
			}
		}
		if (en) {
			jw_raw(w, s + run, i - run);
			jw_raw(w, esc, en);
			run = i + (size_t)k;
		}
		i += (size_t)k;
	}
	jw_raw(w, s + run, n - run);
	jw_raw(w, "\"", 1);
}

void jw_cstr(struct jw *w, const char *s)
{
	if (s)
		jw_str(w, s, strlen(s));
	else
		jw_null(w);
}

void jw_int(struct jw *w, long long v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%lld", v);
	sep(w);
	jw_raw(w, b, (size_t)n);
}

static bool is_finite(double v)
{
	return v == v && v - v == 0;
}

/* The shortest of %.{lo..17}g that reads back as v (as float when f). */
static void num(struct jw *w, double v, int lo, bool f)
{
	char b[40];
	int n = 0;
	sep(w);
	if (!is_finite(v)) {
		jw_raw(w, "null", 4);
		return;
	}
	for (int prec = lo; prec <= 17; prec++) {
		n = snprintf(b, sizeof b, "%.*g", prec, v);
		double back = strtod(b, NULL);
		if (f ? (float)back == (float)v : back == v)
			break;
	}
	jw_raw(w, b, (size_t)n);
}

void jw_num(struct jw *w, double v) { num(w, v, 15, false); }
void jw_float(struct jw *w, float v) { num(w, v, 6, true); }

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	jw_raw(w, "null", 4);
}

void jw_base64(struct jw *w, const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	sep(w);
	jw_raw(w, "\"", 1);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
			      i + 2 < n ? tab[v & 63] : '=' };
		jw_raw(w, q, 4);
	}
	jw_raw(w, "\"", 1);
}

/* The JSON parser and writer (net/json.h): valid documents and their
 * values, hostile inputs refused with a message (never a crash: also run
 * under ASan by t-90), escapes and surrogates, the depth limit, and the
 * writer's escaping, UTF-8 repair and number formatting. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/json.h"
#include "tests/unit/check.h"

static bool parses(const char *s)
{
	struct json_doc d;
	char err[128];
	int rc = json_parse(&d, s, strlen(s), err, sizeof err);
	json_free(&d);
	return rc == 0;
}

/* The decoded string of a document that is one JSON string. */
static bool str_is(const char *json, const char *want, size_t want_n)
{
	struct json_doc d;
	char err[128];
	bool ok = json_parse(&d, json, strlen(json), err, sizeof err) == 0 &&
		  json_root(&d)->type == JSON_STRING && (size_t)json_root(&d)->n == want_n &&
		  !memcmp(json_root(&d)->str, want, want_n);
	json_free(&d);
	return ok;
}

static void test_valid(void)
{
	const char *doc = " {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {\"c\": {}},"
			  " \"e\": [], \"a\": 7} ";
	struct json_doc d;
	char err[128];
	int rc = json_parse(&d, doc, strlen(doc), err, sizeof err);
	check(rc == 0, "json: a document with every type parses (%s)", rc ? err : "ok");
	if (rc == 0) {
		const struct json *r = json_root(&d), *a = json_get(&d, r, "a");
		check(r->type == JSON_OBJECT && r->n == 4, "json: root object has 4 members");
		check(a && a->type == JSON_ARRAY && a->n == 6, "json: duplicate key: the first wins");
		const struct json *v = json_first(&d, a);
		check(v && v->type == JSON_NUMBER && v->num == 1, "json: first element 1");
		v = json_next(&d, v);
		check(v && v->num == -2500, "json: -2.5e3");
		v = json_next(&d, v);
		check(v && v->type == JSON_TRUE, "json: true");
		v = json_next(&d, json_next(&d, v));
		check(v && v->type == JSON_NULL, "json: null");
		v = json_next(&d, v);
		check(v && v->type == JSON_STRING && !strcmp(v->str, "x") && !json_next(&d, v),
		      "json: last element \"x\"");
		const struct json *c = json_get(&d, json_get(&d, r, "b"), "c");
		check(c && c->type == JSON_OBJECT && c->n == 0 && !json_first(&d, c),
		      "json: nested empty object");
		check(!json_get(&d, r, "zz") && !json_get(&d, a, "a"), "json: missing keys, non-objects");
	}
	json_free(&d);
	check(parses("0") && parses("-0") && parses("1e-400") && parses("\"\"") && parses("[[[]]]"),
	      "json: scalars and small documents");
}

static void test_invalid(void)
{
	static const char *bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "01", "1.",
		".5", "-", "+1", "1e", "1e+", "NaN", "Infinity", "tru", "nul", "\"abc", "\"a\\x\"",
		"\"\\u12\"", "\"\\u12g4\"", "\"a\nb\"", "[1] 2", "{\"a\":1}}", "'s'", "[\"\\",
		"\"\\u", "{\"a\":", "[", "/* c */ 1", "\"\t\"",
	};
	int ok = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct json_doc d;
		char err[128] = "";
		if (json_parse(&d, bad[i], strlen(bad[i]), err, sizeof err) != 0 && err[0])
			ok++;
		else
			printf("  accepted: %s\n", bad[i]);
		json_free(&d);
	}
	check(ok == (int)(sizeof bad / sizeof *bad), "json: %d malformed documents refused with a message", ok);
	/* a NUL byte inside the buffer is not the end of the text */
	struct json_doc d;
	char err[128];
	check(json_parse(&d, "1\0", 2, err, sizeof err) != 0, "json: NUL after the value refused");
	json_free(&d);
	char *long_num = malloc(2000);
	memset(long_num, '1', 1999);
	long_num[1999] = 0;
	check(!parses(long_num), "json: a 1999-digit number refused (limit 512)");
	free(long_num);
}

static void test_depth(void)
{
	char deep[2 * JSON_MAX_DEPTH + 8];
	int n = JSON_MAX_DEPTH;
	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	deep[2 * n] = 0;
	check(parses(deep), "json: nesting of %d accepted", n);
	n++;
	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	deep[2 * n] = 0;
	check(!parses(deep), "json: nesting of %d refused", n);
	size_t big = 1 << 20;
	char *b = malloc(big + 1);
	memset(b, '[', big);
	b[big] = 0;
	check(!parses(b), "json: a megabyte of '[' refused without deep recursion");
	free(b);
}

static void test_strings(void)
{
	check(str_is("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t", 12), "json: simple escapes");
	check(str_is("\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac", 5), "json: \\u to UTF-8 (2 and 3 bytes)");
	check(str_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4), "json: surrogate pair to 4 bytes");
	check(str_is("\"\\ud83dx\"", "\xef\xbf\xbdx", 4), "json: lone high surrogate becomes U+FFFD");
	check(str_is("\"\\ude00\"", "\xef\xbf\xbd", 3), "json: lone low surrogate becomes U+FFFD");
	check(str_is("\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A", 4), "json: high surrogate + non-low");
	check(str_is("\"a\\u0000b\"", "a\0b", 3), "json: \\u0000 kept (length counts it)");
	check(str_is("\"\xff\xfe\"", "\xff\xfe", 2), "json: raw bytes pass as they are");
}

static bool wrote(void (*fn)(struct jw *), const char *want)
{
	struct jw w;
	jw_init(&w);
	fn(&w);
	bool ok = !w.oom && w.p && !strcmp(w.p, want);
	if (!ok)
		printf("  got: %s\n  want: %s\n", w.p ? w.p : "(null)", want);
	jw_free(&w);
	return ok;
}

static void w_struct(struct jw *w)
{
	jw_obj(w);
	jw_key(w, "a");
	jw_int(w, 1);
	jw_key(w, "b");
	jw_arr(w);
	jw_str(w, "x", 1);
	jw_obj(w);
	jw_end(w);
	jw_arr(w);
	jw_end(w);
	jw_null(w);
	jw_bool(w, true);
	jw_end(w);
	jw_key(w, "c");
	jw_cstr(w, NULL);
	jw_end(w);
}

static void w_escapes(struct jw *w)
{
	jw_str(w, "q\"b\\n\n\x01\x7f\xc3\xa9\xff\xe2\x82", 13);
}

static void w_numbers(struct jw *w)
{
	jw_arr(w);
	jw_num(w, 0.1);
	jw_num(w, 1e300 * 1e300);
	jw_num(w, 0.0 / 0.0);
	jw_float(w, 0.1f);
	jw_float(w, -1.5f);
	jw_int(w, -42);
	jw_num(w, 1.0 / 3);
	jw_end(w);
}

static void w_base64(struct jw *w)
{
	jw_arr(w);
	jw_base64(w, "", 0);
	jw_base64(w, "f", 1);
	jw_base64(w, "fo", 2);
	jw_base64(w, "foobar", 6);
	jw_end(w);
}

static void test_writer(void)
{
	check(wrote(w_struct, "{\"a\":1,\"b\":[\"x\",{},[],null,true],\"c\":null}"),
	      "jw: structure and commas");
	check(wrote(w_escapes, "\"q\\\"b\\\\n\\n\\u0001\\u007f\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
	      "jw: escapes; invalid and cut UTF-8 become U+FFFD");
	check(wrote(w_numbers, "[0.1,null,null,0.1,-1.5,-42,0.3333333333333333]"),
	      "jw: shortest round-trip numbers, non-finite as null");
	check(wrote(w_base64, "[\"\",\"Zg==\",\"Zm8=\",\"Zm9vYmFy\"]"), "jw: base64 strings");
	/* what the writer writes, the parser reads back */
	struct jw w;
	jw_init(&w);
	jw_obj(&w);
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		jw_key(&w, k);
		jw_str(&w, "\x01\xf0\x9f\x98\x80\"", 6);
	}
	jw_end(&w);
	struct json_doc d;
	char err[128];
	int rc = json_parse(&d, w.p, w.n, err, sizeof err);
	const struct json *v = rc ? NULL : json_get(&d, json_root(&d), "k299");
	check(rc == 0 && json_root(&d)->n == 300 && v && v->n == 6 &&
	      !memcmp(v->str, "\x01\xf0\x9f\x98\x80\"", 6), "jw -> json_parse round trip");
	json_free(&d);
	jw_free(&w);
}

static void test_utf8(void)
{
	const unsigned char *u = (const unsigned char *)"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	check(utf8_seq(u, 2) == 2 && utf8_seq(u + 2, 3) == 3 && utf8_seq(u + 5, 4) == 4,
	      "utf8_seq: 2, 3, 4-byte sequences");
	check(utf8_seq(u, 1) == 0 && utf8_seq(u + 5, 3) == 0, "utf8_seq: cut sequences are incomplete");
	check(utf8_seq((const unsigned char *)"\xc0\x80", 2) < 0 &&
	      utf8_seq((const unsigned char *)"\xed\xa0\x80", 3) < 0 &&
	      utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4) < 0 &&
	      utf8_seq((const unsigned char *)"\x80", 1) < 0,
	      "utf8_seq: overlong, surrogate, too large, stray continuation are invalid");
}

int main(void)
{
	test_valid();
	test_invalid();
	test_depth();
	test_strings();
	test_writer();
	test_utf8();
	return n_fail ? 1 : 0;
}

/* The HTTP/1.1 request parser (net/http_parse.h): well-formed heads, the
 * same bytes arriving one at a time, every limit and malformation answered
 * with its status, and chunked bodies decoded in place (whole, byte by
 * byte, malformed, over the limit). */
#include <stdlib.h>
#include <string.h>

#include "net/http_parse.h"
#include "tests/unit/check.h"

static long parse(const char *s, struct http_req *r)
{
	size_t scan = 0;
	return http_parse_head(s, strlen(s), &scan, r);
}

static void test_good(void)
{
	struct http_req r;
	const char *s = "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\n"
			"Content-Length: 12\r\nAuthorization:  Bearer k1  \r\nExpect: 100-Continue\r\n\r\nbody";
	long n = parse(s, &r);
	check(n == (long)(strlen(s) - 4) && r.method == HTTP_POST && r.minor == 1 && r.keep_alive,
	      "http: POST head parsed (length %ld)", n);
	check(!strcmp(r.target, "/v1/chat/completions?x=1") && http_path_is(&r, "/v1/chat/completions") &&
	      !http_path_is(&r, "/v1/chat"), "http: target and path without the query");
	check(r.content_length == 12 && !r.chunked && r.expect_continue, "http: Content-Length, Expect");
	check(r.has_auth && !strcmp(r.auth, "Bearer k1"), "http: Authorization value trimmed");
	check(parse("GET / HTTP/1.0\n\n", &r) == 16 && r.method == HTTP_GET && !r.keep_alive,
	      "http: bare LF lines; HTTP/1.0 closes by default");
	check(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r) > 0 && r.keep_alive,
	      "http: HTTP/1.0 keep-alive");
	check(parse("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", &r) > 0 && !r.keep_alive,
	      "http: Connection: close in a list");
	check(parse("PATCH /x HTTP/1.1\r\n\r\n", &r) > 0 && r.method == HTTP_OTHER, "http: other methods");
	check(parse("GET / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &r) > 0 && r.chunked,
	      "http: chunked");
	check(parse("GET / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", &r) > 0,
	      "http: repeated equal Content-Length");
	/* incomplete heads */
	check(parse("GET / HTTP/1.1\r\nHost: a\r\n", &r) == 0 && parse("GET / HTTP/1.1\r\n\r", &r) == 0 &&
	      parse("", &r) == 0, "http: incomplete heads need more");
	/* byte by byte: the same result, linear scanning */
	const char *t = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t scan = 0;
	long rc = 0;
	size_t i;
	for (i = 1; i <= strlen(t) && rc == 0; i++)
		rc = http_parse_head(t, i, &scan, &r);
	check(rc == (long)strlen(t) && i - 1 == strlen(t) && http_path_is(&r, "/health"),
	      "http: a head arriving byte by byte");
}

static void test_bad(void)
{
	static const struct { const char *req; long want; } bad[] = {
		{ "GET\r\n\r\n", -400 },
		{ "GET /\r\n\r\n", -400 },
		{ " GET / HTTP/1.1\r\n\r\n", -400 },
		{ "GET  / HTTP/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1 \r\n\r\n", -400 },
		{ "GET / http/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/2.0\r\n\r\n", -505 },
		{ "GET / HTTP/0.9\r\n\r\n", -505 },
		{ "GET /a\x01 HTTP/1.1\r\n\r\n", -400 },
		{ "G(T / HTTP/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\n: x\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nNoColon\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", -413 },
		{ "POST / HTTP/1.1\r\nContent-Length: 4194305\r\n\r\n", -413 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -501 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", -400 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
		{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
	};
	int ok = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct http_req r;
		long rc = parse(bad[i].req, &r);
		if (rc == bad[i].want)
			ok++;
		else
			printf("  %ld, want %ld: %s\n", rc, bad[i].want, bad[i].req);
	}
	check(ok == (int)(sizeof bad / sizeof *bad), "http: %d malformed heads refused with their status", ok);

	struct http_req r;
	char *big = malloc(HTTP_MAX_HEAD * 2 + 64);
	strcpy(big, "GET /");
	memset(big + 5, 'a', HTTP_MAX_TARGET + 1);
	strcpy(big + 5 + HTTP_MAX_TARGET + 1, " HTTP/1.1\r\n\r\n");
	check(parse(big, &r) == -414, "http: target over %d bytes: 414", HTTP_MAX_TARGET);
	strcpy(big, "GET / HTTP/1.1\r\nX: ");
	memset(big + 19, 'a', HTTP_MAX_HEAD);
	big[19 + HTTP_MAX_HEAD] = 0;
	check(parse(big, &r) == -431, "http: head without end over %d bytes: 431", HTTP_MAX_HEAD);
	strcpy(big + 19 + HTTP_MAX_HEAD, "\r\n\r\n");
	check(parse(big, &r) == -431, "http: complete head over %d bytes: 431", HTTP_MAX_HEAD);
	char *p = big + sprintf(big, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		p += sprintf(p, "X%d: y\r\n", i);
	strcpy(p, "\r\n");
	check(parse(big, &r) == -431, "http: %d headers: 431", HTTP_MAX_HEADERS + 1);
	memset(big, 'A', 300);
	big[300] = 0;
	check(parse(big, &r) == 0, "http: no newline yet: more needed");
	free(big);
}

/* Decode enc (length n) whole or byte by byte; returns the status. */
static int dechunk(const char *enc, size_t n, bool bytewise, size_t max, char *out, size_t *out_n,
		   size_t *used)
{
	char *buf = malloc(n + 1);
	struct http_chunked c;
	memset(&c, 0, sizeof c);
	int rc = 0;
	size_t have = bytewise ? 0 : n;
	if (!bytewise)
		memcpy(buf, enc, n);
	while (rc == 0) {
		if (bytewise) {
			if (have == n)
				break;
			buf[have] = enc[have];
			have++;
		}
		rc = http_dechunk(&c, buf, have, max);
		if (!bytewise)
			break;
	}
	memcpy(out, buf, c.out);
	*out_n = c.out;
	*used = c.in;
	free(buf);
	return rc;
}

static void test_chunked(void)
{
	const char enc[] = "5\r\nhello\r\n1;ext=1\r\n \r\n0A\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	size_t n = sizeof enc - 1 - 4, on, used;
	char out[64];
	for (int bw = 0; bw < 2; bw++) {
		int rc = dechunk(enc, n + 4, bw, 1 << 20, out, &on, &used);
		check(rc == 1 && on == 16 && !memcmp(out, "hello 0123456789", 16) && used == n,
		      "chunked: decoded %s (ext and trailer ignored, stops before the next request)",
		      bw ? "byte by byte" : "whole");
	}
	check(dechunk("3\nabc\n0\n\n", 9, false, 64, out, &on, &used) == 1 && on == 3,
	      "chunked: bare LF lines");
	check(dechunk("5\r\nhel", 6, false, 64, out, &on, &used) == 0, "chunked: partial needs more");
	static const char *bad[] = { "x\r\n", "\r\n", "5\r\nhelloX\r\n", "5\r\nhello\r\r", ";\r\n",
				     "0\r\nT: x\r\n\rX", "5\r\nhello\r\n0\r\n\rZ" };
	int ok = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok += dechunk(bad[i], strlen(bad[i]), false, 64, out, &on, &used) == -400;
	check(ok == (int)(sizeof bad / sizeof *bad), "chunked: %d malformed bodies: 400", ok);
	check(dechunk("41\r\n", 4, false, 64, out, &on, &used) == -413, "chunked: chunk over the limit: 413");
	check(dechunk("ffffffffffffffffffffffff\r\n", 26, false, 64, out, &on, &used) == -413,
	      "chunked: huge size: 413 without overflow");
	char *line = malloc(400);
	memset(line, '0', 399);
	line[399] = 0;
	check(dechunk(line, 399, false, 64, out, &on, &used) == -400, "chunked: endless size line: 400");
	free(line);
}

int main(void)
{
	test_good();
	test_bad();
	test_chunked();
	return n_fail ? 1 : 0;
}

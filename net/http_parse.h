/*
 * HTTP/1.1 request parsing (RFC 9112), for the server in net/server.c.
 * Works on a buffer that holds the start of the connection's input; call
 * again when more bytes arrive. Never reads past n, whatever the bytes.
 *
 * Limits (each answered with its status code):
 *   request line + headers   HTTP_MAX_HEAD bytes          431
 *   headers                  HTTP_MAX_HEADERS             431
 *   target (path + query)    HTTP_MAX_TARGET bytes        414
 *   body                     HTTP_MAX_BODY bytes          413
 * Bodies come with Content-Length or Transfer-Encoding: chunked (decoded
 * in place; trailers ignored). A request with both, a bad length, an
 * unknown transfer coding (501), or a version other than HTTP/1.0 and 1.1
 * (505) is refused. Keep-alive follows the version and "Connection".
 */
#ifndef NET_HTTP_PARSE_H
#define NET_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD (16 * 1024)
#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_TARGET 2048
#define HTTP_MAX_BODY (4 * 1024 * 1024)
#define HTTP_MAX_AUTH 256 /* longer Authorization values are cut (and so never match) */

enum http_method { HTTP_OTHER, HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OPTIONS };

struct http_req {
	enum http_method method;
	char target[HTTP_MAX_TARGET + 1]; /* as sent, NUL-terminated */
	int minor;                /* HTTP/1.minor */
	bool keep_alive;
	bool chunked;             /* Transfer-Encoding: chunked */
	bool expect_continue;     /* Expect: 100-continue */
	size_t content_length;    /* without chunked */
	size_t head_len;          /* bytes of request line + headers + blank line */
	char auth[HTTP_MAX_AUTH + 1]; /* the Authorization value, NUL-terminated */
	bool has_auth;
};

/* Parse the head at buf[0..n). *scan is where the search for its end
 * resumes (0 for a new request; updated, so that a head arriving byte by
 * byte costs linear time). Returns 0 when the head is not complete yet,
 * its length (> 0) when it is (r filled in), or minus an HTTP status
 * (-400, -414, -431, -501, -505) when the request is bad. */
long http_parse_head(const char *buf, size_t n, size_t *scan, struct http_req *r);

/* Decoding a chunked body in place, resumable: buf[0..n) is the body so
 * far (after the head); call again with the same state when more arrived
 * (buf may have moved, its first `in` bytes must be as left). The decoded
 * data goes to buf[0..out). */
struct http_chunked {
	int state;
	size_t left;   /* data bytes still to come in the current chunk */
	size_t in;     /* encoded bytes consumed */
	size_t out;    /* decoded bytes */
	size_t line;   /* bytes of the current size or trailer line */
	size_t trail;  /* bytes of trailers */
};

/* Returns 1 when the body is complete (in: its encoded length, out: the
 * decoded length), 0 when more is needed, or -400 (malformed) / -413
 * (decoded data over max). */
int http_dechunk(struct http_chunked *c, char *buf, size_t n, size_t max);

/* The path of a target without its query ("/v1/models?x" -> "/v1/models"):
 * compares path with want. */
bool http_path_is(const struct http_req *r, const char *want);

#endif

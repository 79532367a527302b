/* http_parse: the request line and headers, and chunked bodies. */
#include "net/http_parse.h"

#include <string.h>

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive comparison of s[0..n) with the lower-case word w. */
static bool word_is(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* The next line of buf[*at..end): its bytes without CRLF or LF. */
static bool next_line(const char *buf, size_t end, size_t *at, const char **line, size_t *len)
{
	size_t i = *at;
	const char *nl = memchr(buf + i, '\n', end - i);
	if (!nl)
		return false;
	size_t e = (size_t)(nl - buf);
	*line = buf + i;
	*len = e - i;
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	*at = e + 1;
	return true;
}

static long request_line(const char *s, size_t n, struct http_req *r)
{
	static const struct { const char *name; enum http_method m; } methods[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
		{ "OPTIONS", HTTP_OPTIONS },
	};
	size_t i = 0;
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ')
		return -400;
	r->method = HTTP_OTHER;
	for (size_t k = 0; k < sizeof methods / sizeof *methods; k++)
		if (strlen(methods[k].name) == i && !memcmp(s, methods[k].name, i))
			r->method = methods[k].m;
	size_t t0 = ++i;
	while (i < n && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f)
		i++;
	size_t tn = i - t0;
	if (tn == 0 || i >= n || s[i] != ' ')
		return -400;
	if (tn > HTTP_MAX_TARGET)
		return -414;
	memcpy(r->target, s + t0, tn);
	r->target[tn] = 0;
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/", 5) || s[i + 6] != '.' ||
	    s[i + 5] < '0' || s[i + 5] > '9' || s[i + 7] < '0' || s[i + 7] > '9')
		return -400;
	if (s[i + 5] != '1')
		return -505;
	r->minor = s[i + 7] - '0';
	if (r->minor > 1)
		r->minor = 1; /* HTTP/1.2+ would be answered as 1.1 (RFC 9110 2.5) */
	r->keep_alive = r->minor >= 1;
	return 0;
}

/* Content-Length: one decimal number (repeated copies must agree). */
static long content_length(const char *v, size_t n, struct http_req *r, bool *seen)
{
	size_t len = 0;
	if (n == 0)
		return -400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		if (len > (HTTP_MAX_BODY + (size_t)10) / 10)
			return -413;
		len = len * 10 + (size_t)(v[i] - '0');
	}
	if (*seen && len != r->content_length)
		return -400;
	*seen = true;
	r->content_length = len;
	return len > HTTP_MAX_BODY ? -413 : 0;
}

/* Connection: a comma-separated list of options. */
static void connection(const char *v, size_t n, struct http_req *r)
{
	while (n) {
		const char *c = memchr(v, ',', n);
		size_t k = c ? (size_t)(c - v) : n;
		const char *w = v;
		size_t wn = k;
		trim(&w, &wn);
		if (word_is(w, wn, "close"))
			r->keep_alive = false;
		else if (word_is(w, wn, "keep-alive") && r->minor == 0)
			r->keep_alive = true;
		v += k + (c != NULL);
		n -= k + (c != NULL);
	}
}

static long header(const char *s, size_t n, struct http_req *r, bool *seen_cl, bool *seen_te)
{
	size_t i = 0;
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return -400; /* no name, whitespace before ':', or an obs-fold line */
	const char *v = s + i + 1;
	size_t vn = n - i - 1;
	trim(&v, &vn);
	for (size_t k = 0; k < vn; k++)
		if (((unsigned char)v[k] < ' ' && v[k] != '\t') || v[k] == 0x7f)
			return -400;
	if (word_is(s, i, "content-length"))
		return content_length(v, vn, r, seen_cl);
	if (word_is(s, i, "transfer-encoding")) {
		if (*seen_te || r->minor == 0)
			return -400;
		*seen_te = true;
		if (!word_is(v, vn, "chunked"))
			return -501;
		r->chunked = true;
	} else if (word_is(s, i, "connection")) {
		connection(v, vn, r);
	} else if (word_is(s, i, "expect")) {
		r->expect_continue = word_is(v, vn, "100-continue");
	} else if (word_is(s, i, "authorization")) {
		size_t k = vn < HTTP_MAX_AUTH ? vn : HTTP_MAX_AUTH;
		memcpy(r->auth, v, k);
		r->auth[k] = 0;
		r->has_auth = true;
	}
	return 0;
}

/* Where the head ends (just past its blank line) in buf[0..n), or 0. */
static size_t head_end(const char *buf, size_t n, size_t *scan)
{
	size_t i = *scan;
	for (; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < n && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
		if (i + 2 >= n)
			break; /* the blank line may still come: look here again */
	}
	*scan = i;
	return 0;
}

long http_parse_head(const char *buf, size_t n, size_t *scan, struct http_req *r)
{
	size_t end = head_end(buf, n, scan);
	if (end == 0)
		return n > HTTP_MAX_HEAD ? -431 : 0;
	if (end > HTTP_MAX_HEAD)
		return -431;
	memset(r, 0, sizeof *r);
	const char *line;
	size_t len, at = 0;
	next_line(buf, end, &at, &line, &len);
	long rc = request_line(line, len, r);
	if (rc)
		return rc;
	bool seen_cl = false, seen_te = false;
	int nh = 0;
	while (next_line(buf, end, &at, &line, &len) && len) {
		if (++nh > HTTP_MAX_HEADERS)
			return -431;
		if ((rc = header(line, len, r, &seen_cl, &seen_te)))
			return rc;
	}
	if (seen_cl && seen_te)
		return -400; /* both: a smuggling attempt (RFC 9112 6.1) */
	r->head_len = end;
	return (long)end;
}

bool http_path_is(const struct http_req *r, const char *want)
{
	size_t n = strcspn(r->target, "?#");
	return strlen(want) == n && !memcmp(r->target, want, n);
}

/* ---- chunked bodies ------------------------------------------------------ */

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAIL, CH_TRAIL_LINE,
       CH_END_LF, CH_DONE };

#define CH_MAX_LINE 256 /* a chunk-size line with its extensions */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)lower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_dechunk(struct http_chunked *c, char *buf, size_t n, size_t max)
{
	while (c->in < n && c->state != CH_DONE) {
		char ch = buf[c->in];
		switch (c->state) {
		case CH_DATA: {
			size_t k = n - c->in < c->left ? n - c->in : c->left;
			memmove(buf + c->out, buf + c->in, k);
			c->in += k;
			c->out += k;
			c->left -= k;
			if (!c->left)
				c->state = CH_DATA_CR;
			continue;
		}
		case CH_SIZE:
		case CH_EXT:
			if (++c->line > CH_MAX_LINE)
				return -400;
			if (ch == '\r' || ch == '\n') {
				if (c->line == 1)
					return -400; /* no size */
				c->state = ch == '\r' ? CH_SIZE_LF : CH_DATA;
				if (ch == '\n')
					goto size_done;
			} else if (c->state == CH_EXT) {
				/* extensions are ignored */
			} else if (ch == ';' || ch == ' ' || ch == '\t') {
				if (c->line == 1)
					return -400;
				c->state = CH_EXT;
			} else {
				int h = hexval(ch);
				if (h < 0)
					return -400;
				if (c->left > (max - c->out) / 16 + 1)
					return -413;
				c->left = c->left * 16 + (size_t)h;
			}
			break;
		case CH_SIZE_LF:
			if (ch != '\n')
				return -400;
		size_done:
			c->line = 0;
			if (c->left > max - c->out)
				return -413;
			c->state = c->left ? CH_DATA : CH_TRAIL;
			break;
		case CH_DATA_CR:
			if (ch == '\n') {
				c->state = CH_SIZE;
				break;
			}
			if (ch != '\r')
				return -400;
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (ch != '\n')
				return -400;
			c->state = CH_SIZE;
			break;
		case CH_TRAIL: /* at the start of a trailer line, or the end */
			if (ch == '\n')
				c->state = CH_DONE;
			else
				c->state = ch == '\r' ? CH_END_LF : CH_TRAIL_LINE;
			break;
		case CH_END_LF:
			if (ch != '\n')
				return -400;
			c->state = CH_DONE;
			break;
		case CH_TRAIL_LINE:
			if (ch == '\n')
				c->state = CH_TRAIL;
			break;
		}
		c->in++;
		if (c->state == CH_TRAIL_LINE && ++c->trail > HTTP_MAX_HEAD)
			return -400;
	}
	return c->state == CH_DONE;
}

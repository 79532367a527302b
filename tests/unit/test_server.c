/* The HTTP server (net/http.h) over a mock transport with a fake clock, on
 * a real model: every endpoint, keep-alive and pipelining, bytes arriving
 * one at a time, 100-continue, chunked bodies, the API key, hostile
 * requests (each a 4xx, the server still answers afterwards), the
 * connection and queue limits (503 + Retry-After), the timeouts, a client
 * leaving mid-generation (the generation stops), other clients answered
 * between tokens, a transport that takes a few bytes at a time, streaming,
 * and temperature-0 text equal to generate_text's.
 * Usage: test_server MODEL.gguf (SKIP without one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/generate.h"
#include "ai/gguf.h"
#include "ai/model.h"
#include "net/http.h"
#include "net/json.h"
#include "tests/unit/check.h"

/* ---- the mock transport ------------------------------------------------------- */

struct mock {
	char *out;
	size_t n, cap;
	bool closed;
	bool limited;     /* writes take at most budget bytes in all */
	size_t budget;
	bool full;        /* the send buffer is full: writes take nothing */
};

static size_t m_write(void *c, const void *b, size_t n)
{
	struct mock *m = c;
	if (m->full || m->closed)
		return 0;
	if (m->limited) {
		n = n < m->budget ? n : m->budget;
		m->budget -= n;
		if (!n)
			return 0;
	}
	if (m->n + n > m->cap) {
		m->cap = (m->n + n) * 2;
		m->out = realloc(m->out, m->cap + 1);
	}
	memcpy(m->out + m->n, b, n);
	m->n += n;
	m->out[m->n] = 0;
	return n;
}

static void m_flush(void *c) { (void)c; }
static void m_close(void *c) { ((struct mock *)c)->closed = true; }
static const struct conn_ops ops = { m_write, m_flush, m_close };

static void m_reset(struct mock *m)
{
	free(m->out);
	memset(m, 0, sizeof *m);
}

/* The fake clock: a millisecond passes at every reading (so that the
 * server's pacing of pump and output moves on), more when a test says. */
static uint64_t clock_ns = 1000000000;
static uint64_t now(void *u) { (void)u; return clock_ns += 1000000; }

static struct http_server *srv;
static int pump_calls;
static void (*hook)(int call);
static void pump(void *u)
{
	(void)u;
	pump_calls++;
	if (hook)
		hook(pump_calls);
}

/* ---- reading responses ----------------------------------------------------------- */

struct resp {
	int status;
	char head[2048];
	char body[65536];
	size_t body_n;
	bool chunked;
};

/* The response at out[*off]: true and *off past it when it is complete. */
static bool next_resp(const struct mock *m, size_t *off, struct resp *r)
{
	const char *p = m->out ? m->out + *off : "";
	size_t n = m->n - *off;
	const char *e = n ? strstr(p, "\r\n\r\n") : NULL;
	memset(r, 0, sizeof *r);
	if (!e || sscanf(p, "HTTP/1.1 %d", &r->status) != 1)
		return false;
	size_t hl = (size_t)(e - p) + 4;
	memcpy(r->head, p, hl < sizeof r->head ? hl : sizeof r->head - 1);
	const char *cl = strstr(r->head, "Content-Length: ");
	if (r->status == 100) {
		*off += hl;
		return true;
	}
	if (cl) {
		size_t len = strtoul(cl + 16, NULL, 10);
		if (n - hl < len || len >= sizeof r->body)
			return false;
		memcpy(r->body, p + hl, len);
		r->body_n = len;
		*off += hl + len;
		return true;
	}
	if (!strstr(r->head, "Transfer-Encoding: chunked"))
		return false;
	r->chunked = true;
	size_t at = hl;
	for (;;) {
		char *end;
		size_t len = strtoul(p + at, &end, 16);
		const char *crlf = strstr(p + at, "\r\n");
		if (!crlf || (size_t)(crlf - p) >= n)
			return false;
		at = (size_t)(crlf - p) + 2;
		if (len == 0) {
			if (n - at < 2)
				return false;
			*off += at + 2;
			return true;
		}
		if (n - at < len + 2 || r->body_n + len >= sizeof r->body)
			return false;
		memcpy(r->body + r->body_n, p + at, len);
		r->body_n += len;
		at += len + 2;
	}
}

static struct resp R; /* the last response read */

/* Send text on conn h (mock m), run the queue, read one response. */
static int request(struct http_conn *h, struct mock *m, const char *text)
{
	size_t off = m->n;
	http_recv(srv, h, text, strlen(text));
	http_poll(srv);
	return next_resp(m, &off, &R) ? R.status : -1;
}

/* A JSON string field of the body (first occurrence of "key":"...") into out. */
static bool body_str(const char *body, const char *path1, const char *path2, char *out, size_t cap)
{
	struct json_doc d;
	char err[128];
	bool ok = false;
	if (json_parse(&d, body, strlen(body), err, sizeof err) == 0) {
		const struct json *v = json_get(&d, json_root(&d), path1);
		if (v && v->type == JSON_ARRAY)
			v = json_first(&d, v);
		if (v && path2)
			v = json_get(&d, v, path2);
		if (v && v->type == JSON_OBJECT)
			v = json_get(&d, v, "content");
		if (v && v->type == JSON_STRING && (size_t)v->n < cap) {
			memcpy(out, v->str, (size_t)v->n + 1);
			ok = true;
		}
	}
	json_free(&d);
	return ok;
}

static char *post(const char *path, const char *json, const char *extra)
{
	static char buf[8192];
	snprintf(buf, sizeof buf, "POST %s HTTP/1.1\r\nHost: t\r\n%sContent-Length: %zu\r\n\r\n%s", path,
		 extra ? extra : "", strlen(json), json);
	return buf;
}

/* ---- the tests ------------------------------------------------------------------------ */

static struct http_engine eng;

static struct http_server *server(const char *key, int max_conns, int max_queue)
{
	struct http_config c = { 0 };
	char err[128];
	c.api_key = key;
	c.max_conns = max_conns;
	c.max_queue = max_queue;
	c.now_ns = now;
	c.pump = pump;
	return http_server_new(&eng, &c, err, sizeof err);
}

static void test_basics(void)
{
	struct mock m = { 0 };
	srv = server(NULL, 0, 0);
	struct http_conn *h = http_accept(srv, &ops, &m);
	check(request(h, &m, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n") == 200 &&
	      !strcmp(R.body, "{\"status\":\"ok\"}") && strstr(R.head, "keep-alive"), "server: GET /health");
	check(request(h, &m, "GET /v1/models HTTP/1.1\r\n\r\n") == 200 && strstr(R.body, "\"object\":\"list\"") &&
	      strstr(R.body, eng.model_id), "server: GET /v1/models on the same connection");
	check(request(h, &m, "GET /v1/models/nope HTTP/1.1\r\n\r\n") == 404, "server: unknown model 404");
	check(request(h, &m, "GET / HTTP/1.1\r\n\r\n") == 200 && strstr(R.head, "text/html") &&
	      strstr(R.body, "/v1/chat/completions"), "server: GET / is the chat page");
	size_t at = m.n;
	http_recv(srv, h, "HEAD / HTTP/1.1\r\n\r\n", 19);
	check(!strncmp(m.out + at, "HTTP/1.1 200", 12) && strstr(m.out + at, "Content-Length: ") &&
	      !strcmp(m.out + m.n - 4, "\r\n\r\n"), "server: HEAD has the length but no body");
	check(request(h, &m, "GET /nope HTTP/1.1\r\n\r\n") == 404 && strstr(R.body, "\"error\""),
	      "server: unknown path 404 with an error body");
	check(request(h, &m, "GET /v1/completions HTTP/1.1\r\n\r\n") == 405, "server: GET on a POST route 405");
	check(request(h, &m, "OPTIONS /v1/models HTTP/1.1\r\n\r\n") == 204 &&
	      strstr(R.head, "Access-Control-Allow-Headers"), "server: CORS preflight 204");

	/* two pipelined requests in one piece, answered in order */
	size_t off = m.n;
	const char two[] = "GET /health HTTP/1.1\r\n\r\nGET /v1/models HTTP/1.1\r\n\r\n";
	http_recv(srv, h, two, sizeof two - 1);
	http_poll(srv);
	struct resp a, b;
	bool ok = next_resp(&m, &off, &a) && next_resp(&m, &off, &b);
	check(ok && a.status == 200 && strstr(a.body, "status") && b.status == 200 && strstr(b.body, "list"),
	      "server: pipelined requests answered in order");

	/* one byte at a time */
	const char *one = post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2,\"temperature\":0}", NULL);
	off = m.n;
	for (size_t i = 0; one[i]; i++)
		http_recv(srv, h, one + i, 1);
	http_poll(srv);
	check(next_resp(&m, &off, &a) && a.status == 200 && strstr(a.body, "text_completion"),
	      "server: a request arriving byte by byte");

	/* Expect: 100-continue, then the body */
	const char *body = "{\"prompt\":\"Hi\",\"max_tokens\":1}";
	char head[256];
	snprintf(head, sizeof head, "POST /v1/completions HTTP/1.1\r\nExpect: 100-continue\r\n"
		 "Content-Length: %zu\r\n\r\n", strlen(body));
	off = m.n;
	http_recv(srv, h, head, strlen(head));
	ok = next_resp(&m, &off, &a) && a.status == 100;
	http_recv(srv, h, body, strlen(body));
	http_poll(srv);
	check(ok && next_resp(&m, &off, &b) && b.status == 200, "server: 100 Continue, then the answer");

	/* a chunked request body */
	check(request(h, &m, "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		      "a\r\n{\"prompt\":\r\n14\r\n\"Hi\",\"max_tokens\":1}\r\n0\r\n\r\n") == 200,
	      "server: chunked request body");
	check(!m.closed, "server: keep-alive held through all of it");

	/* HTTP/1.0: answered, then closed */
	check(request(h, &m, "GET /health HTTP/1.0\r\n\r\n") == 200 && m.closed,
	      "server: HTTP/1.0 request closes after the answer");
	m_reset(&m);
	http_server_free(srv);
}

static void test_hostile(void)
{
	static const struct { const char *req; int status; } cases[] = {
		{ "BLAH\r\n\r\n", 400 },
		{ "GET / HTTP/3.0\r\n\r\n", 505 },
		{ "POST /v1/completions HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413 },
		{ "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: br\r\n\r\n", 501 },
		{ "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
	};
	int ok = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct mock m = { 0 };
		srv = server(NULL, 0, 0);
		struct http_conn *h = http_accept(srv, &ops, &m);
		int st = request(h, &m, cases[i].req);
		if (st == cases[i].status && m.closed && strstr(R.body, "\"error\""))
			ok++;
		else
			printf("  got %d (closed %d) for %s\n", st, m.closed, cases[i].req);
		m_reset(&m);
		http_server_free(srv);
	}
	check(ok == (int)(sizeof cases / sizeof *cases), "server: %d malformed requests: status, then closed", ok);

	static const struct { const char *path, *json; const char *param; } bodies[] = {
		{ "/v1/completions", "", NULL },
		{ "/v1/completions", "{\"prompt\":", NULL },
		{ "/v1/completions", "[1,2]", NULL },
		{ "/v1/completions", "{}", "prompt" },
		{ "/v1/completions", "{\"prompt\":[\"a\",\"b\"]}", "prompt" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"temperature\":\"hot\"}", "temperature" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"temperature\":-1}", "temperature" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1.5}", "max_tokens" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"top_k\":true}", "top_k" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"stream\":1}", "stream" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"stop\":[1]}", "stop" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}", "stop" },
		{ "/v1/completions", "{\"prompt\":\"x\",\"n\":2}", "n" },
		{ "/v1/chat/completions", "{}", "messages" },
		{ "/v1/chat/completions", "{\"messages\":[]}", "messages" },
		{ "/v1/chat/completions", "{\"messages\":\"hi\"}", "messages" },
		{ "/v1/chat/completions", "{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "messages" },
		{ "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages" },
		{ "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "messages" },
		{ "/v1/embeddings", "{}", "input" },
		{ "/v1/embeddings", "{\"input\":[1]}", "input" },
		{ "/v1/embeddings", "{\"input\":\"x\",\"encoding_format\":\"hex\"}", "encoding_format" },
	};
	struct mock m = { 0 };
	srv = server(NULL, 0, 0);
	struct http_conn *h = http_accept(srv, &ops, &m);
	ok = 0;
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		int st = request(h, &m, post(bodies[i].path, bodies[i].json, NULL));
		char want[64] = "\"param\":null";
		if (bodies[i].param)
			snprintf(want, sizeof want, "\"param\":\"%s\"", bodies[i].param);
		if (st == 400 && strstr(R.body, "invalid_request_error") && strstr(R.body, want))
			ok++;
		else
			printf("  got %d %s for %s\n", st, R.body, bodies[i].json);
	}
	check(ok == (int)(sizeof bodies / sizeof *bodies), "server: %d bad bodies: 400 naming the field", ok);
	check(!m.closed && request(h, &m, "GET /health HTTP/1.1\r\n\r\n") == 200,
	      "server: the connection still answers after them");
	check(request(h, &m, post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"frobnicate\":[{}],"
				  "\"logit_bias\":{},\"user\":\"u\",\"presence_penalty\":0}", NULL)) == 200,
	      "server: unknown fields are ignored");
	/* a prompt longer than the context */
	char *longp = malloc(20000);
	strcpy(longp, "{\"prompt\":\"");
	for (int i = 0; i < 1500; i++)
		strcat(longp, "word ");
	strcat(longp, "\"}");
	check(request(h, &m, post("/v1/completions", longp, NULL)) == 400 &&
	      strstr(R.body, "context_length_exceeded"), "server: prompt longer than the context: 400");
	free(longp);
	/* a body over the limit is refused as it arrives */
	char head[128];
	snprintf(head, sizeof head, "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	size_t off = m.n;
	http_recv(srv, h, head, strlen(head));
	char *junk = malloc(1 << 20);
	memset(junk, 'a', 1 << 20);
	http_recv(srv, h, "1000000\r\n", 9);
	for (int i = 0; i < 6 && !m.closed; i++)
		http_recv(srv, h, junk, 1 << 20);
	free(junk);
	check(next_resp(&m, &off, &R) && R.status == 413 && m.closed, "server: 6 MiB chunked body: 413, closed");
	m_reset(&m);
	http_server_free(srv);
}

static void test_auth(void)
{
	struct mock m = { 0 };
	srv = server("s3cret", 0, 0);
	struct http_conn *h = http_accept(srv, &ops, &m);
	check(request(h, &m, "GET /v1/models HTTP/1.1\r\n\r\n") == 401 && strstr(R.body, "invalid_api_key") &&
	      strstr(R.head, "WWW-Authenticate: Bearer"), "auth: no key 401");
	check(request(h, &m, "GET /v1/models HTTP/1.1\r\nAuthorization: Bearer s3cre\r\n\r\n") == 401,
	      "auth: wrong key 401");
	check(request(h, &m, "GET /v1/models HTTP/1.1\r\nAuthorization: Bearer s3cret!\r\n\r\n") == 401,
	      "auth: longer key 401");
	check(request(h, &m, post("/v1/completions", "{\"prompt\":\"x\"}", NULL)) == 401, "auth: POST without key 401");
	check(request(h, &m, "GET /v1/models HTTP/1.1\r\nAuthorization: bearer s3cret\r\n\r\n") == 200,
	      "auth: right key 200");
	check(request(h, &m, "GET /health HTTP/1.1\r\n\r\n") == 200 && request(h, &m, "GET / HTTP/1.1\r\n\r\n") == 200,
	      "auth: /health and the page are public");
	m_reset(&m);
	http_server_free(srv);
}

static struct http_conn *hc[4];
static struct mock mc[4];

static void hook_leave(int call)
{
	if (call == 3)
		http_closed(srv, hc[0]);
}

static size_t health_len_during;
static void hook_others(int call)
{
	if (call == 2) {
		http_recv(srv, hc[1], "GET /health HTTP/1.1\r\n\r\n", 24);
		health_len_during = mc[1].n;
		const char *p = post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":3}", NULL);
		http_recv(srv, hc[2], p, strlen(p));
	}
}

static void test_limits(void)
{
	memset(mc, 0, sizeof mc);
	srv = server(NULL, 2, 1);
	hc[0] = http_accept(srv, &ops, &mc[0]);
	hc[1] = http_accept(srv, &ops, &mc[1]);
	hc[2] = http_accept(srv, &ops, &mc[2]);
	check(hc[0] && hc[1] && !hc[2] && strstr(mc[2].out, "503") && strstr(mc[2].out, "Retry-After"),
	      "limits: connection over max_conns: 503 with Retry-After");
	const char *p = post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":3}", NULL);
	http_recv(srv, hc[0], p, strlen(p));
	size_t off = mc[1].n;
	http_recv(srv, hc[1], p, strlen(p));
	check(next_resp(&mc[1], &off, &R) && R.status == 503 && strstr(R.head, "Retry-After: 1"),
	      "limits: queue full: 503 with Retry-After");
	off = mc[0].n;
	http_poll(srv);
	check(next_resp(&mc[0], &off, &R) && R.status == 200, "limits: the queued request is answered");
	struct http_stats st;
	http_stats(srv, &st);
	check(st.refused == 2 && st.generations == 1, "limits: stats count 2 refused, 1 generation");
	http_server_free(srv);
	for (int i = 0; i < 3; i++)
		m_reset(&mc[i]);

	/* a client leaving mid-generation stops it; the slot is free again */
	srv = server(NULL, 1, 0);
	hc[0] = http_accept(srv, &ops, &mc[0]);
	p = post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":200,\"temperature\":0.9,\"stream\":true}", NULL);
	http_recv(srv, hc[0], p, strlen(p));
	pump_calls = 0;
	hook = hook_leave;
	http_poll(srv);
	hook = NULL;
	check(pump_calls == 3, "limits: a client leaving stops its generation (%d tokens, asked 200)", pump_calls);
	hc[1] = http_accept(srv, &ops, &mc[1]);
	check(hc[1] && request(hc[1], &mc[1], "GET /health HTTP/1.1\r\n\r\n") == 200,
	      "limits: its slot serves the next client");
	http_server_free(srv);
	m_reset(&mc[0]);
	m_reset(&mc[1]);

	/* other clients between tokens: /health answered at once, a completion queued */
	srv = server(NULL, 0, 1);
	for (int i = 0; i < 3; i++)
		hc[i] = http_accept(srv, &ops, &mc[i]);
	p = post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":6,\"stream\":true,"
		 "\"temperature\":0}", NULL);
	http_recv(srv, hc[0], p, strlen(p));
	pump_calls = 0;
	hook = hook_others;
	http_poll(srv);
	hook = NULL;
	struct resp a;
	off = 0;
	check(health_len_during > 0 && next_resp(&mc[1], &off, &a) && a.status == 200,
	      "limits: /health answered between another request's tokens");
	off = 0;
	check(next_resp(&mc[2], &off, &a) && a.status == 200 && strstr(a.body, "text_completion"),
	      "limits: a completion sent during a generation runs after it");
	http_server_free(srv);
	for (int i = 0; i < 3; i++)
		m_reset(&mc[i]);
}

static void test_timeouts(void)
{
	struct mock m[3] = { 0 };
	srv = server(NULL, 0, 0);
	struct http_conn *slow = http_accept(srv, &ops, &m[0]);
	struct http_conn *idle = http_accept(srv, &ops, &m[1]);
	struct http_conn *stuck = http_accept(srv, &ops, &m[2]);
	http_recv(srv, slow, "GET /health HTTP/1.1\r\nHost:", 27);
	m[2].full = true;
	http_recv(srv, stuck, "GET / HTTP/1.1\r\n\r\n", 18);
	clock_ns += (uint64_t)(HTTP_READ_TIMEOUT_MS + 1) * 1000000;
	http_poll(srv);
	size_t off = 0;
	check(next_resp(&m[0], &off, &R) && R.status == 408 && m[0].closed, "timeouts: slow request: 408, closed");
	check(!m[1].closed && !m[2].closed, "timeouts: idle and stuck connections still open");
	clock_ns += (uint64_t)HTTP_IDLE_TIMEOUT_MS * 1000000;
	http_poll(srv);
	check(m[1].closed, "timeouts: idle keep-alive connection closed");
	check(m[2].closed && m[2].n == 0, "timeouts: a client that does not read is dropped");
	(void)idle;
	http_server_free(srv);
	for (int i = 0; i < 3; i++)
		m_reset(&m[i]);
}

struct ref {
	char text[4096];
	int len;
};

static void ref_token(void *u, int32_t id, const char *piece, int len)
{
	struct ref *r = u;
	(void)id;
	if (r->len + len < (int)sizeof r->text) {
		memcpy(r->text + r->len, piece, (size_t)len);
		r->len += len;
		r->text[r->len] = 0;
	}
}

static void test_generation(void)
{
	const char *prompt = "Once upon a time";
	struct sampler_params sp;
	sampler_defaults(&sp);
	sp.temp = 0;
	struct sampler *s = sampler_new(&sp, forward_model(eng.f)->n_vocab);
	struct ref ref = { "", 0 };
	struct gen_io io = { ref_token, NULL, NULL, &ref };
	struct gen_params gp = { 24, true, false };
	struct gen_stats gs;
	char err[128], text[4096];
	generate_text(eng.f, eng.tk, s, prompt, strlen(prompt), &gp, &io, &gs, err, sizeof err);
	sampler_free(s);
	/* what JSON can carry: invalid UTF-8 (a random model's bytes) as U+FFFD */
	struct jw w;
	jw_init(&w);
	jw_str(&w, ref.text, (size_t)ref.len);
	struct json_doc d;
	if (json_parse(&d, w.p, w.n, err, sizeof err) == 0 && json_root(&d)->n < (int)sizeof ref.text) {
		ref.len = json_root(&d)->n;
		memcpy(ref.text, json_root(&d)->str, (size_t)ref.len + 1);
	}
	json_free(&d);
	jw_free(&w);

	struct mock m = { 0 };
	srv = server(NULL, 0, 0);
	struct http_conn *h = http_accept(srv, &ops, &m);
	const char *req = "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0}";
	char want_n[48];
	snprintf(want_n, sizeof want_n, "\"completion_tokens\":%d,", gs.n_gen);
	check(request(h, &m, post("/v1/completions", req, NULL)) == 200 &&
	      body_str(R.body, "choices", "text", text, sizeof text) && !strcmp(text, ref.text) &&
	      strstr(R.body, want_n),
	      "generation: temperature-0 completion equals generate_text (%d tokens)", gs.n_gen);
	/* again: most of the prompt comes from the cache, same text */
	check(request(h, &m, post("/v1/completions", req, NULL)) == 200 &&
	      body_str(R.body, "choices", "text", text, sizeof text) && !strcmp(text, ref.text) &&
	      strstr(R.body, "\"prompt_n\":1,"), "generation: the same again from the kept cache");

	/* streamed: the same text in SSE events, ending with [DONE] */
	const char *sreq = "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0,"
			   "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
	int st = request(h, &m, post("/v1/completions", sreq, NULL));
	char joined[4096] = "";
	int events = 0;
	bool done = false, usage = false;
	for (char *ev = R.body; ev && *ev;) {
		char *end = strstr(ev, "\n\n");
		if (!end || strncmp(ev, "data: ", 6))
			break;
		*end = 0;
		if (!strcmp(ev + 6, "[DONE]")) {
			done = !end[2];
		} else if (body_str(ev + 6, "choices", "text", text, sizeof text)) {
			strcat(joined, text);
			events++;
		} else if (strstr(ev, "\"choices\":[]") && strstr(ev, "\"usage\"")) {
			usage = true;
		}
		ev = end + 2;
	}
	check(st == 200 && R.chunked && strstr(R.head, "text/event-stream") && events > 2 &&
	      !strcmp(joined, ref.text) && done && usage,
	      "generation: streamed as %d events, same text, usage chunk, then [DONE]", events);

	/* a stop string (3 plain ASCII bytes of the reply) cuts the text before it */
	int at = -1;
	for (int i = 1; i + 3 <= ref.len && at < 0; i++)
		if (ref.text[i] > ' ' && ref.text[i + 1] > ' ' && ref.text[i + 2] > ' ' && ref.text[i] < 127 &&
		    ref.text[i + 1] < 127 && ref.text[i + 2] < 127 && !strchr("\"\\", ref.text[i]) &&
		    !strchr("\"\\", ref.text[i + 1]) && !strchr("\"\\", ref.text[i + 2]))
			at = i;
	if (at < 0) {
		printf("SKIP: generation: stop strings (no plain ASCII in the reply)\n");
	} else {
		char stop[4] = { ref.text[at], ref.text[at + 1], ref.text[at + 2], 0 }, sbody[256];
		int first = (int)(strstr(ref.text, stop) - ref.text);
		snprintf(sbody, sizeof sbody, "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,"
			 "\"temperature\":0,\"stop\":[\"zzzz\",\"%s\"]}", stop);
		check(request(h, &m, post("/v1/completions", sbody, NULL)) == 200 &&
		      body_str(R.body, "choices", "text", text, sizeof text) && (int)strlen(text) == first &&
		      !strncmp(text, ref.text, (size_t)first) && strstr(R.body, "\"finish_reason\":\"stop\""),
		      "generation: stop string '%s' ends the text before it (finish_reason stop)", stop);
	}

	/* chat and embeddings */
	check(request(h, &m, post("/v1/chat/completions", "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
				  "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],"
				  "\"max_tokens\":4}", NULL)) == 200 &&
	      strstr(R.body, "\"chat.completion\"") && strstr(R.body, "\"role\":\"assistant\""),
	      "generation: chat completion");
	check(request(h, &m, post("/v1/embeddings", "{\"input\":[\"Hello\",\"world\"]}", NULL)) == 200,
	      "generation: embeddings of two inputs");
	struct json_doc d2;
	int ok = json_parse(&d2, R.body, R.body_n, err, sizeof err) == 0;
	const struct json *data = ok ? json_get(&d2, json_root(&d2), "data") : NULL;
	int n_vec = 0, E = forward_model(eng.f)->n_embd;
	for (const struct json *e = json_first(&d2, data); e; e = json_next(&d2, e)) {
		const struct json *v = json_get(&d2, e, "embedding");
		double norm = 0;
		for (const struct json *x = json_first(&d2, v); x; x = json_next(&d2, x))
			norm += x->num * x->num;
		n_vec += v && v->n == E && norm > 0.999 && norm < 1.001;
	}
	check(n_vec == 2, "generation: two unit-length embeddings of n_embd %d", E);
	json_free(&d2);
	check(request(h, &m, post("/v1/embeddings", "{\"input\":\"Hello\",\"encoding_format\":\"base64\"}", NULL)) == 200 &&
	      strstr(R.body, "\"embedding\":\"") && strstr(R.body, "\"usage\""), "generation: base64 embeddings");

	/* a transport taking 7 bytes per poll still gets the whole answer */
	m.limited = true;
	m.budget = 7;
	check(request(h, &m, post("/v1/completions", req, NULL)) == -1, "generation: a slow transport leaves output pending");
	for (int i = 0; i < 5000 && strcmp(m.out + m.n - 2, "}}"); i++) {
		m.budget = 7;
		http_poll(srv);
	}
	size_t off = 0, last = 0;
	static struct resp tmp;
	while (next_resp(&m, &off, &tmp)) {
		last = off;
		R = tmp;
	}
	check(last == m.n && R.status == 200 && body_str(R.body, "choices", "text", text, sizeof text) &&
	      !strcmp(text, ref.text), "generation: ... and it all arrives by later polls");
	m.limited = false;
	m_reset(&m);
	http_server_free(srv);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

int main(int argc, char **argv)
{
	char err[256];
	size_t len;
	char *buf = argc > 1 ? read_file(argv[1], &len) : NULL;
	struct gguf g;
	struct model m;
	if (!buf) {
		printf("SKIP: server tests (no model: test_server MODEL.gguf)\n");
		return 0;
	}
	if (gguf_open(&g, buf, len, err, sizeof err) || model_load(&m, &g, err, sizeof err) ||
	    !(eng.tk = tokenizer_load(&g, err, sizeof err)) || !(eng.f = forward_new(&m, 256, 16, err, sizeof err))) {
		printf("FAIL: server tests: load %s: %s\n", argv[1], err);
		return 1;
	}
	eng.chat = chat_detect(&g);
	eng.model_id = "test-model";
	test_basics();
	test_hostile();
	test_auth();
	test_limits();
	test_timeouts();
	test_generation();
	forward_free(eng.f);
	tokenizer_free((struct tokenizer *)eng.tk);
	model_free(&m);
	gguf_close(&g);
	free(buf);
	return n_fail ? 1 : 0;
}

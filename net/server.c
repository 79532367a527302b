/* server: connections, their input and output buffers, the job queue and
 * the timeouts. What a request means is api.c's business. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_impl.h"
#include "net/json.h"

#define MS 1000000ull
#define IN_MAX (HTTP_MAX_HEAD + HTTP_MAX_BODY + 65536) /* a request and some pipelined bytes */

uint64_t srv_now(const struct http_server *s)
{
	return s->cfg.now_ns(s->cfg.user);
}

void srv_log(struct http_server *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.user, line);
}

struct http_server *http_server_new(const struct http_engine *e, const struct http_config *c,
				    char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		goto oom;
	if (!c->now_ns || !e->f || !e->tk) {
		snprintf(err, errlen, "http_server_new: no clock, model or tokenizer");
		free(s);
		return NULL;
	}
	s->e = *e;
	s->cfg = *c;
	if (s->cfg.max_conns <= 0)
		s->cfg.max_conns = HTTP_MAX_CONNS;
	if (s->cfg.max_queue <= 0)
		s->cfg.max_queue = HTTP_MAX_QUEUE;
	s->model_id = strdup(e->model_id && *e->model_id ? e->model_id : "model");
	s->api_key = c->api_key && *c->api_key ? strdup(c->api_key) : NULL;
	s->system = e->system && *e->system ? strdup(e->system) : NULL;
	s->conns = calloc((size_t)s->cfg.max_conns, sizeof *s->conns);
	s->queue = calloc((size_t)s->cfg.max_queue, sizeof *s->queue);
	s->kv_toks = malloc((size_t)forward_n_ctx(e->f) * sizeof *s->kv_toks);
	struct sampler_params sp;
	sampler_defaults(&sp);
	s->sampler = sampler_new(&sp, forward_model(e->f)->n_vocab);
	if (!s->model_id || (c->api_key && *c->api_key && !s->api_key) ||
	    (e->system && *e->system && !s->system) || !s->conns || !s->queue || !s->kv_toks ||
	    !s->sampler)
		goto oom;
	s->e.model_id = s->model_id;
	s->e.system = s->system;
	s->cfg.api_key = s->api_key;
	s->kv_seen = e->kv_epoch ? *e->kv_epoch : 0;
	return s;
oom:
	snprintf(err, errlen, "out of memory for the HTTP server");
	http_server_free(s);
	return NULL;
}

static void slot_free(struct http_conn *c)
{
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof *c);
}

/* We give up on c: the transport closes it (unless the peer is gone
 * already); the slot is freed now, or when its job lets go of it. */
static void conn_drop(struct http_conn *c)
{
	if (!c->gone) {
		c->gone = true;
		c->ops->close(c->conn);
	}
	if (!c->held)
		slot_free(c);
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	for (int i = 0; s->conns && i < s->cfg.max_conns; i++) {
		s->conns[i].held = false;
		if (s->conns[i].used)
			conn_drop(&s->conns[i]);
	}
	for (int i = 0; s->queue && i < s->q_n; i++)
		job_free(s->queue[(s->q_head + i) % s->cfg.max_queue]);
	free(s->conns);
	free(s->queue);
	free(s->kv_toks);
	sampler_free(s->sampler);
	free(s->model_id);
	free(s->api_key);
	free(s->system);
	free(s);
}

/* ---- output ----------------------------------------------------------------- */

size_t conn_pending(const struct http_conn *c)
{
	return c->out_n - c->out_off;
}

bool conn_pump_out(struct http_conn *c)
{
	if (c->gone)
		return false;
	bool wrote = false;
	while (c->out_off < c->out_n) {
		size_t k = c->ops->write(c->conn, c->out + c->out_off, c->out_n - c->out_off);
		if (k == 0)
			break;
		if (k > c->out_n - c->out_off)
			k = c->out_n - c->out_off;
		c->out_off += k;
		wrote = true;
	}
	c->t_flush = srv_now(c->srv);
	if (wrote) {
		c->t_out = c->t_flush;
		c->ops->flush(c->conn);
	}
	if (c->out_off == c->out_n) {
		c->out_off = c->out_n = 0;
		if (c->closing && !c->busy) {
			conn_drop(c);
			return false;
		}
	}
	return true;
}

/* Room for need bytes in *buf (capacity *cap), doubling from 4 KiB. */
static bool grow(char **buf, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 4096;
	while (c < need)
		c *= 2;
	if (c == *cap)
		return true;
	char *p = realloc(*buf, c);
	if (!p)
		return false;
	*buf = p;
	*cap = c;
	return true;
}

static void out_add(struct http_conn *c, const char *p, size_t n)
{
	if (c->gone)
		return;
	if (conn_pending(c) + n > HTTP_MAX_OUT) { /* the peer does not read */
		conn_drop(c);
		return;
	}
	if (c->out_off == c->out_n)
		c->out_off = c->out_n = 0;
	if (c->out_n + n > c->out_cap) {
		if (c->out_off) { /* move the unsent part down first */
			memmove(c->out, c->out + c->out_off, c->out_n - c->out_off);
			c->out_n -= c->out_off;
			c->out_off = 0;
		}
		if (!grow(&c->out, &c->out_cap, c->out_n + n)) {
			conn_drop(c);
			return;
		}
	}
	if (c->out_n == c->out_off)
		c->t_out = srv_now(c->srv); /* the stall clock starts now */
	memcpy(c->out + c->out_n, p, n);
	c->out_n += n;
}

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* The status line and the headers every response carries. */
static void head(struct http_conn *c, int status, const char *type, const char *extra,
		 const char *length)
{
	char h[1024];
	int n = snprintf(h, sizeof h,
			 "HTTP/1.1 %d %s\r\n%s%s%s%s\r\nConnection: %s\r\n"
			 "Access-Control-Allow-Origin: *\r\n%s\r\n",
			 status, reason(status), type ? "Content-Type: " : "", type ? type : "",
			 type ? "\r\n" : "", length, c->keep_alive ? "keep-alive" : "close",
			 extra ? extra : "");
	out_add(c, h, (size_t)n < sizeof h ? (size_t)n : sizeof h - 1);
}

/* A response is complete: the connection may take the next request. */
static void response_done(struct http_conn *c)
{
	c->busy = false;
	c->t_act = srv_now(c->srv);
	if (!c->keep_alive)
		c->closing = true;
	conn_pump_out(c);
}

void conn_respond(struct http_conn *c, int status, const char *type, const char *extra,
		  const char *body, size_t n)
{
	char len[48];
	if (status >= 400)
		c->srv->st.errors++;
	snprintf(len, sizeof len, "Content-Length: %zu", n);
	head(c, status, type, extra, len);
	if (c->req.method != HTTP_HEAD)
		out_add(c, body, n);
	response_done(c);
}

void conn_error(struct http_conn *c, int status, const char *param, const char *code,
		const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *type = status == 401 ? "authentication_error"
			 : status == 404 ? "not_found_error"
			 : status == 503 ? "server_busy"
			 : status >= 500 ? "server_error" : "invalid_request_error";
	struct jw w;
	jw_init(&w);
	jw_obj(&w);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_key(&w, "message");
	jw_cstr(&w, msg);
	jw_key(&w, "type");
	jw_cstr(&w, type);
	jw_key(&w, "param");
	jw_cstr(&w, param);
	jw_key(&w, "code");
	if (code)
		jw_cstr(&w, code);
	else
		jw_int(&w, status);
	jw_end(&w);
	jw_end(&w);
	const char *extra = status == 503 ? "Retry-After: 1\r\n"
			  : status == 401 ? "WWW-Authenticate: Bearer\r\n"
			  : status == 405 ? "Allow: GET, POST, OPTIONS\r\n" : NULL;
	srv_log(c->srv, "#%u %d %s", c->serial, status, msg);
	if (w.oom)
		conn_respond(c, status, "text/plain", extra, msg, strlen(msg));
	else
		conn_respond(c, status, "application/json", extra, w.p, w.n);
	jw_free(&w);
}

void conn_stream_begin(struct http_conn *c, const char *type)
{
	c->chunked = c->req.minor >= 1;
	if (!c->chunked)
		c->keep_alive = false; /* HTTP/1.0: the end of the body is the close */
	head(c, 200, type, "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n",
	     c->chunked ? "Transfer-Encoding: chunked" : "Cache-Control: no-store");
	c->t_flush = 0; /* the head goes out with the first event */
}

void conn_stream(struct http_conn *c, const char *data, size_t n)
{
	if (!n)
		return; /* an empty chunk would end the body */
	if (c->chunked) {
		char h[24];
		int k = snprintf(h, sizeof h, "%zx\r\n", n);
		out_add(c, h, (size_t)k);
		out_add(c, data, n);
		out_add(c, "\r\n", 2);
	} else {
		out_add(c, data, n);
	}
	if (!c->gone && (srv_now(c->srv) - c->t_flush >= HTTP_PUMP_NS || conn_pending(c) >= 16384))
		conn_pump_out(c);
}

void conn_stream_end(struct http_conn *c)
{
	if (c->chunked)
		out_add(c, "0\r\n\r\n", 5);
	c->chunked = false;
	response_done(c);
}

/* ---- input ------------------------------------------------------------------ */

/* A request we cannot read on: answer status, then close. */
static void refuse(struct http_conn *c, int status)
{
	const char *msg = status == 408 ? "the request did not arrive in time"
			: status == 413 ? "request body too large"
			: status == 414 ? "request target too long"
			: status == 431 ? "request header too large"
			: status == 501 ? "transfer coding not supported"
			: status == 505 ? "HTTP version not supported" : "malformed HTTP request";
	c->keep_alive = false;
	c->busy = true;
	c->in_n = 0;
	c->have_head = false;
	conn_error(c, status, NULL, NULL, "%s", msg);
}

/* Parse and dispatch the requests buffered on c, while it is free. */
static void process(struct http_server *s, struct http_conn *c)
{
	while (c->used && !c->gone && !c->busy && !c->closing) {
		if (!c->have_head) {
			size_t skip = 0; /* blank lines before a request (RFC 9112 2.2) */
			while (skip < c->in_n && (c->in[skip] == '\r' || c->in[skip] == '\n'))
				skip++;
			if (skip) {
				memmove(c->in, c->in + skip, c->in_n - skip);
				c->in_n -= skip;
			}
			if (!c->in_n)
				return;
			if (!c->t_req)
				c->t_req = srv_now(s);
			long rc = http_parse_head(c->in, c->in_n, &c->scan, &c->req);
			if (rc < 0) {
				refuse(c, (int)-rc);
				return;
			}
			if (rc == 0)
				return;
			c->have_head = true;
			c->sent_continue = false;
			memset(&c->ch, 0, sizeof c->ch);
		}
		struct http_req *r = &c->req;
		char *body = c->in + r->head_len;
		size_t avail = c->in_n - r->head_len, blen, used;
		if (r->chunked) {
			int rc = http_dechunk(&c->ch, body, avail, HTTP_MAX_BODY);
			if (rc < 0) {
				refuse(c, -rc);
				return;
			}
			blen = c->ch.out;
			used = r->head_len + c->ch.in;
			if (rc == 0)
				goto more;
		} else {
			blen = r->content_length;
			used = r->head_len + blen;
			if (avail < blen)
				goto more;
		}
		s->st.requests++;
		c->busy = true;
		c->keep_alive = r->keep_alive;
		c->have_head = false;
		c->scan = 0;
		api_request(s, c, body, blen);
		if (!c->used || c->gone)
			return;
		memmove(c->in, c->in + used, c->in_n - used);
		c->in_n -= used;
		c->t_req = 0;
		continue;
more:
		if (r->expect_continue && !c->sent_continue && r->minor >= 1) {
			c->sent_continue = true;
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			out_add(c, cont, sizeof cont - 1);
			conn_pump_out(c);
		}
		return;
	}
}

struct http_conn *http_accept(struct http_server *s, const struct conn_ops *ops, void *conn)
{
	for (int i = 0; i < s->cfg.max_conns; i++) {
		struct http_conn *c = &s->conns[i];
		if (c->used)
			continue;
		memset(c, 0, sizeof *c);
		c->used = true;
		c->srv = s;
		c->ops = ops;
		c->conn = conn;
		c->serial = ++s->serial;
		c->t_act = srv_now(s);
		return c;
	}
	static const char body[] = "{\"error\":{\"message\":\"too many connections\","
				   "\"type\":\"server_busy\",\"param\":null,\"code\":503}}";
	char busy[256];
	int n = snprintf(busy, sizeof busy,
			 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
			 "Retry-After: 1\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
			 sizeof body - 1, body);
	ops->write(conn, busy, (size_t)n);
	ops->flush(conn);
	s->st.refused++;
	s->st.errors++;
	return NULL;
}

void http_recv(struct http_server *s, struct http_conn *c, const void *buf, size_t n)
{
	if (!c || !c->used || c->gone || !n)
		return;
	c->t_act = srv_now(s);
	if (c->closing)
		return; /* we answered and are closing: the rest is ignored */
	if (c->in_n + n > IN_MAX) {
		if (c->busy) /* a client piling up requests behind a running one */
			conn_drop(c);
		else
			refuse(c, c->have_head ? 413 : 431);
		return;
	}
	if (!grow(&c->in, &c->in_cap, c->in_n + n)) {
		conn_drop(c);
		return;
	}
	memcpy(c->in + c->in_n, buf, n);
	c->in_n += n;
	process(s, c);
}

void http_closed(struct http_server *s, struct http_conn *c)
{
	(void)s;
	if (!c || !c->used)
		return;
	c->gone = true;
	if (!c->held)
		slot_free(c);
}

/* ---- queue, timeouts, poll -------------------------------------------------- */

bool srv_enqueue(struct http_server *s, struct job *j)
{
	if (s->q_n == s->cfg.max_queue)
		return false;
	s->queue[(s->q_head + s->q_n) % s->cfg.max_queue] = j;
	s->q_n++;
	j->c->held = true;
	return true;
}

static void timeouts(struct http_server *s)
{
	uint64_t now = srv_now(s);
	for (int i = 0; i < s->cfg.max_conns; i++) {
		struct http_conn *c = &s->conns[i];
		if (!c->used || c->gone)
			continue;
		if (conn_pending(c) && now - c->t_out > HTTP_WRITE_TIMEOUT_MS * MS) {
			srv_log(s, "#%u dropped: the client does not read", c->serial);
			conn_drop(c);
		} else if (!c->busy && !c->closing && (c->in_n || c->have_head) && c->t_req &&
			   now - c->t_req > HTTP_READ_TIMEOUT_MS * MS) {
			refuse(c, 408);
		} else if (!c->busy && !c->in_n && !conn_pending(c) &&
			   now - c->t_act > HTTP_IDLE_TIMEOUT_MS * MS) {
			conn_drop(c);
		}
	}
}

void srv_pump(struct http_server *s, bool force)
{
	uint64_t now = srv_now(s);
	if (!force && now - s->t_pump < HTTP_PUMP_NS)
		return;
	s->t_pump = now;
	if (s->cfg.pump)
		s->cfg.pump(s->cfg.user);
	for (int i = 0; i < s->cfg.max_conns; i++) {
		struct http_conn *c = &s->conns[i];
		if (c->used && conn_pending(c) && (force || now - c->t_flush >= HTTP_PUMP_NS))
			conn_pump_out(c);
	}
	timeouts(s);
}

int http_poll(struct http_server *s)
{
	if (s->in_poll)
		return 0;
	s->in_poll = true;
	for (int i = 0; i < s->cfg.max_conns; i++)
		if (s->conns[i].used && conn_pending(&s->conns[i]))
			conn_pump_out(&s->conns[i]);
	timeouts(s);
	while (s->q_n) {
		struct job *j = s->queue[s->q_head];
		s->q_head = (s->q_head + 1) % s->cfg.max_queue;
		s->q_n--;
		struct http_conn *c = j->c;
		if (!c->gone) {
			s->running = j;
			s->st.generations++;
			api_run(s, j);
			s->running = NULL;
		}
		job_free(j);
		c->held = false;
		if (c->gone) {
			slot_free(c);
		} else if (c->busy) { /* cannot happen: every job answers */
			conn_error(c, 500, NULL, NULL, "the request was not answered");
		} else {
			conn_pump_out(c); /* may close it now that it is not held */
			process(s, c);
		}
	}
	int wait = 1000;
	for (int i = 0; i < s->cfg.max_conns; i++)
		if (s->conns[i].used && conn_pending(&s->conns[i]))
			wait = 10;
	s->in_poll = false;
	return wait;
}

void http_stats(const struct http_server *s, struct http_stats *st)
{
	*st = s->st;
	st->conns = 0;
	for (int i = 0; i < s->cfg.max_conns; i++)
		st->conns += s->conns[i].used && !s->conns[i].gone;
	st->queued = s->q_n + (s->running != NULL);
}

/*
 * The HTTP server: an OpenAI-compatible API and a chat page on one model,
 * over any transport (net/conn.h). Portable C like ai/: no sockets, no
 * threads, no clock of its own; the caller drives it.
 *
 *   s = http_server_new(&engine, &config, err, n);
 *   on a new connection:    h = http_accept(s, &ops, conn)  (NULL: refused)
 *   on bytes from the peer: http_recv(s, h, buf, n)
 *   on the peer gone:       http_closed(s, h)
 *   in the main loop:       http_poll(s)
 *
 * http_recv only buffers and parses: cheap requests (GET /health,
 * /v1/models, the page, every error) are answered at once, generations and
 * embeddings join a queue. http_poll runs the queued jobs one at a time on
 * the engine (which uses every core) and retries unsent output. While a
 * job runs, the server calls config.pump between tokens so that the
 * transport can poll its sockets or NIC (and so call http_accept, http_recv
 * and http_closed; never http_poll) - that keeps streaming going, answers
 * other clients, and notices a client that went away, which stops its
 * generation.
 *
 * Endpoints: GET /health, GET /v1/models, POST /v1/completions,
 * POST /v1/chat/completions (stream: true gives Server-Sent Events ending
 * with "data: [DONE]"), POST /v1/embeddings, GET / (the chat page).
 * Errors are OpenAI-style bodies {"error":{"message","type","code"}}.
 * Limits: see net/http_parse.h (request size) and HTTP_* below.
 */
#ifndef NET_HTTP_H
#define NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/chat.h"
#include "ai/forward.h"
#include "ai/tokenizer.h"
#include "net/conn.h"

#define HTTP_MAX_CONNS 16          /* open connections; more get 503 */
#define HTTP_MAX_QUEUE 8           /* jobs waiting behind the running one; more get 503 */
#define HTTP_READ_TIMEOUT_MS 10000 /* a request must arrive whole within this: 408 */
#define HTTP_IDLE_TIMEOUT_MS 30000 /* an idle keep-alive connection is closed */
#define HTTP_WRITE_TIMEOUT_MS 30000 /* output the peer does not take is dropped */

/* What the server generates with, owned by the caller. The KV cache in f is
 * shared with whoever else uses the engine (the OS shell's chat): the
 * server bumps *kv_epoch (when not NULL) each time it writes the cache, and
 * treats the cache as foreign when the value differs from its own last
 * bump. */
struct http_engine {
	struct forward *f;
	const struct tokenizer *tk;
	enum chat_kind chat;    /* chat_detect() of the model */
	const char *model_id;   /* the name /v1/models lists, e.g. the file name */
	const char *system;     /* default system prompt for chats (NULL: none) */
	uint64_t *kv_epoch;     /* may be NULL */
};

struct http_config {
	const char *api_key;    /* NULL or "": open; else /v1/... need "Bearer KEY" */
	int max_conns;          /* 0: HTTP_MAX_CONNS */
	int max_queue;          /* 0: HTTP_MAX_QUEUE */
	uint64_t (*now_ns)(void *user);     /* monotonic clock (required) */
	uint64_t (*unix_time)(void *user);  /* seconds since 1970 for "created"; may be NULL */
	void (*pump)(void *user);           /* between tokens; may be NULL */
	void (*log)(void *user, const char *line); /* one line per request; may be NULL */
	void *user;
};

struct http_server;
struct http_conn;

/* NULL + message when out of memory or the config lacks a clock. The
 * strings in engine and config are copied. */
struct http_server *http_server_new(const struct http_engine *e, const struct http_config *c,
				    char *err, size_t errlen);
/* Closes every connection (ops->close) and frees the server. Not from
 * inside pump (a job may be running). */
void http_server_free(struct http_server *s);

/* A new connection. NULL when too many are open: a 503 response has then
 * been offered to ops->write and the transport closes conn itself. */
struct http_conn *http_accept(struct http_server *s, const struct conn_ops *ops, void *conn);
/* Bytes from the peer. May answer, queue a job, or close (ops->close). */
void http_recv(struct http_server *s, struct http_conn *h, const void *buf, size_t n);
/* The peer is gone: h is invalid after this call; a generation for it stops. */
void http_closed(struct http_server *s, struct http_conn *h);

/* Runs the queued jobs (each to its end, calling pump between tokens),
 * retries unsent output and applies the timeouts. Returns how many
 * milliseconds the caller may wait for network events before the next
 * call (0: call again soon, output is pending). Must not be called from
 * pump. */
int http_poll(struct http_server *s);

struct http_stats {
	uint64_t requests;      /* complete requests parsed */
	uint64_t generations;   /* jobs run on the engine */
	uint64_t refused;       /* 503s: too many connections or a full queue */
	uint64_t errors;        /* 4xx/5xx answers */
	int conns, queued;      /* open connections, jobs waiting or running */
};
void http_stats(const struct http_server *s, struct http_stats *st);

#endif

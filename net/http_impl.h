/*
 * Inside the HTTP server: what net/server.c (connections, buffers, queue,
 * timeouts), net/api.c (routing, requests into jobs) and net/api_run.c
 * (running a job on the engine) share. Not for users of net/http.h.
 */
#ifndef NET_HTTP_IMPL_H
#define NET_HTTP_IMPL_H

#include "ai/sampler.h"
#include "net/http.h"
#include "net/http_parse.h"

#define HTTP_MAX_OUT (1 << 20)   /* unsent output beyond this: the peer is not reading */
/* Between tokens, the transport's pump and the sending of a stream's new
 * events happen at most this often: a fast model's tokens go out a few at
 * a time (the first one at once) instead of a send and a poll each. */
#define HTTP_PUMP_NS 5000000ull
#define HTTP_MAX_STOP 8          /* stop strings per request */
#define HTTP_STOP_LEN 64         /* bytes per stop string */
#define HTTP_MAX_INPUTS 64       /* texts per embeddings request */

struct http_conn {
	struct http_server *srv;
	const struct conn_ops *ops;
	void *conn;
	bool used;        /* the slot holds a connection */
	bool gone;        /* the peer left (http_closed) or we gave up on it */
	bool closing;     /* close once the output has drained */
	bool busy;        /* a request is being answered (queued or running) */
	bool held;        /* a job refers to this slot: it is freed after the job */
	uint32_t serial;  /* counts connections, for the log and ids */
	/* input */
	char *in;
	size_t in_n, in_cap;
	size_t scan;      /* http_parse_head's resume point */
	bool have_head;
	struct http_req req;
	struct http_chunked ch;
	bool sent_continue;
	/* output */
	char *out;
	size_t out_n, out_off, out_cap;
	bool keep_alive;  /* of the response being sent */
	bool chunked;     /* the response body goes out in chunks (streaming) */
	uint64_t t_req;   /* first byte of the request in progress */
	uint64_t t_act;   /* last time the peer sent bytes or a response ended */
	uint64_t t_out;   /* last time the transport took output */
	uint64_t t_flush; /* last time output was offered to it (0: never) */
};

enum job_kind { JOB_COMPLETION, JOB_CHAT, JOB_EMBED };

struct job {
	enum job_kind kind;
	struct http_conn *c;
	uint64_t id;
	bool stream, include_usage;
	char *text;              /* completion/chat: the prompt (chat: rendered) */
	size_t text_len;
	struct sampler_params sp;
	int max_tokens;          /* < 0: until a stop or the context is full */
	char stop[HTTP_MAX_STOP][HTTP_STOP_LEN + 1];
	int n_stop;
	char *inputs[HTTP_MAX_INPUTS]; /* embeddings */
	int n_inputs;
	bool base64;
};

struct http_server {
	struct http_engine e;
	struct http_config cfg;
	char *model_id, *api_key, *system;
	struct http_conn *conns;    /* cfg.max_conns slots */
	uint32_t serial;
	struct job **queue;         /* FIFO of cfg.max_queue */
	int q_head, q_n;
	struct job *running;
	bool in_poll;
	struct sampler *sampler;
	int32_t *kv_toks;           /* what the KV cache holds (prefix reuse) */
	int kv_n;
	uint64_t kv_seen;           /* *e.kv_epoch after our last write */
	uint64_t t_pump;            /* last call of cfg.pump */
	uint64_t n_jobs;
	struct http_stats st;
};

uint64_t srv_now(const struct http_server *s);
void srv_log(struct http_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- server.c: output ------------------------------------------------------ */

/* A whole response: status line, headers (extra: more header lines, each
 * ending in \r\n, or NULL), body. */
void conn_respond(struct http_conn *c, int status, const char *type, const char *extra,
		  const char *body, size_t n);
/* An OpenAI-style error body: {"error":{"message","type","param","code"}}. */
void conn_error(struct http_conn *c, int status, const char *param, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A streamed response: the head, then pieces of the body (chunked in
 * HTTP/1.1; HTTP/1.0 gets the body raw and the connection closes), then
 * the end. */
void conn_stream_begin(struct http_conn *c, const char *type);
void conn_stream(struct http_conn *c, const char *data, size_t n);
void conn_stream_end(struct http_conn *c);
/* Offer the pending output to the transport; false when the connection
 * was dropped (peer gone, stalled too long). */
bool conn_pump_out(struct http_conn *c);
/* Output waiting to be taken by the transport. */
size_t conn_pending(const struct http_conn *c);

/* ---- api.c ------------------------------------------------------------------ */

/* A complete request in c->req with its body: answer it or queue a job. */
void api_request(struct http_server *s, struct http_conn *c, char *body, size_t n);
void job_free(struct job *j);
/* Put j in the queue (the connection waits); false when the queue is full. */
bool srv_enqueue(struct http_server *s, struct job *j);

/* ---- api_run.c -------------------------------------------------------------- */

/* Run j to its end on the engine, answering its connection. */
void api_run(struct http_server *s, struct job *j);
/* Between tokens: the transport's pump, output that waited long enough,
 * the timeouts; at most every HTTP_PUMP_NS unless force. */
void srv_pump(struct http_server *s, bool force);

#endif

/*
 * `llm serve`: the HTTP server of net/http.h over POSIX sockets, one
 * thread with poll() (the engine's workers do the computing).
 */
#ifndef HOST_LLM_SERVE_H
#define HOST_LLM_SERVE_H

#include "net/http.h"

struct serve_opts {
	const char *host;     /* address to bind; default 127.0.0.1 */
	int port;             /* default 8080; 0: any free port */
	const char *api_key;  /* NULL: open */
};

/* Serve until SIGINT or SIGTERM. Prints "listening on http://HOST:PORT/"
 * on stdout once the socket is bound. Returns 0, or 1 with a message on
 * stderr (address in use, ...). */
int serve_run(const struct serve_opts *o, const struct http_engine *e);

#endif

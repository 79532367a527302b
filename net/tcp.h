/*
 * TCP listeners on lwIP's raw (callback) API, handing each connection to a
 * handler through the transport interface of net/conn.h: the HTTP server
 * (net/http.h) is one such handler.
 *
 * lwIP's callbacks only pass bytes on and mark state: the handler's accept
 * and recv run inside them (they buffer and parse, never generate), and
 * closed runs when the peer resets, closes or vanishes (keep-alive
 * probes). A handler's ops->close is honoured once what was written has
 * been handed to lwIP: the FIN follows the data. BSP only.
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"

struct tcp_handler {
	/* A new connection; returns the handler's handle for it, or NULL
	 * to refuse (then the transport closes it after what was written). */
	void *(*accept)(void *user, const struct conn_ops *ops, void *conn);
	void (*recv)(void *user, void *handle, const void *buf, size_t n);
	/* The peer is gone: handle is dead, and conn too. */
	void (*closed)(void *user, void *handle);
	void *user;
};

struct tcp_counters {
	uint64_t accepted, closed_by_peer, aborted;
	int open;
};

/* Listens on port (all addresses); false + message when lwIP refuses. */
bool tcp_listen_start(uint16_t port, const struct tcp_handler *h, char *err, size_t errlen);
void tcp_get_counters(struct tcp_counters *c);

#endif

/*
 * The transport under the HTTP server (net/http.h): one TCP connection as
 * the server sees it. The host tool implements it over POSIX sockets
 * (host/llm_serve.c), the OS over lwIP; the server never knows which.
 *
 * The server calls these, never from inside another one of them:
 *
 *   write(conn, buf, n)  queue up to n bytes for sending without blocking;
 *                        returns how many were taken (0: the send buffer is
 *                        full). The server keeps the rest and offers it
 *                        again later (at the next http_poll or token).
 *   flush(conn)          push what was written onto the wire now (lwIP:
 *                        tcp_output); may do nothing (POSIX sockets).
 *   close(conn)          the server is done with conn: send what was
 *                        queued, then close it. Called at most once per
 *                        accepted connection, possibly from inside
 *                        http_recv or http_accept; the server never uses
 *                        conn again afterwards, so the transport may free it
 *                        (once its own caller no longer needs it).
 *
 * The transport in turn calls the server (net/http.h): http_accept for a
 * new connection, http_recv with the bytes that arrived, http_closed when
 * the peer went away or the connection broke (the server then calls
 * nothing on conn, not even close), and http_poll from its main loop.
 */
#ifndef NET_CONN_H
#define NET_CONN_H

#include <stddef.h>

struct conn_ops {
	size_t (*write)(void *conn, const void *buf, size_t n);
	void (*flush)(void *conn);
	void (*close)(void *conn);
};

#endif

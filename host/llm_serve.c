/* llm_serve: net/http.h's transport over non-blocking POSIX sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/llm_serve.h"

/* Sockets: the server's connections, and as many again and more for those
 * it refused (503) or closed, read out until the peer closes them too. */
#define SOCKS (HTTP_MAX_CONNS * 4)
#define LINGER_NS 2000000000ull     /* reading out a closed connection's input */

struct sock {
	int fd;               /* -1: free */
	struct http_conn *h;  /* NULL once the server let go of it */
	bool broken;          /* a send failed: tell the server at the next round */
	uint64_t linger;      /* closing: read and drop input until this time */
};

static struct sock socks[SOCKS];
static int listen_fd = -1;
static struct http_server *srv;
static volatile sig_atomic_t stop_flag;

static uint64_t now_ns(void *user)
{
	(void)user;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t unix_time(void *user)
{
	(void)user;
	return (uint64_t)time(NULL);
}

static void on_log(void *user, const char *line)
{
	(void)user;
	char t[32];
	time_t now = time(NULL);
	strftime(t, sizeof t, "%H:%M:%S", localtime(&now));
	fprintf(stderr, "%s %s\n", t, line);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* ---- the conn_ops ---------------------------------------------------------------- */

static size_t s_write(void *conn, const void *buf, size_t n)
{
	struct sock *k = conn;
	if (k->broken)
		return 0;
	ssize_t w = send(k->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w > 0)
		return (size_t)w;
	if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		k->broken = true;
	return 0;
}

static void s_flush(void *conn)
{
	(void)conn;
}

/* The server is done: send what is queued, stop sending, and read out what
 * the peer still sends for a moment (closing with unread input would
 * reset the connection and could lose the response). */
static void s_close(void *conn)
{
	struct sock *k = conn;
	k->h = NULL;
	shutdown(k->fd, SHUT_WR);
	k->linger = now_ns(NULL) + LINGER_NS;
}

static const struct conn_ops ops = { s_write, s_flush, s_close };

static void sock_free(struct sock *k)
{
	close(k->fd);
	k->fd = -1;
	k->h = NULL;
	k->broken = false;
	k->linger = 0;
}

/* The peer is gone (or the socket broke). */
static void sock_gone(struct sock *k)
{
	struct http_conn *h = k->h;
	k->h = NULL;
	if (h)
		http_closed(srv, h);
	sock_free(k);
}

/* ---- one round of socket events ---------------------------------------------- */

static void accept_all(void)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			return;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct sock *k = NULL, *old = NULL;
		for (int i = 0; i < SOCKS && !k; i++) {
			if (socks[i].fd < 0)
				k = &socks[i];
			else if (!socks[i].h && (!old || socks[i].linger < old->linger))
				old = &socks[i];
		}
		if (!k && old) { /* the last resort: the oldest closing one goes now */
			sock_free(old);
			k = old;
		}
		if (!k) {
			close(fd);
			continue;
		}
		k->fd = fd;
		k->h = http_accept(srv, &ops, k);
		if (!k->h) /* refused with a 503: close after it went out */
			s_close(k);
	}
}

static void readable(struct sock *k)
{
	char buf[65536];
	for (int rounds = 0; rounds < 16 && k->fd >= 0; rounds++) {
		ssize_t n = recv(k->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0 && k->h) {
			http_recv(srv, k->h, buf, (size_t)n);
		} else if (n > 0) {
			continue; /* lingering: dropped */
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			return;
		} else { /* end of input or an error: the peer is gone */
			sock_gone(k);
			return;
		}
		if ((size_t)n < sizeof buf)
			return;
	}
}

static void net_round(int timeout_ms)
{
	struct pollfd p[SOCKS + 1];
	int idx[SOCKS + 1], n = 0;
	uint64_t now = now_ns(NULL);
	p[n] = (struct pollfd){ listen_fd, POLLIN, 0 };
	idx[n++] = -1;
	for (int i = 0; i < SOCKS; i++) {
		struct sock *k = &socks[i];
		if (k->fd < 0)
			continue;
		if (k->broken || (!k->h && k->linger && now > k->linger)) {
			sock_gone(k);
			continue;
		}
		p[n] = (struct pollfd){ k->fd, POLLIN, 0 };
		idx[n++] = i;
	}
	if (poll(p, (nfds_t)n, timeout_ms) <= 0)
		return;
	for (int i = 1; i < n; i++)
		if (p[i].revents && socks[idx[i]].fd == p[i].fd)
			readable(&socks[idx[i]]);
	if (p[0].revents & POLLIN)
		accept_all();
}

/* Between tokens: the sockets, without waiting. On a signal every client
 * is let go, which stops the generation. */
static void pump(void *user)
{
	(void)user;
	if (stop_flag) {
		for (int i = 0; i < SOCKS; i++)
			if (socks[i].fd >= 0)
				sock_gone(&socks[i]);
		return;
	}
	net_round(0);
}

/* ---- setup ------------------------------------------------------------------------ */

static int listen_on(const char *host, int port)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	char ps[16];
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(ps, sizeof ps, "%d", port);
	int rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc) {
		fprintf(stderr, "llm: serve: %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0), one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		fprintf(stderr, "llm: serve: %s port %d: %s\n", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

int serve_run(const struct serve_opts *o, const struct http_engine *e)
{
	char err[256];
	const char *host = o->host ? o->host : "127.0.0.1";
	for (int i = 0; i < SOCKS; i++)
		socks[i].fd = -1;
	listen_fd = listen_on(host, o->port);
	if (listen_fd < 0)
		return 1;
	struct http_config cfg = { 0 };
	cfg.api_key = o->api_key;
	cfg.now_ns = now_ns;
	cfg.unix_time = unix_time;
	cfg.pump = pump;
	cfg.log = on_log;
	srv = http_server_new(e, &cfg, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "llm: serve: %s\n", err);
		close(listen_fd);
		return 1;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("listening on http://%s%s%s:%d/ (model %s, %s)\n", strchr(host, ':') ? "[" : "",
	       host, strchr(host, ':') ? "]" : "", bound_port(listen_fd), e->model_id,
	       o->api_key && *o->api_key ? "API key required" : "no API key: open to anyone who can connect");
	fflush(stdout);
	while (!stop_flag) {
		int wait = http_poll(srv);
		net_round(wait < 100 ? wait : 100);
	}
	fprintf(stderr, "llm: serve: stopping\n");
	for (int i = 0; i < SOCKS; i++)
		if (socks[i].fd >= 0)
			sock_gone(&socks[i]);
	http_server_free(srv);
	srv = NULL;
	close(listen_fd);
	return 0;
}

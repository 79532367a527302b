/* TCP listeners and connections on lwIP's raw API (net/tcp.h). */
#include "net/tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/sys.h"
#include "lwip/tcp.h"

#define TCP_MAX_LISTENERS 2
#define TCP_POLL_INTERVAL 2    /* lwIP's coarse timer ticks (500 ms): 1 s */
#define TCP_CLOSE_RETRIES 10   /* a close lwIP keeps refusing is turned into a reset */
#define TCP_LINGER_MS 2000     /* after our FIN, input is read and dropped this long */

struct listener {
	struct tcp_pcb *pcb;
	struct tcp_handler h;
	uint16_t port;
};

/* One connection. conn (for the handler's ops) is a struct tconn *. */
struct tconn {
	struct tcp_pcb *pcb;      /* NULL once lwIP freed it (error) */
	struct listener *l;
	void *handle;             /* the handler's; NULL once it is done with us */
	bool in_cb;               /* inside a handler call made from a callback */
	bool want_close;          /* ops->close, a refusal or the peer's FIN */
	bool shut;                /* our FIN is queued; lingering */
	uint32_t linger_until;    /* sys_now() ms */
	int close_tries;
};

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static void on_err(void *arg, err_t err);
static err_t on_poll(void *arg, struct tcp_pcb *pcb);

static struct listener listeners[TCP_MAX_LISTENERS];
static int n_listeners;
static struct tcp_counters counters;

/* Detaches tc from its pcb and frees it. */
static void tc_free(struct tconn *tc)
{
	if (tc->pcb) {
		tcp_arg(tc->pcb, NULL);
		tcp_recv(tc->pcb, NULL);
		tcp_err(tc->pcb, NULL);
		tcp_poll(tc->pcb, NULL, 0);
	}
	counters.open--;
	free(tc);
}

/* Ends the connection: first our side only (what was written, then FIN)
 * while input is still read and dropped for TCP_LINGER_MS (a peer still
 * sending, say the rest of a body we refused, would otherwise get a reset
 * that can destroy the response); then, on the peer's FIN, the linger's
 * end or when shutting down is not possible, the whole pcb. Returns
 * ERR_ABRT when it had to reset the connection (the caller, an lwIP
 * callback for this pcb, must then return ERR_ABRT). */
static err_t tc_finish(struct tconn *tc)
{
	struct tcp_pcb *pcb = tc->pcb;
	if (!pcb) {
		tc_free(tc);
		return ERR_OK;
	}
	if (!tc->shut && tcp_shutdown(pcb, 0, 1) == ERR_OK) {
		tc->shut = true;
		tc->linger_until = sys_now() + TCP_LINGER_MS;
		return ERR_OK;
	}
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL); /* lwIP then drops whatever still arrives */
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	if (tcp_close(pcb) == ERR_OK) {
		tc->pcb = NULL;
		tc_free(tc);
		return ERR_OK;
	}
	if (++tc->close_tries >= TCP_CLOSE_RETRIES) {
		tcp_abort(pcb);
		tc->pcb = NULL;
		counters.aborted++;
		tc_free(tc);
		return ERR_ABRT;
	}
	/* out of memory for the FIN: try again from the poll callback */
	tcp_arg(pcb, tc);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, TCP_POLL_INTERVAL);
	return ERR_OK;
}

/* The peer is gone: tell the handler (once), then let go of the pcb. */
static void tc_peer_gone(struct tconn *tc)
{
	void *h = tc->handle;
	tc->handle = NULL;
	tc->want_close = true;
	if (h) {
		counters.closed_by_peer++;
		tc->in_cb = true;
		tc->l->h.closed(tc->l->h.user, h);
		tc->in_cb = false;
	}
}

/* ---- conn_ops for the handler ------------------------------------------ */

static size_t op_write(void *conn, const void *buf, size_t n)
{
	struct tconn *tc = conn;
	size_t done = 0;
	if (!tc->pcb || tc->want_close)
		return 0;
	while (done < n) {
		size_t k = n - done, room = tcp_sndbuf(tc->pcb);
		if (k > room)
			k = room;
		if (k > 0xffff)
			k = 0xffff;
		if (!k || tcp_sndqueuelen(tc->pcb) >= TCP_SND_QUEUELEN - 1)
			break;
		u8_t flags = TCP_WRITE_FLAG_COPY | (done + k < n ? TCP_WRITE_FLAG_MORE : 0);
		err_t e;
		while ((e = tcp_write(tc->pcb, (const char *)buf + done, (u16_t)k, flags)) == ERR_MEM &&
		       k > 1)
			k /= 2; /* out of segments: try a smaller piece */
		if (e != ERR_OK)
			break;
		done += k;
	}
	return done;
}

static void op_flush(void *conn)
{
	struct tconn *tc = conn;
	if (tc->pcb && !tc->want_close)
		tcp_output(tc->pcb);
}

static void op_close(void *conn)
{
	struct tconn *tc = conn;
	tc->handle = NULL;
	tc->want_close = true;
	if (!tc->in_cb)
		tc_finish(tc);
}

static const struct conn_ops tcp_ops = {
	.write = op_write,
	.flush = op_flush,
	.close = op_close,
};

/* ---- lwIP callbacks ------------------------------------------------------ */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct tconn *tc = arg;
	(void)err;
	if (!tc) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) { /* FIN: the client is done with us; what we queued still goes */
		tc_peer_gone(tc);
		tc->shut = true; /* no lingering: nothing more will come */
		return tc_finish(tc);
	}
	if (tc->handle && !tc->want_close) {
		tc->in_cb = true;
		for (struct pbuf *q = p; q && tc->handle; q = q->next)
			tc->l->h.recv(tc->l->h.user, tc->handle, q->payload, q->len);
		tc->in_cb = false;
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return tc->want_close && !tc->shut ? tc_finish(tc) : ERR_OK;
}

/* lwIP already freed the pcb (reset by the peer, retransmissions ran out,
 * or out of memory). */
static void on_err(void *arg, err_t err)
{
	struct tconn *tc = arg;
	(void)err;
	if (!tc)
		return;
	tc->pcb = NULL;
	tc_peer_gone(tc);
	tc_free(tc);
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct tconn *tc = arg;
	(void)pcb;
	if (!tc || !tc->want_close || tc->in_cb)
		return ERR_OK;
	if (tc->shut && (int32_t)(sys_now() - tc->linger_until) < 0)
		return ERR_OK;
	return tc_finish(tc);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct listener *l = arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct tconn *tc = calloc(1, sizeof *tc);
	if (!tc) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	tc->pcb = pcb;
	tc->l = l;
	counters.accepted++;
	counters.open++;
	tcp_arg(pcb, tc);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, TCP_POLL_INTERVAL);
	tcp_nagle_disable(pcb); /* streamed tokens leave at once */
	ip_set_option(pcb, SOF_KEEPALIVE);
	tc->in_cb = true;
	tc->handle = l->h.accept(l->h.user, &tcp_ops, tc);
	tc->in_cb = false;
	if (!tc->handle)
		tc->want_close = true; /* refused: what it wrote (a 503) goes first */
	return tc->want_close ? tc_finish(tc) : ERR_OK;
}

bool tcp_listen_start(uint16_t port, const struct tcp_handler *h, char *err, size_t errlen)
{
	if (n_listeners == TCP_MAX_LISTENERS) {
		snprintf(err, errlen, "too many listeners");
		return false;
	}
	struct tcp_pcb *pcb = tcp_new();
	if (!pcb) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
		tcp_close(pcb);
		snprintf(err, errlen, "port %u is in use", port);
		return false;
	}
	struct tcp_pcb *lpcb = tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG);
	if (!lpcb) {
		tcp_close(pcb);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	struct listener *l = &listeners[n_listeners++];
	l->pcb = lpcb;
	l->h = *h;
	l->port = port;
	tcp_arg(lpcb, l);
	tcp_accept(lpcb, on_accept);
	return true;
}

void tcp_get_counters(struct tcp_counters *c)
{
	*c = counters;
}

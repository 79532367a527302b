/* A TCP echo service for the network tests' own build only (make
 * nettest-efi: -DNET_TEST_ECHO), to check the stack before and apart from
 * the HTTP server. Not in BOOTX64.EFI. */
#ifdef NET_TEST_ECHO
#include <stdint.h>

#include "core/kprintf.h"
#include "net/tcp.h"

void tcp_echo_start(uint16_t port);

struct echo {
	const struct conn_ops *ops;
	void *conn;
};

static struct echo echoes[32];

static void *echo_accept(void *user, const struct conn_ops *ops, void *conn)
{
	(void)user;
	for (int i = 0; i < 32; i++) {
		if (!echoes[i].ops) {
			echoes[i].ops = ops;
			echoes[i].conn = conn;
			return &echoes[i];
		}
	}
	return NULL;
}

static void echo_recv(void *user, void *h, const void *buf, size_t n)
{
	struct echo *e = h;
	(void)user;
	for (size_t i = 0; i < n; i++) {
		if (((const char *)buf)[i] == 'Q') { /* quit: echo up to it, then close */
			e->ops->write(e->conn, buf, i);
			e->ops->close(e->conn);
			e->ops = NULL;
			return;
		}
	}
	e->ops->write(e->conn, buf, n);
	e->ops->flush(e->conn);
}

static void echo_closed(void *user, void *h)
{
	(void)user;
	((struct echo *)h)->ops = NULL;
}

void tcp_echo_start(uint16_t port)
{
	static const struct tcp_handler h = { echo_accept, echo_recv, echo_closed, NULL };
	char err[64];
	if (tcp_listen_start(port, &h, err, sizeof err))
		kprintf("net: test echo service on TCP port %u\n", port);
	else
		kprintf("net: test echo service: %s\n", err);
}
#endif

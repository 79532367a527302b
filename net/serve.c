/* The API server's OS side (net/serve.h). */
#include "net/serve.h"

#include <stdio.h>
#include <string.h>

#include "core/kprintf.h"
#include "core/poll.h"
#include "core/timer.h"
#include "net/http.h"
#include "net/net.h"
#include "net/tcp.h"
#include "shell/llm.h"
#include "shell/status.h"

static struct {
	const struct boot_info *bi;
	struct http_server *srv;
	struct http_engine engine;   /* what srv was made with */
	uint16_t port;
	bool listening;
	uint32_t shown_ip;           /* the address on the status line */
	char last[160];              /* the server's last log line */
} sv;

static uint64_t now_ns(void *user)
{
	(void)user;
	return timer_now_ns();
}

static void pump(void *user)
{
	(void)user;
	net_pump();
}

static void on_log(void *user, const char *line)
{
	(void)user;
	/* kept for `serve`, not printed: the console belongs to the shell */
	snprintf(sv.last, sizeof sv.last, "%s", line);
}

/* ---- net/tcp.h handler: the server's entry points ----------------------- */

static void *h_accept(void *user, const struct conn_ops *ops, void *conn)
{
	(void)user;
	return sv.srv ? http_accept(sv.srv, ops, conn) : NULL;
}

static void h_recv(void *user, void *h, const void *buf, size_t n)
{
	(void)user;
	http_recv(sv.srv, h, buf, n);
}

static void h_closed(void *user, void *h)
{
	(void)user;
	http_closed(sv.srv, h);
}

static const struct tcp_handler handler = { h_accept, h_recv, h_closed, NULL };

/* ---- lifecycle ---------------------------------------------------------- */

static bool make_server(char *err, size_t errlen)
{
	struct llm *L = llm_get();
	struct http_config c = { 0 };
	sv.engine = (struct http_engine){
		.f = L->f,
		.tk = L->tk,
		.chat = chat_detect(&L->g),
		.model_id = L->name,
		.system = L->system[0] ? L->system : NULL,
		.kv_epoch = &L->kv_epoch,
	};
	c.api_key = sv.bi->cfg.api_key[0] ? sv.bi->cfg.api_key : NULL;
	c.now_ns = now_ns;
	c.pump = pump;
	c.log = on_log;
	sv.srv = http_server_new(&sv.engine, &c, err, errlen);
	return sv.srv != NULL;
}

/* "http://10.0.2.15:8080/" or "port 8080 (no address yet)" */
static void address(char *buf, size_t n)
{
	uint32_t ip = net_ipv4();
	char a[16];
	if (!ip) {
		snprintf(buf, n, "port %u (no address yet)", sv.port);
		return;
	}
	net_format_ipv4(ip, a, sizeof a);
	snprintf(buf, n, "http://%s:%u/", a, sv.port);
}

static void show_status_line(void)
{
	char a[64], s[96];
	address(a, sizeof a);
	snprintf(s, sizeof s, "%s%s", a, sv.bi->cfg.api_key[0] ? "" : " (open, no key)");
	status_set_api(s);
	sv.shown_ip = net_ipv4();
}

/* Idle work (core/poll.h): the queued generations, one at a time. */
static void serve_idle(void)
{
	struct llm *L = llm_get();
	if (!sv.srv)
		return;
	if (L->f != sv.engine.f || L->tk != sv.engine.tk) {
		/* `set ctx` made a new context: the server must not keep the old one */
		char err[128];
		http_server_free(sv.srv);
		sv.srv = NULL;
		if (!L->loaded || !L->f || !make_server(err, sizeof err))
			return; /* new connections are refused until a model is usable */
	}
	http_poll(sv.srv);
}

/* Poller: the status line follows the address (DHCP may come late). */
static void serve_watch(void)
{
	if (sv.listening && net_ipv4() != sv.shown_ip)
		show_status_line();
}

static bool serve_start(void)
{
	struct llm *L = llm_get();
	char err[128], a[64];
	if (sv.listening)
		return true;
	if (!net_present()) {
		kprintf("API: no network (no supported card, or net=off)\n");
		return false;
	}
	if (!L->loaded || !L->f) {
		kprintf("API: no model to serve (%s)\n", L->error[0] ? L->error : "none loaded");
		return false;
	}
	sv.port = sv.bi->cfg.port ? sv.bi->cfg.port : NET_DEFAULT_PORT;
	if (!make_server(err, sizeof err)) {
		kprintf("API: %s\n", err);
		return false;
	}
	if (!tcp_listen_start(sv.port, &handler, err, sizeof err)) {
		kprintf("API: cannot listen on port %u: %s\n", sv.port, err);
		http_server_free(sv.srv);
		sv.srv = NULL;
		return false;
	}
	if (!poll_register_idle("api", serve_idle) || !poll_register("api-status", serve_watch)) {
		kprintf("API: no idle/poller slot left\n");
		return false; /* the listener stays, answering nothing: not expected to happen */
	}
	sv.listening = true;
	show_status_line();
	address(a, sizeof a);
	kprintf("API: serving %s on %s\n", L->name, a);
	if (sv.bi->cfg.api_key[0])
		kprintf("API: clients must send \"Authorization: Bearer <api_key from llm.cfg>\"\n");
	else
		kprintf("API: WARNING: open to the network without a key: anyone who can reach this "
			"machine can use it (set api_key= in llm.cfg)\n");
	return true;
}

void serve_boot(const struct boot_info *bi)
{
	sv.bi = bi;
	if (bi->cfg.api)
		serve_start();
}

void serve_describe(char *buf, size_t n)
{
	char a[64];
	if (!sv.listening) {
		snprintf(buf, n, "off (`serve` or api=on in llm.cfg starts it)");
		return;
	}
	address(a, sizeof a);
	snprintf(buf, n, "%s %s", a, sv.bi->cfg.api_key[0] ? "(key required)" :
		 "(OPEN to the network: no api_key)");
}

int serve_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char d[160];
	if (!sv.listening && !serve_start())
		return -1;
	serve_describe(d, sizeof d);
	kprintf("API: %s\n", d);
	if (sv.srv) {
		struct http_stats st;
		struct tcp_counters tc;
		http_stats(sv.srv, &st);
		tcp_get_counters(&tc);
		kprintf("  %d connections open, %lu accepted; %lu requests, %lu generations, %lu refused (503), "
			"%lu errors\n",
			st.conns, (unsigned long)tc.accepted, (unsigned long)st.requests,
			(unsigned long)st.generations, (unsigned long)st.refused, (unsigned long)st.errors);
	}
	if (sv.last[0])
		kprintf("  last request: %s\n", sv.last);
	return 0;
}

/*
 * libFuzzer harness for the HTTP server (net/): the input is what clients
 * send. First the request parser alone: the head parsed whole and byte by
 * byte must give the same result, and a chunked body decoded whole and
 * byte by byte the same bytes. Then the whole server on a micro model
 * (fuzz/seed-gguf/micro-llama-f32.gguf, context 64) over a mock transport:
 * the input, cut into pieces by its own bytes, goes to two connections in
 * turn with http_poll and a fake clock in between, so requests are parsed,
 * routed, their JSON read, generations run (streamed or not), queued,
 * timed out and cut off. Nothing may crash, leak or hang; every response
 * starts with a status line.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/model.h"
#include "net/http.h"
#include "net/http_parse.h"

/* ---- the parser alone ---------------------------------------------------------------- */

static void parser(const uint8_t *data, size_t size)
{
	struct http_req whole, part;
	size_t scan = 0;
	long rw = http_parse_head((const char *)data, size, &scan, &whole);
	long rp = 0;
	size_t i;
	scan = 0;
	for (i = 1; i <= size && rp == 0; i++)
		rp = http_parse_head((const char *)data, i, &scan, &part);
	if (rw != rp)
		abort(); /* the same head, whole or byte by byte */
	if (rw > 0 && rp > 0 && (rw != rp || strcmp(whole.target, part.target) ||
				 whole.content_length != part.content_length || whole.chunked != part.chunked))
		abort();
	if (rw <= 0 || !whole.chunked)
		return;
	size_t n = size - (size_t)rw;
	char *a = malloc(n + 1), *b = malloc(n + 1);
	memcpy(a, data + rw, n);
	struct http_chunked ca = { 0 }, cb = { 0 };
	int ra = http_dechunk(&ca, a, n, 1 << 16), rb = 0;
	for (i = 0; i < n && rb == 0; i++) {
		b[i] = (char)data[rw + i];
		rb = http_dechunk(&cb, b, i + 1, 1 << 16);
	}
	if (ra == 1 && (rb != 1 || ca.out != cb.out || ca.in != cb.in || memcmp(a, b, ca.out)))
		abort();
	if (ca.out > ca.in || ca.in > n)
		abort();
	free(a);
	free(b);
}

/* ---- the server ---------------------------------------------------------------------- */

struct mock {
	char head[16];     /* the first bytes written */
	size_t n;
	bool closed, full;
};

static size_t m_write(void *c, const void *p, size_t n)
{
	struct mock *m = c;
	if (m->closed)
		abort(); /* written after close */
	if (m->full)
		return 0;
	for (size_t i = 0; i < n && m->n + i < sizeof m->head; i++)
		m->head[m->n + i] = ((const char *)p)[i];
	m->n += n;
	return n;
}
static void m_flush(void *c) { (void)c; }
static void m_close(void *c)
{
	struct mock *m = c;
	if (m->closed)
		abort(); /* closed twice */
	m->closed = true;
}
static const struct conn_ops ops = { m_write, m_flush, m_close };

static uint64_t clock_ns;
static uint64_t now(void *u) { (void)u; return clock_ns += 1000000; } /* 1 ms a reading */
static void pump(void *u) { (void)u; }

static struct http_engine eng;
static bool have_model;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static struct gguf g;
	static struct model m;
	char err[256];
	FILE *f = fopen("fuzz/seed-gguf/micro-llama-f32.gguf", "rb");
	if (!f)
		return 0;
	static char buf[1 << 16];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (gguf_open(&g, buf, len, err, sizeof err) || model_load(&m, &g, err, sizeof err) ||
	    !(eng.tk = tokenizer_load(&g, err, sizeof err)) || !(eng.f = forward_new(&m, 64, 8, err, sizeof err)))
		return 0;
	eng.chat = chat_detect(&g);
	eng.model_id = "micro";
	have_model = true;
	return 0;
}

static void server(const uint8_t *data, size_t size)
{
	if (!have_model || size < 1)
		return;
	struct http_config cfg = { 0 };
	char err[128];
	cfg.now_ns = now;
	cfg.pump = pump;
	cfg.max_conns = 2;
	cfg.max_queue = 1;
	cfg.api_key = data[0] & 1 ? "k" : NULL;
	clock_ns = 1;
	struct http_server *s = http_server_new(&eng, &cfg, err, sizeof err);
	if (!s)
		return;
	struct mock m[2];
	memset(m, 0, sizeof m);
	struct http_conn *h[2] = { http_accept(s, &ops, &m[0]), http_accept(s, &ops, &m[1]) };
	size_t at = 1;
	for (int turn = 0; at < size; turn ^= 1) {
		/* a piece: its length from one byte; the top bit also stalls the transport */
		uint8_t ctl = data[at++];
		size_t len = (size_t)(ctl & 0x3f) * 8 + 1;
		if (len > size - at)
			len = size - at;
		m[turn].full = ctl & 0x80;
		if (h[turn] && !m[turn].closed)
			http_recv(s, h[turn], data + at, len);
		at += len;
		clock_ns += (ctl & 0x40) ? 20000000000ull : 1000000; /* sometimes 20 s pass */
		http_poll(s);
	}
	m[0].full = m[1].full = false;
	http_poll(s);
	for (int i = 0; i < 2; i++)
		if (m[i].n && m[i].n >= 12 && memcmp(m[i].head, "HTTP/1.1 ", 9))
			abort(); /* every answer starts with a status line */
	if (h[1] && !m[1].closed)
		http_closed(s, h[1]);
	http_poll(s);
	http_server_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parser(data, size);
	server(data, size);
	return 0;
}

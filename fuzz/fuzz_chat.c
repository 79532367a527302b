/*
 * libFuzzer harness for chat templates (ai/chat.c) and the streaming
 * filters of replies (ai/chat_stream.c). The input, after two control
 * bytes, is NUL-separated fields: the template source, then messages (the
 * first byte of each picks its role: system, user, assistant, or an
 * unknown one). Byte 0 picks the template kind rendered (any kind, not
 * only the detected one) and byte 1 the options: CHAT_NO_THINK, the
 * assistant prefix, the think mode, the stop list, the output size.
 *
 * Checks: detection and the default system prompt stay in bounds; a
 * render either fails or writes exactly its length plus a NUL, and one
 * that fits a small buffer gives the same text as with a large one; the
 * stop-string filter passes a prefix of the reply (all of it when no stop
 * string occurs, else up to the stop string); the think filter in raw
 * mode passes the reply unchanged, and with out of the documented size
 * (len + CHAT_THINK_EXTRA) loses nothing against an unlimited buffer.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat.h"

#define MAX_MSGS 8

static const char *const roles[4] = { "system", "user", "assistant", "tool" };

/* Render with a small (sz) and a large buffer; both must agree. */
static void render(enum chat_kind k, unsigned opts, const struct chat_msg *m, int n, bool prefix,
		   bool cont, size_t sz, size_t total)
{
	size_t big = 2 * total + 4096;
	char *a = malloc(big), *b = malloc(sz ? sz : 1);
	int ra = cont ? chat_render_continue(k, opts, m, n, a, big) : chat_render(k, opts, m, n, prefix, a, big);
	int rb = cont ? chat_render_continue(k, opts, m, n, b, sz) : chat_render(k, opts, m, n, prefix, b, sz);
	if (ra >= 0 && ((size_t)ra >= big || a[ra] != 0 || strlen(a) != (size_t)ra))
		abort(); /* the length, then a NUL */
	if (rb >= 0 && (ra != rb || memcmp(a, b, (size_t)rb + 1)))
		abort(); /* a small buffer that fits gives the same text */
	if (rb < 0 && ra >= 0 && (size_t)ra < sz)
		abort(); /* fits but refused */
	free(a);
	free(b);
}

/* The reply through a stop-string filter, cut into pieces by cuts[]. */
static void stream(enum chat_kind k, const char *const *stops, const char *r, int rn,
		   const uint8_t *cuts, size_t ncuts)
{
	struct chat_stream s;
	if (stops)
		chat_stream_init_stops(&s, stops);
	else
		chat_stream_init(&s, k);
	char *out = malloc((size_t)rn + CHAT_HOLD_MAX + 1), *all = malloc((size_t)rn + 1);
	int got = 0;
	for (int at = 0, c = 0; at < rn && !s.stopped; c++) {
		int len = ncuts ? 1 + cuts[c % ncuts] % 17 : rn;
		if (len > rn - at)
			len = rn - at;
		int w = chat_stream_feed(&s, r + at, len, out, len + CHAT_HOLD_MAX);
		if (w < 0 || w > len + CHAT_HOLD_MAX || got + w > rn)
			abort();
		memcpy(all + got, out, (size_t)w);
		got += w;
		at += len;
	}
	int w = chat_stream_flush(&s, out, CHAT_HOLD_MAX);
	if (w < 0 || got + w > rn)
		abort();
	memcpy(all + got, out, (size_t)w);
	got += w;
	if (memcmp(all, r, (size_t)got))
		abort(); /* a prefix of the reply */
	if (!s.stopped && got != rn)
		abort(); /* nothing lost without a stop string */
	if (s.stopped) { /* a stop string starts right there */
		bool found = false;
		for (const char *const *p = s.stops; *p && !found; p++)
			found = strlen(*p) <= (size_t)(rn - got) && !memcmp(r + got, *p, strlen(*p));
		if (!found)
			abort();
	}
	free(out);
	free(all);
}

static void think(enum chat_kind k, unsigned opts, int mode, const char *r, int rn, const uint8_t *cuts,
		  size_t ncuts)
{
	struct chat_think t, u;
	chat_think_init(&t, k, opts, mode);
	u = t;
	size_t cap = 2 * (size_t)rn + 64;
	char *big = malloc(cap), *small = malloc((size_t)rn + CHAT_THINK_EXTRA), *all = malloc(cap * 2);
	size_t got = 0;
	for (int at = 0, c = 0; at < rn; c++) {
		int len = ncuts ? 1 + cuts[c % ncuts] % 300 : rn;
		if (len > rn - at)
			len = rn - at;
		int a = chat_think_feed(&t, r + at, len, big, (int)cap);
		int b = chat_think_feed(&u, r + at, len, small, len + CHAT_THINK_EXTRA);
		if (a < 0 || a > (int)cap || a != b || memcmp(big, small, (size_t)a))
			abort(); /* the documented size loses nothing */
		memcpy(all + got, big, (size_t)a);
		got += (size_t)a;
		at += len;
	}
	int a = chat_think_flush(&t, big, (int)cap), b = chat_think_flush(&u, small, CHAT_THINK_EXTRA);
	if (a < 0 || a != b || memcmp(big, small, (size_t)a))
		abort();
	memcpy(all + got, big, (size_t)a);
	got += (size_t)a;
	if (mode == CHAT_THINK_RAW && (got != (size_t)rn || memcmp(all, r, got)))
		abort(); /* raw: the reply as it came */
	free(big);
	free(small);
	free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum chat_kind k = (enum chat_kind)(data[0] % CHAT_KIND_COUNT);
	uint8_t f = data[1];
	unsigned opts = f & 1 ? CHAT_NO_THINK : 0;
	bool prefix = f & 2;
	int mode = (f >> 2) % 3;
	bool user_stops = f & 16;
	size_t sz = (f >> 5) == 7 ? 1 << 16 : (size_t)(f >> 5) * 37; /* 0 too */

	/* fields: an exact copy, NUL-terminated, cut at the NULs */
	size_t n = size - 2;
	char *text = malloc(n + 1);
	memcpy(text, data + 2, n);
	text[n] = 0;
	const char *field[MAX_MSGS + 1];
	size_t flen[MAX_MSGS + 1];
	int nf = 0;
	for (size_t at = 0; nf < MAX_MSGS + 1;) {
		field[nf] = text + at;
		flen[nf] = strlen(text + at);
		nf++;
		at += flen[nf - 1] + 1;
		if (at > n)
			break;
	}

	/* detection on the template source (its real length: NULs and all) */
	enum chat_kind d = chat_detect_str(text, n);
	if ((unsigned)d >= CHAT_KIND_COUNT || !chat_kind_name(d))
		abort();
	(void)chat_think_switch_str(text, n);
	(void)chat_thinks(d);
	char sys[64];
	int sl = chat_default_system_str(text, n, sys, (size_t)(f & 63));
	if (sl < 0 || (sl > 0 && ((size_t)sl >= (size_t)(f & 63) || strlen(sys) != (size_t)sl)))
		abort();
	if (chat_detect_str(NULL, 0) != CHAT_PLAIN)
		abort();

	/* the messages */
	struct chat_msg msgs[MAX_MSGS];
	int nm = 0;
	size_t total = 0;
	for (int i = 1; i < nf; i++, nm++) {
		msgs[nm].role = flen[i] ? roles[(unsigned char)field[i][0] & 3] : NULL;
		msgs[nm].content = flen[i] ? field[i] + 1 : field[i];
		total += flen[i] + 16;
	}
	render(k, opts, msgs, nm, prefix, false, sz, total);
	render(k, opts, msgs, nm, prefix, true, sz, total);

	/* the last field as a generated reply; the template's stop strings, or
	 * the messages' contents as the caller's list */
	const char *r = field[nf - 1];
	int rn = (int)flen[nf - 1];
	const char *stops[MAX_MSGS + 1];
	int ns = 0;
	for (int i = 0; i < nm - 1; i++)
		stops[ns++] = msgs[i].content;
	stops[ns] = NULL;
	stream(k, user_stops ? stops : NULL, r, rn, data, size < 16 ? size : 16);
	think(k, opts, mode, r, rn, data + 1, size - 1 < 16 ? size - 1 : 16);
	free(text);
	return 0;
}

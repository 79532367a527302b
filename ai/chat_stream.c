/* Streaming filters for generated replies: stop strings that arrive as
 * plain text, and thinking blocks shown dimmed or hidden. Both hold back
 * the bytes that may begin a marker until the next piece decides. */
#include <string.h>

#include "ai/chat.h"

void chat_stream_init(struct chat_stream *s, enum chat_kind k)
{
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->stops = chat_stop_strings(k);
}

void chat_stream_init_stops(struct chat_stream *s, const char *const *stops)
{
	memset(s, 0, sizeof(*s));
	s->stops = stops;
}

/* Length of the longest suffix of b[0..n) that is a proper prefix of a stop
 * string; sets *hit to the offset of a complete stop string, or -1. */
static int partial(const char *const *stop, const char *b, int n, int *hit)
{
	int keep = 0;
	*hit = -1;
	for (const char *const *s = stop; *s; s++) {
		int m = (int)strlen(*s);
		for (int i = 0; i + m <= n; i++)
			if (memcmp(b + i, *s, (size_t)m) == 0 && (*hit < 0 || i < *hit))
				*hit = i;
		for (int k = m - 1; k > keep; k--)
			if (k <= n && memcmp(b + n - k, *s, (size_t)k) == 0) {
				keep = k;
				break;
			}
	}
	return keep;
}

int chat_stream_feed(struct chat_stream *s, const char *piece, int len, char *out, int outlen)
{
	int n = 0, hit, keep;

	if (s->stopped || len < 0 || outlen < s->n_hold + len)
		return 0;
	memcpy(out, s->hold, (size_t)s->n_hold);
	memcpy(out + s->n_hold, piece, (size_t)len);
	n = s->n_hold + len;
	keep = partial(s->stops, out, n, &hit);
	if (hit >= 0) {
		s->stopped = true;
		s->n_hold = 0;
		return hit;
	}
	if (keep > CHAT_HOLD_MAX)
		keep = CHAT_HOLD_MAX;
	memcpy(s->hold, out + n - keep, (size_t)keep);
	s->n_hold = keep;
	return n - keep;
}

int chat_stream_flush(struct chat_stream *s, char *out, int outlen)
{
	int n = s->stopped || outlen < s->n_hold ? 0 : s->n_hold;
	memcpy(out, s->hold, (size_t)n);
	s->n_hold = 0;
	return n;
}

/* ---- thinking blocks ------------------------------------------------------ */

void chat_think_init(struct chat_think *t, enum chat_kind k, unsigned opts, enum chat_think_mode m)
{
	memset(t, 0, sizeof(*t));
	t->mode = m;
	/* R1's prompt ends in "<think>\n" (and "</think>" when switched off) */
	t->in = k == CHAT_DEEPSEEK_R1 && !(opts & CHAT_NO_THINK);
}

static const char open_tag[] = "<think>", close_tag[] = "</think>";

struct sink {
	char *p;
	int n, cap;
};

static void emit(struct sink *o, const char *s, int n)
{
	if (n > o->cap - o->n)
		n = o->cap - o->n;
	if (n > 0)
		memcpy(o->p + o->n, s, (size_t)n);
	o->n += n > 0 ? n : 0;
}

/* Text between tags: thinking dimmed or dropped; the answer as it is, less
 * the newlines right after a hidden block. */
static void text(struct chat_think *t, struct sink *o, const char *s, int n)
{
	if (n <= 0)
		return;
	if (t->in) {
		if (t->mode == CHAT_THINK_HIDE)
			return;
		if (!t->dimmed)
			emit(o, CHAT_DIM, (int)sizeof(CHAT_DIM) - 1);
		t->dimmed = true;
		emit(o, s, n);
		return;
	}
	while (t->skip_nl && n > 0 && *s == '\n')
		s++, n--;
	if (n > 0)
		t->skip_nl = false;
	emit(o, s, n);
}

static void undim(struct chat_think *t, struct sink *o)
{
	if (t->dimmed)
		emit(o, CHAT_UNDIM, (int)sizeof(CHAT_UNDIM) - 1);
	t->dimmed = false;
}

/* in[0..n): the hold, then new bytes; n <= sizeof hold + 256. */
static void scan(struct chat_think *t, struct sink *o, const char *in, int n)
{
	int i = 0, start = 0;
	t->n_hold = 0;
	while (i < n) {
		const char *tag = t->in ? close_tag : open_tag;
		int tl = t->in ? (int)sizeof(close_tag) - 1 : (int)sizeof(open_tag) - 1, m = 0;
		while (m < tl && i + m < n && in[i + m] == tag[m])
			m++;
		if (m == tl) {
			text(t, o, in + start, i - start);
			if (t->in)
				undim(t, o);
			t->skip_nl = t->in && t->mode == CHAT_THINK_HIDE;
			t->in = !t->in;
			start = i += tl;
		} else if (m > 0 && i + m == n) { /* may be a tag: decide with the next piece */
			text(t, o, in + start, i - start);
			memcpy(t->hold, in + i, (size_t)m);
			t->n_hold = m;
			return;
		} else {
			i++;
		}
	}
	text(t, o, in + start, n - start);
}

int chat_think_feed(struct chat_think *t, const char *piece, int len, char *out, int outlen)
{
	struct sink o = {out, 0, outlen};
	if (t->mode == CHAT_THINK_RAW) {
		emit(&o, piece, len);
		return o.n;
	}
	char buf[sizeof(t->hold) + 256];
	for (int off = 0; off < len;) {
		int k = len - off < 256 ? len - off : 256, h = t->n_hold;
		memcpy(buf, t->hold, (size_t)h);
		memcpy(buf + h, piece + off, (size_t)k);
		scan(t, &o, buf, h + k);
		off += k;
	}
	return o.n;
}

int chat_think_flush(struct chat_think *t, char *out, int outlen)
{
	struct sink o = {out, 0, outlen};
	text(t, &o, t->hold, t->n_hold);
	t->n_hold = 0;
	undim(t, &o);
	return o.n;
}

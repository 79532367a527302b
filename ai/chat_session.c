/* Multi-turn chat with a kept KV cache: renders each turn with the model's
 * template, feeds it to generate_tokens and filters the streamed reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat_session.h"

static char *dup_str(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s ? s : "", n);
		d[n] = 0;
	}
	return d;
}

int chat_session_init(struct chat_session *cs, enum chat_kind k, const char *system)
{
	memset(cs, 0, sizeof(*cs));
	cs->kind = k;
	cs->pending = -1;
	cs->think = CHAT_THINK_DIM;
	cs->system = dup_str(system);
	return cs->system ? 0 : -1;
}

void chat_session_set_think(struct chat_session *cs, enum chat_think_mode m, bool has_switch)
{
	cs->think = m;
	cs->opts = m == CHAT_THINK_HIDE && has_switch ? CHAT_NO_THINK : 0;
}

int chat_session_set_system(struct chat_session *cs, const char *system)
{
	char *d = dup_str(system);
	if (!d)
		return -1;
	free(cs->system);
	cs->system = d;
	return 0;
}

void chat_session_reset(struct chat_session *cs)
{
	cs->n_past = 0;
	cs->started = false;
	cs->n_turns = 0;
	cs->pending = -1;
}

void chat_session_free(struct chat_session *cs)
{
	free(cs->system);
	free(cs->last);
	memset(cs, 0, sizeof(*cs));
}

/* ---- the streaming wrapper around the caller's gen_io -------------------- */

struct wrap {
	const struct gen_io *io;
	const struct tokenizer *tk;
	enum chat_kind kind;
	struct chat_stream st;
	struct chat_think th;
	bool thinks;   /* replies may hold thinking blocks */
	bool stop_tok; /* a template stop token was generated */
};

/* Stop-string-filtered bytes s[0..n) through the thinking filter to the
 * caller (id -1 for held text let out at the end). */
static void w_out(struct wrap *w, int32_t id, const char *s, int n, bool last)
{
	char buf[256 + CHAT_THINK_EXTRA], *out = buf;
	int cap = n + CHAT_THINK_EXTRA, k = n;
	if (w->thinks) {
		if (cap > (int)sizeof(buf) && !(out = malloc((size_t)cap)))
			return;
		k = chat_think_feed(&w->th, s, n, out, cap);
		if (last)
			k += chat_think_flush(&w->th, out + k, cap - k);
		s = out;
	}
	if (k > 0 && w->io && w->io->on_token)
		w->io->on_token(w->io->user, id, s, k);
	if (out != buf)
		free(out);
}

static void w_token(void *user, int32_t id, const char *piece, int len)
{
	struct wrap *w = user;
	char buf[256 + CHAT_HOLD_MAX], *out = buf;
	int n;

	if (w->stop_tok || w->st.stopped)
		return;
	if (chat_is_stop_token(w->kind, w->tk, id)) {
		w->stop_tok = true;
		return;
	}
	if (len + CHAT_HOLD_MAX > (int)sizeof(buf) && !(out = malloc((size_t)len + CHAT_HOLD_MAX)))
		return;
	n = chat_stream_feed(&w->st, piece, len, out, len + CHAT_HOLD_MAX);
	if (n > 0)
		w_out(w, id, out, n, false);
	if (out != buf)
		free(out);
}

static bool w_stop(void *user)
{
	struct wrap *w = user;
	return w->stop_tok || w->st.stopped ||
	       (w->io && w->io->should_stop && w->io->should_stop(w->io->user));
}

static uint64_t w_now(void *user)
{
	struct wrap *w = user;
	return w->io && w->io->now_ns ? w->io->now_ns(w->io->user) : 0;
}

int chat_session_turn(struct chat_session *cs, struct forward *f, const struct tokenizer *tk,
		      struct sampler *s, const char *user, const struct gen_params *gp,
		      const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen)
{
	struct chat_msg msgs[2];
	int nm = 0, len, n, rc = -1;
	int n_ctx = forward_n_ctx(f);
	bool bos = false;
	size_t cap = strlen(user) + (cs->system ? strlen(cs->system) : 0) + 512;
	char *text = malloc(cap);
	int32_t *toks = NULL;
	struct wrap w = {io, tk, cs->kind, {0}, {0}, chat_thinks(cs->kind), false};
	struct gen_io wio = {w_token, w_stop, io && io->now_ns ? w_now : NULL, &w};
	struct gen_params p = *gp;

	memset(st, 0, sizeof(*st));
	st->pending = -1;
	if (!text) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!cs->started) {
		if (cs->system && cs->system[0])
			msgs[nm++] = (struct chat_msg){"system", cs->system};
		msgs[nm++] = (struct chat_msg){"user", user};
		len = chat_render(cs->kind, cs->opts, msgs, nm, true, text, cap);
		bos = chat_wants_bos(cs->kind, tk);
	} else {
		msgs[nm++] = (struct chat_msg){"user", user};
		len = chat_render_continue(cs->kind, cs->opts, msgs, nm, text, cap);
	}
	if (len < 0) {
		snprintf(err, errlen, "cannot render the chat template");
		goto out;
	}
	/* a reply cut by the length limit left its last token outside the
	 * cache: it goes first (a stop token never does: the template renders
	 * the end of the turn itself) */
	int lead = cs->started && cs->pending >= 0 && !chat_is_stop_token(cs->kind, tk, cs->pending);
	toks = malloc(sizeof(int32_t) * ((size_t)len + 3));
	if (!toks) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	toks[0] = cs->pending;
	n = tokenizer_encode(tk, text, (size_t)len, bos, true, toks + lead, len + 2);
	if (n <= 0 || n > len + 2) {
		snprintf(err, errlen, "cannot tokenize the message");
		goto out;
	}
	n += lead;
	int past = cs->started ? cs->n_past : 0;
	if (past + n >= n_ctx) {
		snprintf(err, errlen, "the conversation is full (%d tokens + %d new, context %d): "
			 "reset it", past, n, n_ctx);
		goto out;
	}
	if (!cs->started)
		sampler_reset(s);
	free(cs->last);
	cs->last = text;
	cs->last_len = len;
	text = NULL;
	chat_stream_init(&w.st, cs->kind);
	chat_think_init(&w.th, cs->kind, cs->opts, (enum chat_think_mode)cs->think);
	p.add_bos = bos;
	p.parse_special = true;
	rc = generate_tokens(f, tk, s, toks, n, &past, &p, &wio, st, err, errlen);
	if (rc == 0 || past > (cs->started ? cs->n_past : 0)) {
		cs->n_past = past; /* whatever reached the cache belongs to this conversation */
		cs->started = true;
		cs->pending = st->pending;
	}
	char tail[CHAT_HOLD_MAX];
	w_out(&w, -1, tail, rc == 0 ? chat_stream_flush(&w.st, tail, sizeof(tail)) : 0, true);
	if (rc == 0) {
		if ((w.stop_tok || w.st.stopped) && st->stop == GEN_STOP_USER)
			st->stop = GEN_STOP_EOG;
		cs->n_turns++;
	}
out:
	free(text);
	free(toks);
	return rc;
}

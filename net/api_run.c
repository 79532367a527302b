/* api_run: a queued job on the engine - completions and chats (streamed as
 * Server-Sent Events or answered whole) and embeddings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/generate.h"
#include "net/http_impl.h"
#include "net/json.h"

struct run {
	struct http_server *s;
	struct job *j;
	struct http_conn *c;
	const char *stops[HTTP_MAX_STOP + 4];
	struct chat_stream filter;
	char utf8[4];            /* the start of a UTF-8 sequence cut by a token */
	int n_utf8;
	struct jw text;          /* the whole reply (not streamed) */
	int n_tok;               /* tokens of the reply */
	int n_kv;                /* generated tokens recorded in kv_toks */
	int n_prompt;            /* tokens in the cache before generation */
	bool stop_tok;           /* a template stop token ended the reply */
	bool started;            /* the SSE head went out */
	uint64_t t0, t_first;    /* job start, first text out */
	char id[40];
	uint64_t created;
};

static bool chat(const struct run *r)
{
	return r->j->kind == JOB_CHAT;
}

/* The fields every chunk and response starts with. */
static void common(struct run *r, struct jw *w, const char *object)
{
	jw_key(w, "id");
	jw_cstr(w, r->id);
	jw_key(w, "object");
	jw_cstr(w, object);
	jw_key(w, "created");
	jw_int(w, (long long)r->created);
	jw_key(w, "model");
	jw_cstr(w, r->s->model_id);
}

/* The object up to its one choice's "index":0; then choice_end. */
static void choice_begin(struct run *r, struct jw *w, const char *object)
{
	jw_obj(w);
	common(r, w, object);
	jw_key(w, "choices");
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "index");
	jw_int(w, 0);
}

static void choice_end(struct jw *w, const char *finish)
{
	jw_key(w, "logprobs");
	jw_null(w);
	jw_key(w, "finish_reason");
	jw_cstr(w, finish);
	jw_end(w);
	jw_end(w);
}

static void sse(struct run *r, struct jw *w)
{
	jw_raw(w, "\n\n", 2);
	if (!w->oom)
		conn_stream(r->c, w->p, w->n);
	jw_free(w);
}


static void usage(struct jw *w, int prompt, int gen)
{
	jw_key(w, "usage");
	jw_obj(w);
	jw_key(w, "prompt_tokens");
	jw_int(w, prompt);
	jw_key(w, "completion_tokens");
	jw_int(w, gen);
	jw_key(w, "total_tokens");
	jw_int(w, prompt + gen);
	jw_end(w);
}

/* llama.cpp's "timings" object, plus the time to the first text. */
static void timings(struct run *r, struct jw *w, int n_eval, const struct gen_stats *st)
{
	double gen_ms = st->t_gen_ns / 1e6;
	jw_key(w, "timings");
	jw_obj(w);
	jw_key(w, "prompt_n");
	jw_int(w, n_eval);
	jw_key(w, "prompt_ms");
	jw_num(w, (double)(st->t_first_ns ? st->t_first_ns : st->t_prompt_ns) / 1e6);
	jw_key(w, "predicted_n");
	jw_int(w, st->n_gen);
	jw_key(w, "predicted_ms");
	jw_num(w, gen_ms);
	jw_key(w, "predicted_per_second");
	jw_num(w, st->n_gen > 1 && gen_ms > 0 ? (st->n_gen - 1) * 1e3 / gen_ms : 0);
	jw_key(w, "first_token_ms");
	jw_num(w, r->t_first ? (double)(r->t_first - r->t0) / 1e6 : 0);
	jw_end(w);
}

/* One chunk of the reply's text (or, with text NULL, the finishing one). */
static void chunk(struct run *r, const char *text, size_t n, const char *finish,
		  const struct gen_stats *st)
{
	struct jw w;
	jw_init(&w);
	jw_raw(&w, "data: ", 6);
	choice_begin(r, &w, chat(r) ? "chat.completion.chunk" : "text_completion");
	if (chat(r)) {
		jw_key(&w, "delta");
		jw_obj(&w);
		if (!r->started) {
			jw_key(&w, "role");
			jw_cstr(&w, "assistant");
		}
		if (text) {
			jw_key(&w, "content");
			jw_str(&w, text, n);
		}
		jw_end(&w);
	} else {
		jw_key(&w, "text");
		jw_str(&w, text ? text : "", text ? n : 0);
	}
	choice_end(&w, finish);
	if (st) { /* the finishing chunk: counts and speed */
		usage(&w, r->n_prompt, r->n_tok);
		timings(r, &w, st->n_prompt, st);
	}
	jw_end(&w);
	r->started = true;
	sse(r, &w);
}

/* Text that is safe to show: whole UTF-8 sequences only (a token may end
 * inside one; its rest comes with the next token). */
static void text_out(struct run *r, const char *p, int n)
{
	char buf[512 + 4], *b = buf;
	if (n + 4 > (int)sizeof buf && !(b = malloc((size_t)n + 4)))
		return;
	memcpy(b, r->utf8, (size_t)r->n_utf8);
	memcpy(b + r->n_utf8, p, (size_t)n);
	n += r->n_utf8;
	r->n_utf8 = 0;
	for (int back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)b[n - back];
		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		if (c >= 0xc0 && utf8_seq((const unsigned char *)b + n - back, (size_t)back) == 0) {
			memcpy(r->utf8, b + n - back, (size_t)back);
			r->n_utf8 = back;
			n -= back;
		}
		break;
	}
	if (n > 0) {
		if (!r->t_first)
			r->t_first = srv_now(r->s);
		if (r->j->stream)
			chunk(r, b, (size_t)n, NULL, NULL);
		else
			jw_raw(&r->text, b, (size_t)n);
	}
	if (b != buf)
		free(b);
}

static void on_token(void *user, int32_t id, const char *piece, int len)
{
	struct run *r = user;
	struct http_server *s = r->s;
	int n_ctx = forward_n_ctx(s->e.f);
	if (r->n_prompt + r->n_kv < n_ctx) /* what the cache is about to hold */
		s->kv_toks[r->n_prompt + r->n_kv++] = id;
	if (r->stop_tok || r->filter.stopped)
		return;
	if (chat(r) && chat_is_stop_token(s->e.chat, s->e.tk, id)) {
		r->stop_tok = true;
		return;
	}
	r->n_tok++;
	char buf[256 + CHAT_HOLD_MAX], *out = buf;
	if (len + CHAT_HOLD_MAX > (int)sizeof buf && !(out = malloc((size_t)len + CHAT_HOLD_MAX)))
		return;
	int k = chat_stream_feed(&r->filter, piece, len, out, len + CHAT_HOLD_MAX);
	if (k > 0)
		text_out(r, out, k);
	if (out != buf)
		free(out);
	srv_pump(s, false);
}

static bool should_stop(void *user)
{
	struct run *r = user;
	return r->stop_tok || r->filter.stopped || r->c->gone;
}

static uint64_t now_ns(void *user)
{
	struct run *r = user;
	return srv_now(r->s);
}

/* The tokens of a prompt: (*out, return value), or -1 (an error went out). */
static int tokenize(struct run *r, const char *text, size_t len, bool special, int32_t **out)
{
	struct http_server *s = r->s;
	int n_ctx = forward_n_ctx(s->e.f);
	int32_t *t = malloc(((size_t)n_ctx + 1) * sizeof *t);
	if (!t) {
		conn_error(r->c, 500, NULL, NULL, "out of memory");
		return -1;
	}
	/* a chat's BOS as the template wants it; a completion's as llm generate */
	bool bos = r->j->kind == JOB_CHAT ? chat_wants_bos(s->e.chat, s->e.tk)
					  : tokenizer_wants_bos(s->e.tk);
	int n = tokenizer_encode(s->e.tk, text, len, bos, special, t, n_ctx + 1);
	const char *param = r->j->kind == JOB_CHAT ? "messages" : r->j->kind == JOB_EMBED ? "input"
											       : "prompt";
	if (n < 0 || n > n_ctx) {
		if (n > n_ctx)
			conn_error(r->c, 400, param, "context_length_exceeded",
				   "the prompt is longer than the context of %d tokens", n_ctx);
		else
			conn_error(r->c, 400, param, NULL, "cannot tokenize the prompt");
		free(t);
		return -1;
	}
	if (n == 0) {
		conn_error(r->c, 400, param, NULL, "empty prompt");
		free(t);
		return -1;
	}
	*out = t;
	return n;
}

/* The server is about to write the KV cache: what it holds, as far as it
 * agrees with toks[0..n), is kept; the length of that prefix. */
static int claim_cache(struct http_server *s, const int32_t *toks, int n)
{
	int keep = 0;
	if (!s->e.kv_epoch || *s->e.kv_epoch == s->kv_seen)
		while (keep < s->kv_n && keep < n && s->kv_toks[keep] == toks[keep])
			keep++;
	if (s->e.kv_epoch)
		s->kv_seen = ++*s->e.kv_epoch;
	memcpy(s->kv_toks, toks, (size_t)n * sizeof *toks);
	s->kv_n = keep;
	return keep;
}

static void generate(struct run *r)
{
	struct http_server *s = r->s;
	struct job *j = r->j;
	struct http_conn *c = r->c;
	int32_t *toks = NULL;
	int n = tokenize(r, j->text, j->text_len, chat(r), &toks);
	if (n < 0)
		return;
	int ns = 0;
	if (chat(r))
		for (const char *const *p = chat_stop_strings(s->e.chat); *p; p++)
			r->stops[ns++] = *p;
	for (int i = 0; i < j->n_stop; i++)
		r->stops[ns++] = j->stop[i];
	r->stops[ns] = NULL;
	chat_stream_init_stops(&r->filter, r->stops);
	r->n_prompt = n;

	/* the prompt: the part the cache already holds is kept; the rest but
	 * the last batch evaluated here with the network pumped in between,
	 * the last batch by generate_tokens */
	struct forward *f = s->e.f;
	int past = claim_cache(s, toks, n), nb = forward_n_batch(f);
	if (past == n)
		past--; /* the last token is evaluated again for its logits */
	sampler_set_params(s->sampler, &j->sp);
	sampler_reset(s->sampler);
	for (int i = 0; i < past; i++)
		sampler_accept(s->sampler, toks[i]);
	while (n - past > nb && !c->gone) {
		forward_eval(f, toks + past, nb, past, false);
		for (int i = 0; i < nb; i++)
			sampler_accept(s->sampler, toks[past + i]);
		past += nb;
		s->kv_n = past;
		srv_pump(s, true);
	}
	if (c->gone) {
		srv_log(s, "#%u the client left during the prompt", c->serial);
		free(toks);
		return;
	}
	if (j->stream)
		conn_stream_begin(c, "text/event-stream");
	struct gen_params gp = { j->max_tokens, false, false };
	struct gen_io io = { on_token, should_stop, now_ns, r };
	struct gen_stats st;
	char err[160];
	int n_eval = n - past;
	if (j->max_tokens == 0) { /* nothing to generate: no evaluation either */
		memset(&st, 0, sizeof st);
		st.stop = GEN_STOP_LIMIT;
	} else if (generate_tokens(f, s->e.tk, s->sampler, toks + past, n - past, &past, &gp, &io,
				   &st, err, sizeof err) != 0) {
		s->kv_n = 0;
		if (j->stream) { /* the head went out: an error event, then the end */
			struct jw w;
			jw_init(&w);
			jw_raw(&w, "data: {\"error\":{\"message\":", 27);
			jw_cstr(&w, err);
			jw_raw(&w, ",\"type\":\"server_error\"}}", 24);
			sse(r, &w);
			conn_stream_end(c);
		} else {
			conn_error(c, 500, NULL, NULL, "%s", err);
		}
		free(toks);
		return;
	}
	s->kv_n = past;
	st.n_prompt = n_eval;
	free(toks);
	if (c->gone) {
		srv_log(s, "#%u the client left: generation stopped after %d tokens", c->serial, r->n_tok);
		return;
	}
	char tail[CHAT_HOLD_MAX];
	int k = chat_stream_flush(&r->filter, tail, sizeof tail);
	if (k > 0)
		text_out(r, tail, k);
	if (r->n_utf8 && j->stream) /* a cut sequence at the very end: the writer marks it */
		chunk(r, r->utf8, (size_t)r->n_utf8, NULL, NULL);
	else if (r->n_utf8)
		jw_raw(&r->text, r->utf8, (size_t)r->n_utf8);
	bool stopped = r->stop_tok || r->filter.stopped || st.stop == GEN_STOP_EOG;
	const char *finish = stopped ? "stop" : "length";
	srv_log(s, "#%u %s: prompt %d tokens (%d evaluated), %d generated, %.1f tok/s, %s",
		c->serial, chat(r) ? "chat" : "completion", n, n_eval, r->n_tok,
		st.n_gen > 1 && st.t_gen_ns ? (st.n_gen - 1) * 1e9 / (double)st.t_gen_ns : 0.0,
		finish);
	if (j->stream) {
		chunk(r, NULL, 0, finish, &st);
		if (j->include_usage) {
			struct jw w;
			jw_init(&w);
			jw_raw(&w, "data: ", 6);
			jw_obj(&w);
			common(r, &w, chat(r) ? "chat.completion.chunk" : "text_completion");
			jw_key(&w, "choices");
			jw_arr(&w);
			jw_end(&w);
			usage(&w, r->n_prompt, r->n_tok);
			jw_end(&w);
			sse(r, &w);
		}
		conn_stream(c, "data: [DONE]\n\n", 14);
		conn_stream_end(c);
		return;
	}
	struct jw w;
	jw_init(&w);
	choice_begin(r, &w, chat(r) ? "chat.completion" : "text_completion");
	if (chat(r)) {
		jw_key(&w, "message");
		jw_obj(&w);
		jw_key(&w, "role");
		jw_cstr(&w, "assistant");
		jw_key(&w, "content");
		jw_str(&w, r->text.p ? r->text.p : "", r->text.n);
		jw_end(&w);
	} else {
		jw_key(&w, "text");
		jw_str(&w, r->text.p ? r->text.p : "", r->text.n);
	}
	choice_end(&w, finish);
	usage(&w, r->n_prompt, r->n_tok);
	timings(r, &w, n_eval, &st);
	jw_end(&w);
	if (w.oom || r->text.oom)
		conn_error(c, 500, NULL, NULL, "out of memory");
	else
		conn_respond(c, 200, "application/json", NULL, w.p, w.n);
	jw_free(&w);
}

/* ---- embeddings ------------------------------------------------------------------ */

/* Mean of the final hidden states of toks, L2-normalised, into e (n_embd). */
static bool embed_one(struct run *r, const int32_t *toks, int n, float *e)
{
	struct http_server *s = r->s;
	struct forward *f = s->e.f;
	int E = forward_model(f)->n_embd, nb = forward_n_batch(f);
	double *acc = calloc((size_t)E, sizeof *acc);
	if (!acc)
		return false;
	claim_cache(s, toks, n);
	for (int pos = 0; pos < n && !r->c->gone; pos += nb) {
		int k = n - pos < nb ? n - pos : nb;
		const float *h = forward_embed(f, toks + pos, k, pos);
		if (!h) {
			free(acc);
			return false;
		}
		for (int t = 0; t < k; t++)
			for (int i = 0; i < E; i++)
				acc[i] += h[(size_t)t * E + i];
		s->kv_n = pos + k;
		srv_pump(s, true);
	}
	double norm = 0;
	for (int i = 0; i < E; i++) {
		acc[i] /= n;
		norm += acc[i] * acc[i];
	}
	if (norm > 0) { /* sqrt in double: the float one, then a Newton step */
		double y = ai_sqrtf((float)norm);
		norm = 1.0 / ((y + norm / y) / 2);
	}
	for (int i = 0; i < E; i++)
		e[i] = (float)(acc[i] * norm);
	free(acc);
	return true;
}

static void embeddings(struct run *r)
{
	struct http_server *s = r->s;
	struct job *j = r->j;
	int E = forward_model(s->e.f)->n_embd, total = 0;
	float *e = malloc((size_t)E * sizeof *e);
	struct jw w;
	jw_init(&w);
	if (!e) {
		conn_error(r->c, 500, NULL, NULL, "out of memory");
		return;
	}
	jw_obj(&w);
	jw_key(&w, "object");
	jw_cstr(&w, "list");
	jw_key(&w, "data");
	jw_arr(&w);
	for (int i = 0; i < j->n_inputs; i++) {
		int32_t *toks;
		int n = tokenize(r, j->inputs[i], strlen(j->inputs[i]), true, &toks);
		if (n < 0)
			goto out;
		bool ok = embed_one(r, toks, n, e);
		free(toks);
		if (r->c->gone)
			goto out;
		if (!ok) {
			conn_error(r->c, 500, NULL, NULL, "evaluation failed");
			goto out;
		}
		total += n;
		jw_obj(&w);
		jw_key(&w, "object");
		jw_cstr(&w, "embedding");
		jw_key(&w, "index");
		jw_int(&w, i);
		jw_key(&w, "embedding");
		if (j->base64) {
			jw_base64(&w, e, (size_t)E * sizeof *e);
		} else {
			jw_arr(&w);
			for (int k = 0; k < E; k++)
				jw_float(&w, e[k]);
			jw_end(&w);
		}
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "model");
	jw_cstr(&w, s->model_id);
	usage(&w, total, 0);
	jw_end(&w);
	srv_log(s, "#%u embeddings: %d inputs, %d tokens", r->c->serial, j->n_inputs, total);
	if (w.oom)
		conn_error(r->c, 500, NULL, NULL, "out of memory");
	else
		conn_respond(r->c, 200, "application/json", NULL, w.p, w.n);
out:
	jw_free(&w);
	free(e);
}

void api_run(struct http_server *s, struct job *j)
{
	struct run r;
	memset(&r, 0, sizeof r);
	r.s = s;
	r.j = j;
	r.c = j->c;
	r.t0 = srv_now(s);
	r.created = s->cfg.unix_time ? s->cfg.unix_time(s->cfg.user) : 0;
	snprintf(r.id, sizeof r.id, "%s-%llu", j->kind == JOB_CHAT ? "chatcmpl" : "cmpl",
		 (unsigned long long)j->id);
	jw_init(&r.text);
	if (j->kind == JOB_EMBED)
		embeddings(&r);
	else
		generate(&r);
	jw_free(&r.text);
}

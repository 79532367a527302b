/* Multi-turn chat with a kept KV cache (ai/chat_session.c) on a real model
 * (../shared/conformance/models/aidreams260K-f32.gguf, greedy): each turn's
 * reply equals a from-scratch generation over the whole conversation's
 * tokens, a reset reproduces the first turn, and an overlong conversation
 * is refused with a message. Prints PASS/FAIL/SKIP lines.
 * Usage: test_chat_session [MODEL.gguf] */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat_session.h"
#include "ai/model.h"
#include "tests/unit/files.h"

static int n_fail;
static char label[64]; /* the model file's base name */

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf(ok ? "PASS: " : "FAIL: ");
	printf("[%s] ", label);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!ok)
		n_fail++;
}

struct rec {
	char text[4096];
	int len;
	int32_t ids[256];
	int n_ids;
	/* reference runs: stop after a template stop token, as the session does */
	const struct tokenizer *tk;
	enum chat_kind kind;
	bool stop;
};

static void on_token(void *user, int32_t id, const char *piece, int len)
{
	struct rec *r = user;
	if (r->tk && chat_is_stop_token(r->kind, r->tk, id))
		r->stop = true;
	if (r->len + len < (int)sizeof(r->text)) {
		memcpy(r->text + r->len, piece, (size_t)len);
		r->len += len;
		r->text[r->len] = 0;
	}
	if (id >= 0 && r->n_ids < 256)
		r->ids[r->n_ids++] = id;
}

static bool should_stop(void *user)
{
	return ((struct rec *)user)->stop;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "../shared/conformance/models/aidreams260K-f32.gguf";
	char err[256];
	size_t len;
	char *buf = read_file(path, &len);
	struct gguf g;
	struct model m;
	struct tokenizer *tk;
	struct forward *f, *f2, *fs;
	struct sampler *s, *s2;
	struct sampler_params sp;
	struct chat_session cs;
	struct gen_stats st;
	struct rec r1 = {0}, m1 = {0}, r2 = {0}, m2 = {0}, r3 = {0};
	struct gen_params gp = {.n_predict = 8, .add_bos = true, .parse_special = true};
	const char *base = strrchr(path, '/');
	snprintf(label, sizeof(label), "%s", base ? base + 1 : path);

	if (!buf) {
		printf("SKIP: chat session on a real model (%s absent)\n", path);
		return 0;
	}
	if (gguf_open(&g, buf, len, err, sizeof(err)) < 0 || model_load(&m, &g, err, sizeof(err)) < 0 ||
	    !(tk = tokenizer_load(&g, err, sizeof(err))) || !(f = forward_new(&m, 256, 32, err, sizeof(err))) ||
	    !(f2 = forward_new(&m, 256, 32, err, sizeof(err))) ||
	    !(fs = forward_new(&m, 24, 8, err, sizeof(err)))) {
		printf("FAIL: chat session: load %s: %s\n", path, err);
		return 1;
	}
	sampler_defaults(&sp);
	sp.temp = 0;
	sp.repeat_penalty = 1;
	s = sampler_new(&sp, tokenizer_n_vocab(tk));
	s2 = sampler_new(&sp, tokenizer_n_vocab(tk));
	chat_session_init(&cs, chat_detect(&g), "Be nice.");

	/* turn 1 == generate_text over the rendered first turn */
	struct gen_io io1 = {on_token, NULL, NULL, &r1}, iom1 = {on_token, should_stop, NULL, &m1};
	m1.tk = m2.tk = tk;
	m1.kind = m2.kind = cs.kind;
	int rc = chat_session_turn(&cs, f, tk, s, "Once upon a time", &gp, &io1, &st, err, sizeof(err));
	check(rc == 0 && cs.last && strstr(cs.last, "Once upon a time"), "chat session: first turn runs (%s)",
	      rc ? err : chat_kind_name(cs.kind));
	generate_text(f2, tk, s2, cs.last, (size_t)cs.last_len, &gp, &iom1, &st, err, sizeof(err));
	check(rc == 0 && r1.len > 0 && strcmp(r1.text, m1.text) == 0,
	      "chat session: first reply equals generate_text on the rendered prompt");

	/* turn 2 (kept cache) == from scratch over everything fed so far */
	int32_t all[512];
	int n = tokenizer_encode(tk, cs.last, (size_t)cs.last_len, tokenizer_wants_bos(tk), true, all, 256);
	memcpy(all + n, m1.ids, sizeof(int32_t) * (size_t)m1.n_ids);
	n += m1.n_ids;
	struct gen_io io2 = {on_token, NULL, NULL, &r2}, iom2 = {on_token, should_stop, NULL, &m2};
	rc = chat_session_turn(&cs, f, tk, s, "Tell me more.", &gp, &io2, &st, err, sizeof(err));
	check(rc == 0 && cs.n_turns == 2, "chat session: second turn runs%s%s", rc ? ": " : "", rc ? err : "");
	n += tokenizer_encode(tk, cs.last, (size_t)cs.last_len, false, true, all + n, 256);
	int past = 0;
	sampler_reset(s2);
	generate_tokens(f2, tk, s2, all, n, &past, &gp, &iom2, &st, err, sizeof(err));
	if (strcmp(r2.text, m2.text))
		printf("  session: \"%s\"\n  scratch: \"%s\"\n", r2.text, m2.text);
	check(rc == 0 && strcmp(r2.text, m2.text) == 0,
	      "chat session: second reply (kept cache) equals a from-scratch run over %d tokens", n);
	check(cs.n_past == past, "chat session: cache holds %d tokens, as the from-scratch run", cs.n_past);

	/* reset: the first turn again */
	chat_session_reset(&cs);
	struct gen_io io3 = {on_token, NULL, NULL, &r3};
	rc = chat_session_turn(&cs, f, tk, s, "Once upon a time", &gp, &io3, &st, err, sizeof(err));
	check(rc == 0 && strcmp(r3.text, r1.text) == 0, "chat session: reset reproduces the first reply");

	/* a conversation longer than the context is refused */
	chat_session_reset(&cs);
	rc = chat_session_turn(&cs, fs, tk, s, "Once upon a time there was a very long message that "
			       "does not fit in twenty-four positions at all", &gp, &io3, &st, err, sizeof(err));
	check(rc == -1 && strstr(err, "full"), "chat session: overlong turn refused (\"%s\")", err);

	chat_session_free(&cs);
	sampler_free(s);
	sampler_free(s2);
	forward_free(f);
	forward_free(f2);
	forward_free(fs);
	tokenizer_free(tk);
	model_free(&m);
	gguf_close(&g);
	free(buf);
	return n_fail ? 1 : 0;
}

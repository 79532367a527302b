/* generate: prompt -> batched evaluation -> sample/evaluate loop, and bench. */
#include "ai/generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_PIECE_MAX 256

static uint64_t now(const struct gen_io *io)
{
	return io && io->now_ns ? io->now_ns(io->user) : 0;
}

/* Stream the bytes of token id through the callback. */
static void emit(const struct tokenizer *tk, const struct gen_io *io, int32_t id)
{
	if (!io || !io->on_token)
		return;
	char buf[GEN_PIECE_MAX];
	int len = tokenizer_piece(tk, id, buf, sizeof buf);
	if (len < 0)
		len = 0;
	if (len <= (int)sizeof buf) {
		io->on_token(io->user, id, buf, len);
		return;
	}
	char *big = malloc((size_t)len); /* rare: a piece longer than 256 bytes */
	if (big && tokenizer_piece(tk, id, big, len) == len)
		io->on_token(io->user, id, big, len);
	else
		io->on_token(io->user, id, buf, (int)sizeof buf);
	free(big);
}

int generate_tokens(struct forward *f, const struct tokenizer *tk, struct sampler *s,
		    const int32_t *toks, int n, int *n_past, const struct gen_params *gp,
		    const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen)
{
	int n_ctx = forward_n_ctx(f);
	uint64_t t0 = now(io), t_first = 0;
	memset(st, 0, sizeof *st);
	st->pending = -1;
	if (n < 1) {
		snprintf(err, errlen, "nothing to evaluate");
		return -1;
	}
	if (*n_past < 0 || n > n_ctx - *n_past) {
		snprintf(err, errlen, "prompt is %d tokens but the context has room for %d (of %d)",
			 n, n_ctx - *n_past > 0 ? n_ctx - *n_past : 0, n_ctx);
		return -1;
	}
	const float *logits = forward_eval(f, toks, n, *n_past, false);
	if (!logits) {
		snprintf(err, errlen, "cannot evaluate the prompt (token id out of range?)");
		return -1;
	}
	*n_past += n;
	st->n_prompt = n;
	st->t_prompt_ns = now(io) - t0;
	for (int i = 0; i < n; i++)
		sampler_accept(s, toks[i]);

	st->stop = GEN_STOP_LIMIT;
	while (gp->n_predict < 0 || st->n_gen < gp->n_predict) {
		if (io && io->should_stop && io->should_stop(io->user)) {
			st->stop = GEN_STOP_USER;
			break;
		}
		int32_t id = sampler_sample(s, logits);
		st->pending = id;
		if (tokenizer_is_eog(tk, id)) {
			st->stop = GEN_STOP_EOG;
			break;
		}
		sampler_accept(s, id);
		emit(tk, io, id);
		if (st->n_gen++ == 0) {
			t_first = now(io);
			st->t_first_ns = t_first - t0;
		}
		if (gp->n_predict >= 0 && st->n_gen >= gp->n_predict)
			break;
		/* asked to stop by what it just saw (a stop string): do not
		 * evaluate the token (it stays pending) */
		if (io && io->should_stop && io->should_stop(io->user)) {
			st->stop = GEN_STOP_USER;
			break;
		}
		if (*n_past >= n_ctx) {
			st->stop = GEN_STOP_CTX;
			break;
		}
		logits = forward_eval(f, &id, 1, *n_past, false);
		if (!logits) { /* cannot happen: id < n_vocab, position checked */
			snprintf(err, errlen, "evaluation failed at position %d", *n_past);
			return -1;
		}
		*n_past += 1;
		st->pending = -1;
	}
	if (st->n_gen > 0)
		st->t_gen_ns = now(io) - t_first;
	return 0;
}

int generate_text(struct forward *f, const struct tokenizer *tk, struct sampler *s,
		  const char *prompt, size_t len, const struct gen_params *gp,
		  const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen)
{
	int n_ctx = forward_n_ctx(f);
	int32_t *toks = malloc(((size_t)n_ctx + 1) * sizeof *toks);
	int rc = -1, n_past = 0;
	memset(st, 0, sizeof *st);
	st->pending = -1;
	if (!toks) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	bool bos = gp->add_bos && tokenizer_wants_bos(tk);
	int n = tokenizer_encode(tk, prompt, len, bos, gp->parse_special, toks, n_ctx + 1);
	if (n < 0) {
		snprintf(err, errlen, "cannot tokenize the prompt");
		goto out;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty prompt");
		goto out;
	}
	if (n > n_ctx) {
		snprintf(err, errlen, "prompt is %d tokens, longer than the context (%d)", n, n_ctx);
		goto out;
	}
	sampler_reset(s);
	rc = generate_tokens(f, tk, s, toks, n, &n_past, gp, io, st, err, errlen);
out:
	free(toks);
	return rc;
}

/* ---- bench -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define BENCH_MAX_REPS 16

int generate_bench(struct forward *f, int n_pp, int n_tg, int reps,
		   const struct gen_io *io, double *pp_tps, double *tg_tps,
		   char *err, size_t errlen)
{
	int n_vocab = forward_model(f)->n_vocab;
	double pp[BENCH_MAX_REPS], tg[BENCH_MAX_REPS];
	int32_t *toks = NULL;
	struct pcg32 rng;
	int rc = -1;
	if (!io || !io->now_ns) {
		snprintf(err, errlen, "bench needs a clock");
		return -1;
	}
	if (reps < 1 || reps > BENCH_MAX_REPS)
		reps = reps < 1 ? 1 : BENCH_MAX_REPS;
	if (n_pp < 0 || n_tg < 0 || n_pp > forward_n_ctx(f) || n_tg > forward_n_ctx(f)) {
		snprintf(err, errlen, "bench sizes pp %d / tg %d do not fit the context (%d)",
			 n_pp, n_tg, forward_n_ctx(f));
		return -1;
	}
	toks = malloc(((size_t)n_pp + 1) * sizeof *toks);
	if (!toks) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pcg32_seed(&rng, 1234);
	for (int i = 0; i <= n_pp; i++)
		toks[i] = (int32_t)(pcg32_next(&rng) % (uint32_t)n_vocab);
	/* warm-up: touch the weights and the cache once */
	if (!forward_eval(f, toks, n_pp > 0 ? (n_pp < 8 ? n_pp : 8) : 1, 0, false))
		goto fail;
	for (int r = 0; r < reps; r++) {
		pp[r] = tg[r] = 0;
		if (n_pp > 0) {
			uint64_t t0 = io->now_ns(io->user);
			if (!forward_eval(f, toks, n_pp, 0, false))
				goto fail;
			uint64_t dt = io->now_ns(io->user) - t0;
			pp[r] = dt ? n_pp * 1e9 / (double)dt : 0;
		}
		if (n_tg > 0) {
			uint64_t t0 = io->now_ns(io->user);
			for (int i = 0; i < n_tg; i++)
				if (!forward_eval(f, &toks[i % (n_pp + 1)], 1, i, false))
					goto fail;
			uint64_t dt = io->now_ns(io->user) - t0;
			tg[r] = dt ? n_tg * 1e9 / (double)dt : 0;
		}
		if (io->should_stop && io->should_stop(io->user)) {
			reps = r + 1;
			break;
		}
	}
	*pp_tps = median(pp, reps);
	*tg_tps = median(tg, reps);
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "evaluation failed");
out:
	free(toks);
	return rc;
}

void gen_print_token(void *user, int32_t id, const char *piece, int len)
{
	struct gen_print *p = user;
	if (p->ids) {
		char num[16];
		int k = snprintf(num, sizeof num, p->n ? " %d" : "%d", (int)id);
		p->write(num, (size_t)k);
	} else if (len > 0) {
		p->write(piece, (size_t)len);
	}
	p->n++;
}

const char *gen_stop_name(int stop)
{
	static const char *const names[] = {"end of text", "token limit", "context full", "stopped"};
	return stop >= 0 && stop < (int)(sizeof names / sizeof names[0]) ? names[stop] : "?";
}

double gen_prompt_tps(const struct gen_stats *st)
{
	return st->t_prompt_ns ? st->n_prompt * 1e9 / (double)st->t_prompt_ns : 0.0;
}

double gen_tg_tps(const struct gen_stats *st)
{
	return st->t_gen_ns && st->n_gen > 1 ? (st->n_gen - 1) * 1e9 / (double)st->t_gen_ns : 0.0;
}

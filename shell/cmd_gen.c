/* The shell's engine commands: generate (as the host's `llm generate`),
 * bench (as `llm bench`), stats, model (as `llm info`) and set. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/generate.h"
#include "ai/genopt.h"
#include "ai/quant.h"
#include "core/console.h"
#include "core/input.h"
#include "core/kprintf.h"
#include "core/param.h"
#include "shell/cmd_gen.h"
#include "shell/llm.h"
#include "shell/shell.h"
#include "shell/status.h"
#include "smp/smp.h"

static const char *const stop_names[] = {"end of text", "token limit", "context full", "stopped"};

bool cmd_gen_int(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v = s && *s ? strtol(s, &end, 10) : 0;
	/* a value too long to be in range overflows strtol: refuse by length */
	if (!s || !*s || *end || strlen(s) > 12 || v < lo || v > hi) {
		kprintf("%s: bad number '%s' (expected an integer in %ld..%ld)\n", opt, s ? s : "", lo, hi);
		return false;
	}
	*out = v;
	return true;
}

/* ---- generate --------------------------------------------------------- */

static void gen_usage(void)
{
	char u[256];
	genopt_usage(u, sizeof u, "usage: generate", "[--ids] PROMPT", 80);
	kprintf("%s", u);
}

struct gen_out {
	bool ids;
	int n;
};

static void on_token(void *user, int32_t id, const char *piece, int len)
{
	struct gen_out *g = user;
	if (g->ids)
		kprintf(g->n ? " %d" : "%d", (int)id);
	else if (len > 0)
		console_write(piece, (size_t)len);
	g->n++;
}

/* The prompt: the raw rest of the line from word argi; one pair of quotes
 * around all of it is removed. Writes into out (NUL-terminated). */
static size_t prompt_text(int argi, char *out, size_t outlen)
{
	const char *r = shell_rest(argi);
	size_t n = strlen(r);
	while (n && (r[n - 1] == ' ' || r[n - 1] == '\t'))
		n--;
	if (n >= 2 && r[0] == '"' && r[n - 1] == '"' && !memchr(r + 1, '"', n - 2)) {
		r++;
		n -= 2;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, r, n);
	out[n] = 0;
	return n;
}

int cmd_gen_generate(int argc, char **argv)
{
	struct llm *L = llm_get();
	struct genopt_values gv = {L->sp, L->n_predict};
	const struct genopt *o;
	char err[256];
	bool ids = false;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool dash = a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9');
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--ids")) {
			ids = true;
		} else if (dash && (o = genopt_find(a))) {
			if (!val) {
				kprintf("generate: option %s needs a value\n", a);
				gen_usage();
				return -1;
			}
			if (genopt_parse(o, a, val, &gv, err, sizeof err) != 0) {
				kprintf("%s\n", err);
				gen_usage();
				return -1;
			}
			i++; /* the value */
		} else if (dash) {
			kprintf("generate: unknown option '%s'\n", a);
			gen_usage();
			return -1;
		} else {
			break; /* the prompt starts here */
		}
	}
	if (i >= argc) {
		kprintf("generate: no prompt given\n");
		gen_usage();
		return -1;
	}
	if (llm_require("generate") != 0)
		return -1;
	static char prompt[SHELL_LINE_MAX];
	size_t plen = prompt_text(i, prompt, sizeof prompt);
	if (plen == 0) { /* the host would continue from BOS alone; a person meant something */
		kprintf("generate: empty prompt\n");
		gen_usage();
		return -1;
	}
	struct gen_out go = {ids, 0};
	struct gen_io io = {on_token, llm_should_stop, llm_now_ns, &go};
	struct gen_params gp = {gv.n_predict, true, false};
	struct gen_stats st;
	sampler_set_params(L->s, &gv.sp);
	input_ctrl_c(); /* a Ctrl-C typed before the command does not count */
	int rc = generate_text(L->f, L->tk, L->s, prompt, plen, &gp, &io, &st, err, sizeof err);
	sampler_set_params(L->s, &L->sp);
	if (rc != 0) {
		kprintf("generate: %s\n", err);
		return -1;
	}
	kprintf("\n");
	if (st.stop == GEN_STOP_USER)
		kprintf("[stopped]\n");
	llm_note_stats(&st, st.n_prompt + st.n_gen);
	if (L->verbose)
		cmd_gen_stats(1, NULL);
	return 0;
}

/* ---- stats, bench ----------------------------------------------------- */

int cmd_gen_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct llm *L = llm_get();
	if (!L->have_stats) {
		kprintf("stats: nothing generated yet\n");
		return 0;
	}
	const struct gen_stats *st = &L->last;
	kprintf("prompt: %d tokens in %.1f ms (%.1f tok/s)\n", st->n_prompt, st->t_prompt_ns / 1e6,
		st->t_prompt_ns ? st->n_prompt * 1e9 / st->t_prompt_ns : 0.0);
	kprintf("generated: %d tokens in %.1f ms (%.1f tok/s)\n", st->n_gen, st->t_gen_ns / 1e6,
		st->t_gen_ns && st->n_gen > 1 ? (st->n_gen - 1) * 1e9 / st->t_gen_ns : 0.0);
	kprintf("first token after %.1f ms; stop: %s; context %d/%d; %d cores\n", st->t_first_ns / 1e6,
		st->stop >= 0 && st->stop < 4 ? stop_names[st->stop] : "?", L->ctx_used,
		L->f ? forward_n_ctx(L->f) : 0, L->threads);
	return 0;
}

int cmd_gen_bench(int argc, char **argv)
{
	struct llm *L = llm_get();
	long pp = 64, tg = 32, reps = 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok;
		if (!strcmp(a, "-p"))
			ok = cmd_gen_int(a, val, 0, 1 << 20, &pp);
		else if (!strcmp(a, "-n"))
			ok = cmd_gen_int(a, val, 0, 1 << 20, &tg);
		else if (!strcmp(a, "-r"))
			ok = cmd_gen_int(a, val, 1, 16, &reps);
		else {
			kprintf("bench: unknown argument '%s'\n", a);
			ok = false;
		}
		if (!ok) {
			kprintf("usage: bench [-p PROMPT_TOKENS] [-n GEN_TOKENS] [-r REPS]\n");
			return -1;
		}
		i++;
	}
	if (llm_require("bench") != 0)
		return -1;
	char err[256];
	double pps, tgs;
	struct gen_io io = {NULL, NULL, llm_now_ns, NULL};
	if (generate_bench(L->f, (int)pp, (int)tg, (int)reps, &io, &pps, &tgs, err, sizeof err) != 0) {
		kprintf("bench: %s\n", err);
		return -1;
	}
	kprintf("model: %s, %s kernels, %d cores, %.2f MiB of weights\n", L->m.arch_name,
		quant_level_name(quant_level()), L->threads, L->m.weight_bytes / 1048576.0);
	kprintf("pp %ld: %.2f tok/s\n", pp, pps);
	kprintf("tg %ld: %.2f tok/s\n", tg, tgs);
	status_set_speed(tgs);
	return 0;
}

/* ---- model ------------------------------------------------------------ */

int cmd_gen_model(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct llm *L = llm_get();
	if (!L->loaded) {
		kprintf("model: no model loaded (%s)\n", L->error[0] ? L->error : "none");
		return -1;
	}
	const struct model *m = &L->m;
	int counts[GGML_TYPE_COUNT + 1] = {0};
	for (uint64_t i = 0; i < L->g.n_tensors; i++) {
		uint32_t t = L->g.tensors[i].type;
		counts[t < GGML_TYPE_COUNT ? t : GGML_TYPE_COUNT]++;
	}
	kprintf("file: %s (%lu bytes, GGUF v%u, %lu tensors, %lu keys)\n", L->name,
		(unsigned long)L->file_size, L->g.version, (unsigned long)L->g.n_tensors,
		(unsigned long)L->g.n_kv);
	if (L->g.n_parts > 1)
		kprintf("split: %u files\n", L->g.n_parts);
	struct gguf_str name;
	if (gguf_get_str(&L->g, "general.name", &name))
		kprintf("name: %.*s\n", (int)(name.n > 200 ? 200 : name.n), name.p);
	char sum[1024];
	model_summary(m, sum, sizeof sum);
	kprintf("%s", sum);
	kprintf("tensor types:");
	for (int t = 0; t <= GGML_TYPE_COUNT; t++) {
		if (!counts[t])
			continue;
		const char *n = t < GGML_TYPE_COUNT ? ggml_type_name(t) : NULL;
		kprintf(" %s:%d", n ? n : "unknown", counts[t]);
	}
	kprintf("\n");
	kprintf("vocab: %s, %d tokens, bos %d, eos %d, eot %d\n", tokenizer_kind(L->tk),
		tokenizer_n_vocab(L->tk), (int)tokenizer_bos(L->tk), (int)tokenizer_eos(L->tk),
		(int)tokenizer_eot(L->tk));
	kprintf("kernels: %s\n", quant_level_name(quant_level()));
	kprintf("context: %d positions, %d used; cores: %d\n", L->f ? forward_n_ctx(L->f) : 0, L->ctx_used,
		L->threads);
	return 0;
}

/* ---- set -------------------------------------------------------------- */

static void set_usage(void)
{
	kprintf("usage: set KEY VALUE | set\n  keys:");
	for (int i = 0; genopt_at(i); i++)
		kprintf(" %s", genopt_at(i)->key);
	kprintf(" ctx threads\n        verbose (0/1) think (on: chat shows thinking dimmed; off: hides it)\n"
		"        system (the rest of the line; empty: the template's default)\n");
}

static void set_show(void)
{
	struct llm *L = llm_get();
	struct genopt_values gv = {L->sp, L->n_predict};
	for (int i = 0; genopt_at(i); i++) {
		char v[32];
		genopt_format(genopt_at(i), &gv, v, sizeof v);
		kprintf("%s %s\n", genopt_at(i)->key, v);
	}
	kprintf("ctx %d\nthreads %d (of %d online)\nverbose %d\nthink %s\nsystem %s\n",
		L->f ? forward_n_ctx(L->f) : 0, L->threads, smp_ncpus_online(), L->verbose ? 1 : 0,
		L->think_off ? "off" : "on", L->system[0] ? L->system : "(template default)");
}

int cmd_gen_set(int argc, char **argv)
{
	struct llm *L = llm_get();
	const struct genopt *o;
	long v;
	if (argc == 1) {
		set_show();
		return 0;
	}
	const char *k = argv[1], *val = argc > 2 ? argv[2] : NULL;
	if (!strcmp(k, "system")) {
		const char *r = shell_rest(2);
		size_t n = strlen(r);
		if (n >= sizeof L->system) {
			kprintf("set system: longer than %d bytes\n", (int)sizeof L->system - 1);
			return -1;
		}
		memcpy(L->system, r, n + 1);
		kprintf("system prompt: %s (from the next chat or /reset)\n",
			L->system[0] ? L->system : "(template default)");
		return 0;
	}
	if (!val || argc > 3) {
		kprintf("set %s: %s\n", k, val ? "one value expected" : "value missing");
		set_usage();
		return -1;
	}
	bool ok = true;
	if ((o = genopt_find(k)) && !strcmp(k, o->key)) {
		struct genopt_values gv = {L->sp, L->n_predict};
		char err[256];
		if (genopt_parse(o, k, val, &gv, err, sizeof err) != 0) {
			kprintf("%s\n", err);
			ok = false;
		} else {
			L->sp = gv.sp;
			L->n_set |= !strcmp(k, "n");
			L->n_predict = gv.n_predict;
		}
	} else if (!strcmp(k, "verbose")) {
		if ((ok = cmd_gen_int(k, val, 0, 1, &v)))
			L->verbose = v != 0;
	} else if (!strcmp(k, "think")) {
		bool on = !strcmp(val, "on") || !strcmp(val, "1"), off = !strcmp(val, "off") || !strcmp(val, "0");
		if ((ok = on || off)) {
			L->think_off = off;
			kprintf("think: %s\n", off ? "off (hidden; not generated where the template can skip it)" :
							  "on (shown dimmed)");
		} else {
			kprintf("set think: on or off\n");
		}
	} else if (!strcmp(k, "threads")) {
		if ((ok = cmd_gen_int(k, val, 1, smp_ncpus_online(), &v))) {
			llm_set_threads((int)v);
			kprintf("threads: %d cores\n", L->threads);
		}
	} else if (!strcmp(k, "ctx")) {
		if ((ok = cmd_gen_int(k, val, LLM_MIN_CTX, 1 << 24, &v))) {
			int n = llm_set_ctx((int)v);
			if (n < 0)
				return -1;
			kprintf("ctx: %d positions\n", n);
		}
	} else {
		kprintf("set: unknown key '%s'\n", k);
		set_usage();
		return -1;
	}
	if (!ok) {
		set_usage();
		return -1;
	}
	if (L->s)
		sampler_set_params(L->s, &L->sp);
	return 0;
}

/*
 * llm: the engine on Linux. Subcommands info, tokenize, eval, generate,
 * bench (see usage()). A model that runs is read into memory on huge pages
 * (see load_file; --mmap maps the file instead); the engine (ai/) runs on a
 * pthread pool (host/pool.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ai/chat.h"
#include "ai/chat_session.h"
#include "ai/forward.h"
#include "ai/generate.h"
#include "ai/genopt.h"
#include "ai/gguf.h"
#include "ai/gguf_split.h"
#include "ai/model.h"
#include "ai/quant.h"
#include "ai/sampler.h"
#include "ai/tokenizer.h"
#include "ai/chat.h"
#include "host/hugemem.h"
#include "host/llm_serve.h"
#include "host/pool.h"

#define LLM_DEFAULT_CTX 2048
#define LLM_BATCH 64

static const char USAGE_HEAD[] =
	"usage: llm COMMAND MODEL.gguf [options]\n"
	"\n"
	"commands:\n"
	"  info                 architecture, hyperparameters, tensor types, vocabulary\n"
	"  tokenize [--no-bos]  token ids of the bytes on stdin, on one line\n"
	"  eval --tokens \"ID ID ...\" [--top K] [--batch N]\n"
	"                       teacher-forced logits: one line per position\n"
	"                       'pos P topK ID:LOGIT ...' (--batch: the first N tokens\n"
	"                       as one batch, the rest one at a time)\n";
/* then the generate line from the option table (ai/genopt.h), then: */
static const char USAGE_TAIL[] =
	"                       stream a continuation (greedy with --temp 0)\n"
	"  chat [--system TEXT] [--think on|off] [--chat-template-file F] [--show-prompt]\n"
	"       [generate options]\n"
	"                       talk in the model's chat template: one message per line\n"
	"                       on stdin (/reset starts over, /think on|off); -n caps a\n"
	"                       reply. Thinking (Qwen3, DeepSeek R1) shows dimmed on a\n"
	"                       terminal, as generated otherwise; --think off hides it\n"
	"                       (and skips it where the template can)\n"
	"  bench [-p 64] [-n 32] [-r REPS]\n"
	"                       prompt processing and generation speed (median)\n"
	"  serve [--host 127.0.0.1] [--port 8080] [--api-key KEY]\n"
	"                       an OpenAI-compatible HTTP API and a chat page at\n"
	"                       http://HOST:PORT/ (Ctrl-C stops it)\n"
	"\n"
	"options for every command:\n"
	"  -c, --ctx N          context size (default: min(model maximum, 2048))\n"
	"  -t, --threads N      worker threads (default: online CPUs)\n"
	"  --kernels K          scalar | avx2 | avx512 (default: best; env LLM_KERNELS)\n"
	"  --no-pack            keep the weights in the file's layout (same results,\n"
	"                       slower; default: Q4_0 in packed 16-row groups, and\n"
	"                       Q8_0/Q5_0 (and with avx512 Q4_K/Q5_K/Q6_K) in 4-row\n"
	"                       interleaved groups)\n"
	"  --mmap               map the model file instead of reading it into memory\n"
	"                       (less memory, slower token generation; implies --no-pack)\n"
	"  -h, --help           this text\n";

static void usage(void)
{
	char gen[512];
	fputs(USAGE_HEAD, stdout);
	genopt_usage(gen, sizeof gen, "  generate -p PROMPT", "[--ids]", 80);
	fputs(gen, stdout);
	fputs(USAGE_TAIL, stdout);
	printf("\ngenerate options:\n");
	for (int i = 0; genopt_at(i); i++) {
		const struct genopt *g = genopt_at(i);
		char flag[48];
		snprintf(flag, sizeof flag, "%s%s%s %s", g->alias && g->alias[1] != '-' ? g->alias : "",
			 g->alias && g->alias[1] != '-' ? ", " : "", g->flag, g->arg);
		printf("  %-20s %s\n", flag, g->help);
	}
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("llm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- options ------------------------------------------------------------ */

struct opts {
	const char *cmd, *model;
	int ctx, threads, kernels;
	/* tokenize */
	bool no_bos;
	bool no_pack, mmap;
	/* eval */
	const char *tokens;
	int top, batch;
	/* generate */
	const char *prompt;
	bool ids;
	struct genopt_values gen;
	/* chat */
	const char *system, *template_file;
	bool think_off, show_prompt;
	/* bench */
	int pp, tg, reps;
	/* serve */
	struct serve_opts serve;
};

static long parse_int(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi)
		die("%s: bad number '%s' (expected an integer in %ld..%ld)", opt, s ? s : "", lo, hi);
	return v;
}

static int parse_kernels(const char *s)
{
	if (!strcmp(s, "scalar"))
		return QUANT_SCALAR;
	if (!strcmp(s, "avx2"))
		return QUANT_AVX2;
	if (!strcmp(s, "avx512"))
		return QUANT_AVX512;
	die("--kernels: unknown value '%s' (scalar, avx2, avx512)", s);
}

static bool is(const char *a, const char *s, const char *l)
{
	return (s && !strcmp(a, s)) || (l && !strcmp(a, l));
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->kernels = -1;
	o->top = 5;
	o->gen.n_predict = -2;
	o->pp = 64;
	o->tg = 32;
	o->reps = 5;
	sampler_defaults(&o->gen.sp);
	const char *env = getenv("LLM_KERNELS");
	if (env && *env)
		o->kernels = parse_kernels(env);
	if (argc < 2 || is(argv[1], "-h", "--help") || !strcmp(argv[1], "help")) {
		usage();
		exit(argc < 2 ? 2 : 0);
	}
	o->cmd = argv[1];
	const char *cmds[] = { "info", "tokenize", "eval", "generate", "chat", "bench", "serve" };
	bool known = false;
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		known |= !strcmp(o->cmd, cmds[i]);
	if (!known)
		die("unknown command '%s' (try llm --help)", o->cmd);
	bool chat = !strcmp(o->cmd, "chat");
	bool gen = !strcmp(o->cmd, "generate") || chat, bench = !strcmp(o->cmd, "bench");
	bool eval = !strcmp(o->cmd, "eval"), serve = !strcmp(o->cmd, "serve");
	o->serve.port = 8080;
	for (int i = 2; i < argc; i++) {
		const struct genopt *g;
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL() (v ? (i++, v) : (die("option %s needs a value", a), v))
		if (is(a, "-h", "--help")) {
			usage();
			exit(0);
		} else if (is(a, "-c", "--ctx")) {
			o->ctx = (int)parse_int(a, VAL(), 1, 1 << 24);
		} else if (is(a, "-t", "--threads")) {
			o->threads = (int)parse_int(a, VAL(), 1, 1024);
		} else if (is(a, NULL, "--kernels")) {
			o->kernels = parse_kernels(VAL());
		} else if (is(a, NULL, "--no-pack")) {
			o->no_pack = true;
		} else if (is(a, NULL, "--mmap")) {
			o->mmap = o->no_pack = true;
		} else if (is(a, NULL, "--no-bos") && !strcmp(o->cmd, "tokenize")) {
			o->no_bos = true;
		} else if (is(a, NULL, "--tokens") && eval) {
			o->tokens = VAL();
		} else if (is(a, NULL, "--top") && eval) {
			o->top = (int)parse_int(a, VAL(), 1, 1 << 24);
		} else if (is(a, NULL, "--batch") && eval) {
			o->batch = (int)parse_int(a, VAL(), 1, 1 << 24);
		} else if (is(a, NULL, "--system") && chat) {
			o->system = VAL();
		} else if (is(a, NULL, "--think") && chat) {
			const char *t = VAL();
			if (strcmp(t, "on") && strcmp(t, "off"))
				die("--think: on or off, not '%s'", t);
			o->think_off = !strcmp(t, "off");
		} else if (is(a, NULL, "--chat-template-file") && chat) {
			o->template_file = VAL();
		} else if (is(a, NULL, "--show-prompt") && chat) {
			o->show_prompt = true;
		} else if (is(a, "-p", "--prompt") && gen && !chat) {
			o->prompt = VAL();
		} else if (gen && a[0] == '-' && (g = genopt_find(a))) {
			char err[256];
			if (genopt_parse(g, a, VAL(), &o->gen, err, sizeof err) != 0)
				die("%s", err);
		} else if (is(a, NULL, "--ids") && gen && !chat) {
			o->ids = true;
		} else if (is(a, "-p", NULL) && bench) {
			o->pp = (int)parse_int(a, VAL(), 0, 1 << 20);
		} else if (is(a, "-n", NULL) && bench) {
			o->tg = (int)parse_int(a, VAL(), 0, 1 << 20);
		} else if (is(a, "-r", "--reps") && bench) {
			o->reps = (int)parse_int(a, VAL(), 1, 16);
		} else if (is(a, NULL, "--host") && serve) {
			o->serve.host = VAL();
		} else if (is(a, NULL, "--port") && serve) {
			o->serve.port = (int)parse_int(a, VAL(), 0, 65535);
		} else if (is(a, NULL, "--api-key") && serve) {
			o->serve.api_key = VAL();
		} else if (a[0] == '-' && a[1]) {
			die("unknown option '%s' for '%s' (try llm --help)", a, o->cmd);
		} else if (!o->model) {
			o->model = a;
		} else {
			die("unexpected argument '%s'", a);
		}
#undef VAL
	}
	if (!o->model)
		die("%s: no model file given (usage: llm %s MODEL.gguf ...)", o->cmd, o->cmd);
	if (o->gen.n_predict == -2)
		o->gen.n_predict = chat ? -1 : gen ? 128 : 0;
}

/* ---- loading ------------------------------------------------------------ */

struct mapped {
	char *path;
	void *map;
	size_t len;
};

struct loaded {
	struct mapped *files; /* one, or the files of a split model */
	int n_files;
	size_t len;           /* bytes in all */
	bool copy; /* the maps are huge_alloc copies, not file mappings */
	struct gguf g;
	struct model m;
	bool has_model;
	struct tokenizer *tk;
	struct forward *f;
};

/* The file mapped read-only, or (copy) read into anonymous memory on huge
 * pages where the kernel gives them. The copy streams faster (token
 * generation from a page-cache mapping ran 25-30% slower here than the
 * same kernels on anonymous memory) and can be packed in place (on a
 * private file mapping each written 4 KiB page would fault and be
 * copied). why: said after a missing file's name. */
static void map_file(struct mapped *f, bool copy, const char *why)
{
	char err[256];
	const char *path = f->path;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die("%s: %s%s", path, strerror(errno), errno == ENOENT ? why : "");
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	uint8_t head[64] = { 0 };
	ssize_t got = pread(fd, head, sizeof head, 0);
	if (got < 0)
		die("%s: %s", path, strerror(errno));
	if (gguf_check_header(head, (size_t)got, err, sizeof err) != 0)
		die("%s: not a GGUF file: %s", path, err);
	f->len = (size_t)st.st_size;
	if (copy) {
		f->map = huge_alloc(f->len);
		if (!f->map)
			die("%s: no memory for a %zu-byte copy", path, f->len);
		for (size_t off = 0; off < f->len;) {
			ssize_t n = pread(fd, (uint8_t *)f->map + off, f->len - off, (off_t)off);
			if (n <= 0)
				die("%s: read: %s", path, n ? strerror(errno) : "file shrank");
			off += (size_t)n;
		}
	} else {
		f->map = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (f->map == MAP_FAILED)
			die("%s: mmap: %s", path, strerror(errno));
	}
	close(fd);
}

/* The model file, or all files of a split model given its first
 * (NAME-00001-of-0000N.gguf, ai/gguf_split.h), opened as one gguf. */
static void load_file(const char *path, struct loaded *L, bool copy)
{
	char err[512], why[96] = "";
	size_t pl;
	int no = 1, n = 1;
	if (gguf_split_parse_name(path, &pl, &no, &n)) {
		if (n < 1 || n > GGUF_SPLIT_MAX || no < 1 || no > n)
			die("%s: not a file of a split model (file %d of %d?)", path, no, n);
		if (no != 1 && gguf_split_name(err, sizeof err, path, pl, 1, n) == 0)
			die("%s is file %d of the %d of a split model: give the first, %s", path, no, n, err);
	}
	L->copy = copy;
	L->n_files = n;
	L->files = calloc((size_t)n, sizeof *L->files);
	struct gguf_part *parts = calloc((size_t)n, sizeof *parts);
	if (!L->files || !parts)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		struct mapped *f = &L->files[i];
		f->path = malloc(strlen(path) + 1);
		if (!f->path)
			die("out of memory");
		if (i == 0)
			strcpy(f->path, path);
		else
			gguf_split_name(f->path, strlen(path) + 1, path, pl, i + 1, n);
		if (n > 1)
			snprintf(why, sizeof why, " (file %d of the %d of this model)", i + 1, n);
		map_file(f, copy, why);
		parts[i] = (struct gguf_part){ f->map, f->len, f->path };
		L->len += f->len;
	}
	if (gguf_open_split(&L->g, parts, n, err, sizeof err) != 0)
		die("%s", err);
	free(parts);
}

static void load_tokenizer(const char *path, struct loaded *L)
{
	char err[256];
	L->tk = tokenizer_load(&L->g, err, sizeof err);
	if (!L->tk)
		die("%s: tokenizer: %s", path, err);
}

static void load_model(const char *path, struct loaded *L, bool pack)
{
	char err[256];
	if (model_load(&L->m, &L->g, err, sizeof err) != 0)
		die("%s: %s", path, err);
	L->has_model = true;
	if (pack && model_pack(&L->m) != 0)
		die("%s: out of memory packing the Q4_0 weights", path);
}

static void new_context(const struct opts *o, struct loaded *L)
{
	char err[256];
	int ctx = o->ctx;
	if (ctx == 0)
		ctx = L->m.n_ctx_train < LLM_DEFAULT_CTX ? L->m.n_ctx_train : LLM_DEFAULT_CTX;
	L->f = forward_new(&L->m, ctx, LLM_BATCH, err, sizeof err);
	if (!L->f)
		die("%s", err);
}

static void unload(struct loaded *L)
{
	forward_free(L->f);
	tokenizer_free(L->tk);
	if (L->has_model)
		model_free(&L->m);
	gguf_close(&L->g);
	for (int i = 0; i < L->n_files; i++) {
		if (L->copy)
			huge_free(L->files[i].map, L->files[i].len);
		else
			munmap(L->files[i].map, L->files[i].len);
		free(L->files[i].path);
	}
	free(L->files);
}

static uint64_t now_ns(void *user)
{
	(void)user;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- commands ----------------------------------------------------------- */

static int cmd_info(const struct opts *o, struct loaded *L)
{
	char err[256];
	int counts[GGML_TYPE_COUNT + 1] = { 0 };
	for (uint64_t i = 0; i < L->g.n_tensors; i++) {
		uint32_t t = L->g.tensors[i].type;
		counts[t < GGML_TYPE_COUNT ? t : GGML_TYPE_COUNT]++;
	}
	printf("file: %s (%zu bytes, GGUF v%u, %llu tensors, %llu keys)\n", o->model, L->len,
	       L->g.version, (unsigned long long)L->g.n_tensors, (unsigned long long)L->g.n_kv);
	if (L->n_files > 1)
		printf("split: %d files\n", L->n_files);
	struct gguf_str name;
	if (gguf_get_str(&L->g, "general.name", &name))
		printf("name: %.*s\n", (int)(name.n > 200 ? 200 : name.n), name.p);
	int rc = 0;
	if (model_load(&L->m, &L->g, err, sizeof err) == 0) {
		const struct model *m = &L->m;
		L->has_model = true;
		char sum[1024];
		model_summary(m, sum, sizeof sum);
		fputs(sum, stdout);
		int ctx = o->ctx ? o->ctx : m->n_ctx_train < LLM_DEFAULT_CTX ? m->n_ctx_train : LLM_DEFAULT_CTX;
		printf("context: %d tokens need %.2f MiB (KV cache f16 + scratch)\n", ctx,
		       forward_bytes(m, ctx, LLM_BATCH) / 1048576.0);
	} else {
		printf("model: %s\n", err);
		rc = 1;
	}
	printf("tensor types:");
	for (int t = 0; t <= GGML_TYPE_COUNT; t++) {
		if (!counts[t])
			continue;
		const char *n = t < GGML_TYPE_COUNT ? ggml_type_name(t) : NULL;
		printf(" %s:%d", n ? n : "unknown", counts[t]);
	}
	printf("\n");
	L->tk = tokenizer_load(&L->g, err, sizeof err);
	if (L->tk) {
		printf("vocab: %s, %d tokens, bos %d, eos %d, eot %d\n", tokenizer_kind(L->tk),
		       tokenizer_n_vocab(L->tk), tokenizer_bos(L->tk), tokenizer_eos(L->tk),
		       tokenizer_eot(L->tk));
	} else {
		printf("vocab: %s\n", err);
		rc = 1;
	}
	printf("kernels: %s\n", quant_level_name(quant_level()));
	return rc;
}

static int cmd_tokenize(const struct opts *o, struct loaded *L)
{
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);
	if (!text)
		die("out of memory");
	for (;;) {
		if (len == cap && !(text = realloc(text, cap *= 2)))
			die("out of memory");
		size_t n = fread(text + len, 1, cap - len, stdin);
		if (n == 0)
			break;
		len += n;
	}
	bool bos = !o->no_bos && tokenizer_wants_bos(L->tk);
	int max = (int)(len < (1u << 30) ? len : (1u << 30)) + 16;
	int32_t *ids = malloc((size_t)max * sizeof *ids);
	if (!ids)
		die("out of memory");
	int n = tokenizer_encode(L->tk, text, len, bos, false, ids, max);
	if (n > max) { /* cannot happen for sane tokenizers; be safe */
		max = n;
		if (!(ids = realloc(ids, (size_t)max * sizeof *ids)))
			die("out of memory");
		n = tokenizer_encode(L->tk, text, len, bos, false, ids, max);
	}
	if (n < 0)
		die("cannot tokenize the input");
	for (int i = 0; i < n; i++)
		printf(i ? " %d" : "%d", ids[i]);
	printf("\n");
	free(ids);
	free(text);
	return 0;
}

/* ids[0..k) = the k largest logits, largest first, ties to the lower id. */
static void top_ids(const float *l, int n, int k, int *ids)
{
	for (int j = 0; j < k; j++)
		ids[j] = -1;
	for (int i = 0; i < n; i++) {
		int j = k;
		while (j > 0 && (ids[j - 1] < 0 || l[i] > l[ids[j - 1]]))
			j--;
		if (j == k)
			continue;
		memmove(&ids[j + 1], &ids[j], (size_t)(k - j - 1) * sizeof *ids);
		ids[j] = i;
	}
}

static void print_top(int pos, const float *logits, int n_vocab, int k)
{
	int ids[64];
	if (k > n_vocab)
		k = n_vocab;
	if (k > 64)
		k = 64;
	top_ids(logits, n_vocab, k, ids);
	printf("pos %d top%d", pos, k);
	for (int j = 0; j < k; j++)
		printf(" %d:%.5f", ids[j], (double)logits[ids[j]]);
	printf("\n");
}

static int cmd_eval(const struct opts *o, struct loaded *L)
{
	if (!o->tokens)
		die("eval: --tokens \"ID ID ...\" is required");
	int n_ctx = forward_n_ctx(L->f), n = 0, n_vocab = L->m.n_vocab;
	int32_t *toks = malloc(((size_t)n_ctx + 1) * sizeof *toks);
	if (!toks)
		die("out of memory");
	for (const char *p = o->tokens; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n')
			p++;
		if (!*p)
			break;
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v >= n_vocab)
			die("--tokens: bad token id near '%.20s' (vocabulary has %d)", p, n_vocab);
		if (n == n_ctx)
			die("--tokens: more than the context size (%d) tokens", n_ctx);
		toks[n++] = (int32_t)v;
		p = end;
	}
	if (n == 0)
		die("--tokens: no tokens");
	int nb = o->batch > n ? n : o->batch, pos = 0;
	while (pos < nb) { /* the batched prefix, all logits, in chunks */
		int c = nb - pos < forward_n_batch(L->f) ? nb - pos : forward_n_batch(L->f);
		const float *lg = forward_eval(L->f, toks + pos, c, pos, true);
		if (!lg)
			die("evaluation failed at position %d", pos);
		for (int i = 0; i < c; i++)
			print_top(pos + i, lg + (size_t)i * n_vocab, n_vocab, o->top);
		pos += c;
	}
	for (; pos < n; pos++) {
		const float *lg = forward_eval(L->f, &toks[pos], 1, pos, false);
		if (!lg)
			die("evaluation failed at position %d", pos);
		print_top(pos, lg, n_vocab, o->top);
	}
	free(toks);
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static bool should_stop(void *user)
{
	(void)user;
	return interrupted != 0;
}

struct gen_out {
	bool ids;
	int n;
};

static void on_token(void *user, int32_t id, const char *piece, int len)
{
	struct gen_out *g = user;
	if (g->ids)
		printf(g->n ? " %d" : "%d", id);
	else
		fwrite(piece, 1, (size_t)len, stdout);
	g->n++;
	fflush(stdout);
}

static int cmd_generate(const struct opts *o, struct loaded *L)
{
	char err[256];
	if (!o->prompt)
		die("generate: -p PROMPT is required");
	struct sampler *s = sampler_new(&o->gen.sp, L->m.n_vocab);
	if (!s)
		die("out of memory");
	struct gen_out go = { o->ids, 0 };
	struct gen_io io = { on_token, should_stop, now_ns, &go };
	signal(SIGINT, on_sigint); /* Ctrl-C ends the generation, not the process */
	struct gen_params gp = { o->gen.n_predict, true, false };
	struct gen_stats st;
	if (generate_text(L->f, L->tk, s, o->prompt, strlen(o->prompt), &gp, &io, &st,
			  err, sizeof err) != 0)
		die("%s", err);
	printf("\n");
	fflush(stdout);
	static const char *why[] = { "end of text", "token limit", "context full", "stopped" };
	fprintf(stderr, "llm: prompt %d tokens in %.1f ms (%.1f tok/s), generated %d tokens "
		"in %.1f ms (%.1f tok/s), first token after %.1f ms, stop: %s\n",
		st.n_prompt, st.t_prompt_ns / 1e6,
		st.t_prompt_ns ? st.n_prompt * 1e9 / st.t_prompt_ns : 0.0, st.n_gen,
		st.t_gen_ns / 1e6,
		st.t_gen_ns && st.n_gen > 1 ? (st.n_gen - 1) * 1e9 / st.t_gen_ns : 0.0,
		st.t_first_ns / 1e6, why[st.stop]);
	sampler_free(s);
	return 0;
}

/* The chat template: --chat-template-file, else the model's (malloc'd,
 * NUL-terminated; NULL when there is none). */
static char *chat_template(const struct opts *o, const struct loaded *L)
{
	struct gguf_str t;
	char *s = NULL;
	size_t n = 0;
	if (o->template_file) {
		FILE *f = fopen(o->template_file, "rb");
		long len = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
		if (len < 0 || fseek(f, 0, SEEK_SET) != 0 || !(s = malloc((size_t)len + 1)) ||
		    fread(s, 1, (size_t)len, f) != (size_t)len)
			die("%s: %s", o->template_file, strerror(errno ? errno : EIO));
		fclose(f);
		n = (size_t)len;
	} else if (gguf_get_str(&L->g, "tokenizer.chat_template", &t)) {
		if (!(s = malloc((size_t)t.n + 1)))
			die("out of memory");
		memcpy(s, t.p, (size_t)t.n);
		n = (size_t)t.n;
	}
	if (s)
		s[n] = 0;
	return s;
}

static void chat_piece(void *user, int32_t id, const char *piece, int len)
{
	(void)user, (void)id;
	fwrite(piece, 1, (size_t)len, stdout);
	fflush(stdout);
}

static int cmd_chat(const struct opts *o, struct loaded *L)
{
	char *tmpl = chat_template(o, L), line[8192], sys[512], err[256];
	size_t tn = tmpl ? strlen(tmpl) : 0;
	enum chat_kind kind = chat_detect_str(tmpl, tn);
	bool sw = chat_think_switch_str(tmpl, tn), tty = isatty(STDIN_FILENO);
	enum chat_think_mode show = isatty(STDOUT_FILENO) ? CHAT_THINK_DIM : CHAT_THINK_RAW;
	const char *system = o->system ? o->system :
			     chat_default_system_str(tmpl, tn, sys, sizeof sys) > 0 ? sys : NULL;
	struct sampler *s = sampler_new(&o->gen.sp, L->m.n_vocab);
	struct chat_session cs;
	if (!s || chat_session_init(&cs, kind, system) != 0)
		die("out of memory");
	chat_session_set_think(&cs, o->think_off ? CHAT_THINK_HIDE : show, sw);
	fprintf(stderr, "llm: chat with %s template, context %d%s\n", chat_kind_name(kind),
		forward_n_ctx(L->f), tty ? " (/reset starts over, Ctrl-D leaves)" : "");
	signal(SIGINT, on_sigint); /* Ctrl-C ends a reply, not the process */
	for (;;) {
		if (tty)
			fputs("> ", stderr);
		if (!fgets(line, sizeof line, stdin))
			break;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (!strcmp(line, "/exit"))
			break;
		if (!strcmp(line, "/reset")) {
			chat_session_reset(&cs);
			fprintf(stderr, "llm: conversation reset\n");
			continue;
		}
		if (!strcmp(line, "/think on") || !strcmp(line, "/think off")) {
			chat_session_set_think(&cs, line[8] == 'n' ? show : CHAT_THINK_HIDE, sw);
			continue;
		}
		struct gen_io io = { chat_piece, should_stop, now_ns, NULL };
		struct gen_params gp = { o->gen.n_predict, true, true };
		struct gen_stats st;
		interrupted = 0;
		if (chat_session_turn(&cs, L->f, L->tk, s, line, &gp, &io, &st, err, sizeof err) != 0)
			die("%s", err);
		printf("\n");
		fflush(stdout);
		if (o->show_prompt) { /* on one line: \n, \\ and \xNN escaped */
			fprintf(stderr, "llm: fed %d bytes: ", cs.last_len);
			for (int i = 0; i < cs.last_len; i++) {
				unsigned char c = (unsigned char)cs.last[i];
				if (c == '\n' || c == '\\')
					fputs(c == '\n' ? "\\n" : "\\\\", stderr);
				else if (c < 0x20 || c == 0x7f)
					fprintf(stderr, "\\x%02x", c);
				else
					fputc(c, stderr);
			}
			fputc('\n', stderr);
		}
	}
	chat_session_free(&cs);
	sampler_free(s);
	free(tmpl);
	return 0;
}

static int cmd_serve(const struct opts *o, struct loaded *L)
{
	char system[512];
	const char *base = strrchr(o->model, '/');
	struct http_engine e = { 0 };
	e.f = L->f;
	e.tk = L->tk;
	e.chat = chat_detect(&L->g);
	e.model_id = base ? base + 1 : o->model;
	e.system = chat_default_system(&L->g, system, sizeof system) > 0 ? system : NULL;
	return serve_run(&o->serve, &e);
}

static int cmd_bench(const struct opts *o, struct loaded *L)
{
	char err[256];
	double pp, tg;
	struct gen_io io = { NULL, NULL, now_ns, NULL };
	if (generate_bench(L->f, o->pp, o->tg, o->reps, &io, &pp, &tg, err, sizeof err) != 0)
		die("%s", err);
	printf("model: %s, %s kernels, %d threads, %.2f MiB of weights\n", L->m.arch_name,
	       quant_level_name(quant_level()), o->threads, L->m.weight_bytes / 1048576.0);
	printf("pp %d: %.2f tok/s\n", o->pp, pp);
	printf("tg %d: %.2f tok/s\n", o->tg, tg);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct loaded L;
	memset(&L, 0, sizeof L);
	parse_args(argc, argv, &o);
	int want = o.kernels < 0 ? QUANT_AVX512 : o.kernels;
	int got = quant_init(want);
	if (o.kernels >= 0 && got != o.kernels)
		die("--kernels %s: not supported by this CPU (best: %s)",
		    quant_level_name(o.kernels), quant_level_name(got));
	if (o.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	if (pool_init(o.threads) != 0)
		die("cannot start %d threads", o.threads);

	load_file(o.model, &L, !o.mmap && strcmp(o.cmd, "info") && strcmp(o.cmd, "tokenize"));
	int rc;
	if (!strcmp(o.cmd, "info")) {
		rc = cmd_info(&o, &L);
	} else if (!strcmp(o.cmd, "tokenize")) {
		load_tokenizer(o.model, &L);
		rc = cmd_tokenize(&o, &L);
	} else {
		load_model(o.model, &L, !o.no_pack);
		if (strcmp(o.cmd, "bench") != 0)
			load_tokenizer(o.model, &L);
		new_context(&o, &L);
		if (!strcmp(o.cmd, "eval"))
			rc = cmd_eval(&o, &L);
		else if (!strcmp(o.cmd, "generate"))
			rc = cmd_generate(&o, &L);
		else if (!strcmp(o.cmd, "chat"))
			rc = cmd_chat(&o, &L);
		else if (!strcmp(o.cmd, "serve"))
			rc = cmd_serve(&o, &L);
		else
			rc = cmd_bench(&o, &L);
	}
	unload(&L);
	pool_shutdown();
	return rc;
}

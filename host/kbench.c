/*
 * kbench: speed of one matrix-vector (or matrix-matrix) kernel alone, to
 * tell a slow kernel from a slow memory system.
 *
 *   kbench TYPE [-k N_IN] [-m MIB] [-n TOKENS] [-t THREADS] [-r REPS] [-l LEVEL]
 *          [-s SLICES] [--no-pack]
 *
 * Fills MIB of weight rows of TYPE (q4_0, q8_0, q4_K, q6_K, ...) with
 * pseudo-random quants, then times matmul over all of them for TOKENS
 * activation rows through the engine's own path (ai/matmul.c, the pool).
 * Prints the weight bytes streamed per second (best of REPS): with -m 1
 * the weights stay in cache and this is the kernel's compute ceiling; with
 * -m 1024 it is what the kernel gets out of DRAM (compare bwprobe). -s
 * cuts the weights into SLICES matrices multiplied one after another, as a
 * model's layers are (each call starts a new stream). The weights are laid
 * out as model_pack does (Q4_0 packed, Q8_0/Q5_0/K-quants interleaved
 * where the level has those kernels) unless --no-pack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/matmul.h"
#include "ai/model.h"
#include "ai/parallel.h"
#include "ai/quant.h"
#include "host/hugemem.h"
#include "host/pool.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int type_by_name(const char *name)
{
	for (int t = 0; t < 64; t++) {
		const char *n = ggml_type_name(t);
		if (n && !strcasecmp(n, name))
			return t;
	}
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: kbench TYPE [-k N_IN] [-m MIB] [-n TOKENS] [-t THREADS] [-r REPS] [-l 0|1|2] [-s SLICES] [--no-pack]\n"
			"  TYPE: q4_0 q8_0 q4_K q5_K q6_K f16 ... (ggml names)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	int type = type_by_name(argv[1]);
	int64_t n_in = 2048;
	double mib = 1024;
	int n_tok = 1, threads = 1, reps = 5, level = QUANT_AVX512;
	int pack = 1, slices = 1;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--no-pack")) {
			pack = 0;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		const char *o = argv[i], *v = argv[++i];
		if (!strcmp(o, "-k"))
			n_in = atoll(v);
		else if (!strcmp(o, "-m"))
			mib = atof(v);
		else if (!strcmp(o, "-n"))
			n_tok = atoi(v);
		else if (!strcmp(o, "-t"))
			threads = atoi(v);
		else if (!strcmp(o, "-r"))
			reps = atoi(v);
		else if (!strcmp(o, "-l"))
			level = atoi(v);
		else if (!strcmp(o, "-s"))
			slices = atoi(v);
		else
			usage();
	}
	if (type < 0) {
		fprintf(stderr, "kbench: unknown type '%s'\n", argv[1]);
		return 2;
	}
	if (n_tok < 1 || n_tok > 512 || threads < 1 || threads > 256 || reps < 1 || !(mib >= 0.01 && mib <= 1 << 20) || n_in < 256 ||
	    slices < 1 || slices > 4096) {
		fprintf(stderr, "kbench: bad arguments\n");
		return 2;
	}
	int got = quant_init(level);
	const struct quant_traits *tr = quant_traits(type);
	size_t rb = ggml_type_row_size(type, n_in);
	if (!tr || !tr->vec_dot || !rb) {
		fprintf(stderr, "kbench: %s is not a weight type, or %lld is not a multiple of its block\n",
			argv[1], (long long)n_in);
		return 2;
	}
	int64_t rows = (int64_t)(mib * (1 << 20) / rb) / 16 * 16;
	if (rows < 16 * slices)
		rows = 16 * slices;
	uint8_t *w = huge_alloc((size_t)rows * rb + 64); /* as llm holds a model */
	float *x = malloc((size_t)n_in * n_tok * sizeof(float));
	float *y = malloc((size_t)rows * n_tok * sizeof(float));
	void *qbuf = aligned_alloc(64, matmul_qbuf_bytes(n_in, n_tok) * 2);
	if (!w || !x || !y || !qbuf) {
		fprintf(stderr, "kbench: out of memory\n");
		return 1;
	}
	/* Random quants; every 16-bit word that could be a scale is made a
	 * small finite half (exponent field 0x08..0x0f), so no NaN or Inf. */
	uint64_t s = 0x9e3779b97f4a7c15ull;
	uint16_t *h = (uint16_t *)w;
	for (size_t i = 0; i < (size_t)rows * rb / 2; i++)
		h[i] = (uint16_t)((rng_next(&s) & 0x83ff) | 0x2000 | (rng_next(&s) & 0x1c00));
	if (type == GGML_TYPE_F32) {
		float *f = (float *)w;
		for (size_t i = 0; i < (size_t)rows * rb / 4; i++)
			f[i] = (float)(int)(rng_next(&s) % 2001 - 1000) / 1000.0f;
	}
	for (size_t i = 0; i < (size_t)n_in * n_tok; i++)
		x[i] = (float)(int)(rng_next(&s) % 2001 - 1000) / 1000.0f;
	if (threads > 1 && pool_init(threads) != 0) {
		fprintf(stderr, "kbench: cannot start threads\n");
		return 1;
	}
	struct model_w mw = {0};
	mw.type = type;
	mw.n_in = n_in;
	mw.n_out = rows;
	mw.row_bytes = rb;
	mw.data = w;
	if (pack && model_pack_scratch(&mw)) { /* as model_pack lays out a model */
		void *scratch = malloc(model_pack_scratch(&mw));
		if (!scratch) {
			fprintf(stderr, "kbench: out of memory\n");
			return 1;
		}
		model_pack_w(&mw, scratch);
		free(scratch);
	}
	/* slice i: rows [rows * i / slices, rows * (i + 1) / slices), whole groups */
	struct model_w *sl = calloc((size_t)slices, sizeof *sl);
	if (!sl) {
		fprintf(stderr, "kbench: out of memory\n");
		return 1;
	}
	for (int i = 0; i < slices; i++) {
		int64_t r0 = rows / 16 * i / slices * 16, r1 = rows / 16 * (i + 1) / slices * 16;
		sl[i] = mw;
		sl[i].data = w + (size_t)r0 * rb;
		sl[i].n_out = r1 - r0;
	}
	/* enough calls per rep for ~0.2 s of work at 30 GB/s */
	size_t bytes = (size_t)rows * rb;
	int calls = (int)(6e9 / n_tok / (double)bytes);
	if (calls < 1)
		calls = 1;
	for (int i = 0; i < slices; i++) /* warm up */
		matmul(&sl[i], y, x, n_tok, qbuf);
	double best = 1e30;
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		for (int c = 0; c < calls; c++)
			for (int i = 0; i < slices; i++)
				matmul(&sl[i], y, x, n_tok, qbuf);
		double dt = (now() - t0) / calls;
		if (dt < best)
			best = dt;
	}
	double sum = 0;
	for (int64_t i = 0; i < rows * n_tok; i++)
		sum += y[i];
	printf("%s%s %s, %lld x %lld, %d tokens, %d threads: %.1f GB/s of weights, %.2f Gop/s (%.3f ms per call, checksum %g)\n",
	       ggml_type_name(type), mw.packed ? " packed" : mw.il4 ? " interleaved" : "", quant_level_name(got), (long long)rows, (long long)n_in, n_tok, threads,
	       bytes / best * 1e-9, 2.0 * rows * n_in * n_tok / best * 1e-9, best * 1e3, sum);
	if (threads > 1)
		pool_shutdown();
	return 0;
}

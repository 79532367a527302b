/*
 * K-quant kernels: dequantization against an element-by-element reading of
 * each block layout, hand-built blocks with known values, dot products vs
 * dequantized dots, SIMD vs scalar (dots within rounding, the Q8_K
 * quantizer byte for byte), weight quantizer round trips, and real tensors
 * of ../shared/conformance (K-quant files vs the F32 file they came from).
 *
 *   test_kquant [SHARED_DIR]     checks, one PASS/FAIL/SKIP line each
 *   test_kquant --bench [LEVEL]  dot throughput, 16384 rows of 4096 (SIMD
 *                                levels, or only LEVEL 0/1/2)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "ai/gguf.h"
#include "ai/kernels/kquant.h"
#include "tests/unit/check.h"
#include "tests/unit/rng.h"


static uint32_t rnd_hi(void) { return (uint32_t)(rng_next() >> 32); }
static float rndf(void) { return (rnd_hi() >> 8) * (1.0f / 16777216.0f) * 2 - 1; } /* [-1, 1) */

static float h2f(ggml_half h) { return fp16_to_fp32(h); }

/* ---- the layouts, read one element at a time ------------------------------ */

struct ktype {
	const char *name;
	int type;
	size_t bsize;
	float (*elem)(const void *blk, int e);
	void (*sane)(void *blk); /* make fp16 scales finite and small */
	double rt_tol;           /* round-trip RMS error / RMS signal */
};

static float el_q2k(const void *v, int e)
{
	const block_q2_K *b = v;
	int q = (b->qs[e / 128 * 32 + e % 32] >> (2 * (e % 128 / 32))) & 3;
	int sc = b->scales[e / 16] & 15, m = b->scales[e / 16] >> 4;
	return h2f(b->d) * sc * q - h2f(b->dmin) * m;
}

static float el_q3k(const void *v, int e)
{
	const block_q3_K *b = v;
	int j = e / 16;
	int lo = j < 8 ? b->scales[j] & 15 : b->scales[j - 8] >> 4;
	int hi = (b->scales[8 + j % 4] >> (2 * (j / 4))) & 3;
	int sc = (lo | hi << 4) - 32;
	int q = (b->qs[e / 128 * 32 + e % 32] >> (2 * (e % 128 / 32))) & 3;
	if (!((b->hmask[e % 32] >> (e / 32)) & 1))
		q -= 4;
	return h2f(b->d) * sc * q;
}

/* Q4_K/Q5_K scales: 6-bit fields; j < 4 in bytes j (scale) and j+4 (min)
 * bits 0-5; j >= 4: low 4 bits in byte j+4 (scale low nibble, min high
 * nibble), top 2 bits in bits 6-7 of bytes j-4 (scale) and j (min). */
static void sm6(const uint8_t *s, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = s[j] & 0x3F;
		*m = s[j + 4] & 0x3F;
	} else {
		*sc = (s[j + 4] & 0x0F) + 16 * (s[j - 4] >> 6);
		*m = (s[j + 4] >> 4) + 16 * (s[j] >> 6);
	}
}

static float el_q4k(const void *v, int e)
{
	const block_q4_K *b = v;
	int sc, m, byte = b->qs[e / 64 * 32 + e % 32];
	sm6(b->scales, e / 32, &sc, &m);
	int q = e % 64 < 32 ? byte & 15 : byte >> 4;
	return h2f(b->d) * sc * q - h2f(b->dmin) * m;
}

static float el_q5k(const void *v, int e)
{
	const block_q5_K *b = v;
	int sc, m, byte = b->qs[e / 64 * 32 + e % 32];
	sm6(b->scales, e / 32, &sc, &m);
	int q = (e % 64 < 32 ? byte & 15 : byte >> 4) + 16 * ((b->qh[e % 32] >> (e / 32)) & 1);
	return h2f(b->d) * sc * q - h2f(b->dmin) * m;
}

static float el_q6k(const void *v, int e)
{
	const block_q6_K *b = v;
	int n = e / 128, g = e % 128 / 32, l = e % 32;
	int lb = b->ql[n * 64 + l + (g & 1) * 32];
	int q = (g >= 2 ? lb >> 4 : lb & 15) | (((b->qh[n * 32 + l] >> (2 * g)) & 3) << 4);
	return h2f(b->d) * b->scales[e / 16] * (q - 32);
}

static void sane_dm(ggml_half *d, ggml_half *dmin, bool sign)
{
	*d = fp32_to_fp16((sign ? rndf() : (rndf() + 1) / 2) * 0.01f);
	if (dmin)
		*dmin = fp32_to_fp16((rndf() + 1) / 2 * 0.01f);
}
static void sane_q2k(void *b) { sane_dm(&((block_q2_K *)b)->d, &((block_q2_K *)b)->dmin, false); }
static void sane_q3k(void *b) { sane_dm(&((block_q3_K *)b)->d, NULL, true); }
static void sane_q4k(void *b) { sane_dm(&((block_q4_K *)b)->d, &((block_q4_K *)b)->dmin, false); }
static void sane_q5k(void *b) { sane_dm(&((block_q5_K *)b)->d, &((block_q5_K *)b)->dmin, false); }
static void sane_q6k(void *b) { sane_dm(&((block_q6_K *)b)->d, NULL, true); }

static const struct ktype ktypes[] = {
	{"q2_K", GGML_TYPE_Q2_K, sizeof(block_q2_K), el_q2k, sane_q2k, 0.40},
	{"q3_K", GGML_TYPE_Q3_K, sizeof(block_q3_K), el_q3k, sane_q3k, 0.20},
	{"q4_K", GGML_TYPE_Q4_K, sizeof(block_q4_K), el_q4k, sane_q4k, 0.10},
	{"q5_K", GGML_TYPE_Q5_K, sizeof(block_q5_K), el_q5k, sane_q5k, 0.05},
	{"q6_K", GGML_TYPE_Q6_K, sizeof(block_q6_K), el_q6k, sane_q6k, 0.025},
};
#define NKT (int)(sizeof(ktypes) / sizeof(ktypes[0]))

static int levels[3], n_levels; /* the levels this CPU runs */

static void detect_levels(void)
{
	int top = quant_init(QUANT_AVX512);
	for (int l = QUANT_SCALAR; l <= top; l++)
		levels[n_levels++] = l;
}

static const char *lvname(int l) { return l == 0 ? "scalar" : l == 1 ? "avx2" : "avx512"; }

/* ---- checks ------------------------------------------------------------ */

static void random_blocks(const struct ktype *kt, uint8_t *buf, int nb)
{
	for (size_t i = 0; i < nb * kt->bsize; i++)
		buf[i] = (uint8_t)rnd_hi();
	for (int b = 0; b < nb; b++)
		kt->sane(buf + b * kt->bsize);
}

static void test_layout(const struct ktype *kt)
{
	const struct quant_traits *tr = quant_traits_at(kt->type, QUANT_SCALAR);
	enum { NB = 64 };
	static uint8_t buf[NB * sizeof(block_q8_K)];
	static float y[NB * QK_K];
	random_blocks(kt, buf, NB);
	tr->to_float(buf, y, NB * QK_K);
	int bad = 0;
	for (int b = 0; b < NB; b++)
		for (int e = 0; e < QK_K; e++) {
			float want = kt->elem(buf + b * kt->bsize, e), got = y[b * QK_K + e];
			if (fabsf(want - got) > 1e-6f * (fabsf(want) + 1e-3f))
				bad++;
		}
	check(bad == 0, "%s to_float matches the layout on %d random blocks (%d bad)", kt->name, NB, bad);
}

/* Hand-built blocks with values worked out by hand. */
static void test_known_blocks(void)
{
	float y[QK_K];
	block_q4_K b4;
	memset(&b4, 0, sizeof(b4));
	b4.d = fp32_to_fp16(1.0f);
	b4.dmin = fp32_to_fp16(0.5f);
	for (int j = 0; j < 8; j++) { /* scale 10+7j, min 63-j */
		int sc = 10 + 7 * j, m = 63 - j;
		if (j < 4) {
			b4.scales[j] |= (uint8_t)sc;
			b4.scales[j + 4] |= (uint8_t)m;
		} else {
			b4.scales[j + 4] = (uint8_t)((sc & 15) | (m & 15) << 4);
			b4.scales[j - 4] |= (uint8_t)((sc >> 4) << 6);
			b4.scales[j] |= (uint8_t)((m >> 4) << 6);
		}
	}
	memset(b4.qs, 0xA3, sizeof(b4.qs));
	kquant_q4k_to_float_ref(&b4, y, QK_K);
	/* e0: 10*3 - 0.5*63; e32: 17*10 - 0.5*62; e200: sub-block 6, low nibble: 52*3 - 0.5*57 */
	check(y[0] == -1.5f && y[32] == 139.0f && y[200] == 127.5f && y[255] == 59 * 10 - 0.5f * 56,
	      "q4_K hand-built block (%g %g %g %g)", y[0], y[32], y[200], y[255]);

	block_q6_K b6;
	memset(&b6, 0, sizeof(b6));
	b6.d = fp32_to_fp16(0.25f);
	for (int j = 0; j < 16; j++)
		b6.scales[j] = (int8_t)(j % 2 ? -3 * j : 4 * j);
	/* element 64+5 (half 0, quarter 2): high nibble of ql[5], qh[5] bits 4-5 */
	b6.ql[5] = 0x70;   /* q low = 7 */
	b6.qh[5] = 2 << 4; /* q high = 2 -> q = 39, q - 32 = 7 */
	b6.ql[128 / 2 + 32 + 9] = 0x0C; /* element 128+32+9: ql[64+32+9] low nibble 12 */
	b6.qh[32 + 9] = 3 << 2;         /* bits 2-3: 3 -> q = 60, q - 32 = 28 */
	kquant_q6k_to_float_ref(&b6, y, QK_K);
	check(y[69] == 0.25f * 16 * 7 && y[169] == 0.25f * 40 * 28 && y[0] == 0.25f * 0 * -32 &&
		      y[17] == 0.25f * -3 * -32,
	      "q6_K hand-built block (%g %g %g)", y[69], y[169], y[17]);

	block_q3_K b3;
	memset(&b3, 0, sizeof(b3));
	b3.d = fp32_to_fp16(2.0f);
	/* scale 13 (stored 45 = 0b101101): low nibble 13 in scales[13-8] high nibble, top bits 2 at scales[8+1] bits 6-7 */
	b3.scales[5] = 0xD0;
	b3.scales[9] = 2 << 6;
	b3.qs[32 + 19] = (uint8_t)(2 << 4); /* element 211 = 128 + 64 + 19: qs[32+19] bits 4-5 */
	b3.hmask[19] = 1 << 6;              /* bit 211/32 = 6 set: no -4 */
	kquant_q3k_to_float_ref(&b3, y, QK_K);
	/* element 210 (same sub-block, qs 0, hmask clear): 2 * 13 * -4; other sub-blocks scale -32 */
	check(y[211] == 2.0f * 13 * 2 && y[210] == 2.0f * 13 * -4 && y[0] == 2.0f * -32 * -4,
	      "q3_K hand-built block (%g %g %g)", y[211], y[210], y[0]);

	block_q2_K b2;
	memset(&b2, 0, sizeof(b2));
	b2.d = fp32_to_fp16(0.5f);
	b2.dmin = fp32_to_fp16(0.25f);
	b2.scales[9] = 7 | 5 << 4;      /* sub-block 9: elements 144..159 */
	b2.qs[32 + 22] = 2;             /* element 150 = 128 + 22: shift 0 */
	kquant_q2k_to_float_ref(&b2, y, QK_K);
	check(y[150] == 0.5f * 7 * 2 - 0.25f * 5 && y[151] == -0.25f * 5 && y[182] == 0.5f * 0 * 3 - 0,
	      "q2_K hand-built block (%g %g %g)", y[150], y[151], y[182]);
}

static double dot_d(const float *a, const float *b, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

/* vec_dot at every level vs the dequantized dot; SIMD vs scalar. */
static void test_dots(const struct ktype *kt)
{
	enum { MAXB = 9 };
	static uint8_t w[MAXB * sizeof(block_q8_K)];
	static block_q8_K a[MAXB];
	static float xf[MAXB * QK_K], wf[MAXB * QK_K], af[MAXB * QK_K];
	double worst_deq = 0, worst_simd[3] = {0};
	for (int trial = 0; trial < 300; trial++) {
		int nb = 1 + trial % MAXB, n = nb * QK_K;
		if (trial % 3 == 0) { /* quantized from float data */
			for (int i = 0; i < n; i++)
				xf[i] = rndf() * (1 + (i % 37 == 0) * 4);
			quant_traits_at(kt->type, QUANT_SCALAR)->from_float(xf, w, n);
		} else {
			random_blocks(kt, w, nb);
		}
		for (int i = 0; i < n; i++)
			xf[i] = trial % 7 == 1 ? (i % 2 ? 1.0f : -1.0f) : rndf();
		kquant_q8k_from_float_ref(xf, a, n);
		if (trial % 7 == 1) /* extremes: q8 = +-127 with the weights' largest q */
			for (int b = 0; b < nb; b++) {
				for (int i = 0; i < QK_K; i++)
					a[b].qs[i] = (int8_t)(rnd_hi() % 2 ? 127 : -127);
				for (int j = 0; j < 16; j++) {
					int s = 0;
					for (int i = 0; i < 16; i++)
						s += a[b].qs[16 * j + i];
					a[b].bsums[j] = (int16_t)s;
				}
			}
		quant_traits_at(kt->type, QUANT_SCALAR)->to_float(w, wf, n);
		kquant_q8k_to_float_ref(a, af, n);
		double want = dot_d(wf, af, n), mag = 0;
		for (int i = 0; i < n; i++)
			mag += fabs((double)wf[i] * af[i]);
		float ref;
		quant_traits_at(kt->type, QUANT_SCALAR)->vec_dot(n, &ref, w, a);
		double e = fabs(ref - want) / (mag + 1e-30);
		if (e > worst_deq)
			worst_deq = e;
		for (int l = 1; l < n_levels; l++) {
			float got;
			quant_traits_at(kt->type, levels[l])->vec_dot(n, &got, w, a);
			double es = fabs((double)got - ref) / (mag + 1e-30);
			if (es > worst_simd[l])
				worst_simd[l] = es;
		}
	}
	check(worst_deq < 1e-5, "%s scalar vec_dot vs dequantized dot (worst rel %.2g)", kt->name, worst_deq);
	for (int l = 1; l < n_levels; l++)
		check(worst_simd[l] < 1e-5, "%s %s vec_dot vs scalar (worst rel %.2g)", kt->name,
		      lvname(levels[l]), worst_simd[l]);
}

/* The 4-row and 4-column tiles, where a level has them, bit-identical to
 * vec_dot (so grouping never changes a result). */
static void test_tiles(const struct ktype *kt)
{
	enum { MAXB = 6, RB = MAXB * sizeof(block_q6_K) + 8 };
	static uint8_t w[4 * RB];
	static block_q8_K a[4][MAXB + 1];
	static float xf[MAXB * QK_K];
	for (int li = 1; li < n_levels; li++) {
		const struct quant_traits *tr = quant_traits_at(kt->type, levels[li]);
		vec_dot_4c_fn f4c = tr->vec_dot_4c;
		if (!tr->vec_dot_4r && !f4c)
			continue;
		int bad_r = 0, bad_c = 0, bad_il = 0;
		static uint8_t il[4 * RB], scratch[4 * RB];
		for (int trial = 0; trial < 60; trial++) {
			int nb = 1 + trial % MAXB, n = nb * QK_K;
			size_t bx = nb * kt->bsize + (trial % 2) * 8; /* padded rows too */
			for (int r = 0; r < 4; r++)
				random_blocks(kt, w + r * bx, nb);
			for (int c = 0; c < 4; c++) {
				for (int i = 0; i < n; i++)
					xf[i] = rndf();
				kquant_q8k_from_float_ref(xf, a[c], n);
			}
			float one[4], tile[4];
			if (tr->vec_dot_4r) {
				for (int r = 0; r < 4; r++)
					tr->vec_dot(n, &one[r], w + r * bx, a[1]);
				tr->vec_dot_4r(n, tile, w, bx, a[1]);
				bad_r += memcmp(one, tile, sizeof(one)) != 0;
			}
			if (f4c) {
				for (int c = 0; c < 4; c++)
					tr->vec_dot(n, &one[c], w, a[c]);
				f4c(n, tile, w, a[0], sizeof(a[0]));
				bad_c += memcmp(one, tile, sizeof(one)) != 0;
			}
			/* the interleaved group (unpadded rows, as model_pack
			 * lays them out): 4 rows x 1 and x 3 activations, and
			 * quant_il4_row dequantizing each row back */
			if (tr->vec_dot_4r_il4 && trial % 2 == 0) {
				size_t rb = nb * kt->bsize;
				memcpy(il, w, 4 * rb);
				quant_interleave4(il, nb, kt->bsize, scratch);
				float t3[3 * 5];
				tr->vec_dot_4r_il4(n, tile, il, rb, a[1]);
				tr->vec_dot_4xn_il4(n, 3, t3, 5, il, rb, a[0], sizeof(a[0]));
				for (int r = 0; r < 4; r++) {
					float e;
					tr->vec_dot(n, &e, w + r * rb, a[1]);
					bad_il += memcmp(&e, &tile[r], 4) != 0;
					for (int c = 0; c < 3; c++) {
						tr->vec_dot(n, &e, w + r * rb, a[c]);
						bad_il += memcmp(&e, &t3[c * 5 + r], 4) != 0;
					}
					static float d1[MAXB * QK_K], d2[MAXB * QK_K];
					tr->to_float(w + r * rb, d1, n);
					quant_il4_row(kt->type, il, r, n, d2);
					bad_il += memcmp(d1, d2, (size_t)n * sizeof(float)) != 0;
				}
			}
		}
		if (tr->vec_dot_4r_il4)
			check(bad_il == 0, "%s %s vec_dot_il4 bit-identical to vec_dot (%d bad)", kt->name,
			      lvname(levels[li]), bad_il);
		if (tr->vec_dot_4r)
			check(bad_r == 0, "%s %s vec_dot_4r bit-identical to vec_dot (%d bad)", kt->name,
			      lvname(levels[li]), bad_r);
		if (f4c)
			check(bad_c == 0, "%s %s dot_4c bit-identical to vec_dot (%d bad)", kt->name,
			      lvname(levels[li]), bad_c);
	}
}

static void test_roundtrip(const struct ktype *kt)
{
	enum { N = 16 * QK_K };
	static float x[N], y[N];
	static uint8_t w[N / QK_K * sizeof(block_q8_K)];
	const struct quant_traits *tr = quant_traits_at(kt->type, QUANT_SCALAR);
	double err = 0, sig = 0;
	for (int i = 0; i < N; i++) /* gaussian-ish, with a per-256 offset and gain */
		x[i] = (rndf() + rndf() + rndf()) * (1 + (i / QK_K) % 3) + 0.1f * ((i / 32) % 5 - 2);
	tr->from_float(x, w, N);
	tr->to_float(w, y, N);
	for (int i = 0; i < N; i++) {
		err += (double)(x[i] - y[i]) * (x[i] - y[i]);
		sig += (double)x[i] * x[i];
	}
	double r = sqrt(err / sig);
	check(r < kt->rt_tol, "%s from_float round trip (rel rms %.4f < %.3f)", kt->name, r, kt->rt_tol);
}

static void test_q8k(void)
{
	enum { NB = 8, N = NB * QK_K };
	static float x[N], y[N];
	static block_q8_K a[NB], b[NB];
	bool bsums_ok = true, err_ok = true, same[3] = {true, true, true};
	for (int trial = 0; trial < 200; trial++) {
		for (int i = 0; i < N; i++)
			x[i] = rndf() * (trial % 5 + 1) * (trial % 11 == 3 ? 1e-30f : 1.0f);
		if (trial % 4 == 1) /* ties: +-max in one block, the first wins */
			for (int bl = 0; bl < NB; bl++) {
				x[bl * QK_K + rnd_hi() % QK_K] = 7;
				x[bl * QK_K + rnd_hi() % QK_K] = -7;
			}
		if (trial % 9 == 2)
			memset(x + QK_K, 0, QK_K * sizeof(float)); /* a zero block */
		if (trial % 13 == 5) /* exact .5 products: round half to even */
			for (int i = 0; i < QK_K; i++)
				x[i] = (float)((int)(rnd_hi() % 255) - 127) / 2 * (i ? 1 : 0) + (i ? 0 : -127);
		kquant_q8k_from_float_ref(x, a, N);
		kquant_q8k_to_float_ref(a, y, N);
		for (int bl = 0; bl < NB; bl++) {
			float amax = 0;
			for (int i = 0; i < QK_K; i++)
				amax = fmaxf(amax, fabsf(x[bl * QK_K + i]));
			for (int i = 0; i < QK_K; i++)
				if (fabsf(y[bl * QK_K + i] - x[bl * QK_K + i]) > amax / 127 * 0.5001f)
					err_ok = false;
			for (int j = 0; j < 16; j++) {
				int s = 0;
				for (int i = 0; i < 16; i++)
					s += a[bl].qs[16 * j + i];
				if (s != a[bl].bsums[j])
					bsums_ok = false;
			}
		}
		for (int l = 1; l < n_levels; l++) {
			memset(b, 0x55, sizeof(b));
			quant_traits_at(GGML_TYPE_Q8_K, levels[l])->from_float(x, b, N);
			if (memcmp(a, b, sizeof(a)))
				same[l] = false;
		}
	}
	check(bsums_ok, "q8_K bsums are the sums of 16 qs");
	check(err_ok, "q8_K quantization error within d/2");
	for (int l = 1; l < n_levels; l++)
		check(same[l], "q8_K %s quantizer byte-identical to scalar", lvname(levels[l]));
	/* a known block: the largest magnitude is negative -> d > 0, q = -127 there */
	for (int i = 0; i < QK_K; i++)
		x[i] = i == 7 ? -2.0f : (i == 9 ? 2.0f : 1.0f);
	kquant_q8k_from_float_ref(x, a, QK_K);
	check(a[0].qs[7] == -127 && a[0].qs[9] == 127 && a[0].qs[0] == 64 && a[0].d == 1 / (-127.f / -2.0f),
	      "q8_K sign trick and round-half-even (q %d %d %d)", a[0].qs[7], a[0].qs[9], a[0].qs[0]);
}

/* ---- real tensors ------------------------------------------------------- */

struct mapped {
	void *p;
	size_t n;
	struct gguf g;
};

static bool map_gguf(const char *path, struct mapped *m)
{
	char err[200];
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	m->n = (size_t)st.st_size;
	m->p = mmap(NULL, m->n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->p == MAP_FAILED)
		return false;
	if (gguf_open(&m->g, m->p, m->n, err, sizeof(err)) != 0) {
		printf("# %s: %s\n", path, err);
		munmap(m->p, m->n);
		return false;
	}
	return true;
}

static void unmap_gguf(struct mapped *m)
{
	gguf_close(&m->g);
	munmap(m->p, m->n);
}

static void test_real(const char *shared)
{
	static const char *files[] = {"q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"};
	char path[512];
	struct mapped f32;
	snprintf(path, sizeof(path), "%s/conformance/models/synth-llama-f32.gguf", shared);
	if (access(path, R_OK) != 0) {
		printf("SKIP: real K-quant tensors (%s absent)\n", path);
		return;
	}
	if (!map_gguf(path, &f32)) {
		check(false, "parse %s", path);
		return;
	}
	for (size_t fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
		struct mapped q;
		snprintf(path, sizeof(path), "%s/conformance/models/synth-llama-%s.gguf", shared, files[fi]);
		if (!map_gguf(path, &q)) {
			check(false, "parse %s", path);
			continue;
		}
		for (int k = 0; k < NKT; k++) {
			const struct ktype *kt = &ktypes[k];
			int count = 0, bad_layout = 0, bad_simd = 0;
			double worst = 0, worst_dot = 0;
			for (uint64_t t = 0; t < q.g.n_tensors; t++) {
				const struct gguf_tensor *tq = &q.g.tensors[t];
				if ((int)tq->type != kt->type)
					continue;
				char name[128];
				snprintf(name, sizeof(name), "%.*s", (int)tq->name.n, tq->name.p);
				const struct gguf_tensor *tf = gguf_find_tensor(&f32.g, name);
				if (!tf || tf->type != GGML_TYPE_F32 || tf->ne[0] != tq->ne[0] || tf->ne[0] % QK_K)
					continue;
				count++;
				int64_t ne0 = tq->ne[0], rows = (int64_t)(tf->nbytes / 4 / ne0);
				int nb = (int)(ne0 / QK_K);
				float *deq = malloc(ne0 * sizeof(float)), *act = malloc(ne0 * sizeof(float));
				block_q8_K *a = malloc(nb * sizeof(block_q8_K));
				for (int64_t i = 0; i < ne0; i++)
					act[i] = rndf();
				kquant_q8k_from_float_ref(act, a, ne0);
				kquant_q8k_to_float_ref(a, act, ne0);
				double err = 0, sig = 0;
				for (int64_t r = 0; r < rows; r++) {
					const uint8_t *row = (const uint8_t *)tq->data + r * nb * kt->bsize;
					const float *ref = (const float *)tf->data + r * ne0;
					quant_traits_at(kt->type, QUANT_SCALAR)->to_float(row, deq, ne0);
					for (int64_t i = 0; i < ne0; i++) {
						err += (double)(deq[i] - ref[i]) * (deq[i] - ref[i]);
						sig += (double)ref[i] * ref[i];
						if (deq[i] != kt->elem(row + i / QK_K * kt->bsize, (int)(i % QK_K)))
							bad_layout++;
					}
					float d0;
					quant_traits_at(kt->type, QUANT_SCALAR)->vec_dot((int)ne0, &d0, row, a);
					double mag = 0, want = 0;
					for (int64_t i = 0; i < ne0; i++) {
						mag += fabs((double)ref[i] * act[i]);
						want += (double)ref[i] * act[i];
					}
					if (fabs(d0 - want) / mag > worst_dot)
						worst_dot = fabs(d0 - want) / mag;
					for (int l = 1; l < n_levels; l++) {
						float d1;
						quant_traits_at(kt->type, levels[l])->vec_dot((int)ne0, &d1, row, a);
						if (fabs((double)d1 - d0) > 1e-5 * mag)
							bad_simd++;
					}
				}
				double rel = sqrt(err / sig);
				if (rel > worst)
					worst = rel;
				free(deq);
				free(act);
				free(a);
			}
			if (!count)
				continue;
			check(worst < kt->rt_tol && bad_layout == 0,
			      "%s: %d %s tensors dequantize close to F32 (worst rel rms %.4f)", files[fi], count,
			      kt->name, worst);
			check(worst_dot < 2 * kt->rt_tol && bad_simd == 0,
			      "%s: %s row dots vs F32 (worst rel %.4f), SIMD vs scalar (%d bad)", files[fi],
			      kt->name, worst_dot, bad_simd);
		}
		unmap_gguf(&q);
	}
	unmap_gguf(&f32);
}

/* ---- benchmark ----------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void bench(int only)
{
	enum { ROWS = 16384, COLS = 4096, NB = COLS / QK_K };
	float *x = malloc(COLS * sizeof(float)), *out = malloc(ROWS * sizeof(float));
	static block_q8_K a[NB], a4[4][NB];
	for (int c = 0; c < 4; c++) {
		for (int i = 0; i < COLS; i++)
			x[i] = rndf();
		kquant_q8k_from_float_ref(x, a4[c], COLS);
	}
	memcpy(a, a4[0], sizeof(a));
	for (int k = 0; k < NKT; k++) {
		const struct ktype *kt = &ktypes[k];
		size_t bytes = (size_t)ROWS * NB * kt->bsize;
		uint8_t *w = malloc(bytes);
		random_blocks(kt, w, ROWS * NB);
		for (int li = 0; li < n_levels; li++) {
			int l = levels[li];
			if (only >= 0 ? l != only : l == QUANT_SCALAR)
				continue;
			vec_dot_fn dot = quant_traits_at(kt->type, l)->vec_dot;
			double best = 1e9;
			for (int rep = 0; rep < 7; rep++) {
				double t0 = now_s();
				for (int r = 0; r < ROWS; r++)
					dot(COLS, &out[r], w + (size_t)r * NB * kt->bsize, a);
				double t = now_s() - t0;
				if (t < best)
					best = t;
			}
			printf("%s %-6s %7.2f ms  %6.2f GB/s  %5.1f ns/block\n", kt->name, lvname(l), best * 1e3,
			       bytes / best / 1e9, best * 1e9 / (ROWS * NB));
			const struct quant_traits *tr = quant_traits_at(kt->type, l);
			vec_dot_4c_fn f4c = tr->vec_dot_4c;
			if (tr->vec_dot_4r) {
				best = 1e9;
				for (int rep = 0; rep < 7; rep++) {
					double t0 = now_s();
					for (int r = 0; r < ROWS; r += 4)
						tr->vec_dot_4r(COLS, &out[r], w + (size_t)r * NB * kt->bsize, NB * kt->bsize, a);
					double t = now_s() - t0;
					if (t < best)
						best = t;
				}
				printf("%s %-6s 4r %4.2f ms  %6.2f GB/s  %5.1f ns/block\n", kt->name, lvname(l),
				       best * 1e3, bytes / best / 1e9, best * 1e9 / (ROWS * NB));
			}
			if (f4c) { /* a prompt-like case: 512 L2-resident rows, 4 tokens */
				enum { PR = 512 };
				double t1 = 1e9, t4 = 1e9;
				for (int rep = 0; rep < 7; rep++) {
					double t0 = now_s();
					for (int r = 0; r < PR; r++)
						for (int c = 0; c < 4; c++)
							dot(COLS, &out[4 * r + c], w + (size_t)r * NB * kt->bsize, a4[c]);
					double t = now_s() - t0;
					if (t < t1)
						t1 = t;
					t0 = now_s();
					for (int r = 0; r < PR; r++)
						f4c(COLS, &out[4 * r], w + (size_t)r * NB * kt->bsize, a4[0], sizeof(a4[0]));
					t = now_s() - t0;
					if (t < t4)
						t4 = t;
				}
				printf("%s %-6s 4c: %5.1f ns/block-token vs %5.1f with vec_dot\n", kt->name, lvname(l),
				       t4 * 1e9 / (PR * NB * 4), t1 * 1e9 / (PR * NB * 4));
			}
		}
		free(w);
	}
	free(x);
	free(out);
}

/* The 4-row and 4-column tiles at the edges of their integer ranges: all
 * weight bits set, clear or mixed, against activations of -128, 127 or
 * both (Q8_K itself stops at -127, the kernels must not care), so sums
 * packed into int16 halves neither overflow nor borrow; bit-identical to
 * vec_dot as in test_tiles. */
static void test_tiles_extremes(const struct ktype *kt)
{
	enum { NB = 3, RB = NB * sizeof(block_q6_K) };
	static uint8_t w[4 * RB];
	static block_q8_K a[4][NB];
	for (int li = 1; li < n_levels; li++) {
		const struct quant_traits *tr = quant_traits_at(kt->type, levels[li]);
		vec_dot_4c_fn f4c = tr->vec_dot_4c;
		if (!tr->vec_dot_4r && !f4c)
			continue;
		int bad = 0;
		size_t bx = NB * kt->bsize;
		for (int wm = 0; wm < 4; wm++)
			for (int am = 0; am < 4; am++) {
				for (size_t i = 0; i < 4 * bx; i++)
					w[i] = wm == 0 ? 0xff : wm == 1 ? 0 : wm == 2 ? (rnd_hi() & 1 ? 0xff : 0) : (uint8_t)rnd_hi();
				for (int b = 0; b < 4 * NB; b++)
					kt->sane(w + b * kt->bsize);
				for (int c = 0; c < 4; c++)
					for (int b = 0; b < NB; b++) {
						block_q8_K *y = &a[c][b];
						y->d = (rndf() + 1) * 0.01f;
						for (int e = 0; e < QK_K; e++)
							y->qs[e] = (int8_t)(am == 0 ? -128 : am == 1 ? 127 : am == 2 ? (rnd_hi() & 1 ? 127 : -128) : (int)(rnd_hi() % 256) - 128);
						for (int g = 0; g < QK_K / 16; g++) {
							int sum = 0;
							for (int e = 0; e < 16; e++)
								sum += y->qs[16 * g + e];
							y->bsums[g] = (int16_t)sum;
						}
					}
				float one[4], tile[4];
				if (tr->vec_dot_4r) {
					for (int r = 0; r < 4; r++)
						tr->vec_dot(NB * QK_K, &one[r], w + r * bx, a[1]);
					tr->vec_dot_4r(NB * QK_K, tile, w, bx, a[1]);
					bad += memcmp(one, tile, sizeof(one)) != 0;
				}
				if (f4c) {
					for (int c = 0; c < 4; c++)
						tr->vec_dot(NB * QK_K, &one[c], w, a[c]);
					f4c(NB * QK_K, tile, w, a[0], sizeof(a[0]));
					bad += memcmp(one, tile, sizeof(one)) != 0;
				}
			}
		check(bad == 0, "%s %s tiles bit-identical to vec_dot at extreme values (%d bad)", kt->name,
		      lvname(levels[li]), bad);
	}
}

int main(int argc, char **argv)
{
	detect_levels();
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		bench(argc > 2 ? atoi(argv[2]) : -1);
		return 0;
	}
	const char *shared = argc > 1 ? argv[1] : "../shared";
	test_known_blocks();
	for (int k = 0; k < NKT; k++) {
		test_layout(&ktypes[k]);
		test_roundtrip(&ktypes[k]);
		test_dots(&ktypes[k]);
		test_tiles(&ktypes[k]);
		test_tiles_extremes(&ktypes[k]);
	}
	test_q8k();
	test_real(shared);
	return n_fail ? 1 : 0;
}

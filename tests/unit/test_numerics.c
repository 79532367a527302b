/* Unit test of the summation order that matching llama.cpp depends on.
 *
 *   fmaf         ai_fmaf equals libm's fmaf (one rounding), random and
 *                constructed double-rounding cases
 *   order        Q5_0, Q8_0 (Q8_0 activations) and Q4_1, Q5_1 (Q8_1)
 *                vec_dot, vec_dot_4r and vec_dot_4xn at every kernel level
 *                this CPU runs are bit-identical to a model of ggml's x86
 *                kernels written here with libm's fmaf: per block, eight
 *                lanes of four consecutive products, each lane a fused
 *                multiply-add chain over the blocks, then the horizontal sum
 *                (l + l+4), (+2 apart), (0 + 1); Q4_1/Q5_1 add the min terms
 *                m_x * s_y, themselves a fused multiply-add chain, last
 *   order iq4_nl the same with two chains, see model_iq4nl
 *   order q6_K   the same for Q6_K x Q8_K, per 256-element super-block:
 *                lane m sums scale * (q - 32) * y over elements 4m..4m+3
 *                of every 32 (the -32 applied per product, not through
 *                bsums), one fused multiply-add per lane and super-block
 *   order iq4_xs as q6_K, lane m summing (ls - 32) * level * y
 *
 * Why: the engine quantizes activations to 8 bits before each product; a
 * one-ulp difference in a dot product can flip a rounding there, and on the
 * synth-llama-q8_0 conformance model one flip moves a logit by ~0.04, more
 * than the tolerance. Summing in ggml's order makes ours bit-identical.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/aimath.h"
#include "ai/quant.h"
#define TEST_RNG_SEED 0x243f6a8885a308d3ull
#include "tests/unit/rng.h"

static int failures;

static void check(bool ok, const char *what, const char *detail)
{
	printf("%s: numerics %s%s%s\n", ok ? "PASS" : "FAIL", what, detail ? " " : "",
	       detail ? detail : "");
	if (!ok)
		failures++;
}


/* ---- ai_fmaf ---------------------------------------------------------------- */

static void test_fmaf(void)
{
	char msg[160] = "";
	int bad = 0, n_mid = 0;
	for (int i = 0; i < 2000000 && bad < 3; i++) {
		float a = ldexpf(frand(), (int)(rnd() % 20)), b = ldexpf(frand(), (int)(rnd() % 20));
		float c = ldexpf(frand(), (int)(rnd() % 40) - 10);
		if (i & 1) /* c near -a*b: cancellation */
			c = -(float)((double)a * b) * (1.0f + frand() * 1e-6f);
		if (bits(ai_fmaf(a, b, c)) != bits(fmaf(a, b, c)))
			if (!bad++)
				snprintf(msg, sizeof msg, "(%a * %a + %a: %a, libm %a)", a, b, c,
					 ai_fmaf(a, b, c), fmaf(a, b, c));
	}
	/* (1 + 2^-12 k)^2 + tiny: the double sum lands on a float midpoint; the
	 * discarded tiny part decides. Plain (float)(a*b + c) gets these wrong. */
	for (int k = 1; k < 4096 && bad < 3; k++) {
		float a = 1.0f + (float)k / 4096.0f;
		for (int e = 30; e < 80; e += 7) {
			float c = ldexpf((k & 1) ? 1.0f : -1.0f, -e);
			double naive = (double)a * a + c;
			if ((float)naive != fmaf(a, a, c))
				n_mid++;
			if (bits(ai_fmaf(a, a, c)) != bits(fmaf(a, a, c)))
				if (!bad++)
					snprintf(msg, sizeof msg, "(%a^2 + %a: %a, libm %a)", a, c,
						 ai_fmaf(a, a, c), fmaf(a, a, c));
		}
	}
	if (n_mid == 0 && !bad) {
		bad = 1;
		snprintf(msg, sizeof msg, "(no double-rounding case constructed)");
	}
	check(!bad, "fmaf", bad ? msg : NULL);
}

/* ---- ggml's x86 order, modelled ------------------------------------------ */

/* ggml's kvalues_iq4nl, written out again: the test does not trust ours */
static const int8_t iq4nl[16] = { -127, -104, -83, -65, -49, -35, -22, -10,
				  1, 13, 25, 38, 53, 69, 89, 113 };

/* Weights of one block in element order (signed, or unsigned for the types
 * with a min m). */
static void unpack(int type, const uint8_t *blk, int8_t q[32], float *d, float *m)
{
	ggml_half h;
	memcpy(&h, blk, 2);
	*d = fp16_to_fp32(h);
	if (type == GGML_TYPE_Q4_1 || type == GGML_TYPE_Q5_1) {
		memcpy(&h, blk + 2, 2);
		*m = fp16_to_fp32(h);
		uint32_t qh = 0;
		const uint8_t *qs = blk + 4;
		if (type == GGML_TYPE_Q5_1) {
			memcpy(&qh, blk + 4, 4);
			qs += 4;
		}
		for (int j = 0; j < 16; j++) {
			q[j] = (int8_t)((qs[j] & 15) | (((qh >> j) & 1) << 4));
			q[j + 16] = (int8_t)((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
		}
	} else if (type == GGML_TYPE_Q8_0) {
		memcpy(q, blk + 2, 32);
	} else if (type == GGML_TYPE_IQ4_NL) {
		for (int j = 0; j < 16; j++) {
			q[j] = iq4nl[blk[2 + j] & 15];
			q[j + 16] = iq4nl[blk[2 + j] >> 4];
		}
	} else { /* Q5_0: d, qh[4], qs[16] */
		uint32_t qh;
		memcpy(&qh, blk + 2, 4);
		for (int j = 0; j < 16; j++) {
			q[j] = (int8_t)(((blk[6 + j] & 15) | (((qh >> j) & 1) << 4)) - 16);
			q[j + 16] = (int8_t)(((blk[6 + j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16);
		}
	}
}

/* Q6_K (ql[128] qh[64] scales[16] d) x Q8_K (float d, qs[256], bsums)
 * in ggml's AVX2 order, from the bytes. */
static float model_q6k(int n, const uint8_t *x, const uint8_t *y)
{
	float acc[8] = { 0 };
	for (int i = 0; i < n / 256; i++, x += 210, y += 292) {
		int8_t q[256];
		for (int h = 0; h < 2; h++)
			for (int l = 0; l < 32; l++) {
				const uint8_t *ql = x + 64 * h, qh = x[128 + 32 * h + l];
				q[128 * h + l] = (int8_t)(((ql[l] & 15) | ((qh & 3) << 4)) - 32);
				q[128 * h + l + 32] = (int8_t)(((ql[l + 32] & 15) | (((qh >> 2) & 3) << 4)) - 32);
				q[128 * h + l + 64] = (int8_t)(((ql[l] >> 4) | (((qh >> 4) & 3) << 4)) - 32);
				q[128 * h + l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh >> 6) & 3) << 4)) - 32);
			}
		const int8_t *sc = (const int8_t *)x + 192, *yq = (const int8_t *)y + 4;
		ggml_half dx;
		float dy;
		memcpy(&dx, x + 208, 2);
		memcpy(&dy, y, 4);
		int lane[8] = { 0 };
		for (int g = 0; g < 8; g++)
			for (int m = 0; m < 8; m++)
				for (int e = 32 * g + 4 * m; e < 32 * g + 4 * m + 4; e++)
					lane[m] += sc[2 * g + m / 4] * q[e] * yq[e];
		for (int m = 0; m < 8; m++)
			acc[m] = fmaf(dy * fp16_to_fp32(dx), (float)lane[m], acc[m]);
	}
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = acc[l] + acc[l + 4];
	return (h[0] + h[2]) + (h[1] + h[3]);
}

/* IQ4_XS (d, scales_h, scales_l[4], qs[128]) x Q8_K in ggml's AVX2 order:
 * lane m sums (ls - 32) * q * y over elements 4m..4m+3 of every 32, one
 * fused multiply-add per lane and super-block. */
static float model_iq4xs(int n, const uint8_t *x, const uint8_t *y)
{
	float acc[8] = { 0 };
	for (int i = 0; i < n / 256; i++, x += 136, y += 292) {
		ggml_half dx;
		uint16_t sh;
		float dy;
		memcpy(&dx, x, 2);
		memcpy(&sh, x + 2, 2);
		memcpy(&dy, y, 4);
		const int8_t *yq = (const int8_t *)y + 4;
		int lane[8] = { 0 };
		for (int g = 0; g < 8; g++) {
			int ls = (((x[4 + g / 2] >> 4 * (g % 2)) & 15) | (((sh >> 2 * g) & 3) << 4)) - 32;
			const uint8_t *qs = x + 8 + 16 * g;
			for (int e = 0; e < 32; e++) {
				int q = iq4nl[e < 16 ? qs[e] & 15 : qs[e - 16] >> 4];
				lane[e % 32 / 4] += ls * q * yq[32 * g + e];
			}
		}
		for (int m = 0; m < 8; m++)
			acc[m] = fmaf(fp16_to_fp32(dx) * dy, (float)lane[m], acc[m]);
	}
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = acc[l] + acc[l + 4];
	return (h[0] + h[2]) + (h[1] + h[3]);
}

/* IQ4_NL x Q8_0 in ggml's x86 vec_dot order (llama.cpp's tinyBLAS, used
 * for batches, sums as Q8_0; the token-by-token path, which the references
 * take, does this): blocks in pairs, lanes of the even ones into one fused
 * multiply-add chain and of the odd ones into another, the chains added
 * lane by lane before the horizontal sum; an odd last block added as d *
 * sum, the product rounded first (the compiled ggml does not fuse it). */
static float model_iq4nl(int n, const uint8_t *x, const uint8_t *y)
{
	float acc[2][8] = { { 0 } };
	int nb = n / 32, i = 0;
	float d[2];
	int lane[2][8];
	for (;; i += 2) {
		for (int k = 0; k < 2 && i + k < nb; k++) {
			const uint8_t *xb = x + 18 * (i + k), *yb = y + 34 * (i + k);
			int8_t q[32];
			float m;
			unpack(GGML_TYPE_IQ4_NL, xb, q, &d[k], &m);
			ggml_half dy;
			memcpy(&dy, yb, 2);
			d[k] *= fp16_to_fp32(dy);
			for (int l = 0; l < 8; l++) {
				lane[k][l] = 0;
				for (int e = 4 * l; e < 4 * l + 4; e++)
					lane[k][l] += q[e] * ((const int8_t *)yb + 2)[e];
			}
		}
		if (i + 1 >= nb)
			break;
		for (int k = 0; k < 2; k++)
			for (int l = 0; l < 8; l++)
				acc[k][l] = fmaf(d[k], (float)lane[k][l], acc[k][l]);
	}
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = (acc[0][l] + acc[1][l]) + (acc[0][l + 4] + acc[1][l + 4]);
	float r = (h[0] + h[2]) + (h[1] + h[3]);
	if (i < nb) {
		int s = 0;
		for (int l = 0; l < 8; l++)
			s += lane[0][l];
		volatile float t = d[0] * (float)s;
		r += t;
	}
	return r;
}

/* y: Q8_0 blocks, or Q8_1 (d, s, qs) for the types with a min */
static float model_dot(int type, int n, const uint8_t *x, size_t xb, const void *vy)
{
	if (type == GGML_TYPE_IQ4_NL)
		return model_iq4nl(n, x, vy);
	if (type == GGML_TYPE_Q6_K)
		return model_q6k(n, x, vy);
	if (type == GGML_TYPE_IQ4_XS)
		return model_iq4xs(n, x, vy);
	bool q81 = type == GGML_TYPE_Q4_1 || type == GGML_TYPE_Q5_1;
	size_t yb = q81 ? sizeof(block_q8_1) : sizeof(block_q8_0);
	float acc[8] = { 0 }, summs = 0;
	for (int i = 0; i < n / 32; i++) {
		const uint8_t *y = (const uint8_t *)vy + (size_t)i * yb;
		const int8_t *yq = (const int8_t *)y + (q81 ? 4 : 2);
		ggml_half dy, sy;
		memcpy(&dy, y, 2);
		memcpy(&sy, y + 2, 2);
		int8_t q[32];
		float dx, mx = 0;
		unpack(type, x + (size_t)i * xb, q, &dx, &mx);
		float d = dx * fp16_to_fp32(dy);
		for (int l = 0; l < 8; l++) {
			int s = 0;
			for (int j = 4 * l; j < 4 * l + 4; j++)
				s += q[j] * yq[j];
			acc[l] = fmaf(d, (float)s, acc[l]);
		}
		if (q81)
			summs = fmaf(mx, fp16_to_fp32(sy), summs);
	}
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = acc[l] + acc[l + 4];
	float r = (h[0] + h[2]) + (h[1] + h[3]);
	return q81 ? r + summs : r;
}

static void test_order(int type, const char *name)
{
	enum { ROWS = 8, NT = 9 }; /* vec_dot_4xn takes up to 8 tokens (xn_max) */
	static const int lens[] = { 32, 64, 96, 128, 160, 224, 256, 288, 512, 2048 };
	size_t bsz = ggml_type_row_size(type, 32);
	char what[64], msg[160] = "";
	for (int lv = 0; lv <= quant_level(); lv++) {
		const struct quant_traits *t = quant_traits_at(type, lv);
		int at = quant_traits_at(type, 0)->vec_dot_type;
		const struct quant_traits *q8 = quant_traits_at(at, lv);
		int bad = 0, n_cmp = 0;
		for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
			int n = lens[li] * (type == GGML_TYPE_Q6_K || type == GGML_TYPE_IQ4_XS ? 8 : 1);
			size_t rs = ggml_type_row_size(type, n), as = ggml_type_row_size(at, n);
			float *w = malloc(sizeof(float) * (size_t)n * ROWS), *a = malloc(sizeof(float) * (size_t)n * NT);
			uint8_t *wq = malloc(rs * ROWS), *aq = malloc(as * NT);
			for (int i = 0; i < n * ROWS; i++)
				w[i] = frand() * (1.0f + (float)(rnd() % 8));
			for (int i = 0; i < n * NT; i++)
				a[i] = frand() * (float)(1 + rnd() % 50);
			for (int r = 0; r < ROWS; r++)
				quant_traits_at(type, 0)->from_float(w + (size_t)r * n, wq + r * rs, n);
			for (int k = 0; k < NT; k++)
				q8->from_float(a + (size_t)k * n, aq + k * as, n);
			for (int r = 0; r < ROWS; r++) {
				for (int k = 0; k < NT; k++) {
					float want = model_dot(type, n, wq + r * rs, bsz, aq + k * as), got;
					t->vec_dot(n, &got, wq + r * rs, aq + k * as);
					n_cmp++;
					if (bits(got) != bits(want) && !bad++)
						snprintf(msg, sizeof msg, "(vec_dot n %d row %d: %a, model %a)", n, r,
							 got, want);
				}
			}
			if (t->vec_dot_4r) {
				float s[4];
				t->vec_dot_4r(n, s, wq, rs, aq);
				for (int r = 0; r < 4; r++, n_cmp++)
					if (bits(s[r]) != bits(model_dot(type, n, wq + r * rs, bsz, aq)) &&
					    !bad++)
						snprintf(msg, sizeof msg, "(vec_dot_4r n %d row %d)", n, r);
			}
			if (t->vec_dot_4xn) {
				float s[NT * 4];
				for (int nt = 1; nt <= (t->xn_max ? t->xn_max : 4); nt++) {
					t->vec_dot_4xn(n, nt, s, 4, wq, rs, aq, as);
					for (int k = 0; k < nt; k++)
						for (int r = 0; r < 4; r++, n_cmp++)
							if (bits(s[k * 4 + r]) !=
								    bits(model_dot(type, n, wq + r * rs, bsz,
										   aq + k * as)) &&
							    !bad++)
								snprintf(msg, sizeof msg, "(vec_dot_4xn n %d nt %d)", n, nt);
				}
			}
			free(w);
			free(a);
			free(wq);
			free(aq);
		}
		snprintf(what, sizeof what, "order %s level %d (%d dots)", name, lv, n_cmp);
		check(!bad, what, bad ? msg : NULL);
	}
}

int main(int argc, char **argv)
{
	quant_init(argc > 1 ? atoi(argv[1]) : QUANT_AVX512);
	test_fmaf();
	test_order(GGML_TYPE_Q8_0, "q8_0");
	/* Q4_0 sums in the order of llama.cpp's repacked kernels: test_q4_0.c */
	test_order(GGML_TYPE_Q5_0, "q5_0");
	test_order(GGML_TYPE_Q4_1, "q4_1");
	test_order(GGML_TYPE_Q5_1, "q5_1");
	test_order(GGML_TYPE_Q6_K, "q6_K");
	test_order(GGML_TYPE_IQ4_NL, "iq4_nl");
	test_order(GGML_TYPE_IQ4_XS, "iq4_xs");
	return failures ? 1 : 0;
}

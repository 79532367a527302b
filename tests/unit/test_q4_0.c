/*
 * Q4_0's kernels (ai/kernels/q4_0.h) at every level this CPU runs, against a direct
 * computation of llama.cpp's order with libm's fmaf:
 *   vec_dot     acc = fmaf((float)sumi_b, d_x * d_y, acc) over the blocks
 *   vec_dot_4r  (where present) the same bits for four rows
 *   gemm_packed after q4_0_pack16, the same bits for 16 rows x 1..8 tokens
 *   packed_row  a packed row dequantizes to the unpacked row's to_float
 * on random weights and on extremes (all nibbles 0 or 15 against
 * activations of +-127: the largest int16 partial sums of the AVX2 path).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/kernels/q4_0.h"
#include "ai/quant.h"
#include "tests/unit/check.h"

#define ROWS (3 * Q4_0_GROUP + 5)
#define NT 11
#define MAXN 2080

static uint64_t rng = 0x2545f4914f6cdd1dull;

static float frand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1;
}

static _Alignas(64) uint8_t w[ROWS * MAXN], packed[ROWS * MAXN], act[NT][MAXN * 4 + 512];
static float x[MAXN], ref[NT][ROWS], got[NT][ROWS], row_a[MAXN], row_b[MAXN];

static float expect(const uint8_t *wr, const uint8_t *yr, int n)
{
	const block_q4_0 *xb = (const block_q4_0 *)wr;
	const block_q8_0 *yb = (const block_q8_0 *)yr;
	float acc = 0;
	for (int b = 0; b < n / 32; b++) {
		int32_t sumi = 0;
		for (int j = 0; j < 16; j++)
			sumi += ((xb[b].qs[j] & 15) - 8) * yb[b].qs[j] + ((xb[b].qs[j] >> 4) - 8) * yb[b].qs[j + 16];
		acc = fmaf((float)sumi, fp16_to_fp32(xb[b].d) * fp16_to_fp32(yb[b].d), acc);
	}
	return acc;
}

/* kind 0: random; 1: all nibbles 15, activations +127; 2: nibbles 0, -127 */
static void make(int n, int kind)
{
	const struct quant_traits *q4 = quant_traits_at(GGML_TYPE_Q4_0, QUANT_SCALAR);
	const struct quant_traits *q8 = quant_traits_at(GGML_TYPE_Q8_0, QUANT_SCALAR);
	size_t rb = ggml_type_row_size(GGML_TYPE_Q4_0, n);
	for (int r = 0; r < ROWS; r++) {
		for (int i = 0; i < n; i++)
			x[i] = frand() * (1 + r % 7);
		q4->from_float(x, w + r * rb, n);
		if (kind) {
			block_q4_0 *b = (block_q4_0 *)(w + r * rb);
			for (int i = 0; i < n / 32; i++)
				memset(b[i].qs, kind == 1 ? 0xff : 0x00, 16);
		}
	}
	for (int t = 0; t < NT; t++) {
		for (int i = 0; i < n; i++)
			x[i] = kind ? (kind == 1 ? 3.0f : -3.0f) : frand() * (t + 1);
		q8->from_float(x, act[t], n);
		q4_0_fill_terms(act[t], n);
	}
	for (int t = 0; t < NT; t++)
		for (int r = 0; r < ROWS; r++)
			ref[t][r] = expect(w + r * rb, act[t], n);
}

static void test_level(int level, int n, int kind)
{
	const struct quant_traits *tr = quant_traits_at(GGML_TYPE_Q4_0, level);
	const char *lv = quant_level_name(level);
	size_t rb = ggml_type_row_size(GGML_TYPE_Q4_0, n), as = sizeof act[0];
	bool ok = true;

	for (int t = 0; t < NT; t++)
		for (int r = 0; r < ROWS; r++) {
			tr->vec_dot(n, &got[t][r], w + r * rb, act[t]);
			ok &= !memcmp(&got[t][r], &ref[t][r], 4);
		}
	check(ok, "q4_0 %s n=%d kind %d: vec_dot in llama.cpp's order", lv, n, kind);
	if (tr->vec_dot_4r) {
		ok = true;
		for (int t = 0; t < NT; t++)
			for (int r = 0; r + 4 <= ROWS; r += 4) {
				tr->vec_dot_4r(n, &got[t][r], w + r * rb, rb, act[t]);
				ok &= !memcmp(&got[t][r], &ref[t][r], 16);
			}
		check(ok, "q4_0 %s n=%d kind %d: vec_dot_4r == vec_dot", lv, n, kind);
	}
	ok = true;
	for (int nt = 1; nt <= Q4_0_MAX_NT; nt++)
		for (int t0 = 0; t0 + nt <= NT; t0 += nt)
			for (int g = 0; g + Q4_0_GROUP <= ROWS; g += Q4_0_GROUP) {
				memset(got, 0xff, sizeof got);
				tr->gemm_packed(n, nt, &got[t0][g], ROWS, packed + g * rb, act[t0], as);
				for (int t = t0; t < t0 + nt; t++)
					ok &= !memcmp(&got[t][g], &ref[t][g], 4 * Q4_0_GROUP);
			}
	check(ok, "q4_0 %s n=%d kind %d: gemm16 (nt 1..%d) == vec_dot", lv, n, kind, Q4_0_MAX_NT);
}

int main(void)
{
	int top = quant_init(QUANT_AVX512);
	const int ns[] = { 32, 64, 96, 256, 2048, MAXN };
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		int n = ns[k];
		for (int kind = 0; kind < 3; kind++) {
			make(n, kind);
			size_t rb = ggml_type_row_size(GGML_TYPE_Q4_0, n);
			memcpy(packed, w, ROWS * rb);
			static uint8_t scratch[Q4_0_GROUP * MAXN];
			for (int g = 0; g + Q4_0_GROUP <= ROWS; g += Q4_0_GROUP)
				q4_0_pack16(packed + g * rb, n, scratch);
			if (kind == 0) {
				bool ok = true;
				const struct quant_traits *ref = quant_traits_at(GGML_TYPE_Q4_0, QUANT_SCALAR);
				for (int r = 0; r < ROWS / Q4_0_GROUP * Q4_0_GROUP; r++) {
					int g = r / Q4_0_GROUP * Q4_0_GROUP;
					ref->to_float(w + r * rb, row_a, n);
					q4_0_packed_row(packed + g * rb, r - g, n, row_b);
					ok &= !memcmp(row_a, row_b, n * sizeof(float));
				}
				check(ok, "q4_0 n=%d: packed rows dequantize as the file's rows", n);
				ok = !memcmp(packed + ROWS / Q4_0_GROUP * Q4_0_GROUP * rb,
					     w + ROWS / Q4_0_GROUP * Q4_0_GROUP * rb, ROWS % Q4_0_GROUP * rb);
				check(ok, "q4_0 n=%d: rows past the last group untouched", n);
			}
			for (int level = QUANT_SCALAR; level <= top; level++)
				test_level(level, n, kind);
		}
	}
	return n_fail ? 1 : 0;
}

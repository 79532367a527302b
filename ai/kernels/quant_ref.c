/* Scalar reference kernels for the float types and the 32-element quants
 * (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1): ggml's math and block layouts. The
 * SIMD variants are tested against these. Q4_0's dot products live in
 * q4_0.c (a different order, and a packed layout). */
#include <string.h>

#include "ai/aimath.h"
#include "ai/kernels/kernels.h"
#include "ai/quant.h"

/* ---- float types: vec_dot against f32 activations ------------------------ */

static void f32_to_float(const void *x, float *y, int64_t k)
{
	memcpy(y, x, (size_t)k * sizeof(float));
}

static void f32_from_float(const float *x, void *y, int64_t k)
{
	memcpy(y, x, (size_t)k * sizeof(float));
}

/* The references sum in double, like ggml's scalar path (ggml_float). */
static void f32_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const float *x = vx, *y = vy;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += (double)(x[i] * y[i]);
	*s = (float)sum;
}

static void f16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_half *x = vx;
	for (int64_t i = 0; i < k; i++)
		y[i] = fp16_to_fp32(x[i]);
}

static void f16_from_float(const float *x, void *vy, int64_t k)
{
	ggml_half *y = vy;
	for (int64_t i = 0; i < k; i++)
		y[i] = fp32_to_fp16(x[i]);
}

static void f16_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const ggml_half *x = vx;
	const float *y = vy;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += (double)(fp16_to_fp32(x[i]) * y[i]);
	*s = (float)sum;
}

static void bf16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_bf16 *x = vx;
	for (int64_t i = 0; i < k; i++)
		y[i] = bf16_to_fp32(x[i]);
}

static void bf16_from_float(const float *x, void *vy, int64_t k)
{
	ggml_bf16 *y = vy;
	for (int64_t i = 0; i < k; i++)
		y[i] = fp32_to_bf16(x[i]);
}

static void bf16_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const ggml_bf16 *x = vx;
	const float *y = vy;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += (double)(bf16_to_fp32(x[i]) * y[i]);
	*s = (float)sum;
}

/* ---- weight quantizers ----------------------------------------------------- */

/* The element of largest magnitude, with its sign (first one on ties). */
static float signed_absmax(const float *x, int n)
{
	float amax = 0, max = 0;
	for (int j = 0; j < n; j++) {
		if (amax < quant_fabs(x[j])) {
			amax = quant_fabs(x[j]);
			max = x[j];
		}
	}
	return max;
}

static void min_max(const float *x, int n, float *mn, float *mx)
{
	float lo = x[0], hi = x[0];
	for (int j = 1; j < n; j++) {
		if (x[j] < lo)
			lo = x[j];
		if (x[j] > hi)
			hi = x[j];
	}
	*mn = lo;
	*mx = hi;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Q4_0: d = max / -8, q = trunc(x/d + 8.5) clamped to 15. */
static void q4_0_from_float(const float *x, void *vy, int64_t k)
{
	block_q4_0 *y = vy;
	for (int64_t i = 0; i < k / QK4_0; i++, x += QK4_0) {
		const float d = signed_absmax(x, QK4_0) / -8;
		const float id = d != 0.0f ? 1.0f / d : 0.0f;
		y[i].d = fp32_to_fp16(d);
		for (int j = 0; j < QK4_0 / 2; j++) {
			int a = clampi((int)(int8_t)(x[j] * id + 8.5f), 0, 15);
			int b = clampi((int)(int8_t)(x[j + QK4_0 / 2] * id + 8.5f), 0, 15);
			y[i].qs[j] = (uint8_t)(a | (b << 4));
		}
	}
}

/* Q4_1: d = (max - min) / 15, m = min, q = trunc((x - min)/d + 0.5). */
static void q4_1_from_float(const float *x, void *vy, int64_t k)
{
	block_q4_1 *y = vy;
	for (int64_t i = 0; i < k / QK4_1; i++, x += QK4_1) {
		float mn, mx;
		min_max(x, QK4_1, &mn, &mx);
		const float d = (mx - mn) / 15;
		const float id = d != 0.0f ? 1.0f / d : 0.0f;
		y[i].d = fp32_to_fp16(d);
		y[i].m = fp32_to_fp16(mn);
		for (int j = 0; j < QK4_1 / 2; j++) {
			int a = clampi((int)(int8_t)((x[j] - mn) * id + 0.5f), 0, 15);
			int b = clampi((int)(int8_t)((x[j + QK4_1 / 2] - mn) * id + 0.5f), 0, 15);
			y[i].qs[j] = (uint8_t)(a | (b << 4));
		}
	}
}

/* Q5_0: d = max / -16, q = trunc(x/d + 16.5) clamped to 31; bit 4 in qh. */
static void q5_0_from_float(const float *x, void *vy, int64_t k)
{
	block_q5_0 *y = vy;
	for (int64_t i = 0; i < k / QK5_0; i++, x += QK5_0) {
		const float d = signed_absmax(x, QK5_0) / -16;
		const float id = d != 0.0f ? 1.0f / d : 0.0f;
		uint32_t qh = 0;
		y[i].d = fp32_to_fp16(d);
		for (int j = 0; j < QK5_0 / 2; j++) {
			int a = clampi((int)(int8_t)(x[j] * id + 16.5f), 0, 31);
			int b = clampi((int)(int8_t)(x[j + QK5_0 / 2] * id + 16.5f), 0, 31);
			y[i].qs[j] = (uint8_t)((a & 15) | ((b & 15) << 4));
			qh |= (uint32_t)(a >> 4) << j;
			qh |= (uint32_t)(b >> 4) << (j + QK5_0 / 2);
		}
		memcpy(y[i].qh, &qh, 4);
	}
}

/* Q5_1: d = (max - min) / 31, m = min, q = trunc((x - min)/d + 0.5). */
static void q5_1_from_float(const float *x, void *vy, int64_t k)
{
	block_q5_1 *y = vy;
	for (int64_t i = 0; i < k / QK5_1; i++, x += QK5_1) {
		float mn, mx;
		min_max(x, QK5_1, &mn, &mx);
		const float d = (mx - mn) / 31;
		const float id = d != 0.0f ? 1.0f / d : 0.0f;
		uint32_t qh = 0;
		y[i].d = fp32_to_fp16(d);
		y[i].m = fp32_to_fp16(mn);
		for (int j = 0; j < QK5_1 / 2; j++) {
			int a = clampi((int)(int8_t)((x[j] - mn) * id + 0.5f), 0, 31);
			int b = clampi((int)(int8_t)((x[j + QK5_1 / 2] - mn) * id + 0.5f), 0, 31);
			y[i].qs[j] = (uint8_t)((a & 15) | ((b & 15) << 4));
			qh |= (uint32_t)(a >> 4) << j;
			qh |= (uint32_t)(b >> 4) << (j + QK5_1 / 2);
		}
		memcpy(y[i].qh, &qh, 4);
	}
}

/* ---- activation quantizers (also Q8_0's weight quantizer) ---------------- */

/* x rounded to the nearest integer, halves to even, for |x| < 2^22: adding
 * and removing 1.5 * 2^23 leaves no fraction bits (ggml's nearest_int). */
static inline float round_even(float x)
{
	volatile float t = x + 12582912.0f; /* volatile: no reassociation */
	return t - 12582912.0f;
}

/* x * id rounded half to even, as an int8 the way the x86 quantizers make
 * it (cvtps2dq, then saturating packs): a value outside the int32 range or
 * NaN (a model's NaN or inf weights) becomes the "integer indefinite"
 * INT32_MIN, packed to -128. Finite activations never get there (|x * id|
 * <= 127); converting them in C would be undefined behaviour. */
static inline int8_t q8_round(float v)
{
	float r = round_even(v);
	if (!(r >= -2147483648.0f && r < 2147483648.0f))
		return -128;
	return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

/* Q8_0 as ggml's x86 (AVX2, AVX-512) quantize_row_q8_0, which llama.cpp
 * runs on activations: d = amax / 127 (stored as fp16), q = x * (127 /
 * amax) rounded half to even. (Its scalar quantize_row_q8_0_ref, which
 * llama-quantize uses on weights, multiplies by 1 / d and rounds halves
 * away from zero: rarely a different byte.) |q| <= 127, never -128. The
 * activations feed every Q4_0..Q8_0 product; a tie (x * id exactly k.5)
 * occurs about once in 10^5 values and rounding it the other way moves
 * a logit by up to ~0.04 on the conformance models. */
static void q8_0_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_0 *y = vy;
	for (int64_t i = 0; i < k / QK8_0; i++, x += QK8_0) {
		float amax = 0;
		for (int j = 0; j < QK8_0; j++)
			if (amax < quant_fabs(x[j]))
				amax = quant_fabs(x[j]);
		const float d = amax / 127;
		const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
		y[i].d = fp32_to_fp16(d);
		for (int j = 0; j < QK8_0; j++)
			y[i].qs[j] = q8_round(x[j] * id);
	}
}

/* Q8_1: as Q8_0, plus s = fp16(d * sum(q)) for the min term of Q4_1/Q5_1. */
static void q8_1_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_1 *y = vy;
	for (int64_t i = 0; i < k / QK8_1; i++, x += QK8_1) {
		float amax = 0;
		int sum = 0;
		for (int j = 0; j < QK8_1; j++)
			if (amax < quant_fabs(x[j]))
				amax = quant_fabs(x[j]);
		const float d = amax / 127;
		const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
		y[i].d = fp32_to_fp16(d);
		for (int j = 0; j < QK8_1; j++) {
			y[i].qs[j] = q8_round(x[j] * id);
			sum += y[i].qs[j];
		}
		y[i].s = fp32_to_fp16((float)sum * d);
	}
}

/* ---- dequantizers ---------------------------------------------------------- */

static void q4_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q4_0 *x = vx;
	for (int64_t i = 0; i < k / QK4_0; i++, y += QK4_0) {
		const float d = fp16_to_fp32(x[i].d);
		for (int j = 0; j < QK4_0 / 2; j++) {
			y[j] = (float)((x[i].qs[j] & 15) - 8) * d;
			y[j + QK4_0 / 2] = (float)((x[i].qs[j] >> 4) - 8) * d;
		}
	}
}

static void q4_1_to_float(const void *vx, float *y, int64_t k)
{
	const block_q4_1 *x = vx;
	for (int64_t i = 0; i < k / QK4_1; i++, y += QK4_1) {
		const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
		for (int j = 0; j < QK4_1 / 2; j++) {
			y[j] = (float)(x[i].qs[j] & 15) * d + m;
			y[j + QK4_1 / 2] = (float)(x[i].qs[j] >> 4) * d + m;
		}
	}
}

static void q5_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q5_0 *x = vx;
	for (int64_t i = 0; i < k / QK5_0; i++, y += QK5_0) {
		const float d = fp16_to_fp32(x[i].d);
		uint32_t qh;
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK5_0 / 2; j++) {
			int a = (x[i].qs[j] & 15) | (int)(((qh >> j) & 1) << 4);
			int b = (x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
			y[j] = (float)(a - 16) * d;
			y[j + QK5_0 / 2] = (float)(b - 16) * d;
		}
	}
}

static void q5_1_to_float(const void *vx, float *y, int64_t k)
{
	const block_q5_1 *x = vx;
	for (int64_t i = 0; i < k / QK5_1; i++, y += QK5_1) {
		const float d = fp16_to_fp32(x[i].d), m = fp16_to_fp32(x[i].m);
		uint32_t qh;
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK5_1 / 2; j++) {
			int a = (x[i].qs[j] & 15) | (int)(((qh >> j) & 1) << 4);
			int b = (x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
			y[j] = (float)a * d + m;
			y[j + QK5_1 / 2] = (float)b * d + m;
		}
	}
}

static void q8_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q8_0 *x = vx;
	for (int64_t i = 0; i < k / QK8_0; i++, y += QK8_0) {
		const float d = fp16_to_fp32(x[i].d);
		for (int j = 0; j < QK8_0; j++)
			y[j] = (float)x[i].qs[j] * d;
	}
}

static void q8_1_to_float(const void *vx, float *y, int64_t k)
{
	const block_q8_1 *x = vx;
	for (int64_t i = 0; i < k / QK8_1; i++, y += QK8_1) {
		const float d = fp16_to_fp32(x[i].d);
		for (int j = 0; j < QK8_1; j++)
			y[j] = (float)x[i].qs[j] * d;
	}
}

/* ---- dot products: exact integer sum per block, then one scale ---------- */

/* Q5_0, Q8_0 (and the q part of Q4_1, Q5_1) sum in ggml's x86 order:
 * kernels.h's lanes8 (see there why it matters). */

static void q4_1_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q4_1 *x = vx;
	const block_q8_1 *y = vy;
	struct lanes8 a = { { 0 } };
	float summs = 0; /* the min terms, one fused multiply-add each */
	for (int i = 0; i < n / QK8_1; i++) {
		int8_t q[QK4_1];
		for (int j = 0; j < QK4_1 / 2; j++) {
			q[j] = (int8_t)(x[i].qs[j] & 15);
			q[j + QK4_1 / 2] = (int8_t)(x[i].qs[j] >> 4);
		}
		lanes8_block(&a, q, y[i].qs, fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
		summs = ai_fmaf(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), summs);
	}
	*s = lanes8_sum(&a) + summs;
}

static void q5_0_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q5_0 *x = vx;
	const block_q8_0 *y = vy;
	struct lanes8 acc = { { 0 } };
	for (int i = 0; i < n / QK8_0; i++) {
		uint32_t qh;
		int8_t q[QK5_0];
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK5_0 / 2; j++) {
			int a = (x[i].qs[j] & 15) | (int)(((qh >> j) & 1) << 4);
			int b = (x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
			q[j] = (int8_t)(a - 16);
			q[j + QK5_0 / 2] = (int8_t)(b - 16);
		}
		lanes8_block(&acc, q, y[i].qs, fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
	}
	*s = lanes8_sum(&acc);
}

static void q5_1_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q5_1 *x = vx;
	const block_q8_1 *y = vy;
	struct lanes8 acc = { { 0 } };
	float summs = 0;
	for (int i = 0; i < n / QK8_1; i++) {
		uint32_t qh;
		int8_t q[QK5_1];
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK5_1 / 2; j++) {
			q[j] = (int8_t)((x[i].qs[j] & 15) | (int)(((qh >> j) & 1) << 4));
			q[j + QK5_1 / 2] = (int8_t)((x[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4));
		}
		lanes8_block(&acc, q, y[i].qs, fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
		summs = ai_fmaf(fp16_to_fp32(x[i].m), fp16_to_fp32(y[i].s), summs);
	}
	*s = lanes8_sum(&acc) + summs;
}

static void q8_0_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q8_0 *x = vx;
	const block_q8_0 *y = vy;
	struct lanes8 a = { { 0 } };
	for (int i = 0; i < n / QK8_0; i++)
		lanes8_block(&a, x[i].qs, y[i].qs, fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d));
	*s = lanes8_sum(&a);
}

/* ---- table ------------------------------------------------------------------ */

/* The names follow one pattern: <t>_to_float, <t>_from_float, <t>_vec_dot. */
#define ROW(T, t, VDT)                                                                     \
	{ GGML_TYPE_##T, { .vec_dot_type = GGML_TYPE_##VDT, .to_float = t##_to_float,     \
			   .from_float = t##_from_float, .vec_dot = t##_vec_dot } }
static const struct quant_kernels kernels[] = {
	ROW(F32, f32, F32), ROW(F16, f16, F32), ROW(BF16, bf16, F32),
	ROW(Q4_1, q4_1, Q8_1), ROW(Q5_0, q5_0, Q8_0), ROW(Q5_1, q5_1, Q8_1), ROW(Q8_0, q8_0, Q8_0),
	/* Q4_0's dot products: q4_0_ref.c */
	{ GGML_TYPE_Q4_0, { .vec_dot_type = GGML_TYPE_Q8_0, .to_float = q4_0_to_float,
			    .from_float = q4_0_from_float } },
	/* Q8_1 is an activation type only */
	{ GGML_TYPE_Q8_1, { .vec_dot_type = GGML_TYPE_Q8_1, .to_float = q8_1_to_float,
			    .from_float = q8_1_from_float } },
};

void quant_ref_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

/*
 * Scalar reference IQ4 kernels (ai/kernels/iquant.h): dequantizers, simple weight
 * quantizers, and the dot products in ggml's x86 order, which the SIMD
 * variants and llama.cpp are checked against.
 */
#include <string.h>

#include "ai/kernels/iquant.h"
#include "ai/kernels/kernels.h"

const int8_t iq4nl_values[16] = {
	-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
};

/* ---- dequantization ------------------------------------------------------ */

static void iq4_nl_to_float(const void *vx, float *y, int64_t k)
{
	const block_iq4_nl *x = vx;
	for (int64_t i = 0; i < k / QK4_NL; i++, y += QK4_NL) {
		const float d = fp16_to_fp32(x[i].d);
		for (int j = 0; j < QK4_NL / 2; j++) {
			y[j] = d * iq4nl_values[x[i].qs[j] & 15];
			y[j + QK4_NL / 2] = d * iq4nl_values[x[i].qs[j] >> 4];
		}
	}
}

static void iq4_xs_to_float(const void *vx, float *y, int64_t k)
{
	const block_iq4_xs *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		const float d = fp16_to_fp32(x[i].d);
		for (int j = 0; j < QK_K / 32; j++, y += 32) {
			const float dl = d * (float)(iq4xs_scale(&x[i], j) - 32);
			const uint8_t *qs = x[i].qs + 16 * j;
			for (int l = 0; l < 16; l++) {
				y[l] = dl * iq4nl_values[qs[l] & 15];
				y[l + 16] = dl * iq4nl_values[qs[l] >> 4];
			}
		}
	}
}

/* ---- quantization -------------------------------------------------------- */

/* Index of the level nearest v (ties to the lower one). */
static int nearest_level(float v)
{
	int lo = 0, hi = 15;
	if (v <= iq4nl_values[0])
		return 0;
	if (v >= iq4nl_values[15])
		return 15;
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (v < iq4nl_values[mid])
			hi = mid;
		else
			lo = mid;
	}
	return v - iq4nl_values[lo] <= iq4nl_values[hi] - v ? lo : hi;
}

/* 32 values as levels idx[] times a scale, returned: the value of largest
 * magnitude onto -127 (the widest level), the others to their nearest
 * level, then the least-squares scale for those levels. */
static float fit32(const float *x, uint8_t idx[32])
{
	float amax = 0, max = 0;
	for (int j = 0; j < 32; j++)
		if (quant_fabs(x[j]) > amax) {
			amax = quant_fabs(x[j]);
			max = x[j];
		}
	if (amax == 0) {
		memset(idx, 8, 32); /* level 1, times a zero scale */
		return 0;
	}
	const float id = -127.0f / max;
	double sxq = 0, sqq = 0;
	for (int j = 0; j < 32; j++) {
		idx[j] = (uint8_t)nearest_level(x[j] * id);
		double q = iq4nl_values[idx[j]];
		sxq += x[j] * q;
		sqq += q * q;
	}
	return (float)(sxq / sqq);
}

static void pack_nibbles(const uint8_t idx[32], uint8_t qs[16])
{
	for (int j = 0; j < 16; j++)
		qs[j] = (uint8_t)(idx[j] | idx[j + 16] << 4);
}

static void iq4_nl_from_float(const float *x, void *vy, int64_t k)
{
	block_iq4_nl *y = vy;
	for (int64_t i = 0; i < k / QK4_NL; i++, x += QK4_NL) {
		uint8_t idx[32];
		y[i].d = fp32_to_fp16(fit32(x, idx));
		pack_nibbles(idx, y[i].qs);
	}
}

/* Per 256: each 32's own scale, those as 6-bit multiples of d (the largest
 * magnitude onto -32), then the levels again for the scale each 32 got. */
static void iq4_xs_from_float(const float *x, void *vy, int64_t k)
{
	block_iq4_xs *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		uint8_t idx[32];
		float sc[QK_K / 32], smax = 0;
		for (int j = 0; j < QK_K / 32; j++) {
			sc[j] = fit32(x + 32 * j, idx);
			if (quant_fabs(sc[j]) > quant_fabs(smax))
				smax = sc[j];
		}
		const float d = smax / -32.0f;
		y[i].d = fp32_to_fp16(d);
		const float dr = fp16_to_fp32(y[i].d);
		y[i].scales_h = 0;
		memset(y[i].scales_l, 0, sizeof y[i].scales_l);
		for (int j = 0; j < QK_K / 32; j++) {
			int l = 0;
			if (dr != 0) {
				float v = sc[j] / dr;
				l = (int)(v < 0 ? v - 0.5f : v + 0.5f);
				l = l < -32 ? -32 : l > 31 ? 31 : l;
			}
			const int ls = l + 32;
			y[i].scales_l[j / 2] |= (uint8_t)((ls & 15) << 4 * (j % 2));
			y[i].scales_h |= (uint16_t)((ls >> 4) << 2 * j);
			const float dl = dr * (float)l;
			const float id = dl != 0 ? 1.0f / dl : 0;
			for (int e = 0; e < 32; e++)
				idx[e] = (uint8_t)nearest_level(x[32 * j + e] * id);
			pack_nibbles(idx, y[i].qs + 16 * j);
		}
	}
}

/* ---- dot products -------------------------------------------------------- */

static void iq4_unpack32(const uint8_t *qs, int8_t q[32])
{
	for (int j = 0; j < 16; j++) {
		q[j] = iq4nl_values[qs[j] & 15];
		q[j + 16] = iq4nl_values[qs[j] >> 4];
	}
}

/* ggml's x86 vec_dot order (llama.cpp's token-by-token path): blocks in
 * pairs, the even ones into one lanes8 chain and the odd ones into
 * another, the two added lane by lane before the horizontal sum; an odd
 * last block then added as d * sum, rounded twice (no FMA, as ggml's
 * compiled tail). */
static void iq4_nl_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_iq4_nl *x = vx;
	const block_q8_0 *y = vy;
	const int nb = n / QK4_NL;
	struct lanes8 a[2] = { { { 0 } }, { { 0 } } };
	int8_t q[32];
	int i = 0;
	for (; i + 1 < nb; i += 2) {
		for (int k = 0; k < 2; k++) {
			iq4_unpack32(x[i + k].qs, q);
			lanes8_block(&a[k], q, y[i + k].qs, fp16_to_fp32(x[i + k].d) * fp16_to_fp32(y[i + k].d));
		}
	}
	for (int l = 0; l < 8; l++)
		a[0].acc[l] += a[1].acc[l];
	float sum = lanes8_sum(&a[0]);
	if (i < nb) {
		int32_t p = 0;
		iq4_unpack32(x[i].qs, q);
		for (int j = 0; j < 32; j++)
			p += q[j] * y[i].qs[j];
		volatile float t = fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d) * (float)p; /* no FMA */
		sum += t;
	}
	*s = sum;
}

static void iq4_xs_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_iq4_xs *x = vx;
	const block_q8_K *y = vy;
	struct lanes8 a = { { 0 } };
	for (int i = 0; i < n / QK_K; i++) {
		int32_t p[8] = { 0 };
		for (int j = 0; j < QK_K / 32; j++) {
			int8_t q[32];
			const int8_t *yq = y[i].qs + 32 * j;
			const int ls = iq4xs_scale(&x[i], j) - 32;
			iq4_unpack32(x[i].qs + 16 * j, q);
			for (int l = 0; l < 8; l++) {
				int32_t t = 0;
				for (int e = 4 * l; e < 4 * l + 4; e++)
					t += q[e] * yq[e];
				p[l] += ls * t;
			}
		}
		lanes8_add(&a, p, fp16_to_fp32(x[i].d) * y[i].d);
	}
	*s = lanes8_sum(&a);
}

/* ---- table ------------------------------------------------------------------ */

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_IQ4_NL, { .vec_dot_type = GGML_TYPE_Q8_0, .to_float = iq4_nl_to_float,
			      .from_float = iq4_nl_from_float, .vec_dot = iq4_nl_vec_dot } },
	{ GGML_TYPE_IQ4_XS, { .vec_dot_type = GGML_TYPE_Q8_K, .to_float = iq4_xs_to_float,
			      .from_float = iq4_xs_from_float, .vec_dot = iq4_xs_vec_dot } },
};

void iquant_ref_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

/* Q4_0: the packed layout and the scalar reference kernels (see q4_0.h). */
#include "ai/kernels/kernels.h"
#include "ai/kernels/q4_0.h"

#include <string.h>

#include "ai/aimath.h"

void q4_0_fill_terms(void *vy, int64_t n)
{
	const block_q8_0 *y = vy;
	struct q4_0_term *t = (struct q4_0_term *)((uint8_t *)vy + q4_0_terms_offset(n));
	for (int64_t b = 0; b < n / QK8_0; b++) {
		int32_t sum = 0;
		for (int j = 0; j < QK8_0; j++)
			sum += y[b].qs[j];
		t[b].d = fp16_to_fp32(y[b].d);
		t[b].off = -8 * sum;
	}
}

void q4_0_pack16(void *rows, int64_t n, void *scratch)
{
	const int64_t nb = n / QK4_0;
	const size_t rb = (size_t)nb * sizeof(block_q4_0);
	memcpy(scratch, rows, Q4_0_GROUP * rb);
	for (int64_t b = 0; b < nb; b++) {
		uint8_t *sb = (uint8_t *)rows + b * Q4_0_SUPER;
		for (int r = 0; r < Q4_0_GROUP; r++) {
			const block_q4_0 *x = (const block_q4_0 *)((const uint8_t *)scratch + r * rb) + b;
			memcpy(sb + 2 * r, &x->d, 2);
			for (int i = 0; i < 4; i++)
				memcpy(sb + 32 + 64 * i + 4 * r, x->qs + 4 * i, 4);
		}
	}
}

/* Row r's block b of a packed group, back in the GGUF layout. */
static void unpack_block(const void *group, int r, int64_t b, block_q4_0 *x)
{
	const uint8_t *sb = (const uint8_t *)group + b * Q4_0_SUPER;
	memcpy(&x->d, sb + 2 * r, 2);
	for (int i = 0; i < 4; i++)
		memcpy(x->qs + 4 * i, sb + 32 + 64 * i + 4 * r, 4);
}

void q4_0_packed_row(const void *group, int r, int64_t n, float *out)
{
	for (int64_t b = 0; b < n / QK4_0; b++) {
		block_q4_0 x;
		unpack_block(group, r, b, &x);
		const float d = fp16_to_fp32(x.d);
		for (int j = 0; j < QK4_0 / 2; j++) {
			out[b * QK4_0 + j] = (float)((x.qs[j] & 15) - 8) * d;
			out[b * QK4_0 + j + QK4_0 / 2] = (float)((x.qs[j] >> 4) - 8) * d;
		}
	}
}

/* sum_b fma((float)sumi_b, d_x * d_y, acc), blocks in order (q4_0.h). */
static int32_t block_dot(const block_q4_0 *x, const block_q8_0 *y)
{
	int32_t sumi = 0;
	for (int j = 0; j < QK4_0 / 2; j++)
		sumi += ((x->qs[j] & 15) - 8) * y->qs[j] + ((x->qs[j] >> 4) - 8) * y->qs[j + QK4_0 / 2];
	return sumi;
}

static void vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q4_0 *x = vx;
	const block_q8_0 *y = vy;
	float acc = 0;
	for (int b = 0; b < n / QK4_0; b++)
		acc = ai_fmaf((float)block_dot(&x[b], &y[b]), fp16_to_fp32(x[b].d) * fp16_to_fp32(y[b].d), acc);
	*s = acc;
}

static void gemm16(int n, int nt, float *s, size_t ss, const void *group, const void *vy, size_t by)
{
	for (int t = 0; t < nt; t++) {
		const block_q8_0 *y = (const block_q8_0 *)((const uint8_t *)vy + t * by);
		for (int r = 0; r < Q4_0_GROUP; r++) {
			float acc = 0;
			for (int b = 0; b < n / QK4_0; b++) {
				block_q4_0 x;
				unpack_block(group, r, b, &x);
				acc = ai_fmaf((float)block_dot(&x, &y[b]), fp16_to_fp32(x.d) * fp16_to_fp32(y[b].d), acc);
			}
			s[t * ss + r] = acc;
		}
	}
}

static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_Q4_0, { .vec_dot = vec_dot, .pack_rows = Q4_0_GROUP, .pack_nt = Q4_0_MAX_NT,
	                    .pack = q4_0_pack16, .packed_row = q4_0_packed_row,
	                    .act_terms = q4_0_fill_terms, .gemm_packed = gemm16 } },
};

void q4_0_ref_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

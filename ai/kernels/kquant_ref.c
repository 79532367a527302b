/*
 * Scalar reference K-quant kernels: dequantizers, weight quantizers, the
 * Q8_K activation quantizer and the dot products with Q8_K activations.
 * The dots and the Q8_K quantizer follow ggml's reference code step by
 * step (same integer sums, same float accumulation order), so the SIMD
 * variants and llama.cpp can be checked against them. The weight
 * quantizers are simple min/max quantizers that write ggml-compatible
 * blocks; they feed synthetic models and tests, not bit-exact ggml output.
 */
#include <string.h>

#include "ai/aimath.h"
#include "ai/kernels/kernels.h"
#include "ai/kernels/kquant.h"

#define KMASK1 0x3f3f3f3fu
#define KMASK2 0x0f0f0f0fu
#define KMASK3 0x03030303u

/* Round to nearest, ties to even, as ggml's nearest_int (|f| < 2^22). */
static inline int nearest_int(float f)
{
	float v = f + 12582912.f;
	int32_t i;
	memcpy(&i, &v, 4);
	return (i & 0x007fffff) - 0x00400000;
}

static inline float absf(float f) { return f < 0 ? -f : f; }

/* Q3_K: the 16 6-bit scales (stored +32) unpacked to 16 bytes, as ggml. */
static void q3k_unpack_scales(const uint8_t *in, uint32_t aux[4])
{
	memcpy(aux, in, 12);
	uint32_t tmp = aux[2];
	aux[2] = ((aux[0] >> 4) & KMASK2) | (((tmp >> 4) & KMASK3) << 4);
	aux[3] = ((aux[1] >> 4) & KMASK2) | (((tmp >> 6) & KMASK3) << 4);
	aux[0] = (aux[0] & KMASK2) | (((tmp >> 0) & KMASK3) << 4);
	aux[1] = (aux[1] & KMASK2) | (((tmp >> 2) & KMASK3) << 4);
}

/* Q4_K/Q5_K: 8 scales to bytes 0..7 and 8 mins to bytes 8..15, as ggml. */
static void q4k_unpack_scales(const uint8_t *in, uint32_t utmp[4])
{
	memcpy(utmp, in, 12);
	utmp[3] = ((utmp[2] >> 4) & KMASK2) | (((utmp[1] >> 6) & KMASK3) << 4);
	uint32_t uaux = utmp[1] & KMASK1;
	utmp[1] = (utmp[2] & KMASK2) | (((utmp[0] >> 6) & KMASK3) << 4);
	utmp[2] = uaux;
	utmp[0] &= KMASK1;
}

/* ---- dequantization ------------------------------------------------------ */

void kquant_q2k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q2_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		float d = fp16_to_fp32(x[i].d), dmin = fp16_to_fp32(x[i].dmin);
		const uint8_t *q = x[i].qs;
		int is = 0;
		for (int n = 0; n < QK_K; n += 128) {
			for (int shift = 0; shift < 8; shift += 2) {
				for (int h = 0; h < 2; h++) {
					uint8_t sc = x[i].scales[is++];
					float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
					for (int l = 16 * h; l < 16 * h + 16; l++)
						*y++ = dl * ((q[l] >> shift) & 3) - ml;
				}
			}
			q += 32;
		}
	}
}

void kquant_q3k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q3_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		uint32_t aux[4];
		q3k_unpack_scales(x[i].scales, aux);
		const int8_t *scales = (const int8_t *)aux;
		float d_all = fp16_to_fp32(x[i].d);
		const uint8_t *q = x[i].qs, *hm = x[i].hmask;
		uint8_t m = 1;
		int is = 0;
		for (int n = 0; n < QK_K; n += 128) {
			for (int shift = 0; shift < 8; shift += 2) {
				for (int h = 0; h < 2; h++) {
					float dl = d_all * (scales[is++] - 32);
					for (int l = 16 * h; l < 16 * h + 16; l++)
						*y++ = dl * ((int8_t)((q[l] >> shift) & 3) -
							     ((hm[l] & m) ? 0 : 4));
				}
				m <<= 1;
			}
			q += 32;
		}
	}
}

void kquant_q4k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q4_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		const uint8_t *q = x[i].qs;
		float d = fp16_to_fp32(x[i].d), min = fp16_to_fp32(x[i].dmin);
		for (int j = 0; j < 8; j += 2) {
			uint8_t sc, m;
			kquant_scale_min(j, x[i].scales, &sc, &m);
			float d1 = d * sc, m1 = min * m;
			kquant_scale_min(j + 1, x[i].scales, &sc, &m);
			float d2 = d * sc, m2 = min * m;
			for (int l = 0; l < 32; l++)
				*y++ = d1 * (q[l] & 0xF) - m1;
			for (int l = 0; l < 32; l++)
				*y++ = d2 * (q[l] >> 4) - m2;
			q += 32;
		}
	}
}

void kquant_q5k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q5_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		const uint8_t *ql = x[i].qs, *qh = x[i].qh;
		float d = fp16_to_fp32(x[i].d), min = fp16_to_fp32(x[i].dmin);
		uint8_t u1 = 1, u2 = 2;
		for (int j = 0; j < 8; j += 2) {
			uint8_t sc, m;
			kquant_scale_min(j, x[i].scales, &sc, &m);
			float d1 = d * sc, m1 = min * m;
			kquant_scale_min(j + 1, x[i].scales, &sc, &m);
			float d2 = d * sc, m2 = min * m;
			for (int l = 0; l < 32; l++)
				*y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
			for (int l = 0; l < 32; l++)
				*y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
			ql += 32;
			u1 <<= 2;
			u2 <<= 2;
		}
	}
}

void kquant_q6k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q6_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++) {
		float d = fp16_to_fp32(x[i].d);
		const uint8_t *ql = x[i].ql, *qh = x[i].qh;
		const int8_t *sc = x[i].scales;
		for (int n = 0; n < QK_K; n += 128) {
			for (int l = 0; l < 32; l++) {
				int is = l / 16;
				int q1 = (int8_t)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
				int q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
				int q3 = (int8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
				int q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
				y[l] = d * sc[is] * q1;
				y[l + 32] = d * sc[is + 2] * q2;
				y[l + 64] = d * sc[is + 4] * q3;
				y[l + 96] = d * sc[is + 6] * q4;
			}
			y += 128;
			ql += 64;
			qh += 32;
			sc += 8;
		}
	}
}

void kquant_q8k_to_float_ref(const void *vx, float *y, int64_t k)
{
	const block_q8_K *x = vx;
	for (int64_t i = 0; i < k / QK_K; i++)
		for (int j = 0; j < QK_K; j++)
			*y++ = x[i].d * x[i].qs[j];
}

/* ---- quantization -------------------------------------------------------- */

/* Asymmetric sub-block fit: x ~= scale*q - min with q in [0, nmax],
 * scale >= 0, min >= 0 (the sub-block's minimum, clipped to <= 0). */
static void fit_scale_min(const float *x, int n, int nmax, float *scale, float *min)
{
	float lo = x[0], hi = x[0];
	for (int i = 1; i < n; i++) {
		if (x[i] < lo)
			lo = x[i];
		if (x[i] > hi)
			hi = x[i];
	}
	if (lo > 0)
		lo = 0;
	*scale = hi > lo ? (hi - lo) / nmax : 0;
	*min = -lo;
}

/* The value of largest magnitude in x[0..n), with its sign. */
static float signed_absmax(const float *x, int n)
{
	float amax = 0, max = 0;
	for (int i = 0; i < n; i++) {
		float ax = absf(x[i]);
		if (ax > amax) {
			amax = ax;
			max = x[i];
		}
	}
	return max;
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Super-block scales: per sub-block scales s[0..n) >= 0 quantized to
 * [0, lmax] steps of the returned d (stored as fp16; l receives them). */
static float quant_scales_unsigned(const float *s, int n, int lmax, uint8_t *l)
{
	float max = 0;
	for (int j = 0; j < n; j++)
		if (s[j] > max)
			max = s[j];
	float d = fp16_to_fp32(fp32_to_fp16(max / lmax));
	for (int j = 0; j < n; j++)
		l[j] = d > 0 ? (uint8_t)clampi(nearest_int(s[j] / d), 0, lmax) : 0;
	return d;
}

/* Signed scales: s[j] quantized to [-(lmax+1), lmax] steps of d, the
 * largest magnitude mapping to -(lmax+1) as ggml does. */
static float quant_scales_signed(const float *s, int n, int lmax, int *l)
{
	float max = signed_absmax(s, n);
	float d = fp16_to_fp32(fp32_to_fp16(max / -(lmax + 1)));
	for (int j = 0; j < n; j++)
		l[j] = d != 0 ? clampi(nearest_int(s[j] / d), -(lmax + 1), lmax) : 0;
	return d;
}

/* Asymmetric 6-bit scale/min packing shared by Q4_K and Q5_K, and the
 * q values (0..nmax) of 256 elements into q[]. */
static void quant_q45k(const float *x, int nmax, uint8_t scales[K_SCALE_SIZE],
		       ggml_half *dh, ggml_half *dminh, uint8_t q[QK_K])
{
	float sc[8], mn[8];
	uint8_t ls[8], lm[8];
	for (int j = 0; j < 8; j++)
		fit_scale_min(x + 32 * j, 32, nmax, &sc[j], &mn[j]);
	float d = quant_scales_unsigned(sc, 8, 63, ls);
	float dmin = quant_scales_unsigned(mn, 8, 63, lm);
	*dh = fp32_to_fp16(d);
	*dminh = fp32_to_fp16(dmin);
	for (int j = 0; j < 4; j++) {
		scales[j] = (uint8_t)(ls[j] | ((ls[j + 4] >> 4) << 6));
		scales[j + 4] = (uint8_t)(lm[j] | ((lm[j + 4] >> 4) << 6));
		scales[j + 8] = (uint8_t)((ls[j + 4] & 0xF) | ((lm[j + 4] & 0xF) << 4));
	}
	for (int j = 0; j < 8; j++) {
		float dl = d * ls[j], ml = dmin * lm[j], id = dl > 0 ? 1 / dl : 0;
		for (int l = 0; l < 32; l++)
			q[32 * j + l] = (uint8_t)clampi(nearest_int((x[32 * j + l] + ml) * id), 0, nmax);
	}
}

void kquant_q4k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q4_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		uint8_t q[QK_K];
		quant_q45k(x, 15, y[i].scales, &y[i].d, &y[i].dmin, q);
		for (int j = 0; j < QK_K; j += 64)
			for (int l = 0; l < 32; l++)
				y[i].qs[j / 2 + l] = (uint8_t)(q[j + l] | (q[j + 32 + l] << 4));
	}
}

void kquant_q5k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q5_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		uint8_t q[QK_K];
		quant_q45k(x, 31, y[i].scales, &y[i].d, &y[i].dmin, q);
		memset(y[i].qh, 0, sizeof(y[i].qh));
		for (int j = 0; j < QK_K; j += 64)
			for (int l = 0; l < 32; l++) {
				uint8_t lo = q[j + l], hi = q[j + 32 + l];
				y[i].qs[j / 2 + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
				y[i].qh[l] |= (uint8_t)(((lo >> 4) << (j / 32)) | ((hi >> 4) << (j / 32 + 1)));
			}
	}
}

void kquant_q2k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q2_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		float sc[16], mn[16];
		uint8_t ls[16], lm[16], q[QK_K];
		for (int j = 0; j < 16; j++)
			fit_scale_min(x + 16 * j, 16, 3, &sc[j], &mn[j]);
		float d = quant_scales_unsigned(sc, 16, 15, ls);
		float dmin = quant_scales_unsigned(mn, 16, 15, lm);
		y[i].d = fp32_to_fp16(d);
		y[i].dmin = fp32_to_fp16(dmin);
		for (int j = 0; j < 16; j++) {
			y[i].scales[j] = (uint8_t)(ls[j] | (lm[j] << 4));
			float dl = d * ls[j], ml = dmin * lm[j], id = dl > 0 ? 1 / dl : 0;
			for (int l = 0; l < 16; l++)
				q[16 * j + l] = (uint8_t)clampi(nearest_int((x[16 * j + l] + ml) * id), 0, 3);
		}
		memset(y[i].qs, 0, sizeof(y[i].qs));
		for (int e = 0; e < QK_K; e++)
			y[i].qs[e / 128 * 32 + e % 32] |= (uint8_t)(q[e] << (2 * (e % 128 / 32)));
	}
}

void kquant_q3k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q3_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		float sc[16];
		int ls[16];
		for (int j = 0; j < 16; j++)
			sc[j] = signed_absmax(x + 16 * j, 16) / -4;
		float d = quant_scales_signed(sc, 16, 31, ls);
		y[i].d = fp32_to_fp16(d);
		memset(y[i].scales, 0, 12);
		for (int j = 0; j < 16; j++) {
			int l = ls[j] + 32;
			if (j < 8)
				y[i].scales[j] = (uint8_t)(l & 0xF);
			else
				y[i].scales[j - 8] |= (uint8_t)((l & 0xF) << 4);
			y[i].scales[j % 4 + 8] |= (uint8_t)((l >> 4) << (2 * (j / 4)));
		}
		memset(y[i].qs, 0, sizeof(y[i].qs));
		memset(y[i].hmask, 0, sizeof(y[i].hmask));
		float id[16];
		for (int j = 0; j < 16; j++)
			id[j] = d * ls[j] != 0 ? 1 / (d * ls[j]) : 0;
		for (int e = 0; e < QK_K; e++) {
			int q = clampi(nearest_int(x[e] * id[e / 16]), -4, 3) + 4; /* bit 2: hmask */
			y[i].qs[e / 128 * 32 + e % 32] |= (uint8_t)((q & 3) << (2 * (e % 128 / 32)));
			if (q & 4)
				y[i].hmask[e % 32] |= (uint8_t)(1 << (e / 32));
		}
	}
}

void kquant_q6k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q6_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		float sc[16];
		int ls[16];
		for (int j = 0; j < 16; j++)
			sc[j] = signed_absmax(x + 16 * j, 16) / -32;
		float d = quant_scales_signed(sc, 16, 127, ls);
		y[i].d = fp32_to_fp16(d);
		for (int j = 0; j < 16; j++)
			y[i].scales[j] = (int8_t)ls[j];
		memset(y[i].ql, 0, sizeof(y[i].ql));
		memset(y[i].qh, 0, sizeof(y[i].qh));
		float id[16];
		for (int j = 0; j < 16; j++)
			id[j] = d * ls[j] != 0 ? 1 / (d * ls[j]) : 0;
		for (int e = 0; e < QK_K; e++) {
			int q = clampi(nearest_int(x[e] * id[e / 16]), -32, 31) + 32;
			int n = e / 128, g = e % 128 / 32, l = e % 32;
			y[i].ql[n * 64 + l + (g & 1) * 32] |= (uint8_t)((q & 0xF) << (g >= 2 ? 4 : 0));
			y[i].qh[n * 32 + l] |= (uint8_t)((q >> 4) << (2 * g));
		}
	}
}

void kquant_q8k_from_float_ref(const float *x, void *vy, int64_t k)
{
	block_q8_K *y = vy;
	for (int64_t i = 0; i < k / QK_K; i++, x += QK_K) {
		float max = signed_absmax(x, QK_K);
		if (max == 0) {
			y[i].d = 0;
			memset(y[i].qs, 0, QK_K);
			memset(y[i].bsums, 0, sizeof(y[i].bsums));
			continue;
		}
		float iscale = -127.f / max;
		for (int j = 0; j < QK_K; j++) {
			int v = nearest_int(iscale * x[j]);
			y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
		}
		for (int j = 0; j < QK_K / 16; j++) {
			int sum = 0;
			for (int l = 0; l < 16; l++)
				sum += y[i].qs[j * 16 + l];
			y[i].bsums[j] = (int16_t)sum;
		}
		y[i].d = 1 / iscale;
	}
}

/* ---- dot products with Q8_K ---------------------------------------------- */

void kquant_q2k_dot_ref(int n, float *s, const void *vx, const void *vy)
{
	const block_q2_K *x = vx;
	const block_q8_K *y = vy;
	float sumf = 0;
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *q2 = x[i].qs, *sc = x[i].scales;
		const int8_t *q8 = y[i].qs;
		int summs = 0;
		for (int j = 0; j < 16; j++)
			summs += y[i].bsums[j] * (sc[j] >> 4);
		float dall = y[i].d * fp16_to_fp32(x[i].d);
		float dmin = y[i].d * fp16_to_fp32(x[i].dmin);
		int isum = 0, is = 0;
		for (int k = 0; k < QK_K / 128; k++) {
			for (int shift = 0; shift < 8; shift += 2) {
				for (int h = 0; h < 2; h++) {
					int d = sc[is++] & 0xF, isuml = 0;
					for (int l = 16 * h; l < 16 * h + 16; l++)
						isuml += q8[l] * ((q2[l] >> shift) & 3);
					isum += d * isuml;
				}
				q8 += 32;
			}
			q2 += 32;
		}
		sumf += dall * isum - dmin * summs;
	}
	*s = sumf;
}

/* The 8-lane accumulation shared by the Q3_K..Q6_K references: aux8 holds
 * 256 signed q values, scales one integer per 16 (ns = 16) or 32 (ns = 32)
 * elements; returns nothing, adds d * per-lane sums into sums[8]. */
static void lanes_accumulate(const int8_t *a, const int8_t *q8, const int *scales, int ns,
			     float d, float sums[8])
{
	int32_t aux32[8] = {0};
	int16_t aux16[8];
	for (int j = 0; j < QK_K / ns; j++) {
		int scale = scales[j];
		for (int c = 0; c < ns / 8; c++) {
			for (int l = 0; l < 8; l++)
				aux16[l] = (int16_t)(q8[l] * a[l]);
			for (int l = 0; l < 8; l++)
				aux32[l] += scale * aux16[l];
			q8 += 8;
			a += 8;
		}
	}
	for (int l = 0; l < 8; l++)
		sums[l] += d * aux32[l];
}

void kquant_q3k_dot_ref(int n, float *s, const void *vx, const void *vy)
{
	const block_q3_K *x = vx;
	const block_q8_K *y = vy;
	float sums[8] = {0};
	for (int i = 0; i < n / QK_K; i++) {
		int8_t aux8[QK_K], *a = aux8;
		const uint8_t *q3 = x[i].qs, *hm = x[i].hmask;
		uint8_t m = 1;
		for (int j = 0; j < QK_K; j += 128) {
			for (int shift = 0; shift < 8; shift += 2) {
				for (int l = 0; l < 32; l++)
					a[l] = (int8_t)(((q3[l] >> shift) & 3) - (hm[l] & m ? 0 : 4));
				a += 32;
				m <<= 1;
			}
			q3 += 32;
		}
		uint32_t aux[4];
		q3k_unpack_scales(x[i].scales, aux);
		const int8_t *sc8 = (const int8_t *)aux;
		int scales[16];
		for (int j = 0; j < 16; j++)
			scales[j] = sc8[j] - 32;
		lanes_accumulate(aux8, y[i].qs, scales, 16, fp16_to_fp32(x[i].d) * y[i].d, sums);
	}
	float sumf = 0;
	for (int l = 0; l < 8; l++)
		sumf += sums[l];
	*s = sumf;
}

/* Q4_K and Q5_K differ only in the q values (hbits: Q5_K's qh or NULL). */
static float q45k_dot(int n, const void *vx, size_t bsize, const void *vy, bool five)
{
	const block_q8_K *y = vy;
	float sums[8] = {0}, sumf = 0;
	for (int i = 0; i < n / QK_K; i++) {
		const uint8_t *blk = (const uint8_t *)vx + i * bsize;
		/* d, dmin, scales lead both block types. */
		const block_q4_K *h = (const block_q4_K *)blk;
		const uint8_t *q4 = five ? ((const block_q5_K *)blk)->qs : h->qs;
		const uint8_t *qh = five ? ((const block_q5_K *)blk)->qh : NULL;
		int8_t aux8[QK_K], *a = aux8;
		uint8_t m = 1;
		for (int j = 0; j < QK_K / 64; j++) {
			for (int l = 0; l < 32; l++)
				a[l] = (int8_t)((q4[l] & 0xF) + (qh && (qh[l] & m) ? 16 : 0));
			a += 32;
			m <<= 1;
			for (int l = 0; l < 32; l++)
				a[l] = (int8_t)((q4[l] >> 4) + (qh && (qh[l] & m) ? 16 : 0));
			a += 32;
			m <<= 1;
			q4 += 32;
		}
		uint32_t utmp[4];
		q4k_unpack_scales(h->scales, utmp);
		const uint8_t *sc8 = (const uint8_t *)utmp, *mins = sc8 + 8;
		int sumi = 0, scales[8];
		for (int j = 0; j < QK_K / 16; j++)
			sumi += y[i].bsums[j] * mins[j / 2];
		for (int j = 0; j < 8; j++)
			scales[j] = sc8[j];
		lanes_accumulate(aux8, y[i].qs, scales, 32, fp16_to_fp32(h->d) * y[i].d, sums);
		float dmin = fp16_to_fp32(h->dmin) * y[i].d;
		sumf -= dmin * sumi;
	}
	for (int l = 0; l < 8; l++)
		sumf += sums[l];
	return sumf;
}

void kquant_q4k_dot_ref(int n, float *s, const void *vx, const void *vy)
{
	*s = q45k_dot(n, vx, sizeof(block_q4_K), vy, false);
}

void kquant_q5k_dot_ref(int n, float *s, const void *vx, const void *vy)
{
	*s = q45k_dot(n, vx, sizeof(block_q5_K), vy, true);
}

/* Q6_K in ggml's x86 order (AVX2 kernel, which also runs on AVX-512
 * builds): per super-block eight int32 lanes, lane m holding elements
 * 4m..4m+3 of every 32-element group, each product taken as (q - 32) * y
 * with the group half's scale; then one fused multiply-add per lane and
 * super-block, and the horizontal sum (l + l+4), (+2 apart), (0 + 1). */
void kquant_q6k_dot_ref(int n, float *s, const void *vx, const void *vy)
{
	const block_q6_K *x = vx;
	const block_q8_K *y = vy;
	float acc[8] = {0};
	for (int i = 0; i < n / QK_K; i++) {
		int8_t aux8[QK_K], *a = aux8;
		const uint8_t *q4 = x[i].ql, *qh = x[i].qh;
		for (int j = 0; j < QK_K; j += 128) {
			for (int l = 0; l < 32; l++) {
				a[l] = (int8_t)((int8_t)((q4[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
				a[l + 32] = (int8_t)((int8_t)((q4[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
				a[l + 64] = (int8_t)((int8_t)((q4[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
				a[l + 96] = (int8_t)((int8_t)((q4[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
			}
			a += 128;
			q4 += 64;
			qh += 32;
		}
		int32_t lane[8] = {0};
		for (int g = 0; g < QK_K / 32; g++)
			for (int m = 0; m < 8; m++) {
				int e = 32 * g + 4 * m, p = 0;
				for (int t = 0; t < 4; t++)
					p += aux8[e + t] * y[i].qs[e + t];
				lane[m] += x[i].scales[2 * g + m / 4] * p;
			}
		float d = y[i].d * fp16_to_fp32(x[i].d);
		for (int m = 0; m < 8; m++)
			acc[m] = ai_fmaf(d, (float)lane[m], acc[m]);
	}
	float h[4];
	for (int l = 0; l < 4; l++)
		h[l] = acc[l] + acc[l + 4];
	*s = (h[0] + h[2]) + (h[1] + h[3]);
}

/* ---- table ------------------------------------------------------------------ */

/* The names follow one pattern: kquant_<t>_{to_float,from_float,dot}_ref. */
#define REF(T, t)                                                                       \
	{ GGML_TYPE_##T,                                                                \
	  { .vec_dot_type = GGML_TYPE_Q8_K, .to_float = kquant_##t##_to_float_ref,      \
	    .from_float = kquant_##t##_from_float_ref, .vec_dot = kquant_##t##_dot_ref } }
static const struct quant_kernels kernels[] = {
	REF(Q2_K, q2k), REF(Q3_K, q3k), REF(Q4_K, q4k), REF(Q5_K, q5k), REF(Q6_K, q6k),
	{ GGML_TYPE_Q8_K, { .vec_dot_type = GGML_TYPE_Q8_K, .to_float = kquant_q8k_to_float_ref,
			    .from_float = kquant_q8k_from_float_ref } },
};

void kquant_ref_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

/* Unit test of the quant module: every type in the table (the K types too,
 * through quant_traits_at), at every kernel level this CPU runs.
 *
 * Per type and level, one PASS/FAIL line for each check:
 *   vec_dot     SIMD vec_dot equals the scalar one within float rounding
 *   to_float    SIMD dequantizer bit-identical to the scalar one
 *   from_float  SIMD quantizer byte-identical to the scalar one
 *   dot_deq     vec_dot(w, q(a)) equals dot(deq(w), deq(q(a))) in double
 *   round_trip  deq(q(x)) is within the type's quantization error of x
 *   vec_dot_4r  (where present) bit-identical to four vec_dot calls
 *   vec_dot_4xn (where present) each of a 4 x nt tile bit-identical to vec_dot
 *   vec_dot_il4 (where present) the interleaved-group kernels bit-identical
 *               to vec_dot of the plain rows; quant_il4_row gives each row
 * plus checks of the half/bfloat16 conversions, names and row sizes.
 *
 * Bounds. Let A = sum_i |w_i a_i| over the dequantized rows. The quantized
 * kernels sum each block exactly in integers (|sum| < 2^19, exact in float),
 * then add at most n/32 + 16 float terms, each partial sum bounded by A; each
 * rounding costs at most 2^-24 of A, so kernels differ by under 1e-5 * A for
 * the lengths used here (up to 512 elements: < 50 roundings on each side,
 * 50 * 2 * 6e-8 = 6e-6). For Q4_1/Q5_1 the Q8_1 block sum s is stored as
 * fp16, so dot_deq adds 2^-10 * sum_b |m_b s_b| (fp16 relative error 2^-11,
 * doubled for the rounding of d * sum). The references sum floats in double.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/quant.h"

static int failures;

static void check(bool ok, const char *type, const char *level, const char *what,
		  const char *detail)
{
	if (ok) {
		printf("PASS: %s/%s %s\n", type, level, what);
	} else {
		printf("FAIL: %s/%s %s%s%s\n", type, level, what, detail ? ": " : "",
		       detail ? detail : "");
		failures++;
	}
}

/* ---- deterministic random numbers ------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static float frand(void) /* [-1, 1) */
{
	return (float)((double)rnd() / 2147483648.0 - 1.0);
}

static float grand(void) /* roughly N(0, 1): sum of 4 uniforms */
{
	return (frand() + frand() + frand() + frand()) * 0.866f;
}

static void fill_floats(float *x, int n, int kind)
{
	for (int i = 0; i < n; i++) {
		switch (kind) {
		case 0: x[i] = grand(); break;
		case 1: x[i] = frand() * 3.0f + 0.5f; break; /* offset: tests mins */
		default: x[i] = (rnd() % 16 == 0) ? grand() * 20.0f : grand() * 0.1f; break;
		}
	}
}

static ggml_half sane_half(void)
{
	return fp32_to_fp16(frand() * 0.05f);
}

static void put_half(uint8_t *p, ggml_half h)
{
	memcpy(p, &h, 2);
}

/* Random block bytes for a weight type, scales replaced by sane fp16 values
 * so that dot products stay finite. false if the type has no layout here. */
static bool fill_raw(int type, uint8_t *p, int n)
{
	const struct quant_traits *t = quant_traits_at(type, QUANT_SCALAR);
	int nb = n / t->blck;
	for (size_t i = 0; i < (size_t)nb * t->tsize; i++)
		p[i] = (uint8_t)rnd();
	for (int b = 0; b < nb; b++) {
		uint8_t *q = p + (size_t)b * t->tsize;
		switch (type) {
		case GGML_TYPE_F32: {
			float v = grand();
			memcpy(q, &v, 4);
			break;
		}
		case GGML_TYPE_F16: put_half(q, fp32_to_fp16(grand())); break;
		case GGML_TYPE_BF16: {
			ggml_bf16 v = fp32_to_bf16(grand());
			memcpy(q, &v, 2);
			break;
		}
		case GGML_TYPE_Q4_0: case GGML_TYPE_Q5_0: case GGML_TYPE_Q8_0:
		case GGML_TYPE_IQ4_NL: case GGML_TYPE_IQ4_XS:
			put_half(q, sane_half());
			break;
		case GGML_TYPE_Q4_1: case GGML_TYPE_Q5_1:
		case GGML_TYPE_Q4_K: case GGML_TYPE_Q5_K:
			put_half(q, sane_half());
			put_half(q + 2, sane_half());
			break;
		case GGML_TYPE_Q2_K:
			put_half(q + 80, sane_half());
			put_half(q + 82, sane_half());
			break;
		case GGML_TYPE_Q3_K: put_half(q + 108, sane_half()); break;
		case GGML_TYPE_Q6_K: put_half(q + 208, sane_half()); break;
		default: return false;
		}
	}
	return true;
}

/* ---- per-type data ------------------------------------------------------------ */

struct tinfo {
	int type;
	bool weight; /* has vec_dot */
	int kbits;   /* K and IQ types: bits per weight for the round-trip bound */
};

/* K-type round trip: b-bit rounding over a range of at most 2*amax of the
 * super-block has rms error <= 0.58 * amax / (2^b - 1); we allow twice that
 * (scales are quantized too), in rms over all super-blocks. */
static const struct tinfo types[] = {
	{ GGML_TYPE_F32, true, 0 },  { GGML_TYPE_F16, true, 0 },
	{ GGML_TYPE_BF16, true, 0 }, { GGML_TYPE_Q4_0, true, 0 },
	{ GGML_TYPE_Q4_1, true, 0 }, { GGML_TYPE_Q5_0, true, 0 },
	{ GGML_TYPE_Q5_1, true, 0 }, { GGML_TYPE_Q8_0, true, 0 },
	{ GGML_TYPE_Q8_1, false, 0 }, { GGML_TYPE_Q2_K, true, 2 },
	{ GGML_TYPE_Q3_K, true, 3 }, { GGML_TYPE_Q4_K, true, 4 },
	{ GGML_TYPE_Q5_K, true, 5 }, { GGML_TYPE_Q6_K, true, 6 },
	{ GGML_TYPE_Q8_K, false, 8 },
	/* 16 non-linear levels: held to the 4-bit bound */
	{ GGML_TYPE_IQ4_NL, true, 4 }, { GGML_TYPE_IQ4_XS, true, 4 },
};

/* Max |x - deq(q(x))| allowed in one block of the 32-element types. */
static double block_bound(int type, const float *x, int n)
{
	float amax = 0, mn = x[0], mx = x[0];
	for (int i = 0; i < n; i++) {
		amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
		mn = x[i] < mn ? x[i] : mn;
		mx = x[i] > mx ? x[i] : mx;
	}
	/* one step where the clamp bites (q4_0/q5_0), half a step where the
	 * rounding is to nearest; plus the fp16 rounding of d and m */
	double slack = amax / 256.0 + 1e-30;
	switch (type) {
	case GGML_TYPE_Q4_0: return amax / 8.0 + slack;
	case GGML_TYPE_Q4_1: return (mx - mn) / 15.0 * 0.5 + slack;
	case GGML_TYPE_Q5_0: return amax / 16.0 + slack;
	case GGML_TYPE_Q5_1: return (mx - mn) / 31.0 * 0.5 + slack;
	case GGML_TYPE_Q8_0: case GGML_TYPE_Q8_1: return amax / 127.0 * 0.5 + slack;
	case GGML_TYPE_F32: return 0;
	case GGML_TYPE_F16: return amax / 2048.0 + 3e-8; /* + half subnormal step */
	case GGML_TYPE_BF16: return amax / 256.0 + 1e-38;
	}
	return -1;
}

#define MAXN 512
#define MAXROWS 7

static int lengths(int blck, int *out)
{
	int k = 0;
	if (blck == 1) {
		static const int fl[] = { 1, 3, 7, 8, 16, 31, 32, 33, 64, 100, 129, 256, 300, 512 };
		for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
			out[k++] = fl[i];
	} else {
		for (int nb = 1; nb <= 8 && nb * blck <= MAXN; nb++)
			out[k++] = nb * blck;
		if (blck * 16 <= MAXN)
			out[k++] = blck * 16;
	}
	return k;
}

/* Buffers, 4 bytes off a 64-byte boundary so vector loads are unaligned (a
 * GGUF keeps rows aligned to their element type, which 4 bytes respects). */
static _Alignas(64) uint8_t wbuf[MAXROWS * MAXN * 4 + 64], abuf[4 * MAXN * 4 + 64], rbuf[MAXROWS * MAXN * 4 + 64];
static float xf[MAXROWS * MAXN], af[MAXN], wd[MAXN], ad[MAXN], tmp1[MAXN], tmp2[MAXN];
static _Alignas(64) uint8_t ilbuf[4 * MAXN * 4], ilscratch[4 * MAXN * 4];

/* A = sum |w_i a_i| of dequantized rows, plus the Q8_1 sum term. */
static double abs_dot(const float *w, const float *a, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += fabs((double)w[i] * a[i]);
	return s;
}

static double q8_1_term(int wtype, const uint8_t *w, const uint8_t *a, int n)
{
	double s = 0;
	if (wtype != GGML_TYPE_Q4_1 && wtype != GGML_TYPE_Q5_1)
		return 0;
	size_t ts = quant_traits_at(wtype, 0)->tsize;
	for (int b = 0; b < n / 32; b++) {
		ggml_half m, sy;
		memcpy(&m, w + b * ts + 2, 2);
		memcpy(&sy, a + b * sizeof(block_q8_1) + 2, 2);
		s += fabs((double)fp16_to_fp32(m) * fp16_to_fp32(sy));
	}
	return s;
}

static void test_type(const struct tinfo *ti, int maxlvl)
{
	const char *name = ggml_type_name(ti->type);
	const struct quant_traits *ref = quant_traits_at(ti->type, QUANT_SCALAR);
	if (!ref) {
		printf("SKIP: %s (no kernels in the table yet)\n", name);
		return;
	}
	const struct quant_traits *vref =
		ti->weight ? quant_traits_at(ref->vec_dot_type, QUANT_SCALAR) : NULL;
	if (ti->weight && (!vref || !vref->from_float)) {
		printf("FAIL: %s: vec_dot_type %d has no quantizer\n", name, ref->vec_dot_type);
		failures++;
		return;
	}
	int lens[32], nl = lengths(ref->blck, lens);
	for (int lv = 0; lv <= maxlvl; lv++) {
		const char *lname = quant_level_name(lv);
		const struct quant_traits *t = quant_traits_at(ti->type, lv);
		char msg[256] = "";
		bool ok_dot = true, ok_tof = true, ok_fromf = true, ok_dd = true, ok_rt = true;
		bool have_dd = false, ok_4r = true, have_4r = false, ok_4xn = true, have_4xn = false;
		bool ok_il4 = true, have_il4 = false;
		if (!t) {
			check(false, name, lname, "traits", "missing at a level the CPU runs");
			continue;
		}
		for (int li = 0; li < nl; li++) {
			const int n = lens[li];
			const size_t rs = ggml_type_row_size(ti->type, n);
			for (int mode = 0; mode < 12; mode++) {
				const int rows = 1 + 2 * (mode % 4); /* 1, 3, 5, 7 */
				uint8_t *w = wbuf + 4, *wr = rbuf + 4, *a = abuf + 4;
				/* weights: raw bytes (mode 3, 7, 11) or quantized floats
				 * of the three kinds of fill_floats */
				bool raw = mode % 4 == 3;
				if (raw) {
					bool okr = true;
					for (int r = 0; r < rows && okr; r++)
						okr = fill_raw(ti->type, w + r * rs, n);
					if (!okr)
						raw = false;
				}
				fill_floats(xf, rows * n, mode % 3);
				if (!raw) {
					if (!ref->from_float)
						continue;
					ref->from_float(xf, w, (int64_t)rows * n);
				}
				/* (from_float) SIMD quantizer == scalar one */
				if (!raw && t->from_float) {
					t->from_float(xf, wr, (int64_t)rows * n);
					if (memcmp(w, wr, rows * rs) != 0 && ok_fromf) {
						ok_fromf = false;
						snprintf(msg, sizeof(msg), "n=%d rows=%d mode=%d", n, rows, mode);
						check(false, name, lname, "from_float", msg);
					}
				}
				/* (to_float) bit-identical */
				if (t->to_float && ref->to_float) {
					for (int r = 0; r < rows; r++) {
						ref->to_float(w + r * rs, tmp1, n);
						t->to_float(w + r * rs, tmp2, n);
						if (memcmp(tmp1, tmp2, n * sizeof(float)) != 0 && ok_tof) {
							ok_tof = false;
							snprintf(msg, sizeof(msg), "n=%d row=%d raw=%d", n, r, raw);
							check(false, name, lname, "to_float", msg);
						}
					}
				}
				/* (round_trip) */
				if (!raw && t->from_float && t->to_float) {
					double se = 0, sa = 0;
					for (int r = 0; r < rows; r++) {
						t->to_float(w + r * rs, tmp1, n);
						const float *x = xf + r * n;
						for (int b0 = 0; b0 < n; b0 += ref->blck) {
							double bd = block_bound(ti->type, x + b0, ref->blck);
							double amax = 0;
							for (int i = b0; i < b0 + ref->blck; i++) {
								double e = fabs((double)x[i] - tmp1[i]);
								se += e * e;
								amax = fabs(x[i]) > amax ? fabs(x[i]) : amax;
								if (!ti->kbits && e > bd && ok_rt) {
									ok_rt = false;
									snprintf(msg, sizeof(msg),
										 "n=%d i=%d x=%g got %g bound %g",
										 n, i, x[i], tmp1[i], bd);
									check(false, name, lname, "round_trip", msg);
								}
							}
							sa += amax * amax * ref->blck;
						}
					}
					double lim = 1.16 / ((1 << ti->kbits) - 1);
					if (ti->kbits && sqrt(se / sa) > lim && ok_rt) {
						ok_rt = false;
						snprintf(msg, sizeof(msg), "n=%d rms err / rms amax %g > %g", n,
							 sqrt(se / sa), lim);
						check(false, name, lname, "round_trip", msg);
					}
				}
				if (!ti->weight)
					continue;
				/* activations: quantized with the scalar quantizer */
				fill_floats(af, n, 0);
				vref->from_float(af, a, n);
				bool have_adeq = vref->to_float != NULL;
				if (have_adeq)
					vref->to_float(a, ad, n);
				for (int r = 0; r < rows; r++) {
					const uint8_t *wrow = w + r * rs;
					float s_ref, s_lv;
					ref->vec_dot(n, &s_ref, wrow, a);
					t->vec_dot(n, &s_lv, wrow, a);
					if (!ref->to_float || !have_adeq)
						continue;
					ref->to_float(wrow, wd, n);
					double A = abs_dot(wd, ad, n) + q8_1_term(ti->type, wrow, a, n);
					if (fabs((double)s_ref - s_lv) > 1e-5 * A + 1e-30 && ok_dot) {
						ok_dot = false;
						snprintf(msg, sizeof(msg), "n=%d row=%d raw=%d ref %.9g got %.9g A %g",
							 n, r, raw, s_ref, s_lv, A);
						check(false, name, lname, "vec_dot", msg);
					}
					double exact = 0;
					for (int i = 0; i < n; i++)
						exact += (double)wd[i] * ad[i];
					have_dd = true;
					double bound = 1e-5 * abs_dot(wd, ad, n) +
						       1.1 * 0x1p-10 * q8_1_term(ti->type, wrow, a, n) + 1e-30;
					if (fabs(exact - s_lv) > bound && ok_dd) {
						ok_dd = false;
						snprintf(msg, sizeof(msg), "n=%d row=%d raw=%d exact %.9g got %.9g",
							 n, r, raw, exact, s_lv);
						check(false, name, lname, "dot_deq", msg);
					}
				}
				/* (vec_dot_4r) bit-identical to vec_dot row by row, for
				 * adjacent rows and for every other row */
				if (t->vec_dot_4r && rows >= 5) {
					for (int step = 1; step <= 2 && 3 * step < rows; step++) {
						for (int r0 = 0; r0 + 3 * step < rows; r0++) {
							float s4[4], s1;
							t->vec_dot_4r(n, s4, w + r0 * rs, step * rs, a);
							for (int r = 0; r < 4; r++) {
								t->vec_dot(n, &s1, w + (r0 + r * step) * rs, a);
								if (memcmp(&s1, &s4[r], 4) != 0 && ok_4r) {
									ok_4r = false;
									snprintf(msg, sizeof(msg),
										 "n=%d r0=%d step=%d row %d: %.9g vs %.9g",
										 n, r0, step, r, s4[r], s1);
									check(false, name, lname, "vec_dot_4r", msg);
								}
							}
							have_4r = true;
						}
					}
				}
				/* (vec_dot_4xn) a tile of 4 rows by nt activations, each
				 * bit-identical to vec_dot; output rows 5 floats apart */
				if (t->vec_dot_4xn && rows >= 4) {
					size_t as = ggml_type_row_size(ref->vec_dot_type, n);
					for (int k = 1; k < 4; k++) {
						fill_floats(af, n, k % 3);
						vref->from_float(af, a + k * as, n);
					}
					for (int nt = 1; nt <= 4; nt++) {
						for (int r0 = 0; r0 + 4 <= rows; r0++) {
							float tile[4 * 5], s1;
							t->vec_dot_4xn(n, nt, tile, 5, w + r0 * rs, rs, a, as);
							for (int tt = 0; tt < nt; tt++)
								for (int r = 0; r < 4; r++) {
									t->vec_dot(n, &s1, w + (r0 + r) * rs, a + tt * as);
									if (memcmp(&s1, &tile[tt * 5 + r], 4) != 0 && ok_4xn) {
										ok_4xn = false;
										snprintf(msg, sizeof(msg),
											 "n=%d nt=%d r0=%d (%d,%d): %.9g vs %.9g",
											 n, nt, r0, r, tt, tile[tt * 5 + r], s1);
										check(false, name, lname, "vec_dot_4xn", msg);
									}
								}
							have_4xn = true;
						}
					}
				}
				/* (vec_dot_4r_il4, vec_dot_4xn_il4) a 4-row group
				 * interleaved by quant_interleave4: every result bit for
				 * bit vec_dot's of the plain row, and quant_il4_row gives
				 * back each row */
				if (t->vec_dot_4r_il4 && rows >= 4) {
					size_t as = ggml_type_row_size(ref->vec_dot_type, n);
					memcpy(ilbuf, w, 4 * rs);
					quant_interleave4(ilbuf, n / ref->blck, ref->tsize, ilscratch);
					for (int nt = 0; nt <= 4; nt++) {
						float tile[4 * 5], s1;
						if (nt == 0)
							t->vec_dot_4r_il4(n, tile, ilbuf, rs, a);
						else
							t->vec_dot_4xn_il4(n, nt, tile, 5, ilbuf, rs, a, as);
						for (int tt = 0; tt < (nt ? nt : 1); tt++)
							for (int r = 0; r < 4; r++) {
								t->vec_dot(n, &s1, w + r * rs, a + tt * as);
								if (memcmp(&s1, &tile[tt * 5 * (nt > 0) + r], 4) != 0 && ok_il4) {
									ok_il4 = false;
									snprintf(msg, sizeof(msg), "n=%d nt=%d (%d,%d): %.9g vs %.9g",
										 n, nt, r, tt, tile[tt * 5 * (nt > 0) + r], s1);
									check(false, name, lname, "vec_dot_il4", msg);
								}
							}
					}
					for (int r = 0; r < 4 && ref->to_float; r++) {
						ref->to_float(w + r * rs, tmp1, n);
						quant_il4_row(ti->type, ilbuf, r, n, tmp2);
						if (memcmp(tmp1, tmp2, (size_t)n * sizeof(float)) != 0 && ok_il4) {
							ok_il4 = false;
							snprintf(msg, sizeof(msg), "n=%d row %d dequantized differently", n, r);
							check(false, name, lname, "il4_row", msg);
						}
					}
					have_il4 = true;
				}
			}
		}
		if (have_il4 && ok_il4)
			check(true, name, lname, "vec_dot_il4", NULL);
				/* only where this level has its own function (no fallback) */
		if (ti->weight && ok_dot && t->vec_dot != ref->vec_dot)
			check(true, name, lname, "vec_dot", NULL);
		if (have_4r && ok_4r)
			check(true, name, lname, "vec_dot_4r", NULL);
		if (have_4xn && ok_4xn)
			check(true, name, lname, "vec_dot_4xn", NULL);
		if (ok_tof && t->to_float && t->to_float != ref->to_float)
			check(true, name, lname, "to_float", NULL);
		if (ok_fromf && t->from_float && t->from_float != ref->from_float)
			check(true, name, lname, "from_float", NULL);
		if (ti->weight) {
			if (have_dd && ok_dd)
				check(true, name, lname, "dot_deq", NULL);
			else if (!have_dd)
				printf("SKIP: %s/%s dot_deq (no dequantizer for %s)\n", name, lname,
				       ggml_type_name(ref->vec_dot_type));
		}
		if (ok_rt && t->from_float && t->to_float)
			check(true, name, lname, "round_trip", NULL);
	}
}

/* ---- conversions, names, sizes, rounding --------------------------------- */

__attribute__((target("f16c"))) static ggml_half hw_to_half(float f)
{
	return (ggml_half)_cvtss_sh(f, 0);
}

__attribute__((target("f16c"))) static float hw_from_half(ggml_half h)
{
	return _cvtsh_ss(h);
}

static void test_conversions(bool f16c)
{
	bool ok = true;
	for (uint32_t h = 0; h < 65536 && ok; h++) {
		float f = fp16_to_fp32((ggml_half)h);
		bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
		if (!nan && fp32_to_fp16(f) != h)
			ok = false;
		if (f16c) {
			float g = hw_from_half((ggml_half)h);
			if (memcmp(&f, &g, 4) != 0)
				ok = false;
		}
	}
	check(ok, "fp16", "scalar", "all 65536 halves round-trip (and match F16C)", NULL);
	if (f16c) {
		ok = true;
		for (int i = 0; i < 4000000 && ok; i++) {
			uint32_t u = rnd() ^ (rnd() << 16);
			if (i & 1) /* concentrate on the half range, ties included */
				u = (u & 0x8000ffff) | ((uint32_t)(0x30 + rnd() % 0x18) << 23) |
				    ((rnd() & 1) ? 0x1000 : 0);
			float f;
			memcpy(&f, &u, 4);
			if (fp32_to_fp16(f) != hw_to_half(f))
				ok = false;
		}
		check(ok, "fp16", "scalar", "fp32_to_fp16 equals F16C on 4M floats", NULL);
	} else {
		printf("SKIP: fp16/scalar fp32_to_fp16 vs F16C (no F16C)\n");
	}
	ok = fp32_to_bf16(1.0f) == 0x3f80 && fp32_to_bf16(1.00390625f) == 0x3f80 &&
	     fp32_to_bf16(1.01171875f) == 0x3f82 && bf16_to_fp32(0xc000) == -2.0f &&
	     fp32_to_bf16(-1.0f) == 0xbf80;
	check(ok, "bf16", "scalar", "nearest-even conversion", NULL);
}

static void test_q8_rounding(int maxlvl)
{
	/* amax 127 gives d = 1, id = 1: the quantizer rounds x itself */
	float x[32] = { 127, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, -0.49999997f,
			126.5f, -126.5f, 3.75f, -3.25f };
	/* halves to even, as ggml's x86 quantize_row_q8_0 (ai/kernels/quant_ref.c) */
	static const int8_t want[13] = { 127, 0, 2, 2, 0, -2, -2, 0, 0, 126, -126, 4, -3 };
	for (int lv = 0; lv <= maxlvl; lv++) {
		for (int ty = GGML_TYPE_Q8_0; ty <= GGML_TYPE_Q8_1; ty++) {
			const struct quant_traits *t = quant_traits_at(ty, lv);
			uint8_t blk[64] = { 0 };
			t->from_float(x, blk, 32);
			const int8_t *qs = (const int8_t *)(blk + (ty == GGML_TYPE_Q8_0 ? 2 : 4));
			bool ok = memcmp(qs, want, sizeof(want)) == 0 && fp16_to_fp32(*(ggml_half *)blk) == 1.0f;
			float z[32] = { 0 };
			t->from_float(z, blk, 32); /* all zero: d = 0, q = 0 */
			for (int i = 0; i < 32; i++)
				ok = ok && qs[i] == 0;
			check(ok, ggml_type_name(ty), quant_level_name(lv), "rounds halves to even", NULL);
		}
	}
}

static void test_table(void)
{
	bool ok = strcmp(ggml_type_name(GGML_TYPE_Q4_K), "q4_K") == 0 &&
		  strcmp(ggml_type_name(16), "iq2_xxs") == 0 &&
		  strcmp(ggml_type_name(GGML_TYPE_BF16), "bf16") == 0 &&
		  strcmp(ggml_type_name(35), "tq2_0") == 0 && ggml_type_name(38) != NULL &&
		  strcmp(ggml_type_name(GGML_TYPE_MXFP4), "mxfp4") == 0 &&
		  ggml_type_name(GGML_TYPE_COUNT) == NULL && ggml_type_name(-1) == NULL;
	for (int ty = 0; ty < GGML_TYPE_COUNT; ty++)
		ok = ok && ggml_type_name(ty) != NULL;
	check(ok, "table", "any", "type names", NULL);
	ok = ggml_type_row_size(GGML_TYPE_Q4_0, 4096) == 128 * 18 &&
	     ggml_type_row_size(GGML_TYPE_Q4_0, 33) == 0 &&
	     ggml_type_row_size(GGML_TYPE_Q6_K, 512) == 420 &&
	     ggml_type_row_size(GGML_TYPE_F32, 7) == 28 && ggml_type_row_size(GGML_TYPE_BF16, 3) == 6 &&
	     ggml_type_row_size(16, 256) == 66 && ggml_type_row_size(4, 32) == 0 &&
	     ggml_type_row_size(99, 32) == 0 && ggml_type_row_size(GGML_TYPE_F32, -1) == 0;
	check(ok, "table", "any", "row sizes", NULL);
	/* the kernels' block structs are the sizes of the one type table */
	static const struct { int type; size_t size; } blocks[] = {
		{ GGML_TYPE_Q4_0, sizeof(block_q4_0) }, { GGML_TYPE_Q4_1, sizeof(block_q4_1) },
		{ GGML_TYPE_Q5_0, sizeof(block_q5_0) }, { GGML_TYPE_Q5_1, sizeof(block_q5_1) },
		{ GGML_TYPE_Q8_0, sizeof(block_q8_0) }, { GGML_TYPE_Q8_1, sizeof(block_q8_1) },
		{ GGML_TYPE_Q2_K, sizeof(block_q2_K) }, { GGML_TYPE_Q3_K, sizeof(block_q3_K) },
		{ GGML_TYPE_Q4_K, sizeof(block_q4_K) }, { GGML_TYPE_Q5_K, sizeof(block_q5_K) },
		{ GGML_TYPE_Q6_K, sizeof(block_q6_K) }, { GGML_TYPE_Q8_K, sizeof(block_q8_K) },
		{ GGML_TYPE_IQ4_NL, sizeof(block_iq4_nl) }, { GGML_TYPE_IQ4_XS, sizeof(block_iq4_xs) },
	};
	ok = true;
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		ok = ok && (size_t)ggml_type_info(blocks[i].type)->tsize == blocks[i].size;
	check(ok, "table", "any", "block structs match the type table", NULL);
	ok = quant_traits_at(16, 0) == NULL && quant_traits_at(GGML_TYPE_COUNT, 0) == NULL &&
	     quant_traits_at(GGML_TYPE_Q4_0, 3) == NULL && quant_traits_at(-5, 0) == NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct quant_traits *t = quant_traits_at(types[i].type, 0);
		if (t)
			ok = ok && t->blck > 0 &&
			     t->tsize == ggml_type_row_size(types[i].type, t->blck) &&
			     strcmp(t->name, ggml_type_name(types[i].type)) == 0;
	}
	check(ok, "table", "any", "traits consistent with names and sizes", NULL);
}

/* ---- float dots in ggml's AVX-512 order --------------------------------------
 * The references come from an AVX-512 build of llama.cpp, whose F32/F16/BF16
 * dots sum in four 16-lane FMA accumulators over 64-element steps, the tail
 * 16 at a time (masked) into the first, then (a0 + a2) + (a1 + a3) and the
 * lane tree of _mm512_reduce_add_ps. Every SIMD level must give exactly
 * that (the scalar level sums in double instead). */
static float ggml512_dot(int type, const void *vx, const float *y, int n)
{
	float acc[4][16] = { { 0 } }, t[16], u[8], v[4];
	const struct quant_traits *ref = quant_traits_at(type, QUANT_SCALAR);
	static float xf32[4096];
	int i = 0;
	ref->to_float(vx, xf32, n);
	for (; i + 64 <= n; i += 64)
		for (int j = 0; j < 4; j++)
			for (int l = 0; l < 16; l++)
				acc[j][l] = fmaf(xf32[i + 16 * j + l], y[i + 16 * j + l], acc[j][l]);
	for (; i < n; i += 16)
		for (int l = 0; l < 16; l++)
			acc[0][l] = i + l < n ? fmaf(xf32[i + l], y[i + l], acc[0][l]) :
						fmaf(0.0f, 0.0f, acc[0][l]);
	for (int l = 0; l < 16; l++)
		t[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
	for (int l = 0; l < 8; l++)
		u[l] = t[l] + t[l + 8];
	for (int l = 0; l < 4; l++)
		v[l] = u[l] + u[l + 4];
	return (v[0] + v[2]) + (v[1] + v[3]);
}

static void test_float_order(int maxlvl)
{
	static const int ns[] = { 1, 7, 16, 17, 63, 64, 65, 100, 128, 191, 256, 300, 1000, 4096 };
	static const int tys[] = { GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16 };
	static uint8_t xq[4096 * 4];
	static float xf[4096], y[4096];
	for (int lv = QUANT_AVX2; lv <= maxlvl; lv++) {
		for (size_t k = 0; k < sizeof tys / sizeof *tys; k++) {
			const struct quant_traits *t = quant_traits_at(tys[k], lv);
			const struct quant_traits *ref = quant_traits_at(tys[k], QUANT_SCALAR);
			char detail[96] = "";
			bool ok = true;
			for (size_t m = 0; m < sizeof ns / sizeof *ns && ok; m++) {
				int n = ns[m];
				for (int r = 0; r < 20 && ok; r++) {
					for (int i = 0; i < n; i++) {
						xf[i] = grand();
						y[i] = grand();
					}
					if (tys[k] == GGML_TYPE_F32)
						memcpy(xq, xf, sizeof(float) * (size_t)n);
					else
						ref->from_float(xf, xq, n);
					float got, want = ggml512_dot(tys[k], xq, y, n);
					t->vec_dot(n, &got, xq, y);
					if (memcmp(&got, &want, sizeof got) != 0) {
						snprintf(detail, sizeof detail, "n %d: %.9g, ggml order %.9g",
							 n, got, want);
						ok = false;
					}
				}
			}
			check(ok, t->name, quant_level_name(lv), "vec_dot in ggml's AVX-512 order",
			      ok ? NULL : detail);
		}
	}
}

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : QUANT_AVX512;
	int maxlvl = quant_init(want);
	printf("# kernel levels tested: scalar..%s\n", quant_level_name(maxlvl));
	test_table();
	test_conversions(maxlvl >= QUANT_AVX2);
	test_q8_rounding(maxlvl);
	test_float_order(maxlvl);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		test_type(&types[i], maxlvl);
	return failures ? 1 : 0;
}

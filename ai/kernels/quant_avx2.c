/* AVX2 + FMA + F16C kernels for the float types and the 32-element quants.
 * Same signatures and results as quant_ref.c: dot products exact per block
 * in integers, summed in float vectors (one horizontal sum per row); the
 * activation quantizers byte-identical to the reference. Q5_0 and Q8_0
 * also have the multi-row kernels vec_dot_4r and vec_dot_4xn (Q4_0's dots
 * are in q4_0_avx2.c). */
#include <immintrin.h>
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/quant.h"

/* Keeps the compiler from fusing a multiply into a later add (FMA
 * contraction), which would round differently from the reference. */
#define NO_CONTRACT(v) __asm__("" : "+x"(v))

static inline float hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

static inline float h2f(ggml_half h)
{
	return _cvtsh_ss(h);
}

/* 32 nibbles -> 32 bytes in element order: low nibbles, then high ones. */
static inline __m256i nibbles32(const uint8_t *qs)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);
	__m256i v = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
	return _mm256_and_si256(v, _mm256_set1_epi8(0x0f));
}

/* 32 bits -> 32 bytes: 0x10 where the bit is set, else 0. */
static inline __m256i bits32_x10(const uint8_t *qh)
{
	uint32_t b;
	memcpy(&b, qh, 4);
	const __m256i shuf = _mm256_setr_epi64x(0x0000000000000000LL, 0x0101010101010101LL,
						0x0202020202020202LL, 0x0303030303030303LL);
	__m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)b), shuf);
	const __m256i bit = _mm256_set1_epi64x(0x8040201008040201LL);
	v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
	return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

/* Eight int32 sums of products of unsigned bytes u (0..31) and signed y. */
static inline __m256i dot_u8s8(__m256i u, __m256i y)
{
	return _mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1));
}

/* ---- float types ---------------------------------------------------------- */

/* The order of ggml's AVX-512 build, which our references come from (and
 * quant_avx512.c's FLOAT_DOT): 64 elements per step in four 16-lane
 * accumulators, each kept here as two 8-lane halves (a[2j] the low, a[2j+1]
 * the high); the tail 16 at a time into the first, zero-padded as a masked
 * load pads; then (a0 + a2) + (a1 + a3), low half + high half, and the
 * 8-lane tree of _mm512_reduce_add_ps. The same bits as the AVX-512 level,
 * so attention dots over 64 elements and F32/F16/BF16 weights match
 * llama.cpp's logits on AVX2 machines too. */
#define FLOAT_DOT(NAME, T, LOAD8)                                                         \
	static void NAME(int n, float *s, const void *vx, const void *vy)                  \
	{                                                                                   \
		const T *x = vx;                                                            \
		const float *y = vy;                                                        \
		__m256 a[8];                                                                \
		int i = 0;                                                                  \
		for (int k = 0; k < 8; k++)                                                 \
			a[k] = _mm256_setzero_ps();                                         \
		for (; i + 64 <= n; i += 64)                                                \
			for (int k = 0; k < 8; k++)                                         \
				a[k] = _mm256_fmadd_ps(LOAD8(x + i + 8 * k),                \
						       _mm256_loadu_ps(y + i + 8 * k), a[k]); \
		for (; i < n; i += 16) {                                                    \
			T xt[16];                                                           \
			float yt[16];                                                       \
			const T *xp = x + i;                                                \
			const float *yp = y + i;                                            \
			if (n - i < 16) {                                                   \
				memset(xt, 0, sizeof xt);                                   \
				memset(yt, 0, sizeof yt);                                   \
				memcpy(xt, xp, sizeof(T) * (size_t)(n - i));                \
				memcpy(yt, yp, sizeof(float) * (size_t)(n - i));            \
				xp = xt;                                                    \
				yp = yt;                                                    \
			}                                                                   \
			a[0] = _mm256_fmadd_ps(LOAD8(xp), _mm256_loadu_ps(yp), a[0]);       \
			a[1] = _mm256_fmadd_ps(LOAD8(xp + 8), _mm256_loadu_ps(yp + 8), a[1]); \
		}                                                                           \
		__m256 lo = _mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6])); \
		__m256 hi = _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7])); \
		*s = hsum8(_mm256_add_ps(lo, hi));                                          \
	}

static inline __m256 load_f32x8(const float *p)
{
	return _mm256_loadu_ps(p);
}

static inline __m256 load_f16x8(const ggml_half *p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline __m256 load_bf16x8(const ggml_bf16 *p)
{
	__m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
	return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}

FLOAT_DOT(f32_vec_dot, float, load_f32x8)
FLOAT_DOT(f16_vec_dot, ggml_half, load_f16x8)
FLOAT_DOT(bf16_vec_dot, ggml_bf16, load_bf16x8)

static void f16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_half *x = vx;
	int64_t i = 0;
	for (; i + 8 <= k; i += 8)
		_mm256_storeu_ps(y + i, load_f16x8(x + i));
	for (; i < k; i++)
		y[i] = h2f(x[i]);
}

static void bf16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_bf16 *x = vx;
	int64_t i = 0;
	for (; i + 8 <= k; i += 8)
		_mm256_storeu_ps(y + i, load_bf16x8(x + i));
	for (; i < k; i++)
		y[i] = bf16_to_fp32(x[i]);
}

/* ---- activation quantizers ----------------------------------------------- */

/* One block of 32: q = x * (127 / amax) rounded half to even (as
 * quant_ref.c), returned as 32 int8 in order; *d_out = amax / 127. */
static inline __m256i q8_block(const float *x, float *d_out)
{
	const __m256 signbit = _mm256_set1_ps(-0.0f);
	__m256 v[4], m;
	for (int j = 0; j < 4; j++)
		v[j] = _mm256_loadu_ps(x + 8 * j);
	m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signbit, v[0]), _mm256_andnot_ps(signbit, v[1])),
			  _mm256_max_ps(_mm256_andnot_ps(signbit, v[2]), _mm256_andnot_ps(signbit, v[3])));
	__m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
	m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
	m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
	const float amax = _mm_cvtss_f32(m4);
	const float d = amax / 127;
	const float id = amax != 0.0f ? 127.0f / amax : 0.0f; /* as quant_ref.c */
	const __m256 vid = _mm256_set1_ps(id);
	__m256i q[4];
	for (int j = 0; j < 4; j++) {
		__m256 p = _mm256_mul_ps(v[j], vid);
		NO_CONTRACT(p);
		q[j] = _mm256_cvtps_epi32(_mm256_round_ps(p, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	}
	__m256i a = _mm256_packs_epi32(q[0], q[1]);
	__m256i b = _mm256_packs_epi32(q[2], q[3]);
	a = _mm256_packs_epi16(a, b);
	*d_out = d;
	return _mm256_permutevar8x32_epi32(a, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

static void q8_0_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_0 *y = vy;
	for (int64_t i = 0; i < k / QK8_0; i++, x += QK8_0) {
		float d;
		__m256i q = q8_block(x, &d);
		y[i].d = fp32_to_fp16(d);
		_mm256_storeu_si256((__m256i *)y[i].qs, q);
	}
}

static void q8_1_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_1 *y = vy;
	for (int64_t i = 0; i < k / QK8_1; i++, x += QK8_1) {
		float d;
		__m256i q = q8_block(x, &d);
		y[i].d = fp32_to_fp16(d);
		_mm256_storeu_si256((__m256i *)y[i].qs, q);
		/* sum of the 32 int8: madd by ones, then a horizontal add */
		__m256i s16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), q);
		__m256i s32 = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
		__m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s32), _mm256_extracti128_si256(s32, 1));
		s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
		s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
		y[i].s = fp32_to_fp16((float)_mm_cvtsi128_si32(s4) * d);
	}
}

/* ---- dequantizers ---------------------------------------------------------- */

static void q4_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q4_0 *x = vx;
	for (int64_t i = 0; i < k / QK4_0; i++, y += QK4_0) {
		const __m256 d = _mm256_set1_ps(h2f(x[i].d));
		__m256i b = _mm256_sub_epi8(nibbles32(x[i].qs), _mm256_set1_epi8(8));
		__m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
		_mm256_storeu_ps(y + 0, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)), d));
		_mm256_storeu_ps(y + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8))), d));
		_mm256_storeu_ps(y + 16, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)), d));
		_mm256_storeu_ps(y + 24, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))), d));
	}
}

static void q8_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q8_0 *x = vx;
	for (int64_t i = 0; i < k / QK8_0; i++, y += QK8_0) {
		const __m256 d = _mm256_set1_ps(h2f(x[i].d));
		for (int j = 0; j < 4; j++) {
			__m128i b = _mm_loadl_epi64((const __m128i *)(x[i].qs + 8 * j));
			_mm256_storeu_ps(y + 8 * j, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), d));
		}
	}
}

/* ---- quantized dot products ----------------------------------------------
 * One block per ymm: maddubs/madd give eight int32 lanes summing to the
 * block's exact integer dot product; a float accumulator takes them times
 * d_x * d_y (scales of four blocks converted at once); one horizontal sum.
 * For Q5_0 and Q8_0 that is one FMA chain per dot product in block
 * order, as ggml's x86 kernels and quant_ref.c's lanes8: bit-identical sums
 * (see there why it matters).
 *
 * Q5_0 and Q8_0 run as a tile of NR weight rows by NT activation rows
 * (sd_tile), sharing loads and per-block terms; each (row, activation) pair
 * goes through the same operations in the same order whatever the tile, so
 * vec_dot, vec_dot_4r and vec_dot_4xn agree bit for bit. */

enum sd_kind { SD_Q5_0, SD_Q8_0 };

#define AI __attribute__((always_inline)) static inline

AI size_t sd_xsize(enum sd_kind k)
{
	return k == SD_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q8_0);
}

/* A weight block as 32 bytes: unsigned q (Q5_0) or signed q (Q8_0). */
AI __m256i sd_x(enum sd_kind k, const uint8_t *b)
{
	switch (k) {
	case SD_Q5_0: return _mm256_or_si256(nibbles32(b + 6), bits32_x10(b + 2));
	default: return _mm256_loadu_si256((const __m256i *)(b + 2));
	}
}

/* Per activation block: the offset term C . y in int16 pairs (0 for Q8_0). */
AI __m256i sd_corr(enum sd_kind k, __m256i y)
{
	switch (k) {
	case SD_Q5_0: return _mm256_maddubs_epi16(_mm256_set1_epi8(16), y);
	default: return _mm256_setzero_si256();
	}
}

/* Eight int32 lanes summing to (q - C) . y. Q8_0: |x| . sign(y, x), since
 * maddubs needs one unsigned operand; |x| <= 128 and |y| <= 127
 * (activations never hold -128), so its int16 pairs cannot saturate. */
AI __m256i sd_dot(enum sd_kind k, __m256i xq, __m256i y, __m256i corr)
{
	const __m256i one = _mm256_set1_epi16(1);
	if (k == SD_Q8_0)
		return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(xq, xq), _mm256_sign_epi8(y, xq)), one);
	return _mm256_madd_epi16(_mm256_sub_epi16(_mm256_maddubs_epi16(xq, y), corr), one);
}

static inline ggml_half half_at(const uint8_t *p)
{
	ggml_half h;
	memcpy(&h, p, 2);
	return h;
}

AI __m128 half4(const uint8_t *p, size_t stride)
{
	return _mm_cvtph_ps(_mm_setr_epi16((short)half_at(p), (short)half_at(p + stride),
					   (short)half_at(p + 2 * stride), (short)half_at(p + 3 * stride),
					   0, 0, 0, 0));
}

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT (constants
 * at every call); weight rows bx bytes apart, Q8_0 rows by bytes apart.
 * il: the rows are in a 4-row interleaved group (quant.h's
 * vec_dot_4r_il4), block b of row r at x + (4b + r) * xs: the same
 * arithmetic over one sequential stream; bx is still a row's bytes. */
AI void sd_tile(enum sd_kind k, bool il, int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx,
		const void *vy, size_t by)
{
	const size_t xs = sd_xsize(k), ys = sizeof(block_q8_0);
	const size_t rs = il ? xs : bx, bs = il ? 4 * xs : xs;
	const uint8_t *x = vx, *y = vy;
	const int nb = n / 32;
	__m256 acc[4][4]; /* one FMA chain per pair, block after block: ggml's order */
	int i = 0;

	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++)
			acc[r][t] = _mm256_setzero_ps();
	for (; i + 4 <= nb; i += 4) {
		__m128 dx[4], dy[4];
		/* Several rows at once are short streams the hardware prefetcher
		 * keeps losing; fetch the next group of rows (the caller's next
		 * call) at the same place. */
		if (NR == 4 && il) { /* the 2-row tiles of a prompt: in cache already */
			for (size_t o = 0; o < 16 * xs; o += 64)
				_mm_prefetch((const char *)x + 4 * bx + i * 4 * xs + o, QUANT_PF_WEIGHTS);
		} else if (NR > 1 && !il) {
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++)
				for (size_t o = 0; o < 4 * xs; o += 64)
					_mm_prefetch((const char *)x + (r + NR) * bx + i * xs + o, QUANT_PF_WEIGHTS);
		}
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++)
			dy[t] = half4(y + t * by + i * ys, ys);
		_Pragma("GCC unroll 4")
		for (int r = 0; r < NR; r++)
			dx[r] = half4(x + r * rs + i * bs, bs);
		_Pragma("GCC unroll 4")
		for (int j = 0; j < 4; j++) {
			__m256i yq[4], c[4];
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++) {
				yq[t] = _mm256_loadu_si256((const __m256i *)(y + t * by + (i + j) * ys + 2));
				c[t] = sd_corr(k, yq[t]);
			}
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++) {
				__m256i xq = sd_x(k, x + r * rs + (i + j) * bs);
				_Pragma("GCC unroll 4")
				for (int t = 0; t < NT; t++) {
					__m256 s4 = _mm256_castps128_ps256(_mm_mul_ps(dx[r], dy[t]));
					__m256 sc = _mm256_permutevar8x32_ps(s4, _mm256_set1_epi32(j));
					acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sd_dot(k, xq, yq[t], c[t])),
								    sc, acc[r][t]);
				}
			}
		}
	}
	/* the last blocks and the sums: once per pair, not worth unrolling */
	for (int r = 0; r < NR; r++) {
		for (int t = 0; t < NT; t++) {
			const uint8_t *xb = x + r * rs, *yb = y + t * by;
			__m256 a = acc[r][t];
			for (int j = i; j < nb; j++) {
				__m256i yq = _mm256_loadu_si256((const __m256i *)(yb + j * ys + 2));
				__m256i p = sd_dot(k, sd_x(k, xb + j * bs), yq, sd_corr(k, yq));
				a = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p),
						    _mm256_set1_ps(h2f(half_at(xb + j * bs)) * h2f(half_at(yb + j * ys))), a);
			}
			s[t * ss + r] = hsum8(a);
		}
	}
}

/* vec_dot_4xn from 2x2 tiles: 16 ymm registers do not hold a 4x4 tile. */
#define SIGNED_4XN(name, K, IL)                                                            \
	static void name(int n, int nt, float *s, size_t ss, const void *x, size_t bx,      \
			 const void *y, size_t by)                                           \
	{                                                                                   \
		const size_t rs = IL ? sd_xsize(K) : bx;                                    \
		for (int r = 0; r < 4; r += 2) {                                            \
			const uint8_t *xr = (const uint8_t *)x + r * rs;                    \
			int t = 0;                                                          \
			for (; t + 2 <= nt; t += 2)                                         \
				sd_tile(K, IL, 2, 2, n, s + t * ss + r, ss, xr, bx,         \
					(const uint8_t *)y + t * by, by);                   \
			if (t < nt)                                                         \
				sd_tile(K, IL, 2, 1, n, s + t * ss + r, ss, xr, bx,         \
					(const uint8_t *)y + t * by, by);                   \
		}                                                                           \
	}

#define SIGNED_KERNELS(name, K)                                                            \
	static void name##_vec_dot(int n, float *s, const void *x, const void *y)          \
	{                                                                                   \
		sd_tile(K, false, 1, 1, n, s, 0, x, 0, y, 0);                               \
	}                                                                                   \
	static void name##_vec_dot_4r(int n, float *s, const void *x, size_t bx, const void *y) \
	{                                                                                   \
		sd_tile(K, false, 4, 1, n, s, 0, x, bx, y, 0);                              \
	}                                                                                   \
	static void name##_vec_dot_4r_il4(int n, float *s, const void *x, size_t bx, const void *y) \
	{                                                                                   \
		sd_tile(K, true, 4, 1, n, s, 0, x, bx, y, 0);                               \
	}                                                                                   \
	SIGNED_4XN(name##_vec_dot_4xn, K, false)                                            \
	SIGNED_4XN(name##_vec_dot_4xn_il4, K, true)

SIGNED_KERNELS(q5_0, SD_Q5_0)
SIGNED_KERNELS(q8_0, SD_Q8_0)

static void q4_1_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q4_1 *x = vx;
	const block_q8_1 *y = vy;
	const int nb = n / QK8_1;
	__m256 acc = _mm256_setzero_ps();
	float summs = 0;
	for (int i = 0; i < nb; i++) {
		__m256i y0 = _mm256_loadu_si256((const __m256i *)y[i].qs);
		acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(nibbles32(x[i].qs), y0)),
				      _mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)), acc);
		summs = __builtin_fmaf(h2f(x[i].m), h2f(y[i].s), summs); /* as ggml, contracted */
	}
	*s = hsum8(acc) + summs;
}

static void q5_1_vec_dot(int n, float *s, const void *vx, const void *vy)
{
	const block_q5_1 *x = vx;
	const block_q8_1 *y = vy;
	const int nb = n / QK8_1;
	__m256 acc = _mm256_setzero_ps();
	float summs = 0;
	for (int i = 0; i < nb; i++) {
		__m256i y0 = _mm256_loadu_si256((const __m256i *)y[i].qs);
		__m256i q = _mm256_or_si256(nibbles32(x[i].qs), bits32_x10(x[i].qh));
		acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(q, y0)),
				      _mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)), acc);
		summs = __builtin_fmaf(h2f(x[i].m), h2f(y[i].s), summs); /* as ggml, contracted */
	}
	*s = hsum8(acc) + summs;
}

/* ---- table ------------------------------------------------------------------ */

/* What this level speeds up (Q4_0's dots: q4_0_avx2.c). */
static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_F32, { .vec_dot = f32_vec_dot } },
	{ GGML_TYPE_F16, { .to_float = f16_to_float, .vec_dot = f16_vec_dot } },
	{ GGML_TYPE_BF16, { .to_float = bf16_to_float, .vec_dot = bf16_vec_dot } },
	{ GGML_TYPE_Q4_0, { .to_float = q4_0_to_float } },
	{ GGML_TYPE_Q4_1, { .vec_dot = q4_1_vec_dot } },
	{ GGML_TYPE_Q5_0, { .vec_dot = q5_0_vec_dot, .vec_dot_4r = q5_0_vec_dot_4r,
	                    .vec_dot_4xn = q5_0_vec_dot_4xn, .vec_dot_4r_il4 = q5_0_vec_dot_4r_il4,
	                    .vec_dot_4xn_il4 = q5_0_vec_dot_4xn_il4 } },
	{ GGML_TYPE_Q5_1, { .vec_dot = q5_1_vec_dot } },
	{ GGML_TYPE_Q8_0, { .to_float = q8_0_to_float, .from_float = q8_0_from_float,
	                    .vec_dot = q8_0_vec_dot, .vec_dot_4r = q8_0_vec_dot_4r,
	                    .vec_dot_4xn = q8_0_vec_dot_4xn, .vec_dot_4r_il4 = q8_0_vec_dot_4r_il4,
	                    .vec_dot_4xn_il4 = q8_0_vec_dot_4xn_il4 } },
	{ GGML_TYPE_Q8_1, { .from_float = q8_1_from_float } },
};

void quant_avx2_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

/* AVX-512 (F/BW/VL/DQ + VNNI) kernels for the float types and the 32-element
 * quants. Two blocks fill one zmm register; vpdpbusd multiplies unsigned
 * weight bytes by signed activation bytes, so signed weights are offset to
 * unsigned and the offset times sum(y) is taken back out, exactly in int32
 * (batches offset the activations, see sd_4xt).
 * Same signatures and results as quant_ref.c (within float rounding for the
 * dot products); activation quantizers byte-identical to it. Q5_0 and Q8_0
 * also have the multi-row kernels vec_dot_4r and vec_dot_4xn (Q4_0's dots
 * are in q4_0_avx512.c). */
#include <immintrin.h>
#include <string.h>

#include "ai/kernels/kernels.h"
#include "ai/quant.h"

#define NO_CONTRACT(v) __asm__("" : "+v"(v))

static inline float h2f(ggml_half h)
{
	return _cvtsh_ss(h);
}

static inline float hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* permutexvar indices: eight 32-bit lanes that all pick element j */
#define SPREAD(j) ((long long)(j) * 0x100000001LL), ((long long)(j) * 0x100000001LL), \
		  ((long long)(j) * 0x100000001LL), ((long long)(j) * 0x100000001LL)

/* Two Q8 blocks' 32-byte quants side by side. */
static inline __m512i load2(const int8_t *a, const int8_t *b)
{
	return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)a)),
				  _mm256_loadu_si256((const __m256i *)b), 1);
}

/* Two blocks' 16 nibble bytes -> 64 bytes 0..15 in element order:
 * [a & 15 | a >> 4 | b & 15 | b >> 4] (128-bit lanes). Broadcast loads and
 * a masked shift keep it off the shuffle port. */
static inline __m512i nib2(const uint8_t *a, const uint8_t *b)
{
	__m512i z = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)a));
	z = _mm512_mask_broadcast_i32x4(z, 0xff00, _mm_loadu_si128((const __m128i *)b));
	z = _mm512_mask_srli_epi16(z, 0xff00ff00u, z, 4);
	return _mm512_and_si512(z, _mm512_set1_epi8(0x0f));
}

static inline __m256i nib1(const uint8_t *a)
{
	__m128i t = _mm_loadu_si128((const __m128i *)a);
	return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0f));
}

static inline uint64_t qh2(const uint8_t *a, const uint8_t *b)
{
	uint32_t lo, hi;
	memcpy(&lo, a, 4);
	memcpy(&hi, b, 4);
	return (uint64_t)hi << 32 | lo;
}

static inline uint32_t qh1(const uint8_t *a)
{
	uint32_t v;
	memcpy(&v, a, 4);
	return v;
}

/* ---- float types ---------------------------------------------------------- */

static inline __m512 ld_f32(const float *p, __mmask16 m)
{
	return _mm512_maskz_loadu_ps(m, p);
}

static inline __m512 ld_f16(const ggml_half *p, __mmask16 m)
{
	return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

static inline __m512 ld_bf16(const ggml_bf16 *p, __mmask16 m)
{
	__m512i w = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p));
	return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}

/* 64 elements per step in four accumulators; the tail in masked loads. The
 * accumulators are summed (a0 + a2) + (a1 + a3), the order ggml reduces its
 * four AVX-512 accumulators in, so F32/F16 dots match llama.cpp to the ulp. */
#define FLOAT_DOT(NAME, T, LOAD)                                                          \
	static void NAME(int n, float *s, const void *vx, const void *vy)                  \
	{                                                                                   \
		const T *x = vx;                                                            \
		const float *y = vy;                                                        \
		__m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                 \
		int i = 0;                                                                  \
		for (; i + 64 <= n; i += 64) {                                              \
			a0 = _mm512_fmadd_ps(LOAD(x + i, 0xffff), _mm512_loadu_ps(y + i), a0); \
			a1 = _mm512_fmadd_ps(LOAD(x + i + 16, 0xffff), _mm512_loadu_ps(y + i + 16), a1); \
			a2 = _mm512_fmadd_ps(LOAD(x + i + 32, 0xffff), _mm512_loadu_ps(y + i + 32), a2); \
			a3 = _mm512_fmadd_ps(LOAD(x + i + 48, 0xffff), _mm512_loadu_ps(y + i + 48), a3); \
		}                                                                           \
		for (; i < n; i += 16) {                                                    \
			__mmask16 m = n - i >= 16 ? 0xffff : (__mmask16)((1u << (n - i)) - 1); \
			a0 = _mm512_fmadd_ps(LOAD(x + i, m), ld_f32(y + i, m), a0);         \
		}                                                                           \
		*s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a2), _mm512_add_ps(a1, a3))); \
	}

FLOAT_DOT(f32_vec_dot, float, ld_f32)
FLOAT_DOT(f16_vec_dot, ggml_half, ld_f16)
FLOAT_DOT(bf16_vec_dot, ggml_bf16, ld_bf16)

static void f16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_half *x = vx;
	for (int64_t i = 0; i < k; i += 16) {
		__mmask16 m = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
		_mm512_mask_storeu_ps(y + i, m, ld_f16(x + i, m));
	}
}

static void bf16_to_float(const void *vx, float *y, int64_t k)
{
	const ggml_bf16 *x = vx;
	for (int64_t i = 0; i < k; i += 16) {
		__mmask16 m = k - i >= 16 ? 0xffff : (__mmask16)((1u << (k - i)) - 1);
		_mm512_mask_storeu_ps(y + i, m, ld_bf16(x + i, m));
	}
}

/* ---- activation quantizers ----------------------------------------------- */

/* One block of 32: stores q = x * (127 / amax) rounded half to even (as
 * quant_ref.c) into qs, returns d = amax/127, *sum = sum(q). */
static inline float q8_block(const float *x, int8_t *qs, int *sum)
{
	__m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
	const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
	const float d = amax / 127;
	const float id = amax != 0.0f ? 127.0f / amax : 0.0f; /* as quant_ref.c */
	__m512 p0 = _mm512_mul_ps(v0, _mm512_set1_ps(id));
	__m512 p1 = _mm512_mul_ps(v1, _mm512_set1_ps(id));
	NO_CONTRACT(p0);
	NO_CONTRACT(p1);
	__m512i q0 = _mm512_cvtps_epi32(_mm512_roundscale_ps(p0, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	__m512i q1 = _mm512_cvtps_epi32(_mm512_roundscale_ps(p1, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	_mm_storeu_si128((__m128i *)qs, _mm512_cvtepi32_epi8(q0));
	_mm_storeu_si128((__m128i *)(qs + 16), _mm512_cvtepi32_epi8(q1));
	*sum = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
	return d;
}

static void q8_0_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_0 *y = vy;
	int sum;
	for (int64_t i = 0; i < k / QK8_0; i++, x += QK8_0)
		y[i].d = fp32_to_fp16(q8_block(x, y[i].qs, &sum));
}

static void q8_1_from_float(const float *x, void *vy, int64_t k)
{
	block_q8_1 *y = vy;
	int sum;
	for (int64_t i = 0; i < k / QK8_1; i++, x += QK8_1) {
		float d = q8_block(x, y[i].qs, &sum);
		y[i].d = fp32_to_fp16(d);
		y[i].s = fp32_to_fp16((float)sum * d);
	}
}

/* ---- dequantizers ---------------------------------------------------------- */

static void q4_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q4_0 *x = vx;
	for (int64_t i = 0; i < k / QK4_0; i++, y += QK4_0) {
		const __m512 d = _mm512_set1_ps(h2f(x[i].d));
		__m256i b = _mm256_sub_epi8(nib1(x[i].qs), _mm256_set1_epi8(8));
		__m512 lo = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(b)));
		__m512 hi = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(b, 1)));
		_mm512_storeu_ps(y, _mm512_mul_ps(lo, d));
		_mm512_storeu_ps(y + 16, _mm512_mul_ps(hi, d));
	}
}

static void q8_0_to_float(const void *vx, float *y, int64_t k)
{
	const block_q8_0 *x = vx;
	for (int64_t i = 0; i < k / QK8_0; i++, y += QK8_0) {
		const __m512 d = _mm512_set1_ps(h2f(x[i].d));
		__m512 lo = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)x[i].qs)));
		__m512 hi = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(x[i].qs + 16))));
		_mm512_storeu_ps(y, _mm512_mul_ps(lo, d));
		_mm512_storeu_ps(y + 16, _mm512_mul_ps(hi, d));
	}
}

/* ---- quantized dot products ----------------------------------------------
 * A pair of blocks fills one zmm; the int32 lanes of a block sum to its
 * exact integer dot product, and a float accumulator takes them times
 * d_x * d_y (scales of four blocks converted at once); one horizontal sum at
 * the end. For Q5_0 and Q8_0 the accumulator is one ymm FMA chain per
 * dot product, block after block (the zmm's halves in turn): ggml's x86
 * order and quant_ref.c's lanes8, bit for bit (see there why it matters). The kernels with a signed weight (Q5_0, Q8_0) feed
 * vpdpbusd the unsigned bytes q + C and take C * sum(y) back out, exactly.
 *
 * Both run as a tile of NR weight rows by NT activation rows
 * (sd_tile): the y loads and C * sum(y) are shared by the rows, the
 * unpacked weights by the activations. The batch kernel (sd_4xt) offsets
 * the activations instead, which gives the same exact integer lanes.
 * Every (row, activation) pair gets the same lane values and the same
 * float operations in the same order whatever the tile, so vec_dot,
 * vec_dot_4r and vec_dot_4xn agree bit for bit. */

#define IDX01 _mm512_set_epi64(SPREAD(1), SPREAD(0))
#define IDX23 _mm512_set_epi64(SPREAD(3), SPREAD(2))

enum sd_kind { SD_Q5_0, SD_Q8_0 };

#define AI __attribute__((always_inline)) static inline

AI size_t sd_xsize(enum sd_kind k)
{
	return k == SD_Q5_0 ? sizeof(block_q5_0) : sizeof(block_q8_0);
}

AI char sd_offset(enum sd_kind k)
{
	return k == SD_Q5_0 ? 16 : (char)0x80;
}

/* q + C of two consecutive weight blocks at b (64 bytes, element order). */
AI __m512i sd_xpair(enum sd_kind k, const uint8_t *b)
{
	switch (k) {
	case SD_Q5_0: {
		const uint8_t *b1 = b + sizeof(block_q5_0);
		__m512i q = nib2(b + 6, b1 + 6);
		return _mm512_mask_add_epi8(q, qh2(b + 2, b1 + 2), q, _mm512_set1_epi8(16));
	}
	default: /* x + 128: exact even for a raw -128 the quantizer never writes */
		return _mm512_xor_si512(load2((const int8_t *)b + 2, (const int8_t *)b + sizeof(block_q8_0) + 2),
					_mm512_set1_epi8((char)0x80));
	}
}

AI __m256i sd_xone(enum sd_kind k, const uint8_t *b)
{
	switch (k) {
	case SD_Q5_0: {
		__m256i q = nib1(b + 6);
		return _mm256_mask_add_epi8(q, qh1(b + 2), q, _mm256_set1_epi8(16));
	}
	default:
		return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(b + 2)), _mm256_set1_epi8((char)0x80));
	}
}

static inline ggml_half half_at(const uint8_t *p)
{
	ggml_half h;
	memcpy(&h, p, 2);
	return h;
}

/* The scales (f16 at the start of each block) of four consecutive blocks
 * st bytes apart (st even, a constant; 4 * st >= 64, all four blocks
 * present) as floats: one or two loads and a word permute instead of four
 * scalar loads and inserts. Bytes past the fourth block are never read
 * (the second load is masked). */
AI __m128 half4(const uint8_t *p, size_t st)
{
	const int w = (int)(st / 2); /* words per block */
	const __m512i idx = _mm512_zextsi128_si512(_mm_setr_epi16(0, (short)w, (short)(2 * w), (short)(3 * w), 0, 0, 0, 0));
	const __m512i a = _mm512_loadu_si512((const void *)p);
	__m512i r;
	if (3 * w < 32)
		r = _mm512_permutexvar_epi16(idx, a);
	else
		r = _mm512_permutex2var_epi16(a, idx, _mm512_maskz_loadu_epi16((__mmask32)((1u << (3 * w - 31)) - 1), p + 64));
	return _mm_cvtph_ps(_mm512_castsi512_si128(r));
}

/* half4 for any stride: the interleaved groups' blocks of one row are
 * 4 blocks apart, beyond half4's two-load window. */
AI __m128 half4_far(const uint8_t *p, size_t st)
{
	if (3 * (st / 2) <= 62)
		return half4(p, st);
	return _mm_cvtph_ps(_mm_setr_epi16((short)half_at(p), (short)half_at(p + st), (short)half_at(p + 2 * st),
					   (short)half_at(p + 3 * st), 0, 0, 0, 0));
}

/* Blocks i..nb-1 of one (weight row, activation row) pair added to its
 * 8-lane chain a, block b of the row at xb + b * bs; the finished dot. The
 * tails of sd_tile and of the row-pair kernels. */
AI float sd_tail(enum sd_kind k, __m256 a, int i, int nb, const uint8_t *xb, size_t bs, const uint8_t *yb)
{
	const size_t ys = sizeof(block_q8_0);
	for (int j = i; j < nb; j++) {
		__m256i yq = _mm256_loadu_si256((const __m256i *)(yb + j * ys + 2));
		__m256i c8 = _mm256_set1_epi8(sd_offset(k));
		__m256i p = _mm256_sub_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), sd_xone(k, xb + j * bs), yq),
					     _mm256_dpbusd_epi32(_mm256_setzero_si256(), c8, yq));
		a = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p),
				    _mm256_set1_ps(h2f(half_at(xb + j * bs)) * h2f(half_at(yb + j * ys))), a);
	}
	return hsum8(a);
}

/* s[t * ss + r] = dot(row r of x, row t of y) for r < NR, t < NT; weight
 * rows bx bytes apart, Q8_0 activation rows by bytes apart. NR, NT <= 4
 * and k are constants at every call, so each use compiles to its own
 * fully unrolled kernel. */
AI void sd_tile(enum sd_kind k, int NR, int NT, int n, float *s, size_t ss, const void *vx, size_t bx,
		const void *vy, size_t by)
{
	const size_t xs = sd_xsize(k), ys = sizeof(block_q8_0);
	const uint8_t *x = vx, *y = vy;
	const int nb = n / 32;
	const __m512i zero = _mm512_setzero_si512(), cz = _mm512_set1_epi8(sd_offset(k));
	__m256 acc[4][4]; /* one FMA chain per pair, block after block: ggml's order */
	int i = 0;

	_Pragma("GCC unroll 4")
	for (int r = 0; r < NR; r++)
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++)
			acc[r][t] = _mm256_setzero_ps();
	for (; i + 4 <= nb; i += 4) {
		__m128 dy[4];
		/* Several rows at once are short streams the hardware prefetcher
		 * keeps losing; fetch the next group of rows (the caller's next
		 * call) at the same place. */
		if (NR > 1) {
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++)
				for (size_t o = 0; o < 4 * xs; o += 64)
					_mm_prefetch((const char *)x + (r + NR) * bx + i * xs + o, QUANT_PF_WEIGHTS);
		}
		_Pragma("GCC unroll 4")
		for (int t = 0; t < NT; t++) {
			dy[t] = half4(y + t * by + i * ys, ys);
		}
		_Pragma("GCC unroll 4")
		for (int h = 0; h < 2; h++) { /* blocks i, i+1, then i+2, i+3 */
			__m512i yq[4], c[4];
			__m512 dyh[4]; /* d_y of the pair spread over its lanes */
			_Pragma("GCC unroll 4")
			for (int t = 0; t < NT; t++) {
				const int8_t *yb = (const int8_t *)(y + t * by + (i + 2 * h) * ys);
				yq[t] = load2(yb + 2, yb + ys + 2);
				c[t] = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, cz, yq[t])); /* -C.y */
				dyh[t] = _mm512_permutexvar_ps(h ? IDX23 : IDX01, _mm512_castps128_ps512(dy[t]));
			}
			_Pragma("GCC unroll 4")
			for (int r = 0; r < NR; r++) {
				const uint8_t *xb = x + r * bx + i * xs;
				__m128 dx = half4(xb, xs);
				__m512 dxh = _mm512_permutexvar_ps(h ? IDX23 : IDX01, _mm512_castps128_ps512(dx));
				__m512i xq = sd_xpair(k, xb + 2 * h * xs);
				_Pragma("GCC unroll 4")
				for (int t = 0; t < NT; t++) {
					/* the same d_x * d_y per lane as one 4-wide product
					 * spread afterwards: bit-identical */
					__m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(c[t], xq, yq[t])); /* -C.y + q'.y */
					__m512 d = _mm512_mul_ps(dxh, dyh[t]);
					acc[r][t] = _mm256_fmadd_ps(_mm512_castps512_ps256(p), _mm512_castps512_ps256(d),
								    acc[r][t]);
					acc[r][t] = _mm256_fmadd_ps(_mm512_extractf32x8_ps(p, 1), _mm512_extractf32x8_ps(d, 1),
								    acc[r][t]);
				}
			}
		}
	}
	/* the tails: once per pair, not worth unrolling */
	for (int r = 0; r < NR; r++)
		for (int t = 0; t < NT; t++)
			s[t * ss + r] = sd_tail(k, acc[r][t], i, nb, x + r * bx, xs, y + t * by);
}

/* q + C of block a (low 256 bits) and block b (high 256 bits): the same
 * block index in two weight rows. */
AI __m512i sd_xrows(enum sd_kind k, const uint8_t *a, const uint8_t *b)
{
	switch (k) {
	case SD_Q5_0: {
		__m512i q = nib2(a + 6, b + 6);
		return _mm512_mask_add_epi8(q, qh2(a + 2, b + 2), q, _mm512_set1_epi8(16));
	}
	default:
		return _mm512_xor_si512(load2((const int8_t *)a + 2, (const int8_t *)b + 2),
					_mm512_set1_epi8((char)0x80));
	}
}

/* The end of the row-pair kernels: acc2[pr][t] holds rows 2pr, 2pr+1 (low,
 * high 256 bits) against activation row t after blocks 0..i-1; finish
 * blocks i..nb-1 of each (row, activation) pair with sd_tile's tail and
 * store the sums. */
AI void sd_pairs_out(enum sd_kind k, int NT, int i, int nb, __m512 acc2[2][8], float *s, size_t ss,
		     const uint8_t *x, size_t rs, size_t bs, const uint8_t *y, size_t by)
{
	__m256 acc[4][8]; /* constant indices into acc2 keep it in registers */
	_Pragma("GCC unroll 8")
	for (int t = 0; t < NT; t++) {
		_Pragma("GCC unroll 2")
		for (int pr = 0; pr < 2; pr++) {
			acc[2 * pr][t] = _mm512_castps512_ps256(acc2[pr][t]);
			acc[2 * pr + 1][t] = _mm512_extractf32x8_ps(acc2[pr][t], 1);
		}
	}
	for (int r = 0; r < 4; r++)
		for (int t = 0; t < NT; t++)
			s[t * ss + r] = sd_tail(k, acc[r][t], i, nb, x + r * rs, bs, y + t * by);
}

/* Prefetch distance of the 4-row kernel (token generation). 8 KiB: with
 * the non-temporal hint 32 KiB lost lines before use and was no faster
 * from DRAM (docs/performance.md). */
#define SD_PF_BYTES 8192

/* Where block b of row r of a 4-row call lies: x + r * rs + b * bs. Plain
 * rows: rs = bx, bs = the block size; interleaved groups (il, see
 * quant.h's vec_dot_4r_il4): rs = the block size, bs = 4 of them. */
#define SD_RS(il, bx, xs) ((il) ? (xs) : (bx))
#define SD_BS(il, xs) ((il) ? 4 * (xs) : (xs))

/* vec_dot_4r for the signed kinds: 4 weight rows by one activation row
 * with two rows per zmm (rows r, r+1 in the low and high 256 bits), so
 * every instruction is full width while each row keeps its own 8-lane
 * FMA chain, block after block: lane for lane what sd_tile does, and the
 * tails and horizontal sums are sd_tile's. il: the rows are a 4-row
 * interleaved group, one sequential stream (the same arithmetic). */
AI void sd_4r(enum sd_kind k, bool il, int n, float *s, const void *vx, size_t bx, const void *vy)
{
	const size_t xs = sd_xsize(k), ys = sizeof(block_q8_0);
	const size_t rs = SD_RS(il, bx, xs), bs = SD_BS(il, xs);
	const uint8_t *x = vx, *y = vy;
	const int nb = n / 32;
	const __m512i zero = _mm512_setzero_si512(), cz = _mm512_set1_epi8(sd_offset(k));
	__m512 acc2[2][8];
	/* The four rows are four short streams that the hardware prefetcher
	 * follows late: fetch the same place SD_PF_BYTES further on (the
	 * caller's later rows), far enough ahead to cover DRAM latency. */
	const size_t pf_rows = bx ? (SD_PF_BYTES / bx + 3) / 4 * 4 + 4 : 4;
	int i = 0;
	acc2[0][0] = acc2[1][0] = _mm512_setzero_ps();
	for (; i + 4 <= nb; i += 4) {
		if (il) /* the same bytes further on, in address order */
			for (size_t o = 0; o < 16 * xs; o += 64)
				_mm_prefetch((const char *)x + pf_rows * bx + i * 4 * xs + o, QUANT_PF_WEIGHTS);
		else
			for (int r = 0; r < 4; r++)
				for (size_t o = 0; o < 4 * xs; o += 64)
					_mm_prefetch((const char *)x + (r + pf_rows) * bx + i * xs + o, QUANT_PF_WEIGHTS);
		const __m128 dy = half4(y + i * ys, ys);
		/* d_x * d_y: rows 2p (lanes 0-3), 2p+1 (lanes 4-7), blocks i.. */
		__m512 s8[2];
		_Pragma("GCC unroll 2")
		for (int pr = 0; pr < 2; pr++) {
			__m128 d0 = _mm_mul_ps(half4_far(x + 2 * pr * rs + i * bs, bs), dy);
			__m128 d1 = _mm_mul_ps(half4_far(x + (2 * pr + 1) * rs + i * bs, bs), dy);
			s8[pr] = _mm512_castps256_ps512(_mm256_insertf128_ps(_mm256_castps128_ps256(d0), d1, 1));
		}
		_Pragma("GCC unroll 4")
		for (int j = 0; j < 4; j++) {
			const __m512i idx = _mm512_inserti64x4(_mm512_set1_epi32(j), _mm256_set1_epi32(4 + j), 1);
			const __m512i yq = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(y + (i + j) * ys + 2)));
			const __m512i c = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, cz, yq)); /* -C.y */
			_Pragma("GCC unroll 2")
			for (int pr = 0; pr < 2; pr++) {
				const uint8_t *xa = x + 2 * pr * rs + (i + j) * bs;
				__m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(c, sd_xrows(k, xa, xa + rs), yq));
				acc2[pr][0] = _mm512_fmadd_ps(p, _mm512_permutexvar_ps(idx, s8[pr]), acc2[pr][0]);
			}
		}
	}
	sd_pairs_out(k, 1, i, nb, acc2, s, 0, x, rs, bs, y, 0);
}

/* Two rows' weight block (as sd_xrows) as signed bytes q: sd_xrows less C. */
AI __m512i sd_xrows_signed(enum sd_kind k, const uint8_t *a, const uint8_t *b)
{
	switch (k) {
	case SD_Q5_0: {
		__m512i q = nib2(a + 6, b + 6);
		return _mm512_mask_sub_epi8(q, ~qh2(a + 2, b + 2), q, _mm512_set1_epi8(16));
	}
	default:
		return load2((const int8_t *)a + 2, (const int8_t *)b + 2);
	}
}

/* Element j (0..3) of each 128-bit lane of v over that lane: an in-lane
 * permute; a switch so that every compiler sees a constant immediate (j
 * is one once the caller's loop is unrolled). */
AI __m512 lane_spread(__m512 v, int j)
{
	switch (j) {
	case 0: return _mm512_permute_ps(v, 0x00);
	case 1: return _mm512_permute_ps(v, 0x55);
	case 2: return _mm512_permute_ps(v, 0xaa);
	default: return _mm512_permute_ps(v, 0xff);
	}
}

/* vec_dot_4xn for batches: 4 weight rows by NT <= 8 activation rows, row
 * pairs in zmm halves as in sd_4r. Here the activations are the unsigned
 * operand, y + 128, and 128 * sum(q) comes back out per weight row: that
 * term is shared by the NT activations where -C.y would be paid for every
 * one. The products d_x * d_y of four blocks are formed once per (row
 * pair, activation) and spread to the lanes by an in-lane permute from
 * memory, which leaves the multiply ports to vpdpbusd and the FMAs. The
 * integer lanes, the products and the FMA chains are sd_4r's, so the
 * results are bit for bit vec_dot's. */
AI void sd_4xt(enum sd_kind k, bool il, int NT, int n, float *s, size_t ss, const void *vx, size_t bx,
	       const void *vy, size_t by)
{
	const size_t xs = sd_xsize(k), ys = sizeof(block_q8_0);
	const size_t rs = SD_RS(il, bx, xs), bs = SD_BS(il, xs);
	const uint8_t *x = vx, *y = vy;
	const int nb = n / 32;
	const __m512i c80 = _mm512_set1_epi8((char)0x80);
	/* [pr][t]: d_x * d_y of blocks i..i+3, row 2pr in 128-bit lanes 0-1 and
	 * row 2pr+1 in lanes 2-3, block i+j at element j of each lane */
	__m512 dd[2][8];
	__m512 acc2[2][8];
	int i = 0;
	_Pragma("GCC unroll 8")
	for (int t = 0; t < NT; t++)
		acc2[0][t] = acc2[1][t] = _mm512_setzero_ps();
	for (; i + 4 <= nb; i += 4) {
		/* the caller's next 4 rows, as in sd_4r */
		if (il)
			for (size_t o = 0; o < 16 * xs; o += 64)
				_mm_prefetch((const char *)x + 4 * bx + i * 4 * xs + o, QUANT_PF_WEIGHTS);
		else
			for (int r = 0; r < 4; r++)
				for (size_t o = 0; o < 4 * xs; o += 64)
					_mm_prefetch((const char *)x + (r + 4) * bx + i * xs + o, QUANT_PF_WEIGHTS);
		__m512 dx[2];
		_Pragma("GCC unroll 2")
		for (int pr = 0; pr < 2; pr++) {
			__m512 a = _mm512_insertf32x4(_mm512_castps128_ps512(half4_far(x + 2 * pr * rs + i * bs, bs)),
						      half4_far(x + (2 * pr + 1) * rs + i * bs, bs), 1);
			dx[pr] = _mm512_shuffle_f32x4(a, a, _MM_SHUFFLE(1, 1, 0, 0));
		}
		_Pragma("GCC unroll 8")
		for (int t = 0; t < NT; t++) {
			__m512 dy = _mm512_broadcast_f32x4(half4(y + t * by + i * ys, ys));
			dd[0][t] = _mm512_mul_ps(dx[0], dy);
			dd[1][t] = _mm512_mul_ps(dx[1], dy);
		}
		__asm__("" : "+m"(dd)); /* kept in memory: the permutes load them */
		_Pragma("GCC unroll 4")
		for (int j = 0; j < 4; j++) {
			__m512i xq[2], nc[2];
			_Pragma("GCC unroll 2")
			for (int pr = 0; pr < 2; pr++) {
				const uint8_t *xa = x + 2 * pr * rs + (i + j) * bs;
				xq[pr] = sd_xrows_signed(k, xa, xa + rs);
				nc[pr] = _mm512_sub_epi32(_mm512_setzero_si512(),
							  _mm512_dpbusd_epi32(_mm512_setzero_si512(), c80, xq[pr])); /* -128 q */
			}
			_Pragma("GCC unroll 8")
			for (int t = 0; t < NT; t++) {
				const uint8_t *yb = y + t * by + (i + j) * ys;
				__m512i yu = _mm512_xor_si512(_mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(yb + 2))), c80);
				_Pragma("GCC unroll 2")
				for (int pr = 0; pr < 2; pr++) {
					__m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(nc[pr], yu, xq[pr]));
					__m512 d = lane_spread(dd[pr][t], j);
					acc2[pr][t] = _mm512_fmadd_ps(p, d, acc2[pr][t]);
				}
			}
		}
	}
	sd_pairs_out(k, NT, i, nb, acc2, s, ss, x, rs, bs, y, by);
}

#define SIGNED_4XN(name, K, IL)                                                            \
	static void name(int n, int nt, float *s, size_t ss, const void *x, size_t bx,      \
			 const void *y, size_t by)                                           \
	{                                                                                   \
		switch (nt) {                                                               \
		case 1: sd_4r(K, IL, n, s, x, bx, y); break;                                \
		case 2: sd_4xt(K, IL, 2, n, s, ss, x, bx, y, by); break;                    \
		case 3: sd_4xt(K, IL, 3, n, s, ss, x, bx, y, by); break;                    \
		case 4: sd_4xt(K, IL, 4, n, s, ss, x, bx, y, by); break;                    \
		case 5: sd_4xt(K, IL, 5, n, s, ss, x, bx, y, by); break;                    \
		case 6: sd_4xt(K, IL, 6, n, s, ss, x, bx, y, by); break;                    \
		case 7: sd_4xt(K, IL, 7, n, s, ss, x, bx, y, by); break;                    \
		default: sd_4xt(K, IL, 8, n, s, ss, x, bx, y, by); break;                   \
		}                                                                           \
	}

#define SIGNED_KERNELS(name, K)                                                            \
	static void name##_vec_dot(int n, float *s, const void *x, const void *y)          \
	{                                                                                   \
		sd_tile(K, 1, 1, n, s, 0, x, 0, y, 0);                                      \
	}                                                                                   \
	static void name##_vec_dot_4r(int n, float *s, const void *x, size_t bx, const void *y) \
	{                                                                                   \
		sd_4r(K, false, n, s, x, bx, y);                                            \
	}                                                                                   \
	static void name##_vec_dot_4r_il4(int n, float *s, const void *x, size_t bx, const void *y) \
	{                                                                                   \
		sd_4r(K, true, n, s, x, bx, y);                                             \
	}                                                                                   \
	SIGNED_4XN(name##_vec_dot_4xn, K, false)                                            \
	SIGNED_4XN(name##_vec_dot_4xn_il4, K, true)

SIGNED_KERNELS(q5_0, SD_Q5_0)
SIGNED_KERNELS(q8_0, SD_Q8_0)

/* Unsigned weights with a min (Q4_1, Q5_1): q . y * d_x d_y + m_x * s_y.
 * ggml's x86 order as for the signed ones: one ymm FMA chain (the zmm's
 * halves in turn), the min terms a scalar FMA chain, added last. */
#define UNSIGNED_DOT(NAME, TX, XPAIR, XONE)                                                \
	static void NAME(int n, float *s, const void *vx, const void *vy)                  \
	{                                                                                   \
		const TX *x = vx;                                                           \
		const block_q8_1 *y = vy;                                                   \
		const int nb = n / 32;                                                      \
		const __m512i zero = _mm512_setzero_si512();                               \
		const __m256i zero8 = _mm256_setzero_si256();                              \
		__m256 acc = _mm256_setzero_ps();                                           \
		float summs = 0;                                                            \
		int i = 0;                                                                  \
		for (; i + 2 <= nb; i += 2) {                                               \
			__m512 p = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(zero, XPAIR(i), load2(y[i].qs, y[i + 1].qs))); \
			acc = _mm256_fmadd_ps(_mm512_castps512_ps256(p), _mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)), acc); \
			acc = _mm256_fmadd_ps(_mm512_extractf32x8_ps(p, 1),                  \
					      _mm256_set1_ps(h2f(x[i + 1].d) * h2f(y[i + 1].d)), acc); \
		}                                                                           \
		for (; i < nb; i++) {                                                       \
			__m256i p = _mm256_dpbusd_epi32(zero8, XONE(i), _mm256_loadu_si256((const __m256i *)y[i].qs)); \
			acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)), acc); \
		}                                                                           \
		for (i = 0; i < nb; i++)                                                    \
			summs = __builtin_fmaf(h2f(x[i].m), h2f(y[i].s), summs);            \
		*s = hsum8(acc) + summs;                                                    \
	}

#define Q4_1_XPAIR(i) nib2(x[i].qs, x[(i) + 1].qs)
#define Q4_1_XONE(i) nib1(x[i].qs)
#define Q5_1_XPAIR(i) ({ __m512i q_ = nib2(x[i].qs, x[(i) + 1].qs);                        \
		_mm512_mask_add_epi8(q_, qh2(x[i].qh, x[(i) + 1].qh), q_, _mm512_set1_epi8(16)); })
#define Q5_1_XONE(i) ({ __m256i q_ = nib1(x[i].qs);                                        \
		_mm256_mask_add_epi8(q_, qh1(x[i].qh), q_, _mm256_set1_epi8(16)); })
UNSIGNED_DOT(q4_1_vec_dot, block_q4_1, Q4_1_XPAIR, Q4_1_XONE)
UNSIGNED_DOT(q5_1_vec_dot, block_q5_1, Q5_1_XPAIR, Q5_1_XONE)

/* ---- table ------------------------------------------------------------------ */

/* What this level speeds up (Q4_0's dots: q4_0_avx512.c). */
static const struct quant_kernels kernels[] = {
	{ GGML_TYPE_F32, { .vec_dot = f32_vec_dot } },
	{ GGML_TYPE_F16, { .to_float = f16_to_float, .vec_dot = f16_vec_dot } },
	{ GGML_TYPE_BF16, { .to_float = bf16_to_float, .vec_dot = bf16_vec_dot } },
	{ GGML_TYPE_Q4_0, { .to_float = q4_0_to_float } },
	{ GGML_TYPE_Q4_1, { .vec_dot = q4_1_vec_dot } },
	{ GGML_TYPE_Q5_0, { .vec_dot = q5_0_vec_dot, .vec_dot_4r = q5_0_vec_dot_4r,
	                    .vec_dot_4xn = q5_0_vec_dot_4xn, .xn_max = 8,
	                    .vec_dot_4r_il4 = q5_0_vec_dot_4r_il4,
	                    .vec_dot_4xn_il4 = q5_0_vec_dot_4xn_il4 } },
	{ GGML_TYPE_Q5_1, { .vec_dot = q5_1_vec_dot } },
	{ GGML_TYPE_Q8_0, { .to_float = q8_0_to_float, .from_float = q8_0_from_float,
	                    .vec_dot = q8_0_vec_dot, .vec_dot_4r = q8_0_vec_dot_4r,
	                    .vec_dot_4xn = q8_0_vec_dot_4xn, .xn_max = 8,
	                    .vec_dot_4r_il4 = q8_0_vec_dot_4r_il4,
	                    .vec_dot_4xn_il4 = q8_0_vec_dot_4xn_il4 } },
	{ GGML_TYPE_Q8_1, { .from_float = q8_1_from_float } },
};

void quant_avx512_fill(struct quant_traits *t, int type)
{
	quant_overlay(t, type, kernels, sizeof(kernels) / sizeof(kernels[0]));
}

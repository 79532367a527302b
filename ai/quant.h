/*
 * Tensor types and quantized kernels. Block layouts are byte-identical to
 * ggml's (and so to GGUF files); type ids are ggml's. Weights stay packed in
 * memory; a matrix-vector product quantizes the activations once to the
 * type's vec_dot_type (Q8_0 for the 32-element types, Q8_K for the K-quants,
 * F32 for float weights) and then runs vec_dot on each weight row.
 *
 * Every type has a scalar reference implementation; AVX2 and AVX-512
 * variants share its signatures and are chosen at run time (quant_init).
 * The kernels live in ai/kernels/, one file per family and level, each
 * filling the traits below for its types (ai/kernels/kernels.h says how);
 * ai/quant.c is the registry that lists them.
 */
#ifndef AI_QUANT_H
#define AI_QUANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/ggml_type.h"

/* The hint of every weight-stream prefetch in the SIMD kernels (expanded
 * there, where the intrinsics are declared). Non-temporal: weights are read
 * once per call and must not push the reused activations out of L1
 * (measurements: docs/performance.md). */
#define QUANT_PF_WEIGHTS _MM_HINT_NTA

typedef uint16_t ggml_half; /* IEEE binary16 bits */
typedef uint16_t ggml_bf16; /* bfloat16 bits */

#define QK4_0 32
typedef struct { ggml_half d; uint8_t qs[QK4_0 / 2]; } block_q4_0;
_Static_assert(sizeof(block_q4_0) == 2 + QK4_0 / 2, "block_q4_0 size");

#define QK4_1 32
typedef struct { ggml_half d, m; uint8_t qs[QK4_1 / 2]; } block_q4_1;
_Static_assert(sizeof(block_q4_1) == 4 + QK4_1 / 2, "block_q4_1 size");

#define QK5_0 32
typedef struct { ggml_half d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; } block_q5_0;
_Static_assert(sizeof(block_q5_0) == 2 + 4 + QK5_0 / 2, "block_q5_0 size");

#define QK5_1 32
typedef struct { ggml_half d, m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; } block_q5_1;
_Static_assert(sizeof(block_q5_1) == 4 + 4 + QK5_1 / 2, "block_q5_1 size");

#define QK8_0 32
typedef struct { ggml_half d; int8_t qs[QK8_0]; } block_q8_0;
_Static_assert(sizeof(block_q8_0) == 2 + QK8_0, "block_q8_0 size");

#define QK8_1 32
typedef struct { ggml_half d, s; int8_t qs[QK8_1]; } block_q8_1; /* s = d * sum(qs) */
_Static_assert(sizeof(block_q8_1) == 4 + QK8_1, "block_q8_1 size");

#define QK_K 256
#define K_SCALE_SIZE 12

typedef struct {
	uint8_t scales[QK_K / 16]; /* 4-bit scale | 4-bit min per 16 */
	uint8_t qs[QK_K / 4];
	ggml_half d, dmin;
} block_q2_K;
_Static_assert(sizeof(block_q2_K) == 4 + QK_K / 16 + QK_K / 4, "block_q2_K size");

typedef struct {
	uint8_t hmask[QK_K / 8];
	uint8_t qs[QK_K / 4];
	uint8_t scales[12]; /* 16 6-bit scales */
	ggml_half d;
} block_q3_K;
_Static_assert(sizeof(block_q3_K) == 2 + QK_K / 4 + QK_K / 8 + 12, "block_q3_K size");

typedef struct {
	ggml_half d, dmin;
	uint8_t scales[K_SCALE_SIZE]; /* 8 6-bit scales and mins */
	uint8_t qs[QK_K / 2];
} block_q4_K;
_Static_assert(sizeof(block_q4_K) == 4 + K_SCALE_SIZE + QK_K / 2, "block_q4_K size");

typedef struct {
	ggml_half d, dmin;
	uint8_t scales[K_SCALE_SIZE];
	uint8_t qh[QK_K / 8];
	uint8_t qs[QK_K / 2];
} block_q5_K;
_Static_assert(sizeof(block_q5_K) == 4 + K_SCALE_SIZE + QK_K / 8 + QK_K / 2, "block_q5_K size");

typedef struct {
	uint8_t ql[QK_K / 2];
	uint8_t qh[QK_K / 4];
	int8_t scales[QK_K / 16];
	ggml_half d;
} block_q6_K;
_Static_assert(sizeof(block_q6_K) == 2 + QK_K / 16 + 3 * QK_K / 4, "block_q6_K size");

typedef struct {
	float d;
	int8_t qs[QK_K];
	int16_t bsums[QK_K / 16]; /* sums of groups of 16 qs */
} block_q8_K;
_Static_assert(sizeof(block_q8_K) == 4 + QK_K + QK_K / 16 * 2, "block_q8_K size");

/* The IQ4 types: 4-bit indices into a fixed non-linear table of 16 int8
 * values (ai/kernels/iquant.h's iq4nl_values), one fp16 scale per 32 (IQ4_NL, Q8_0
 * activations) or per 256 with a 6-bit signed scale per 32 (IQ4_XS, Q8_K
 * activations). Element j < 16 of a 32 is the low nibble of qs[j], element
 * j + 16 its high nibble. */
#define QK4_NL 32
typedef struct { ggml_half d; uint8_t qs[QK4_NL / 2]; } block_iq4_nl;
_Static_assert(sizeof(block_iq4_nl) == 2 + QK4_NL / 2, "block_iq4_nl size");

typedef struct {
	ggml_half d;
	uint16_t scales_h;            /* 2 high bits of sub-block j at bits 2j */
	uint8_t scales_l[QK_K / 64];  /* 4 low bits: j even low nibble of [j/2] */
	uint8_t qs[QK_K / 2];         /* 32 bytes per sub-block of 32 */
} block_iq4_xs;
_Static_assert(sizeof(block_iq4_xs) == 4 + QK_K / 64 + QK_K / 2, "block_iq4_xs size");

/* Row kernels. k and n are element counts, multiples of the block size. */
typedef void (*to_float_fn)(const void *x, float *y, int64_t k);
typedef void (*from_float_fn)(const float *x, void *y, int64_t k);
/* *s = dot(x, y) over n elements; x a row of this type, y a row of vec_dot_type */
typedef void (*vec_dot_fn)(int n, float *s, const void *x, const void *y);
typedef void (*vec_dot_4r_fn)(int n, float *s, const void *x, size_t bx, const void *y);
typedef void (*vec_dot_4xn_fn)(int n, int nt, float *s, size_t ss, const void *x, size_t bx,
			       const void *y, size_t by);
/* s[c] = dot(x, activation row c) for c < 4, the rows by bytes apart */
typedef void (*vec_dot_4c_fn)(int n, float *s, const void *x, const void *y, size_t by);
typedef void (*gemm_packed_fn)(int n, int nt, float *s, size_t ss, const void *group, const void *y,
			       size_t by);

struct quant_traits {
	const char *name;    /* "q4_0", as ggml names it */
	int blck;            /* elements per block */
	size_t tsize;        /* bytes per block */
	int vec_dot_type;    /* activation type for vec_dot */
	to_float_fn to_float;     /* dequantize; NULL if not supported */
	from_float_fn from_float; /* quantize; NULL if not supported */
	vec_dot_fn vec_dot;       /* NULL if not usable as a weight type */
	/* Optional, NULL when absent: four rows at once (rows of x bx bytes
	 * apart) against one activation row; s[r] is bit-identical to
	 * vec_dot(n, &s[r], x + r * bx, y), so grouping rows by four never
	 * changes a result. Reuses y and its per-block terms across rows. */
	vec_dot_4r_fn vec_dot_4r;
	/* Optional, NULL when absent: a tile of 4 weight rows (bx bytes apart)
	 * by nt activation rows (1 <= nt <= 4, by bytes apart), for batched
	 * prompt evaluation: s[t * ss + r] = dot(x row r, y row t), each
	 * bit-identical to vec_dot. Unpacks each weight block once for all nt
	 * activations; best used with the 4 weight rows hot in cache. */
	vec_dot_4xn_fn vec_dot_4xn;
	int xn_max; /* if not 0, the largest nt vec_dot_4xn takes (else 4) */
	/* Optional, NULL when absent (both or neither): vec_dot_4r and
	 * vec_dot_4xn over a 4-row interleaved group (quant_interleave4): x is
	 * the group, bx still the bytes of one row. Same results bit for bit;
	 * the group is one sequential stream, which DRAM serves faster than
	 * four rows side by side. A model is interleaved only where the
	 * selected level has these. */
	vec_dot_4r_fn vec_dot_4r_il4;
	vec_dot_4xn_fn vec_dot_4xn_il4;
	/* Optional, NULL when absent: one weight row against four activation
	 * rows (by bytes apart): s[c] is bit-identical to vec_dot(n, &s[c], x,
	 * y + c * by). Batched prompts with no vec_dot_4xn: each weight block is
	 * decoded once for four tokens. */
	vec_dot_4c_fn vec_dot_4c;
	/* Optional, 0 and NULL when absent: a packed layout of pack_rows
	 * consecutive rows (Q4_0: 16, ai/kernels/q4_0.h). pack rewrites a
	 * group in place (scratch holds pack_rows rows), packed_row dequantizes
	 * row r of a group. gemm_packed: s[t * ss + r] for r < pack_rows and
	 * t < nt (1..pack_nt), bit-identical to vec_dot of row r against
	 * activation row t (rows by bytes apart); each activation row must
	 * carry the per-block terms act_terms writes after its blocks. */
	int pack_rows, pack_nt;
	void (*pack)(void *rows, int64_t n, void *scratch);
	void (*packed_row)(const void *group, int r, int64_t n, float *out);
	void (*act_terms)(void *y, int64_t n);
	gemm_packed_fn gemm_packed;
};

enum quant_level { QUANT_SCALAR = 0, QUANT_AVX2 = 1, QUANT_AVX512 = 2 };

/* Select the best kernels the CPU supports, at most max_level.
 * Returns the level chosen. Call once before quant_traits. */
int quant_init(int max_level);
int quant_level(void);
const char *quant_level_name(int level);

/* Traits of the selected variant; NULL for an unknown or unsupported type. */
const struct quant_traits *quant_traits(int type);
/* Traits of one variant; NULL if that variant does not exist for the type or
 * the CPU cannot run it. Variants fall back to lower levels per function
 * where a type has no SIMD version of that function. */
const struct quant_traits *quant_traits_at(int type, int level);

/* The 4-row interleaved layout (vec_dot_4r_il4): 4 consecutive rows of nb
 * blocks of bs bytes are rewritten in place (same bytes) so that block b
 * of row r lies at (4 * b + r) * bs; scratch holds 4 rows. */
void quant_interleave4(void *rows, int64_t nb, size_t bs, void *scratch);
/* Row r (< 4) of an interleaved group of n elements of type, dequantized. */
void quant_il4_row(int type, const void *group, int r, int64_t n, float *out);

/* IEEE half and bfloat16 conversions (scalar, exact round-to-nearest-even). */
float fp16_to_fp32(ggml_half h);
ggml_half fp32_to_fp16(float f);
float bf16_to_fp32(ggml_bf16 h);
ggml_bf16 fp32_to_bf16(float f);

#endif

/*
 * The K-quant part of the traits table: for each type one row of kernels
 * per level (scalar, AVX2, AVX-512). Where a level has no SIMD version of
 * a function the row names the next lower level's (to_float and the weight
 * quantizers are scalar; AVX-512 quantizes Q8_K with AVX2's code).
 */
#include "ai/cpu.h"
#include "ai/kquant.h"

#define KQ_TYPES 6

/* [level][type], types in the order of kq_ids. */
static const int kq_ids[KQ_TYPES] = {
	GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_Q8_K,
};

static const struct quant_traits kq_traits[3][KQ_TYPES] = {
	[QUANT_SCALAR] = {
		{.name = "q2_K", .blck = QK_K, .tsize = sizeof(block_q2_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q2k_to_float_ref, .from_float = kquant_q2k_from_float_ref,
		 .vec_dot = kquant_q2k_dot_ref},
		{.name = "q3_K", .blck = QK_K, .tsize = sizeof(block_q3_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q3k_to_float_ref, .from_float = kquant_q3k_from_float_ref,
		 .vec_dot = kquant_q3k_dot_ref},
		{.name = "q4_K", .blck = QK_K, .tsize = sizeof(block_q4_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q4k_to_float_ref, .from_float = kquant_q4k_from_float_ref,
		 .vec_dot = kquant_q4k_dot_ref},
		{.name = "q5_K", .blck = QK_K, .tsize = sizeof(block_q5_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q5k_to_float_ref, .from_float = kquant_q5k_from_float_ref,
		 .vec_dot = kquant_q5k_dot_ref},
		{.name = "q6_K", .blck = QK_K, .tsize = sizeof(block_q6_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q6k_to_float_ref, .from_float = kquant_q6k_from_float_ref,
		 .vec_dot = kquant_q6k_dot_ref},
		{.name = "q8_K", .blck = QK_K, .tsize = sizeof(block_q8_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q8k_to_float_ref, .from_float = kquant_q8k_from_float_ref,
		 .vec_dot = NULL},
	},
	[QUANT_AVX2] = {
		{.name = "q2_K", .blck = QK_K, .tsize = sizeof(block_q2_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q2k_to_float_ref, .from_float = kquant_q2k_from_float_ref,
		 .vec_dot = kquant_q2k_dot_avx2},
		{.name = "q3_K", .blck = QK_K, .tsize = sizeof(block_q3_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q3k_to_float_ref, .from_float = kquant_q3k_from_float_ref,
		 .vec_dot = kquant_q3k_dot_avx2},
		{.name = "q4_K", .blck = QK_K, .tsize = sizeof(block_q4_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q4k_to_float_ref, .from_float = kquant_q4k_from_float_ref,
		 .vec_dot = kquant_q4k_dot_avx2, .vec_dot_4r = kquant_q4k_dot_4r_avx2},
		{.name = "q5_K", .blck = QK_K, .tsize = sizeof(block_q5_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q5k_to_float_ref, .from_float = kquant_q5k_from_float_ref,
		 .vec_dot = kquant_q5k_dot_avx2, .vec_dot_4r = kquant_q5k_dot_4r_avx2},
		{.name = "q6_K", .blck = QK_K, .tsize = sizeof(block_q6_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q6k_to_float_ref, .from_float = kquant_q6k_from_float_ref,
		 .vec_dot = kquant_q6k_dot_avx2, .vec_dot_4r = kquant_q6k_dot_4r_avx2},
		{.name = "q8_K", .blck = QK_K, .tsize = sizeof(block_q8_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q8k_to_float_ref, .from_float = kquant_q8k_from_float_avx2,
		 .vec_dot = NULL},
	},
	[QUANT_AVX512] = {
		{.name = "q2_K", .blck = QK_K, .tsize = sizeof(block_q2_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q2k_to_float_ref, .from_float = kquant_q2k_from_float_ref,
		 .vec_dot = kquant_q2k_dot_avx512},
		{.name = "q3_K", .blck = QK_K, .tsize = sizeof(block_q3_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q3k_to_float_ref, .from_float = kquant_q3k_from_float_ref,
		 .vec_dot = kquant_q3k_dot_avx512},
		{.name = "q4_K", .blck = QK_K, .tsize = sizeof(block_q4_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q4k_to_float_ref, .from_float = kquant_q4k_from_float_ref,
		 .vec_dot = kquant_q4k_dot_avx512, .vec_dot_4r = kquant_q4k_dot_4r_avx512,
		 .vec_dot_4r_il4 = kquant_q4k_dot_4r_il4_avx512, .vec_dot_4xn_il4 = kquant_q4k_dot_4xn_il4_avx512},
		{.name = "q5_K", .blck = QK_K, .tsize = sizeof(block_q5_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q5k_to_float_ref, .from_float = kquant_q5k_from_float_ref,
		 .vec_dot = kquant_q5k_dot_avx512, .vec_dot_4r = kquant_q5k_dot_4r_avx512,
		 .vec_dot_4r_il4 = kquant_q5k_dot_4r_il4_avx512, .vec_dot_4xn_il4 = kquant_q5k_dot_4xn_il4_avx512},
		{.name = "q6_K", .blck = QK_K, .tsize = sizeof(block_q6_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q6k_to_float_ref, .from_float = kquant_q6k_from_float_ref,
		 .vec_dot = kquant_q6k_dot_avx512, .vec_dot_4r = kquant_q6k_dot_4r_avx512,
		 .vec_dot_4r_il4 = kquant_q6k_dot_4r_il4_avx512, .vec_dot_4xn_il4 = kquant_q6k_dot_4xn_il4_avx512},
		{.name = "q8_K", .blck = QK_K, .tsize = sizeof(block_q8_K), .vec_dot_type = GGML_TYPE_Q8_K,
		 .to_float = kquant_q8k_to_float_ref, .from_float = kquant_q8k_from_float_avx2,
		 .vec_dot = NULL},
	},
};

static const kquant_dot_4c_fn kq_4c[3][KQ_TYPES] = {
	[QUANT_AVX2] = {kquant_q2k_dot_4c_avx2, kquant_q3k_dot_4c_avx2, kquant_q4k_dot_4c_avx2, kquant_q5k_dot_4c_avx2, kquant_q6k_dot_4c_avx2},
	[QUANT_AVX512] = {kquant_q2k_dot_4c_avx512, kquant_q3k_dot_4c_avx512, kquant_q4k_dot_4c_avx512, kquant_q5k_dot_4c_avx512, kquant_q6k_dot_4c_avx512},
};

/* Whether the CPU has AVX512-VNNI. quant_traits() lands here on every
 * lookup and CPUID is slow (it traps under a hypervisor), so the answer is
 * kept in a global: written once per process, possibly by several threads
 * at once, always with the same value (relaxed atomics make that benign). */
static bool kq_has_vnni(void)
{
	static int vnni = -1;
	int v = __atomic_load_n(&vnni, __ATOMIC_RELAXED);
	if (v < 0) {
		struct cpu_features f;
		cpu_detect(&f);
		v = f.avx512vnni;
		__atomic_store_n(&vnni, v, __ATOMIC_RELAXED);
	}
	return v;
}

/* The table index of type, -1 if not ours; *level lowered to AVX2 when
 * AVX-512 is asked for on a CPU without VNNI (our AVX-512 kernels use it). */
static int kq_lookup(int type, int *level)
{
	if (*level < QUANT_SCALAR || *level > QUANT_AVX512)
		return -1;
	if (*level == QUANT_AVX512 && !kq_has_vnni())
		*level = QUANT_AVX2;
	for (int t = 0; t < KQ_TYPES; t++)
		if (kq_ids[t] == type)
			return t;
	return -1;
}

const struct quant_traits *kquant_traits_at(int type, int level)
{
	int t = kq_lookup(type, &level);
	return t < 0 ? NULL : &kq_traits[level][t];
}

kquant_dot_4c_fn kquant_dot_4c_at(int type, int level)
{
	int t = kq_lookup(type, &level);
	return t < 0 ? NULL : kq_4c[level][t];
}

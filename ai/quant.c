/* The kernel registry: the traits of every type we run at each level, the
 * level chosen for this CPU, and IEEE half / bfloat16 conversion. */
#include <string.h>

#include "ai/cpu.h"
#include "ai/kernels/kernels.h"
#include "ai/quant.h"

#define N_LEVELS 3

/* The registry: every kernel file's fill function and the level it runs
 * at (ai/kernels/kernels.h). The traits of a level are the fills of every
 * level up to it, in this order. A new kernel file is one line here. */
static const struct {
	int level;
	void (*fill)(struct quant_traits *t, int type);
} kernel_files[] = {
	{ QUANT_SCALAR, quant_ref_fill },   { QUANT_SCALAR, q4_0_ref_fill },
	{ QUANT_SCALAR, kquant_ref_fill },  { QUANT_SCALAR, iquant_ref_fill },
	{ QUANT_AVX2, quant_avx2_fill },    { QUANT_AVX2, q4_0_avx2_fill },
	{ QUANT_AVX2, kquant_avx2_fill },   { QUANT_AVX2, iquant_avx2_fill },
	{ QUANT_AVX512, quant_avx512_fill }, { QUANT_AVX512, q4_0_avx512_fill },
	{ QUANT_AVX512, kquant_avx512_fill }, { QUANT_AVX512, iquant_avx512_fill },
};

static struct quant_traits tables[N_LEVELS][GGML_TYPE_COUNT];

/* t->f = k->f where k sets f */
#define OVERLAY(f) (t->f = k->f ? k->f : t->f)

void quant_overlay(struct quant_traits *t, int type, const struct quant_kernels *rows, size_t n)
{
	const struct quant_traits *k = NULL;
	for (size_t i = 0; i < n && !k; i++)
		if (rows[i].type == type)
			k = &rows[i].k;
	if (!k)
		return;
	OVERLAY(vec_dot_type), OVERLAY(to_float), OVERLAY(from_float), OVERLAY(vec_dot);
	OVERLAY(vec_dot_4r), OVERLAY(vec_dot_4xn), OVERLAY(xn_max), OVERLAY(vec_dot_4c);
	OVERLAY(vec_dot_4r_il4), OVERLAY(vec_dot_4xn_il4);
	OVERLAY(pack_rows), OVERLAY(pack_nt), OVERLAY(pack), OVERLAY(packed_row);
	OVERLAY(act_terms), OVERLAY(gemm_packed);
}
static bool table_built[N_LEVELS];
static int cpu_max = -1; /* highest level this CPU runs; -1 until probed */
static int level_chosen = QUANT_SCALAR;

static int cpu_max_level(void)
{
	if (cpu_max < 0) {
		struct cpu_features f;
		cpu_detect(&f);
		cpu_max = QUANT_SCALAR;
		if (f.avx2 && f.fma && f.f16c) {
			cpu_max = QUANT_AVX2;
			/* mk/host.mk and mk/os.mk build *_avx512.c with VNNI
			 * enabled, so the compiler may use it anywhere there:
			 * the level needs it. */
			if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq &&
			    f.avx512vnni)
				cpu_max = QUANT_AVX512;
		}
	}
	return cpu_max;
}

/* Fills tables[level] from the registry; a type no kernel file knows keeps
 * a NULL name (unsupported). Only called for levels the CPU runs. */
static void build_table(int level)
{
	for (int ty = 0; ty < GGML_TYPE_COUNT; ty++) {
		const struct ggml_type_info *ti = ggml_type_info(ty);
		struct quant_traits *t = &tables[level][ty];
		memset(t, 0, sizeof(*t));
		if (!ti->blck)
			continue;
		for (size_t i = 0; i < sizeof(kernel_files) / sizeof(kernel_files[0]); i++)
			if (kernel_files[i].level <= level)
				kernel_files[i].fill(t, ty);
		if (!t->to_float && !t->from_float && !t->vec_dot)
			continue;
		t->name = ti->name;
		t->blck = ti->blck;
		t->tsize = (size_t)ti->tsize;
	}
	vmath_build(level);
	table_built[level] = true;
}

int quant_init(int max_level)
{
	int lv = cpu_max_level();
	if (max_level < lv)
		lv = max_level < QUANT_SCALAR ? QUANT_SCALAR : max_level;
	for (int l = 0; l <= cpu_max; l++)
		if (!table_built[l])
			build_table(l);
	level_chosen = lv;
	return lv;
}

int quant_level(void)
{
	return level_chosen;
}

const char *quant_level_name(int level)
{
	switch (level) {
	case QUANT_SCALAR: return "scalar";
	case QUANT_AVX2: return "avx2";
	case QUANT_AVX512: return "avx512";
	}
	return "unknown";
}

/* Not thread-safe before quant_init: the first call builds the tables. */
const struct quant_traits *quant_traits_at(int type, int level)
{
	if (type < 0 || type >= GGML_TYPE_COUNT || level < 0 || level >= N_LEVELS)
		return NULL;
	if (level > cpu_max_level())
		return NULL;
	if (!table_built[level])
		build_table(level);
	const struct quant_traits *t = &tables[level][type];
	return t->name ? t : NULL;
}

const struct quant_traits *quant_traits(int type)
{
	return quant_traits_at(type, level_chosen);
}

/* ---- IEEE binary16 and bfloat16 ------------------------------------------ */

static uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static float f32_from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}

/* NaNs come back quiet, as F16C's vcvtph2ps makes them, so the scalar and
 * SIMD dequantizers agree bit for bit. */
float fp16_to_fp32(ggml_half h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff;

	if (exp == 0x1f)
		return f32_from_bits(sign | 0x7f800000 | (mant ? 0x400000 | (mant << 13) : 0));
	if (exp == 0) {
		if (mant == 0)
			return f32_from_bits(sign);
		/* subnormal: mant * 2^-24, normalised */
		exp = 113; /* 127 - 14 */
		while (!(mant & 0x400)) {
			mant <<= 1;
			exp--;
		}
		mant &= 0x3ff;
		return f32_from_bits(sign | (exp << 23) | (mant << 13));
	}
	return f32_from_bits(sign | ((exp + 112) << 23) | (mant << 13));
}

/* Round to nearest, ties to even, like vcvtps2ph with imm 0. */
ggml_half fp32_to_fp16(float f)
{
	uint32_t x = f32_bits(f);
	uint32_t sign = (x >> 16) & 0x8000;
	uint32_t ax = x & 0x7fffffff;

	if (ax > 0x7f800000) /* NaN: quiet, top payload bits kept */
		return (ggml_half)(sign | 0x7e00 | ((ax >> 13) & 0x3ff));
	if (ax >= 0x477ff000) /* >= 65520 rounds to infinity */
		return (ggml_half)(sign | 0x7c00);
	if (ax < 0x38800000) { /* below 2^-14: subnormal half or zero */
		if (ax <= 0x33000000) /* <= 2^-25: ties to even zero */
			return (ggml_half)sign;
		uint32_t mant = (ax & 0x7fffff) | 0x800000;
		uint32_t shift = 126 - (ax >> 23); /* 14..24 */
		uint32_t res = mant >> shift;
		uint32_t rem = mant & ((1u << shift) - 1);
		uint32_t half = 1u << (shift - 1);
		if (rem > half || (rem == half && (res & 1)))
			res++;
		return (ggml_half)(sign | res);
	}
	uint32_t r = ax - (112u << 23);
	uint32_t res = r >> 13;
	uint32_t rem = r & 0x1fff;
	if (rem > 0x1000 || (rem == 0x1000 && (res & 1)))
		res++; /* may carry into the exponent: correct */
	return (ggml_half)(sign | res);
}

float bf16_to_fp32(ggml_bf16 h)
{
	return f32_from_bits((uint32_t)h << 16);
}

/* Nearest-even; NaNs stay NaN (quiet bit forced), as ggml does. */
ggml_bf16 fp32_to_bf16(float f)
{
	uint32_t u = f32_bits(f);
	if ((u & 0x7fffffff) > 0x7f800000)
		return (ggml_bf16)((u >> 16) | 64);
	return (ggml_bf16)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
}

void quant_interleave4(void *rows, int64_t nb, size_t bs, void *scratch)
{
	uint8_t *p = rows, *t = scratch;
	size_t rb = (size_t)nb * bs;
	memcpy(t, p, 4 * rb);
	for (int64_t b = 0; b < nb; b++)
		for (int r = 0; r < 4; r++)
			memcpy(p + ((size_t)b * 4 + (size_t)r) * bs, t + (size_t)r * rb + (size_t)b * bs, bs);
}

void quant_il4_row(int type, const void *group, int r, int64_t n, float *out)
{
	const struct quant_traits *tr = quant_traits(type);
	const uint8_t *g = group;
	int64_t nb = n / tr->blck;
	for (int64_t b = 0; b < nb; b++)
		tr->to_float(g + ((size_t)b * 4 + (size_t)r) * tr->tsize, out + b * tr->blck, tr->blck);
}

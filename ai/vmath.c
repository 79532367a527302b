/* vmath's registry: the kernels of each level, built from the kernel files
 * as ai/quant.c builds the traits (ai/kernels/kernels.h). */
#include "ai/vmath.h"

#include <stdbool.h>
#include <stddef.h>

#include "ai/kernels/kernels.h"
#include "ai/quant.h"

#define N_LEVELS 3

static const struct {
	int level;
	void (*fill)(struct vmath_ops *o);
} kernel_files[] = {
	{ QUANT_SCALAR, vmath_ref_fill },
	{ QUANT_AVX2, vmath_avx2_fill },
	{ QUANT_AVX512, vmath_avx512_fill },
};

static struct vmath_ops ops[N_LEVELS];
static bool built[N_LEVELS];

#define OVERLAY(f) (o->f = k->f ? k->f : o->f)

void vmath_overlay(struct vmath_ops *o, const struct vmath_ops *k)
{
	OVERLAY(softmax), OVERLAY(swiglu), OVERLAY(to_f16), OVERLAY(round_f16);
	OVERLAY(rope), OVERLAY(f16_dots), OVERLAY(rmsnorm), OVERLAY(add), OVERLAY(geglu);
}

void vmath_build(int level)
{
	for (size_t i = 0; i < sizeof(kernel_files) / sizeof(kernel_files[0]); i++)
		if (kernel_files[i].level <= level)
			kernel_files[i].fill(&ops[level]);
	built[level] = true;
}

/* Not thread-safe before quant_init (which builds every level the CPU
 * runs): the first call builds the level, as quant_traits_at does. */
const struct vmath_ops *vmath_at(int level)
{
	if (!built[level])
		vmath_build(level);
	return &ops[level];
}

const struct vmath_ops *vmath(void)
{
	return vmath_at(quant_level());
}

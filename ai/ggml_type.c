/* The ggml type table (ai/ggml_type.h). */
#include "ai/ggml_type.h"

static const struct ggml_type_info types[GGML_TYPE_COUNT] = {
	[0] = { "f32", 1, 4 },         [1] = { "f16", 1, 2 },
	[2] = { "q4_0", 32, 18 },      [3] = { "q4_1", 32, 20 },
	[4] = { "q4_2", 0, 0 },        [5] = { "q4_3", 0, 0 },
	[6] = { "q5_0", 32, 22 },      [7] = { "q5_1", 32, 24 },
	[8] = { "q8_0", 32, 34 },      [9] = { "q8_1", 32, 36 },
	[10] = { "q2_K", 256, 84 },    [11] = { "q3_K", 256, 110 },
	[12] = { "q4_K", 256, 144 },   [13] = { "q5_K", 256, 176 },
	[14] = { "q6_K", 256, 210 },   [15] = { "q8_K", 256, 292 },
	[16] = { "iq2_xxs", 256, 66 }, [17] = { "iq2_xs", 256, 74 },
	[18] = { "iq3_xxs", 256, 98 }, [19] = { "iq1_s", 256, 50 },
	[20] = { "iq4_nl", 32, 18 },   [21] = { "iq3_s", 256, 110 },
	[22] = { "iq2_s", 256, 82 },   [23] = { "iq4_xs", 256, 136 },
	[24] = { "i8", 1, 1 },         [25] = { "i16", 1, 2 },
	[26] = { "i32", 1, 4 },        [27] = { "i64", 1, 8 },
	[28] = { "f64", 1, 8 },        [29] = { "iq1_m", 256, 56 },
	[30] = { "bf16", 1, 2 },       [31] = { "q4_0_4_4", 0, 0 },
	[32] = { "q4_0_4_8", 0, 0 },   [33] = { "q4_0_8_8", 0, 0 },
	[34] = { "tq1_0", 256, 54 },   [35] = { "tq2_0", 256, 66 },
	[36] = { "iq4_nl_4_4", 0, 0 }, [37] = { "iq4_nl_4_8", 0, 0 },
	[38] = { "iq4_nl_8_8", 0, 0 }, [39] = { "mxfp4", 32, 17 },
};

const struct ggml_type_info *ggml_type_info(int type)
{
	return type >= 0 && type < GGML_TYPE_COUNT ? &types[type] : NULL;
}

const char *ggml_type_name(int type)
{
	const struct ggml_type_info *ti = ggml_type_info(type);
	return ti ? ti->name : NULL;
}

size_t ggml_type_row_size(int type, int64_t n)
{
	const struct ggml_type_info *ti = ggml_type_info(type);
	if (!ti || !ti->blck || n < 0 || n % ti->blck)
		return 0;
	/* n / blck blocks of at most 292 bytes: no overflow below 2^54 elements. */
	if (n > ((int64_t)1 << 54))
		return 0;
	return (size_t)(n / ti->blck) * (size_t)ti->tsize;
}

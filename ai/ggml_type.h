/*
 * ggml tensor types: the one table of every type id ggml has defined, with
 * its name, elements per block and bytes per block. The GGUF parser and the
 * boot-time scan size tensors with it (they accept every type ggml
 * defines); the kernels (ai/quant.h) run a subset, one block struct per
 * type, and check their structs against it. A new ggml type is one line
 * here (and its id in the enum when code names it).
 */
#ifndef AI_GGML_TYPE_H
#define AI_GGML_TYPE_H

#include <stddef.h>
#include <stdint.h>

enum ggml_type {
	GGML_TYPE_F32 = 0,
	GGML_TYPE_F16 = 1,
	GGML_TYPE_Q4_0 = 2,
	GGML_TYPE_Q4_1 = 3,
	GGML_TYPE_Q5_0 = 6,
	GGML_TYPE_Q5_1 = 7,
	GGML_TYPE_Q8_0 = 8,
	GGML_TYPE_Q8_1 = 9,
	GGML_TYPE_Q2_K = 10,
	GGML_TYPE_Q3_K = 11,
	GGML_TYPE_Q4_K = 12,
	GGML_TYPE_Q5_K = 13,
	GGML_TYPE_Q6_K = 14,
	GGML_TYPE_Q8_K = 15,
	GGML_TYPE_IQ4_NL = 20,
	GGML_TYPE_IQ4_XS = 23,
	GGML_TYPE_BF16 = 30,
	GGML_TYPE_MXFP4 = 39,
	GGML_TYPE_COUNT = 40 /* ids below this have a name */
};

struct ggml_type_info {
	const char *name; /* ggml's: "q4_K" */
	int blck;         /* elements per block; 0: an id ggml retired */
	int tsize;        /* bytes per block */
};

/* The entry of a type id; NULL outside 0..GGML_TYPE_COUNT-1. */
const struct ggml_type_info *ggml_type_info(int type);
/* ggml's name of a type id ("q4_K"), or NULL if unknown. */
const char *ggml_type_name(int type);
/* Bytes of a row of n elements, 0 if n is not a whole number of blocks or
 * the type has no blocks. */
size_t ggml_type_row_size(int type, int64_t n);

#endif

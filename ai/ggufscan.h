/*
 * A boot-time plausibility check of a GGUF file before and while it is read
 * into memory: walks the header, the key/value section and the tensor
 * infos of a file prefix and computes how many bytes the whole file must
 * have (data section start + end of the furthest tensor), so a truncated
 * model is refused at boot with a clear message.
 *
 * It does not replace ai/gguf.c (the engine's parser, which needs malloc and
 * a contiguous mapping, both unavailable before the kernel runs); it only
 * reads, never allocates, and never reads outside buf[0..n). Portable like
 * the parser (efi/modload.c calls it on each chunk read), it shares the
 * parser's value types (ai/gguf.h) and the ggml type table.
 */
#ifndef AI_GGUFSCAN_H
#define AI_GGUFSCAN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "ai/gguf_split.h"

enum ggufscan_result {
	GGUFSCAN_OK = 0,    /* *need set */
	GGUFSCAN_MORE = 1,  /* the metadata goes on past buf[n): give a longer prefix */
	GGUFSCAN_BAD = -1,  /* malformed: *why says how */
};

/* Tensors of a type unknown to the scanner do not count toward *need. */
int ggufscan(const void *buf, size_t n, uint64_t *need, const char **why);

/* ggufscan, and what else it found: the split keys and the tensor count
 * (ai/gguf_split.h), for checking a split model's files at boot. */
struct ggufscan_info {
	uint64_t need;
	struct gguf_split_info split;
};
int ggufscan_info(const void *buf, size_t n, struct ggufscan_info *info, const char **why);

#endif

/*
 * A model in several GGUF files, as llama.cpp's llama-gguf-split writes it
 * (to fit a FAT32 stick, whose files stop at 4 GiB): PREFIX-00001-of-0000N.gguf
 * up to PREFIX-0000N-of-0000N.gguf. Each file is a whole GGUF; the first
 * holds all the metadata, every file holds some of the tensors (offsets
 * relative to its own data section) and the keys
 *   split.no             u16  this file's index, 0-based
 *   split.count          u16  N
 *   split.tensors.count  i32  the tensors of all N files together
 * llama.cpp loads such a model from its first file only, reads split.count
 * and split.tensors.count there, and checks split.no of the others; so do
 * we, and also that every file's split.count, where given, is N.
 *
 * The checks come in three layers, for the places that can make them:
 *   names     gguf_split_find: which listed files form a set, or the one
 *             missing or extra (the boot menu)
 *   metadata  gguf_split_check: the split keys and tensor counts of the
 *             files, before their tensor data is read (the boot loader)
 *   tensors   gguf_open_split: the set opened as one struct gguf (engine)
 * Every message names the file concerned.
 */
#ifndef AI_GGUF_SPLIT_H
#define AI_GGUF_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/gguf.h"

#define GGUF_SPLIT_MAX 999 /* files in a set: llama.cpp allows 65535 */

/* Whether name ends in "-NNNNN-of-MMMMM.gguf" (five digits each, as
 * llama_split_path writes them; ".gguf" in any case). Sets *prefix_len (the
 * bytes before "-NNNNN"), *no (NNNNN, 1-based) and *count (MMMMM), which
 * the caller checks: a name with NNNNN = 0 or NNNNN > MMMMM belongs to no
 * set (gguf_split_find calls it extra). */
bool gguf_split_parse_name(const char *name, size_t *prefix_len, int *no, int *count);

/* Whether a and b are split names of the same set: the same prefix (ASCII
 * case-insensitively) and count, whatever their numbers. */
bool gguf_split_same_set(const char *a, const char *b);

/* The name of file no (1-based) of count: the first prefix_len bytes of
 * name (a file of the set, so directories and the case of ".gguf" carry
 * over) then "-NNNNN-of-MMMMM" and name's own extension. Returns 0, or -1
 * if out (size bytes) is too small. */
int gguf_split_name(char *out, size_t size, const char *name, size_t prefix_len, int no, int count);

/* The files of the split set that names[member] belongs to, from a listing
 * of n names (full paths or bare names, compared ASCII case-insensitively,
 * as FAT does): idx[k] = the index in names of file k + 1, k < count.
 * Returns count (1 and idx[0] = member for a name that is no split name),
 * or -1 with a message naming the first missing file of the set or an
 * extra one (the same prefix and count, a number of 0 or past the count).
 * idx has room for GGUF_SPLIT_MAX entries. */
int gguf_split_find(const char *const *names, int n, int member, int *idx, char *err, size_t errlen);

/* The split keys and tensor count of one file. */
struct gguf_split_info {
	int32_t no;            /* split.no, -1 if absent */
	int32_t count;         /* split.count, -1 if absent */
	int64_t tensors_total; /* split.tensors.count, -1 if absent */
	uint64_t n_tensors;    /* tensor infos in this file */
};

/* The info of a parsed file. Returns 0, or -1 if a split key has a type
 * other than an integer or a value out of range. */
int gguf_split_info_get(const struct gguf *g, struct gguf_split_info *si, char *err, size_t errlen);

/* Whether the first n_have of the n files of a model (info si[i] of file
 * names[i], in order; names has all n, si the first n_have) belong together: the first file's split.count (1
 * when absent) is n, split.no of file i is i (absent allowed only for a
 * single file), every given split.count is the first's; and once all n are
 * there (n_have = n), the first file's split.tensors.count (required when
 * n > 1) is the sum of the files' tensor counts. So a loader can check each
 * file as soon as its metadata is read. Returns 0, or -1 with a message
 * naming the offending file. */
int gguf_split_check(const struct gguf_split_info *si, const char *const *names, int n_have, int n,
		     char *err, size_t errlen);

struct gguf_part {
	const void *base; /* the file in memory */
	size_t len;
	const char *name; /* for messages */
};

/* Open n files (a split set in order, or one plain file) as one struct
 * gguf: the metadata of the first, the tensors of all (their data pointers
 * into their own files), g->n_parts = n. Checks each file as gguf_open,
 * the set as gguf_split_check, and that no tensor name occurs twice.
 * Returns 0, or -1 with a message that names the file. Release with
 * gguf_close. */
int gguf_open_split(struct gguf *g, const struct gguf_part *parts, int n, char *err, size_t errlen);

#endif

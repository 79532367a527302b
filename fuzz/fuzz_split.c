/*
 * libFuzzer harness for split GGUF sets (ai/gguf_split.c) and the boot
 * loader's scanner (ai/ggufscan.c). Input: byte 0, then file names
 * (NUL-terminated, an empty one ends them), then up to 4 files, each a
 * 16-bit little-endian length and its bytes (fuzz/seed-split has micro
 * models split in two and three; tools/mkbadgguf.py --split-seeds).
 *
 * Names: a split name parsed and written again (gguf_split_name) gives
 * itself, up to case; gguf_split_same_set is symmetric; gguf_split_find returns a set
 * whose files have the right numbers, or says why not. Files: what the
 * loader checks (ggufscan_info and gguf_split_check, file by file as it
 * reads them) and gguf_open_split; an opened set's tensors lie inside
 * their own files, model_load runs on it.
 * Built by mk/fuzz.mk (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/gguf_split.h"
#include "ai/ggufscan.h"
#include "ai/model.h"
#include "ai/quant.h"

#define MAX_NAMES 8
#define MAX_PARTS 4

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	quant_init(QUANT_SCALAR);
	return 0;
}

static void names_check(const char *const *names, int n)
{
	static int idx[GGUF_SPLIT_MAX];
	char out[600], err[256];
	for (int i = 0; i < n; i++) {
		size_t pl;
		int no, count;
		if (gguf_split_parse_name(names[i], &pl, &no, &count)) {
			if (pl >= strlen(names[i]) || no < 0 || no > 99999 || count < 0 || count > 99999)
				abort();
			if (strlen(names[i]) < sizeof out &&
			    (gguf_split_name(out, sizeof out, names[i], pl, no, count) != 0 ||
			     strcasecmp(out, names[i])))
				abort(); /* written again, the same name (but "-of-" in lower case) */
		}
		for (int j = 0; j < n; j++)
			if (gguf_split_same_set(names[i], names[j]) != gguf_split_same_set(names[j], names[i]))
				abort();
		err[0] = 0;
		int c = gguf_split_find(names, n, i, idx, err, sizeof err);
		if (c < 0) {
			if (!err[0])
				abort();
			continue;
		}
		if (c == 0 || c > GGUF_SPLIT_MAX)
			abort();
		if (c == 1 && idx[0] == i && !gguf_split_parse_name(names[i], &pl, &no, &count))
			continue; /* not a split name */
		for (int k = 0; k < c; k++) {
			if (idx[k] < 0 || idx[k] >= n || !gguf_split_parse_name(names[idx[k]], &pl, &no, &count) ||
			    no != k + 1 || count != c || !gguf_split_same_set(names[idx[k]], names[i]))
				abort(); /* file k + 1 of the set */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* an exact copy, so that ASan sees reads past any part */
	uint8_t *in = malloc(size);
	memcpy(in, data, size);
	size_t at = 1;

	const char *names[MAX_NAMES];
	int nn = 0;
	while (at < size && nn < MAX_NAMES) {
		const char *s = (const char *)in + at;
		size_t len = strnlen(s, size - at);
		if (len == size - at || len == 0) { /* unterminated, or the end of the names */
			at += len + 1;
			break;
		}
		names[nn++] = s;
		at += len + 1;
	}
	names_check(names, nn);

	struct gguf_part parts[MAX_PARTS];
	uint8_t *bufs[MAX_PARTS];
	int np = 0;
	while (at + 2 <= size && np < MAX_PARTS) {
		size_t len = (size_t)in[at] | (size_t)in[at + 1] << 8;
		at += 2;
		if (len > size - at)
			len = size - at;
		bufs[np] = malloc(len ? len : 1); /* each file alone: reads past it are caught */
		memcpy(bufs[np], in + at, len);
		parts[np].base = bufs[np];
		parts[np].len = len;
		parts[np].name = np < nn ? names[np] : "part";
		np++;
		at += len;
	}
	if (np == 0)
		goto out;

	/* the loader: each file scanned and checked as soon as it is read */
	struct gguf_split_info si[MAX_PARTS];
	const char *pn[MAX_PARTS];
	char err[256];
	for (int i = 0; i < np; i++) /* gguf_split_check: names has all np */
		pn[i] = parts[i].name;
	for (int i = 0; i < np; i++) {
		struct ggufscan_info info;
		const char *why = NULL;
		int r = ggufscan_info(parts[i].base, parts[i].len, &info, &why);
		if (r == GGUFSCAN_BAD && (!why || !*why))
			abort();
		if (r != GGUFSCAN_OK)
			break;
		si[i] = info.split;
		if (gguf_split_check(si, pn, i + 1, np, err, sizeof err) != 0)
			break;
	}

	/* the engine */
	struct gguf g;
	err[0] = 0;
	if (gguf_open_split(&g, parts, np, err, sizeof err) != 0) {
		if (!err[0])
			abort();
		goto out;
	}
	if (g.n_parts != (uint32_t)np)
		abort();
	for (uint64_t t = 0; t < g.n_tensors; t++) {
		const uint8_t *p = g.tensors[t].data;
		bool inside = false;
		for (int i = 0; i < np && !inside; i++) {
			const uint8_t *b = parts[i].base;
			inside = p >= b && g.tensors[t].nbytes <= parts[i].len &&
				 p + g.tensors[t].nbytes <= b + parts[i].len;
		}
		if (!inside)
			abort(); /* every tensor inside one of the files */
	}
	struct model m;
	if (model_load(&m, &g, err, sizeof err) == 0)
		model_free(&m);
	gguf_close(&g);
out:
	for (int i = 0; i < np; i++)
		free(bufs[i]);
	free(in);
	return 0;
}

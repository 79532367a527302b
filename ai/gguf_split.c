/* Split GGUF models: file names, the set checks and the set opened as one
 * struct gguf (see ai/gguf_split.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf_split.h"

#define SPLIT_TAIL "-00000-of-00000.gguf" /* 0: a digit */
#define SPLIT_TAIL_LEN (sizeof SPLIT_TAIL - 1)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---- names ----------------------------------------------------------------- */

bool gguf_split_parse_name(const char *name, size_t *prefix_len, int *no, int *count)
{
	size_t n = strlen(name);
	int v[2] = { 0, 0 };
	if (n <= SPLIT_TAIL_LEN)
		return false;
	const char *t = name + n - SPLIT_TAIL_LEN;
	for (size_t i = 0; i < SPLIT_TAIL_LEN; i++) {
		if (SPLIT_TAIL[i] == '0') {
			if (t[i] < '0' || t[i] > '9')
				return false;
			v[i > 5] = v[i > 5] * 10 + (t[i] - '0');
		} else if (lower(t[i]) != SPLIT_TAIL[i]) {
			return false;
		}
	}
	*prefix_len = n - SPLIT_TAIL_LEN;
	*no = v[0];
	*count = v[1];
	return true;
}

int gguf_split_name(char *out, size_t size, const char *name, size_t prefix_len, int no, int count)
{
	size_t n = strlen(name);
	const char *ext = n >= 5 ? name + n - 5 : ".gguf";
	int w = snprintf(out, size, "%.*s-%05d-of-%05d%s", (int)prefix_len, name, no, count, ext);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

static bool prefix_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

bool gguf_split_same_set(const char *a, const char *b)
{
	size_t pa, pb;
	int na, nb, ca, cb;
	return gguf_split_parse_name(a, &pa, &na, &ca) && gguf_split_parse_name(b, &pb, &nb, &cb) && pa == pb &&
	       ca == cb && prefix_eq(a, b, pa);
}

int gguf_split_find(const char *const *names, int n, int member, int *idx, char *err, size_t errlen)
{
	const char *m = names[member];
	size_t pl;
	int no, count;
	char want[512];

	if (!gguf_split_parse_name(m, &pl, &no, &count)) {
		idx[0] = member;
		return 1;
	}
	if (count < 1 || count > GGUF_SPLIT_MAX)
		return fail(err, errlen, "%s: a split into %d files (at most %d are supported)", m, count,
			    GGUF_SPLIT_MAX);
	if (no < 1 || no > count)
		return fail(err, errlen, "%s: extra file: a split into %d files has no file %d", m, count, no);
	for (int k = 0; k < count; k++)
		idx[k] = -1;
	for (int i = 0; i < n; i++) {
		size_t pl2;
		int no2, count2;
		if (!gguf_split_same_set(names[i], m))
			continue; /* not of this set (another count: another split) */
		gguf_split_parse_name(names[i], &pl2, &no2, &count2);
		if (no2 < 1 || no2 > count)
			return fail(err, errlen, "%s: extra file: a split into %d files has no file %d",
				    names[i], count, no2);
		if (idx[no2 - 1] >= 0)
			return fail(err, errlen, "%s and %s: the same file of the split twice",
				    names[idx[no2 - 1]], names[i]);
		idx[no2 - 1] = i;
	}
	for (int k = 0; k < count; k++) {
		if (idx[k] >= 0)
			continue;
		if (gguf_split_name(want, sizeof want, m, pl, k + 1, count) != 0)
			return fail(err, errlen, "%s: file %d of %d is missing", m, k + 1, count);
		return fail(err, errlen, "%s: missing (file %d of the %d of this model)", want, k + 1, count);
	}
	return count;
}

/* ---- metadata ----------------------------------------------------------------- */

int gguf_split_info_get(const struct gguf *g, struct gguf_split_info *si, char *err, size_t errlen)
{
	static const char *const keys[3] = { "split.no", "split.count", "split.tensors.count" };
	static const uint64_t max[3] = { 65535, 65535, INT32_MAX };
	int64_t v[3];
	for (int k = 0; k < 3; k++) {
		uint64_t u;
		v[k] = -1;
		if (!gguf_find(g, keys[k]))
			continue;
		if (!gguf_get_u64(g, keys[k], &u) || u > max[k])
			return fail(err, errlen, "%s is not an integer in 0..%llu", keys[k],
				    (unsigned long long)max[k]);
		v[k] = (int64_t)u;
	}
	si->no = (int32_t)v[0];
	si->count = (int32_t)v[1];
	si->tensors_total = v[2];
	si->n_tensors = g->n_tensors;
	return 0;
}

int gguf_split_check(const struct gguf_split_info *si, const char *const *names, int n_have, int n,
		     char *err, size_t errlen)
{
	if (n < 1 || n_have < 1 || n_have > n)
		return fail(err, errlen, "no file");
	int count = si[0].count < 0 ? 1 : si[0].count;
	if (si[0].no > 0)
		return fail(err, errlen, "%s is file %d of a split model: load the model from its first file",
			    names[0], si[0].no + 1);
	if (count < 1 || count > GGUF_SPLIT_MAX)
		return fail(err, errlen, "%s: split.count %d (1..%d supported)", names[0], count, GGUF_SPLIT_MAX);
	if (n < count)
		return fail(err, errlen, "%s: the model is split into %d files, %d given", names[0], count, n);
	if (n > count)
		return fail(err, errlen, "%s: extra file: %s says the model has %d file%s", names[count], names[0],
			    count, count > 1 ? "s" : "");
	uint64_t sum = 0;
	for (int i = 0; i < n_have; i++) {
		if (i > 0 && si[i].no < 0)
			return fail(err, errlen, "%s: no split.no key: not a file of a split model", names[i]);
		if (i > 0 && si[i].no != i)
			return fail(err, errlen, "%s: split.no says file %d, expected file %d of %s", names[i],
				    si[i].no + 1, i + 1, names[0]);
		if (si[i].count >= 0 && si[i].count != count)
			return fail(err, errlen, "%s: split.count %d, but %s says %d (files of different splits?)",
				    names[i], si[i].count, names[0], count);
		sum += si[i].n_tensors;
	}
	if (n_have < n)
		return 0;
	if (si[0].tensors_total < 0 && n > 1)
		return fail(err, errlen, "%s: no split.tensors.count key", names[0]);
	if (si[0].tensors_total >= 0 && (uint64_t)si[0].tensors_total != sum)
		return fail(err, errlen, "%s: split.tensors.count is %lld, but the %d file%s hold %llu tensors",
			    names[0], (long long)si[0].tensors_total, n, n > 1 ? "s" : "",
			    (unsigned long long)sum);
	return 0;
}

/* ---- the set as one struct gguf ------------------------------------------------ */

static bool same_name(const struct gguf_tensor *a, const struct gguf_tensor *b)
{
	return a->name.n == b->name.n && memcmp(a->name.p, b->name.p, (size_t)a->name.n) == 0;
}

int gguf_open_split(struct gguf *g, const struct gguf_part *parts, int n, char *err, size_t errlen)
{
	struct gguf *sub = NULL;
	struct gguf_split_info *si = NULL;
	const char **names = NULL;
	char e[224];
	int opened = 0, rc = -1;

	memset(g, 0, sizeof *g);
	if (n < 1 || n > GGUF_SPLIT_MAX)
		return fail(err, errlen, "%d files: 1..%d supported", n, GGUF_SPLIT_MAX);
	sub = calloc((size_t)n, sizeof *sub);
	si = calloc((size_t)n, sizeof *si);
	names = calloc((size_t)n, sizeof *names);
	if (!sub || !si || !names) {
		fail(err, errlen, "out of memory for %d files", n);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		names[i] = parts[i].name ? parts[i].name : "?";
		if (gguf_open(&sub[i], parts[i].base, parts[i].len, e, sizeof e) != 0) {
			fail(err, errlen, "%s: %s", names[i], e);
			goto out;
		}
		opened++;
		if (gguf_split_info_get(&sub[i], &si[i], e, sizeof e) != 0) {
			fail(err, errlen, "%s: %s", names[i], e);
			goto out;
		}
	}
	if (gguf_split_check(si, names, n, n, err, errlen) != 0)
		goto out;
	uint64_t total = 0;
	for (int i = 0; i < n; i++)
		total += sub[i].n_tensors;
	struct gguf_tensor *t = malloc((total ? (size_t)total : 1) * sizeof *t);
	if (!t) {
		fail(err, errlen, "out of memory for %llu tensors", (unsigned long long)total);
		goto out;
	}
	uint64_t k = 0;
	for (int i = 0; i < n; i++) {
		for (uint64_t j = 0; j < sub[i].n_tensors; j++, k++) {
			t[k] = sub[i].tensors[j];
			/* within a file gguf_open found no duplicate: compare with the
			 * earlier files only */
			for (uint64_t p = 0; i > 0 && p < k - j; p++)
				if (same_name(&t[p], &t[k])) {
					fail(err, errlen, "%s: tensor '%.*s' is in an earlier file of the split too",
					     names[i], (int)(t[k].name.n > 64 ? 64 : t[k].name.n), t[k].name.p);
					free(t);
					goto out;
				}
		}
	}
	*g = sub[0];
	free(g->tensors);
	g->tensors = t;
	g->n_tensors = total;
	g->n_parts = (uint32_t)n;
	memset(&sub[0], 0, sizeof sub[0]); /* g owns its kv array now */
	rc = 0;
out:
	for (int i = 0; i < opened; i++)
		gguf_close(&sub[i]);
	free(sub);
	free(si);
	free(names);
	return rc;
}

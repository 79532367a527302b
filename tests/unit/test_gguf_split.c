/* Unit test of ai/gguf_split.c: split file names, finding a set in a
 * listing, the split-key checks and gguf_open_split on sets built in memory
 * (as llama-gguf-split lays them out: all metadata in the first file, the
 * split keys in every file). Every error must name the file concerned. */
#include <stdio.h>
#include <string.h>

#include "ai/gguf_split.h"
#include "tests/unit/check.h"
#include "tests/unit/tok_gguf.h"

/* ---- names ------------------------------------------------------------------ */

static void test_names(void)
{
	size_t pl = 0;
	int no = 0, count = 0;
	char buf[64];
	bool ok = gguf_split_parse_name("m-00001-of-00003.gguf", &pl, &no, &count) && pl == 1 && no == 1 &&
		  count == 3;
	ok = ok && gguf_split_parse_name("\\models\\Q-8B-00012-OF-00020.GGUF", &pl, &no, &count) &&
	     pl == 12 && no == 12 && count == 20;
	check(ok, "split: names parse (case-insensitive suffix)");
	static const char *const bad[] = { "m.gguf", "-00001-of-00003.gguf", "m-0001-of-00003.gguf",
					   "m-00001-of-0003.gguf", "m-00001_of-00003.gguf", "m-00001-of-00003.bin",
					   "m-0000a-of-00003.gguf", "" };
	ok = true;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok = ok && !gguf_split_parse_name(bad[i], &pl, &no, &count);
	check(ok, "split: non-split names refused");
	ok = gguf_split_name(buf, sizeof buf, "\\d\\m-00001-of-00003.GGUF", 4, 3, 3) == 0 &&
	     !strcmp(buf, "\\d\\m-00003-of-00003.GGUF") &&
	     gguf_split_name(buf, 10, "\\d\\m-00001-of-00003.gguf", 4, 3, 3) == -1;
	check(ok, "split: names made (extension's case kept, short buffer refused)");
}

static void test_find(void)
{
	char err[256] = "";
	int idx[GGUF_SPLIT_MAX];
	const char *ls[] = { "\\x.gguf", "\\M-00002-of-00003.gguf", "\\m-00001-of-00004.gguf",
			     "\\m-00003-of-00003.gguf", "\\m-00001-of-00003.gguf", "\\n-00002-of-00003.gguf" };
	int n = gguf_split_find(ls, 6, 4, idx, err, sizeof err);
	check(n == 3 && idx[0] == 4 && idx[1] == 1 && idx[2] == 3, "split: set found (another count's file "
	      "left out, case folded) %d %s", n, err);
	n = gguf_split_find(ls, 6, 3, idx, err, sizeof err);
	check(n == 3 && idx[0] == 4, "split: set found from its last file");
	n = gguf_split_find(ls, 6, 0, idx, err, sizeof err);
	check(n == 1 && idx[0] == 0, "split: a plain file is a set of one");
	n = gguf_split_find(ls, 6, 2, idx, err, sizeof err);
	check(n == -1 && strstr(err, "\\m-00002-of-00004.gguf: missing"), "split: missing file named: %s", err);
	n = gguf_split_find(ls, 6, 5, idx, err, sizeof err);
	check(n == -1 && strstr(err, "\\n-00001-of-00003.gguf: missing"), "split: missing first file named: %s",
	      err);
	const char *ex[] = { "m-00001-of-00002.gguf", "m-00002-of-00002.gguf", "m-00003-of-00002.gguf" };
	n = gguf_split_find(ex, 3, 0, idx, err, sizeof err);
	check(n == -1 && strstr(err, "m-00003-of-00002.gguf: extra file"), "split: extra file named: %s", err);
	const char *dup[] = { "a/m-00001-of-00002.gguf", "a/M-00001-of-00002.gguf" };
	n = gguf_split_find(dup, 2, 0, idx, err, sizeof err);
	check(n == -1 && strstr(err, "twice"), "split: a file twice: %s", err);
	const char *zero[] = { "m-00000-of-00002.gguf" };
	n = gguf_split_find(zero, 1, 0, idx, err, sizeof err);
	check(n == -1 && strstr(err, "m-00000-of-00002.gguf: extra file"), "split: file 0 refused: %s", err);
}

/* ---- split keys ------------------------------------------------------------- */

static void test_check(void)
{
	const char *nm[] = { "a1", "a2", "a3" };
	struct gguf_split_info good[3] = { { 0, 3, 6, 2 }, { 1, 3, -1, 1 }, { 2, -1, -1, 3 } };
	struct gguf_split_info si[3];
	char err[256] = "";
	check(gguf_split_check(good, nm, 3, 3, err, sizeof err) == 0, "split: check passes a good set %s", err);
	struct gguf_split_info one = { -1, -1, -1, 5 };
	check(gguf_split_check(&one, nm, 1, 1, err, sizeof err) == 0, "split: check passes a plain file");
	static const struct {
		int file, field, value, n;
		const char *want;
	} cases[] = {
		{ 0, 0, 1, 3, "a1 is file 2" },          /* not the first */
		{ 0, 1, 4, 3, "split into 4 files, 3 given" },
		{ 0, 1, 2, 3, "a3: extra file" },
		{ 1, 0, 2, 3, "a2: split.no says file 3" },
		{ 2, 0, -1, 3, "a3: no split.no" },
		{ 1, 1, 2, 3, "a2: split.count 2" },
		{ 0, 2, 7, 3, "a1: split.tensors.count is 7" },
		{ 0, 2, -1, 3, "a1: no split.tensors.count" },
		{ 0, 1, 3, 1, "split into 3 files, 1 given" },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		memcpy(si, good, sizeof si);
		struct gguf_split_info *f = &si[cases[c].file];
		if (cases[c].field == 0)
			f->no = cases[c].value;
		else if (cases[c].field == 1)
			f->count = cases[c].value;
		else
			f->tensors_total = cases[c].value;
		err[0] = 0;
		int rc = gguf_split_check(si, nm, cases[c].n, cases[c].n, err, sizeof err);
		check(rc == -1 && strstr(err, cases[c].want), "split: check refuses (%s): %s", cases[c].want, err);
	}
	/* file by file, as a loader reads them: the total waits for the last */
	memcpy(si, good, sizeof si);
	si[0].tensors_total = 7;
	bool ok = gguf_split_check(si, nm, 1, 3, err, sizeof err) == 0 &&
		  gguf_split_check(si, nm, 2, 3, err, sizeof err) == 0 &&
		  gguf_split_check(si, nm, 3, 3, err, sizeof err) == -1;
	si[1].no = 0;
	ok = ok && gguf_split_check(si, nm, 2, 3, err, sizeof err) == -1 && strstr(err, "a2: split.no");
	si[0].count = 2; /* the first file alone already tells of the extra one */
	ok = ok && gguf_split_check(si, nm, 1, 3, err, sizeof err) == -1 && strstr(err, "a3: extra file");
	check(ok, "split: check file by file (n_have < n)");
}

/* ---- sets in memory ------------------------------------------------------------ */

#define N_EL 8 /* f32 elements per tensor */

/* A file of a split set: split keys no/count/total (-1: left out), the
 * tensors named names[0..nt), tensor i filled with value base + i. */
static void build(struct gb *b, bool meta, int no, int count, int total, const char *const *names, int nt,
		  float base)
{
	gb_init(b);
	if (meta)
		gb_kv_str(b, "general.architecture", "llama");
	if (no >= 0) {
		uint16_t v = (uint16_t)no;
		gb_key(b, "split.no", GGUF_TYPE_UINT16);
		gb_put(b, &v, 2);
	}
	if (count >= 0) {
		uint16_t v = (uint16_t)count;
		gb_key(b, "split.count", GGUF_TYPE_UINT16);
		gb_put(b, &v, 2);
	}
	if (total >= 0) {
		gb_key(b, "split.tensors.count", GGUF_TYPE_INT32);
		gb_u32(b, (uint32_t)total);
	}
	for (int i = 0; i < nt; i++) {
		gb_str(b, names[i]);
		gb_u32(b, 1);
		gb_u64(b, N_EL);
		gb_u32(b, 0); /* f32 */
		gb_u64(b, (uint64_t)i * 32);
	}
	while (b->n % 32)
		gb_put(b, "", 1);
	for (int i = 0; i < nt; i++)
		for (int e = 0; e < N_EL; e++) {
			float v = base + (float)i;
			gb_put(b, &v, 4);
		}
	uint64_t ntu = (uint64_t)nt;
	memcpy(b->p + 8, &ntu, 8);
	memcpy(b->p + 16, &b->n_kv, 8);
}

static float first_value(const struct gguf *g, const char *name)
{
	const struct gguf_tensor *t = gguf_find_tensor(g, name);
	float v = -1;
	if (t)
		memcpy(&v, t->data, 4);
	return v;
}

static void test_open(void)
{
	static const char *const t0[] = { "token_embd.weight" }, *const t1[] = { "blk.0.a", "blk.0.b" },
				  *const t2[] = { "output.weight" }, *const dup[] = { "blk.0.b" };
	struct gb b[4];
	struct gguf g;
	char err[256] = "";
	build(&b[0], true, 0, 3, 4, t0, 1, 10);
	build(&b[1], false, 1, 3, 4, t1, 2, 20);
	build(&b[2], false, 2, 3, 4, t2, 1, 30);
	struct gguf_part p[3] = { { b[0].p, b[0].n, "m-1" }, { b[1].p, b[1].n, "m-2" }, { b[2].p, b[2].n, "m-3" } };
	int rc = gguf_open_split(&g, p, 3, err, sizeof err);
	bool ok = rc == 0 && g.n_tensors == 4 && g.n_parts == 3 && gguf_find(&g, "general.architecture") &&
		  first_value(&g, "token_embd.weight") == 10 && first_value(&g, "blk.0.b") == 21 &&
		  first_value(&g, "output.weight") == 30 &&
		  (const uint8_t *)gguf_find_tensor(&g, "blk.0.a")->data >= b[1].p &&
		  (const uint8_t *)gguf_find_tensor(&g, "blk.0.a")->data < b[1].p + b[1].n;
	check(ok, "split: three files open as one model (tensors in their own files) %s", err);
	if (rc == 0)
		gguf_close(&g);

	/* llama-gguf-split --no-tensor-first-split: metadata alone first */
	struct gb m0;
	build(&m0, true, 0, 4, 4, NULL, 0, 0);
	build(&b[3], false, 3, 4, 4, t2, 1, 30);
	/* first with file e-2 saying split.no 0 */
	struct gguf_part q[4] = { { m0.p, m0.n, "e-1" }, { b[0].p, b[0].n, "e-2" }, { b[1].p, b[1].n, "e-3" },
				  { b[3].p, b[3].n, "e-4" } };
	rc = gguf_open_split(&g, q, 4, err, sizeof err);
	check(rc == -1 && strstr(err, "e-2: split.no says file 1, expected file 2"), "split: wrong split.no named: %s",
	      err);
	struct gb e1;
	build(&e1, false, 1, 4, 4, t0, 1, 10);
	q[1] = (struct gguf_part){ e1.p, e1.n, "e-2" };
	free(b[1].p);
	build(&b[1], false, 2, 4, 4, t1, 2, 20);
	q[2] = (struct gguf_part){ b[1].p, b[1].n, "e-3" };
	rc = gguf_open_split(&g, q, 4, err, sizeof err);
	check(rc == 0 && g.n_tensors == 4 && first_value(&g, "output.weight") == 30,
	      "split: a first file with no tensors %s", rc ? err : "");
	if (rc == 0)
		gguf_close(&g);

	/* the same tensor in two files */
	struct gb d;
	build(&d, false, 3, 4, 4, dup, 1, 40);
	q[3] = (struct gguf_part){ d.p, d.n, "e-4" };
	rc = gguf_open_split(&g, q, 4, err, sizeof err);
	check(rc == -1 && strstr(err, "e-4: tensor 'blk.0.b' is in an earlier file"), "split: duplicate tensor "
	      "named: %s", err);

	/* a truncated file */
	q[3] = (struct gguf_part){ b[3].p, b[3].n - 4, "e-4" };
	rc = gguf_open_split(&g, q, 4, err, sizeof err);
	check(rc == -1 && !strncmp(err, "e-4: ", 5) && strstr(err, "past end"), "split: truncated file named: %s",
	      err);

	/* one file of a split given alone */
	rc = gguf_open_split(&g, q, 1, err, sizeof err);
	check(rc == -1 && strstr(err, "e-1: the model is split into 4 files, 1 given"), "split: alone: %s", err);
	for (int i = 0; i < 4; i++)
		free(b[i].p);
	free(m0.p);
	free(e1.p);
	free(d.p);
}

int main(void)
{
	test_names();
	test_find();
	test_check();
	test_open();
	return n_fail ? 1 : 0;
}

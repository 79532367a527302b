/*
 * The table of generation options (ai/genopt.c): every option answers to
 * its key, flag, alias and JSON name; values in range parse, values out of
 * range or not numbers are refused with "NAME: bad number 'S' (...)" and
 * leave the values alone; JSON numbers take the same ranges; the usage
 * text lists every option and wraps.
 */
#include <stdio.h>
#include <string.h>

#include "ai/genopt.h"
#include "tests/unit/check.h"

int main(void)
{
	struct genopt_values v, before;
	char err[160], buf[512];
	int n = 0;

	for (const struct genopt *o; (o = genopt_at(n)); n++) {
		bool ok = genopt_find(o->key) == o && genopt_find(o->flag) == o &&
			  genopt_find(o->json) == o && (!o->alias || genopt_find(o->alias) == o);
		check(ok, "genopt %s: found by key, flag, alias and JSON name", o->key);
	}
	check(n == 8 && !genopt_find("--bogus") && !genopt_find(""), "genopt: 8 options, no others");

	memset(&v, 0, sizeof v);
	sampler_defaults(&v.sp);
	v.n_predict = 128;
	check(!genopt_parse(genopt_find("--temp"), "--temp", "0.5", &v, err, sizeof err) &&
		      v.sp.temp == 0.5f, "genopt: --temp 0.5");
	check(!genopt_parse(genopt_find("top-k"), NULL, "7", &v, err, sizeof err) && v.sp.top_k == 7,
	      "genopt: top-k 7");
	check(!genopt_parse(genopt_find("-n"), "-n", "-1", &v, err, sizeof err) && v.n_predict == -1,
	      "genopt: -n -1");
	check(!genopt_parse(genopt_find("-s"), "-s", "18446744073709551615", &v, err, sizeof err) &&
		      v.sp.seed == UINT64_MAX, "genopt: the largest seed");

	before = v;
	static const struct { const char *name, *val, *msg; } bad[] = {
		{ "--temp", "-1", "--temp: bad number '-1' (expected 0..1000)" },
		{ "--top-p", "7", "--top-p: bad number '7' (expected 0..1)" },
		{ "-n", "12abc", "-n: bad number '12abc' (expected an integer in -1..16777216)" },
		{ "top-k", "1.5", "top-k: bad number '1.5'" },
		{ "--top-k", "99999999999999999999", "--top-k: bad number" },
		{ "--seed", "-3", "--seed: bad number '-3'" },
		{ "--seed", "18446744073709551616", "--seed: bad number" },
		{ "--min-p", "nan", "--min-p: bad number 'nan'" },
		{ "--repeat-penalty", "0", "--repeat-penalty: bad number '0' (expected 0.01..100)" },
		{ "--temp", "", "--temp: bad number ''" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = genopt_parse(genopt_find(bad[i].name), bad[i].name, bad[i].val, &v, err, sizeof err);
		check(rc == -1 && !strncmp(err, bad[i].msg, strlen(bad[i].msg)) &&
			      !memcmp(&v, &before, sizeof v),
		      "genopt: %s '%s' refused (%s)", bad[i].name, bad[i].val, err);
	}

	check(!genopt_set_number(genopt_find("temperature"), "temperature", 0.25, &v, err, sizeof err) &&
		      v.sp.temp == 0.25f, "genopt: JSON temperature 0.25");
	check(!genopt_set_number(genopt_find("n_predict"), "n_predict", 16, &v, err, sizeof err) &&
		      v.n_predict == 16, "genopt: JSON n_predict 16");
	check(genopt_set_number(genopt_find("top_k"), "top_k", 2.5, &v, err, sizeof err) == -1 &&
		      !strncmp(err, "top_k: bad number '2.5'", 23), "genopt: JSON top_k 2.5 refused (%s)", err);
	check(genopt_set_number(genopt_find("seed"), "seed", -1, &v, err, sizeof err) == -1,
	      "genopt: JSON seed -1 refused");

	genopt_format(genopt_find("temp"), &v, buf, sizeof buf);
	check(!strcmp(buf, "0.25"), "genopt: format temp (%s)", buf);

	size_t need = genopt_usage(buf, sizeof buf, "usage: generate", "[--ids] PROMPT", 80);
	bool wrapped = true;
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		wrapped &= nl - line <= 80;
	check(need == strlen(buf) &&
		      !strncmp(buf, "usage: generate [-n N] [--temp T] [--top-k K]", 45) &&
		      strstr(buf, "\n                [") && strstr(buf, "[--seed S] [--ids]\n                PROMPT\n") &&
		      wrapped, "genopt: usage text");
	if (!wrapped || need != strlen(buf))
		printf("# %s", buf);
	check(genopt_usage(buf, 10, "usage: generate", "[--ids] PROMPT", 80) == need && strlen(buf) == 9,
	      "genopt: usage text cut to the buffer");
	return n_fail ? 1 : 0;
}

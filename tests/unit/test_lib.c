/* Host tests of lib/ (the OS's libc subset): the lib C files are
 * #included with LIB_TEST so their functions become t_name and are
 * compared against glibc. Prints one "PASS: x" / "FAIL: x" line per check;
 * exit status 1 on any failure. */
#define LIB_TEST 1
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mm/heap.c's page source: 4 KiB aligned host memory. */
static uint64_t fake_pages_live;
void *pmm_alloc_pages(uint64_t n);
void pmm_free_pages(void *p, uint64_t n);
void *pmm_alloc_pages(uint64_t n)
{
	fake_pages_live += n;
	return aligned_alloc(4096, n * 4096);
}
void pmm_free_pages(void *p, uint64_t n)
{
	fake_pages_live -= n;
	free(p);
}

#include "mm/heap.c" /* first: the rest call its t_malloc */
#include "lib/printf.c"
#include "lib/qsort.c"
#include "lib/string.c"
#include "lib/strtol.c"
#include "tests/unit/check.h"
#define TEST_RNG_SEED 0x9E3779B97F4A7C15ull
#include "tests/unit/rng.h"

/* Formats with both our vsnprintf and glibc's; counts mismatches. */
static int n_fmt, n_fmt_bad;
static void cmpf(const char *fmt, ...)
{
	char a[512], b[512];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int ra = t_vsnprintf(a, sizeof a, fmt, ap);
	int rb = vsnprintf(b, sizeof b, fmt, aq);
	va_end(aq);
	va_end(ap);
	n_fmt++;
	if (ra != rb || strcmp(a, b)) {
		n_fmt_bad++;
		if (n_fmt_bad < 20)
			fprintf(stderr, "  fmt \"%s\": ours \"%s\" (%d), glibc \"%s\" (%d)\n", fmt, a, ra, b, rb);
	}
}

static void test_printf(void)
{
	cmpf("%d %i %u %x %X %o", 42, -7, 3000000000u, 0xbeefu, 0xbeefu, 8u);
	cmpf("[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.3d] [%-8.3d|]", 42, 42, -42, 42, 42, 7, -7, 7);
	cmpf("%ld %lld %lu %llx %zu %zd %hhd %hd %hhu", -1234567890123l, -9223372036854775807ll - 1,
	     18446744073709551615ul, 0x123456789abcdefull, (size_t)12345, (ssize_t)-3, 300, 70000, 511);
	cmpf("%#x %#o %#X %#x %#o", 255u, 8u, 255u, 0u, 0u);
	cmpf("%.0d|%.0x|%5.0d|", 0, 0u, 0);
	cmpf("%p %p", (void *)0x1234, (void *)&n_fail);
	cmpf("%s|%10s|%-10s|%.2s|%*s|%-*s|%.*s", "abc", "abc", "abc", "abc", 6, "ab", 6, "ab", 1, "xyz");
	cmpf("%c%c%5c%-3c|", 'a', 'b', 'c', 'd');
	cmpf("100%% %%d");
	cmpf("%s", "(null) test");
	cmpf("%f %F %e %E %g %G", 3.14159, 2.5, 12345.678, 0.000123, 0.0001, 1e20);
	cmpf("%.0f %.0f %.0f %.0f %.1f %.2f %.2f", 0.5, 1.5, 2.5, -0.5, 0.05, 0.125, 0.375);
	cmpf("%10.3f|%-10.3f|%010.3f|%+.3f|% .3f|%#.0f", 3.14159, 3.14159, -3.14159, 2.0, 2.0, 3.0);
	cmpf("%g %g %g %g %g %g %g", 100000.0, 1000000.0, 0.0001, 0.00001, 123456789.0, 1.5, 0.0);
	cmpf("%#g %#.3g %.0g %.1g %.10g %.17g", 1.0, 2.0, 123.0, 0.96, 1.0 / 3, 0.1);
	cmpf("%e %.0e %#.0e %.3e %e", 0.0, 5e10, 5e10, 9.9996, 1e-310);
	cmpf("%f %e %g %f", 1e300, 1.7976931348623157e308, 4.9e-324, -0.0);
	cmpf("%f %f %F %e %g %5.1f|%-6f|", __builtin_inf(), -__builtin_inf(), __builtin_nan(""),
	     __builtin_nan(""), -__builtin_inf(), __builtin_inf(), __builtin_nan(""));
	cmpf("%.3f tok/s, %.2f ms, %6.2f%%", 12.3456, 0.04567, 99.999);
	cmpf("%.20f %.30e %.15g", 0.1, 0.1, 0.1);
	for (int i = 0; i < 20000; i++) {
		union {
			uint64_t u;
			double d;
		} u = {rng_next()};
		if (u.d != u.d)
			continue;
		int prec = (int)(rng_next() % 18);
		cmpf("%.*e", prec, u.d);
		cmpf("%.*g", prec, u.d);
		double f = (double)(int64_t)(rng_next() % 2000000001 - 1000000000) / (double)(1 + rng_next() % 100000);
		cmpf("%.*f", prec, f);
		cmpf("%.*g", prec, f);
		float fl = (float)f * 1e-3f;
		cmpf("%f %g %e", fl, fl, fl);
		cmpf("%lld %llx %llo", (long long)rng_next(), (unsigned long long)rng_next(), (unsigned long long)rng_next());
	}
	char small[8];
	int r = t_snprintf(small, sizeof small, "%s", "hello world");
	check(r == 11 && !strcmp(small, "hello w"), "lib snprintf truncates and returns the full length");
	r = t_snprintf(NULL, 0, "%d", 12345);
	check(r == 5, "lib snprintf size 0 counts only");
	char buf[64];
	printf("  %d formats compared, %d differ from glibc\n", n_fmt, n_fmt_bad);
	snprintf(buf, sizeof buf, "lib vsnprintf equals glibc on %d formats", n_fmt);
	check(n_fmt_bad == 0, "%s", buf);
}

static void test_string(void)
{
	char a[64], b[64];
	int ok = 1;
	for (int i = 0; i < 2000; i++) {
		size_t n = rng_next() % 31, off = rng_next() % 20, o2 = rng_next() % 20;
		for (int k = 0; k < 64; k++)
			a[k] = b[k] = (char)rng_next();
		t_memmove(a + off, a + o2, n);
		memmove(b + off, b + o2, n);
		ok &= !memcmp(a, b, 64);
		t_memset(a + off, (int)n, o2);
		memset(b + off, (int)n, o2);
		ok &= !memcmp(a, b, 64);
		t_memcpy(a, b + 30, n);
		memcpy(b, b + 30, n);
		ok &= !memcmp(a, b, 64);
	}
	check(ok, "lib memcpy/memmove/memset equal glibc (random overlaps)");
	ok = t_strlen("hello") == 5 && t_strcmp("abc", "abd") < 0 && t_strcmp("b", "a") > 0 &&
	     t_strncmp("abcx", "abcy", 3) == 0 && t_strcasecmp("HeLLo", "hello") == 0 &&
	     t_strchr("hello", 'l') && !strcmp(t_strchr("hello", 'l'), "llo") && !t_strchr("hello", 'z') &&
	     !strcmp(t_strrchr("a/b/c", '/'), "/c") && !strcmp(t_strstr("find the needle", "needle"), "needle") &&
	     t_strstr("abc", "abd") == NULL && t_strspn("  x", " ") == 2 && t_strcspn("abc,d", ",") == 3 &&
	     t_memcmp("ab\xff", "ab\x01", 3) > 0 && t_strnlen("abc", 2) == 2;
	char *d = t_strdup("duplicate");
	ok &= d && !strcmp(d, "duplicate");
	t_free(d);
	char tok[] = "  one two\tthree ";
	char *save, *w1 = t_strtok_r(tok, " \t", &save), *w2 = t_strtok_r(NULL, " \t", &save);
	char *w3 = t_strtok_r(NULL, " \t", &save), *w4 = t_strtok_r(NULL, " \t", &save);
	ok &= w1 && !strcmp(w1, "one") && w2 && !strcmp(w2, "two") && w3 && !strcmp(w3, "three") && !w4;
	check(ok, "lib str* functions");
}

static void test_strtol(void)
{
	const char *ints[] = {"0", "42", "-17", "  +99x", "0x1F", "0777", "9223372036854775807",
			      "9223372036854775808", "-9223372036854775808", "abc", "", "-", "0x", "12e3"};
	int ok = 1;
	for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
		for (int base = 0; base <= 16; base += (base == 0 ? 10 : 6)) {
			char *e1, *e2;
			long long x = t_strtoll(ints[i], &e1, base), y = strtoll(ints[i], &e2, base);
			unsigned long long ux = t_strtoull(ints[i], &e1, base), uy = strtoull(ints[i], &e2, base);
			if (x != y || ux != uy || e1 != e2) {
				ok = 0;
				fprintf(stderr, "  strtoll(\"%s\", %d): %lld vs %lld\n", ints[i], base, x, y);
			}
		}
	}
	check(ok, "lib strtol/strtoull equal glibc");
	const char *fl[] = {"0", "1.5", "-2.25", "3.14159", "1e10", "2.5e-3", "  .5", "7.", "inf", "-inf",
			    "0.1", "0.7", "1.0e-5", "123456.789", "0.95", "1.1", "abc", "40", "1e-320x"};
	ok = 1;
	for (size_t i = 0; i < sizeof fl / sizeof *fl; i++) {
		char *e1, *e2;
		double x = t_strtod(fl[i], &e1), y = strtod(fl[i], &e2);
		double rel = y ? (x - y) / y : x;
		if (rel < 0)
			rel = -rel;
		if (e1 != e2 || !(rel < 1e-15 || x == y)) {
			ok = 0;
			fprintf(stderr, "  strtod(\"%s\"): %.17g vs %.17g\n", fl[i], x, y);
		}
		if ((float)y != t_strtof(fl[i], NULL) && y < 1e30 && y > -1e30 && y == y) {
			ok = 0;
			fprintf(stderr, "  strtof(\"%s\") differs\n", fl[i]);
		}
	}
	check(ok, "lib strtod/strtof match glibc (within 1e-15, floats exact)");
}

struct kv {
	int key, idx;
};
static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static void test_qsort(void)
{
	int ok = 1;
	for (int round = 0; round < 50; round++) {
		size_t n = rng_next() % 3000;
		struct kv *a = malloc(n * sizeof *a + 1), *b = malloc(n * sizeof *b + 1);
		for (size_t i = 0; i < n; i++) {
			a[i].key = (int)(rng_next() % (round % 2 ? 10 : 100000));
			a[i].idx = (int)i;
		}
		memcpy(b, a, n * sizeof *a);
		t_qsort(a, n, sizeof *a, cmp_kv);
		qsort(b, n, sizeof *b, cmp_kv);
		ok &= !memcmp(a, b, n * sizeof *a);
		free(a);
		free(b);
	}
	check(ok, "lib qsort is stable and equals glibc's order (ties too)");
}

static void test_heap(void)
{
	int ok = 1;
	enum { N = 3000 };
	static char *ptr[N];
	static size_t len[N];
	for (int it = 0; it < 40000; it++) {
		int i = (int)(rng_next() % N);
		if (ptr[i]) {
			for (size_t k = 0; k < len[i]; k++)
				if (ptr[i][k] != (char)(i + k))
					ok = 0;
			if (rng_next() % 3 == 0) {
				size_t nl = rng_next() % 70000;
				char *q = t_realloc(ptr[i], nl);
				if (!q && nl) {
					ok = 0;
					continue;
				}
				ptr[i] = q;
				for (size_t k = len[i]; k < nl; k++)
					q[k] = (char)(i + k);
				len[i] = nl;
				if (!nl)
					ptr[i] = NULL;
			} else {
				t_free(ptr[i]);
				ptr[i] = NULL;
			}
		} else {
			size_t n = rng_next() % 8 ? rng_next() % 600 : rng_next() % 100000;
			if (rng_next() % 5 == 0) {
				size_t al = (size_t)16 << (rng_next() % 9);
				void *p;
				if (t_posix_memalign(&p, al, n) || ((uintptr_t)p & (al - 1)))
					ok = 0;
				ptr[i] = p;
			} else {
				ptr[i] = rng_next() % 2 ? t_malloc(n) : t_calloc(1, n);
			}
			if (!ptr[i]) {
				ok = 0;
				continue;
			}
			if (((uintptr_t)ptr[i] & 15))
				ok = 0;
			len[i] = n;
			for (size_t k = 0; k < n; k++)
				ptr[i][k] = (char)(i + k);
		}
	}
	for (int i = 0; i < N; i++)
		t_free(ptr[i]);
	struct heap_stats st;
	heap_get_stats(&st);
	check(ok, "lib heap: random malloc/calloc/realloc/posix_memalign/free keep data");
	check(st.live_blocks == 0 && st.large_bytes == 0,
	      "lib heap: everything freed (no live blocks, large pages returned)");
	void *z = t_calloc(SIZE_MAX / 2, 4);
	check(z == NULL, "lib calloc overflow returns NULL");
}

int main(void)
{
	test_printf();
	test_string();
	test_strtol();
	test_qsort();
	test_heap();
	return n_fail ? 1 : 0;
}

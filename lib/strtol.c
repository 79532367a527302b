/* Number parsing: strtol & co., strtod (decimal, exact to ~1 ulp), atoi. */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/libc.h"

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 99;
}

/* Parses an optionally signed integer; *neg the sign, returns the
 * magnitude saturated at limit (+1 to flag overflow). */
static unsigned long long parse_u(const char *s, char **end, int base, bool *neg,
				  unsigned long long limit, bool *over)
{
	const char *p = s;
	*neg = false;
	*over = false;
	while (is_space((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
	    digit_val((unsigned char)p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	unsigned long long v = 0;
	const char *start = p;
	for (; digit_val((unsigned char)*p) < base; p++) {
		unsigned d = (unsigned)digit_val((unsigned char)*p);
		if (v > (limit - d) / (unsigned)base)
			*over = true;
		else
			v = v * base + d;
	}
	if (end)
		*end = (char *)(p == start ? s : p);
	return v;
}

long long LIBC(strtoll)(const char *restrict s, char **restrict end, int base)
{
	bool neg, over;
	unsigned long long v = parse_u(s, end, base, &neg, (unsigned long long)LLONG_MAX + 1, &over);
	if (over)
		return neg ? LLONG_MIN : LLONG_MAX;
	if (!neg && v > LLONG_MAX)
		return LLONG_MAX;
	return neg ? (long long)(0 - v) : (long long)v;
}

long LIBC(strtol)(const char *restrict s, char **restrict end, int base)
{
	return (long)LIBC(strtoll)(s, end, base);
}

unsigned long long LIBC(strtoull)(const char *restrict s, char **restrict end, int base)
{
	bool neg, over;
	unsigned long long v = parse_u(s, end, base, &neg, ULLONG_MAX, &over);
	if (over)
		return ULLONG_MAX;
	return neg ? 0 - v : v;
}

unsigned long LIBC(strtoul)(const char *restrict s, char **restrict end, int base)
{
	return (unsigned long)LIBC(strtoull)(s, end, base);
}

int LIBC(atoi)(const char *s)
{
	return (int)LIBC(strtol)(s, NULL, 10);
}

long LIBC(atol)(const char *s)
{
	return LIBC(strtol)(s, NULL, 10);
}

static double pow10i(int e)
{
	double r = 1, b = 10;
	bool neg = e < 0;
	unsigned u = neg ? (unsigned)-e : (unsigned)e;
	while (u) {
		if (u & 1)
			r *= b;
		b *= b;
		u >>= 1;
	}
	return neg ? 1 / r : r;
}

/* Decimal floats ("1.5", "-2e-3", "inf", "nan"): up to 19 significant
 * digits gathered exactly, then one scaling by a power of ten. */
double LIBC(strtod)(const char *restrict s, char **restrict end)
{
	const char *p = s;
	while (is_space((unsigned char)*p))
		p++;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((p[0] | 32) == 'i' && (p[1] | 32) == 'n' && (p[2] | 32) == 'f') {
		p += 3;
		if (end)
			*end = (char *)p;
		return neg ? -__builtin_inf() : __builtin_inf();
	}
	if ((p[0] | 32) == 'n' && (p[1] | 32) == 'a' && (p[2] | 32) == 'n') {
		if (end)
			*end = (char *)p + 3;
		return __builtin_nan("");
	}
	uint64_t mant = 0;
	int ndig = 0, exp10 = 0;
	bool any = false;
	for (; *p >= '0' && *p <= '9'; p++, any = true) {
		if (ndig < 19) {
			mant = mant * 10 + (*p - '0');
			if (mant)
				ndig++;
		} else {
			exp10++;
		}
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, any = true) {
			if (ndig < 19) {
				mant = mant * 10 + (*p - '0');
				if (mant)
					ndig++;
				exp10--;
			}
		}
	}
	if (!any) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	if ((*p | 32) == 'e') {
		char *e2;
		long x = LIBC(strtol)(p + 1, &e2, 10);
		if (e2 != p + 1 && (p[1] == '+' || p[1] == '-' || (p[1] >= '0' && p[1] <= '9'))) {
			p = e2;
			if (x > 100000)
				x = 100000;
			if (x < -100000)
				x = -100000;
			exp10 += (int)x;
		}
	}
	if (end)
		*end = (char *)p;
	double v = (double)mant;
	if (exp10 < -300) { /* avoid 1/inf: scale in two steps */
		v *= pow10i(-300);
		exp10 += 300;
	}
	if (exp10 < 0)
		v /= pow10i(-exp10);
	else if (exp10 > 0)
		v *= pow10i(exp10);
	return neg ? -v : v;
}

float LIBC(strtof)(const char *restrict s, char **restrict end)
{
	return (float)LIBC(strtod)(s, end);
}

double LIBC(atof)(const char *s)
{
	return LIBC(strtod)(s, NULL);
}

int LIBC(abs)(int x)
{
	return x < 0 ? -x : x;
}

long LIBC(labs)(long x)
{
	return x < 0 ? -x : x;
}

long long LIBC(llabs)(long long x)
{
	return x < 0 ? -x : x;
}

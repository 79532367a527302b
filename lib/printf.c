/*
 * vsnprintf/snprintf: C99 conversions d i u x X o p s c % with flags
 * "-+ #0", width and precision (also '*'), length hh h l ll z j t L;
 * floats f F e E g G printed exactly (the full decimal expansion of the
 * double, then rounded half-even like glibc) without libm.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/libc.h"

struct out {
	char *buf;
	size_t size, len; /* len counts every byte, also those cut off */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
}

static void pad(struct out *o, char c, int n)
{
	for (; n > 0; n--)
		put(o, c);
}

struct spec {
	bool left, plus, space, alt, zero;
	int width, prec; /* prec < 0: not given */
};

/* Writes prefix (sign, 0x) + zeros + body, padded to the width. */
static void emit(struct out *o, const struct spec *sp, const char *prefix,
		 int zeros, const char *body, size_t blen)
{
	int plen = (int)strlen(prefix);
	int total = plen + zeros + (int)blen;
	int padn = sp->width > total ? sp->width - total : 0;
	if (!sp->left && !sp->zero)
		pad(o, ' ', padn);
	put_n(o, prefix, plen);
	if (!sp->left && sp->zero)
		pad(o, '0', padn);
	pad(o, '0', zeros);
	put_n(o, body, blen);
	if (sp->left)
		pad(o, ' ', padn);
}

static void fmt_int(struct out *o, struct spec sp, uint64_t v, bool neg, int base,
		    bool upper, bool is_ptr)
{
	char tmp[24];
	int n = 0;
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t x = v;
	while (x) {
		tmp[sizeof tmp - 1 - n++] = dig[x % base];
		x /= base;
	}
	char prefix[4] = "";
	if (neg)
		strcpy(prefix, "-");
	else if (sp.plus && base == 10 && !is_ptr)
		strcpy(prefix, "+");
	else if (sp.space && base == 10 && !is_ptr)
		strcpy(prefix, " ");
	if ((sp.alt && base == 16 && v) || is_ptr)
		strcpy(prefix, upper ? "0X" : "0x");
	int zeros = 0;
	if (sp.prec >= 0) {
		sp.zero = false;
		if (sp.prec > n)
			zeros = sp.prec - n;
	} else if (n == 0) {
		zeros = 1; /* "0" */
	}
	if (sp.alt && base == 8 && zeros == 0 && (n == 0 || tmp[sizeof tmp - n] != '0'))
		zeros = 1;
	emit(o, &sp, prefix, zeros, tmp + sizeof tmp - n, n);
}

/* ---- exact decimal expansion of a double -------------------------------- */

/* Big natural numbers as little-endian 32-bit limbs (2^1024 needs 33). */
#define BN_LIMBS 40
struct bn {
	uint32_t d[BN_LIMBS];
	int n; /* limbs in use */
};

static void bn_set(struct bn *b, uint64_t v)
{
	b->d[0] = (uint32_t)v;
	b->d[1] = (uint32_t)(v >> 32);
	b->n = b->d[1] ? 2 : (b->d[0] ? 1 : 0);
}

static void bn_shl(struct bn *b, int s)
{
	int w = s / 32, r = s % 32;
	if (!b->n)
		return;
	int n = b->n + w + 1;
	for (int i = n - 1; i >= 0; i--) {
		uint64_t hi = (i - w >= 0 && i - w < b->n) ? b->d[i - w] : 0;
		uint64_t lo = (i - w - 1 >= 0 && i - w - 1 < b->n) ? b->d[i - w - 1] : 0;
		b->d[i] = r ? (uint32_t)((hi << r) | (lo >> (32 - r))) : (uint32_t)hi;
	}
	b->n = n;
	while (b->n && !b->d[b->n - 1])
		b->n--;
}

/* b = b / d, returns the remainder. */
static uint32_t bn_divsmall(struct bn *b, uint32_t d)
{
	uint64_t rem = 0;
	for (int i = b->n - 1; i >= 0; i--) {
		uint64_t cur = (rem << 32) | b->d[i];
		b->d[i] = (uint32_t)(cur / d);
		rem = cur % d;
	}
	while (b->n && !b->d[b->n - 1])
		b->n--;
	return (uint32_t)rem;
}

/* b = b * m + add. */
static void bn_muladd(struct bn *b, uint32_t m, uint32_t add)
{
	uint64_t carry = add;
	for (int i = 0; i < b->n; i++) {
		uint64_t cur = (uint64_t)b->d[i] * m + carry;
		b->d[i] = (uint32_t)cur;
		carry = cur >> 32;
	}
	if (carry)
		b->d[b->n++] = (uint32_t)carry;
}

/*
 * A finite non-negative double as decimal digits: int_digits[0..ni) the
 * integer part ("" for 0), then the fraction digits generated lazily:
 * frac = F / 2^fbits with F < 2^fbits.
 */
struct dec {
	char ip[340];
	int ni;
	struct bn f;
	int fbits;
};

static void dec_init(struct dec *d, double v)
{
	union {
		double f;
		uint64_t u;
	} u = {v};
	int ex = (int)((u.u >> 52) & 0x7ff);
	uint64_t m = u.u & ((1ull << 52) - 1);
	if (ex)
		m |= 1ull << 52;
	else
		ex = 1;
	int e = ex - 1075; /* v = m * 2^e */
	struct bn ib;
	if (e >= 0) {
		bn_set(&ib, m);
		bn_shl(&ib, e);
		bn_set(&d->f, 0);
		d->fbits = 0;
	} else {
		int s = -e;
		bn_set(&ib, s >= 64 ? 0 : m >> s);
		bn_set(&d->f, s >= 64 ? m : m & ((1ull << s) - 1));
		d->fbits = s;
	}
	char rev[340];
	int n = 0;
	while (ib.n) {
		uint32_t r = bn_divsmall(&ib, 1000000000u);
		for (int k = 0; k < 9; k++) {
			rev[n++] = (char)('0' + r % 10);
			r /= 10;
		}
	}
	while (n > 0 && rev[n - 1] == '0')
		n--;
	for (int i = 0; i < n; i++)
		d->ip[i] = rev[n - 1 - i];
	d->ni = n;
}

/* Next fraction digit (0 once the fraction is exhausted). */
static int dec_next(struct dec *d)
{
	if (!d->f.n)
		return 0;
	bn_muladd(&d->f, 10, 0);
	/* digit = F >> fbits; F &= (1 << fbits) - 1 */
	int w = d->fbits / 32, r = d->fbits % 32;
	uint64_t digit = 0;
	if (w < d->f.n)
		digit = d->f.d[w] >> r;
	if (w + 1 < d->f.n && r)
		digit |= (uint64_t)d->f.d[w + 1] << (32 - r);
	for (int i = w + (r ? 1 : 0); i < d->f.n; i++)
		if (i > w || !r)
			d->f.d[i] = 0;
	if (w < d->f.n && r)
		d->f.d[w] &= (1u << r) - 1;
	while (d->f.n && !d->f.d[d->f.n - 1])
		d->f.n--;
	return (int)digit;
}

/*
 * Rounds the digit string s[0..n) (n digits kept) given the next digit and
 * whether anything non-zero follows it; half-even. Returns 1 when the
 * carry ran out of the top (s becomes "100..0" one longer, caller adjusts).
 */
static int round_digits(char *s, int n, int next, bool sticky)
{
	bool up = next > 5 || (next == 5 && (sticky || (n > 0 && (s[n - 1] - '0') % 2) || (n == 0)));
	if (next == 5 && !sticky && n == 0)
		up = false; /* 0.5 -> 0 (even) */
	if (!up)
		return 0;
	for (int i = n - 1; i >= 0; i--) {
		if (s[i] != '9') {
			s[i]++;
			return 0;
		}
		s[i] = '0';
	}
	memmove(s + 1, s, n);
	s[0] = '1';
	return 1;
}

#define FDIG 400 /* most digits one float conversion produces (precision capped) */

/* %f: digits of v (>= 0) with prec fraction digits into s; returns length,
 * *ilen = integer digits (at least 1). */
static int conv_f(double v, int prec, char *s, int *ilen)
{
	struct dec d;
	dec_init(&d, v);
	int n = 0;
	if (d.ni == 0)
		s[n++] = '0';
	for (int i = 0; i < d.ni; i++)
		s[n++] = d.ip[i];
	int il = n;
	for (int i = 0; i < prec; i++)
		s[n++] = (char)('0' + dec_next(&d));
	int next = dec_next(&d);
	bool sticky = d.f.n != 0;
	if (round_digits(s, n, next, sticky))
		n++, il++;
	*ilen = il;
	return n;
}

/* %e: prec+1 significant digits of v (>= 0) into s; returns the decimal
 * exponent. v == 0 gives zeros and exponent 0. */
static int conv_e(double v, int prec, char *s)
{
	struct dec d;
	dec_init(&d, v);
	int want = prec + 1, n = 0, exp10;
	int next, ii = 0;
	if (v == 0) {
		memset(s, '0', want);
		return 0;
	}
	if (d.ni > 0) {
		exp10 = d.ni - 1;
		for (; n < want && ii < d.ni; n++)
			s[n] = d.ip[ii++];
		for (; n < want; n++)
			s[n] = (char)('0' + dec_next(&d));
	} else {
		int dig;
		exp10 = -1;
		while ((dig = dec_next(&d)) == 0)
			exp10--;
		s[n++] = (char)('0' + dig);
		for (; n < want; n++)
			s[n] = (char)('0' + dec_next(&d));
	}
	bool sticky;
	if (ii < d.ni) {
		next = d.ip[ii++] - '0';
		sticky = d.f.n != 0;
		for (; ii < d.ni; ii++)
			if (d.ip[ii] != '0')
				sticky = true;
	} else {
		next = dec_next(&d);
		sticky = d.f.n != 0;
	}
	if (round_digits(s, n, next, sticky))
		exp10++; /* s is now "1000..." with one digit too many: drop it */
	return exp10;
}

static void fmt_float(struct out *o, struct spec sp, double v, char conv)
{
	bool upper = conv == 'F' || conv == 'E' || conv == 'G';
	char lc = (char)(conv | 32);
	union {
		double f;
		uint64_t u;
	} u = {v};
	bool neg = u.u >> 63;
	if (neg)
		v = -v;
	const char *prefix = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
	if (v != v || v > 1.7976931348623157e308) {
		sp.zero = false;
		const char *t = v != v ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
		emit(o, &sp, prefix, 0, t, 3);
		return;
	}
	int prec = sp.prec < 0 ? 6 : sp.prec;
	if (prec > FDIG - 340)
		prec = FDIG - 340;
	char s[FDIG + 8], body[FDIG + 16];
	int bl = 0;
	bool strip = false;
	if (lc == 'g') {
		if (prec == 0)
			prec = 1;
		int x = conv_e(v, prec - 1, s);
		if (prec > x && x >= -4) {
			lc = 'f';
			prec = prec - 1 - x;
		} else {
			lc = 'e';
			prec = prec - 1;
		}
		strip = !sp.alt;
	}
	if (lc == 'f') {
		int il, n = conv_f(v, prec, s, &il);
		memcpy(body, s, il);
		bl = il;
		if (prec > 0 || sp.alt)
			body[bl++] = '.';
		memcpy(body + bl, s + il, n - il);
		bl += n - il;
		if (strip && prec > 0) {
			while (body[bl - 1] == '0')
				bl--;
			if (body[bl - 1] == '.')
				bl--;
		}
	} else {
		int x = conv_e(v, prec, s);
		body[bl++] = s[0];
		if (prec > 0 || sp.alt)
			body[bl++] = '.';
		memcpy(body + bl, s + 1, prec);
		bl += prec;
		if (strip && prec > 0) {
			while (body[bl - 1] == '0')
				bl--;
			if (body[bl - 1] == '.')
				bl--;
		}
		body[bl++] = upper ? 'E' : 'e';
		body[bl++] = x < 0 ? '-' : '+';
		if (x < 0)
			x = -x;
		char ed[8];
		int en = 0;
		do {
			ed[en++] = (char)('0' + x % 10);
			x /= 10;
		} while (x);
		if (en < 2)
			ed[en++] = '0';
		while (en)
			body[bl++] = ed[--en];
	}
	if (upper)
		for (int i = 0; i < bl; i++)
			if (body[i] >= 'a' && body[i] <= 'z')
				body[i] -= 32;
	sp.prec = -1;
	emit(o, &sp, prefix, 0, body, bl);
}

int LIBC(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list va;
	va_copy(va, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp = {0};
		sp.prec = -1;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(va, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(va, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		if (sp.left)
			sp.zero = false;
		int lng = 0; /* -2 hh, -1 h, 1 l, 2 ll, 3 size_t/ptrdiff/intmax */
		for (;; fmt++) {
			if (*fmt == 'h')
				lng--;
			else if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't')
				lng = 3;
			else if (*fmt == 'L')
				;
			else
				break;
		}
		char c = *fmt;
		if (!c)
			break;
		fmt++;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(va, long) : va_arg(va, long long);
			else
				v = va_arg(va, int);
			if (lng == -1)
				v = (short)v;
			else if (lng <= -2)
				v = (signed char)v;
			bool neg = v < 0;
			fmt_int(&o, sp, neg ? 0 - (uint64_t)v : (uint64_t)v, neg, 10, false, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(va, unsigned long) : va_arg(va, unsigned long long);
			else
				v = va_arg(va, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
			fmt_int(&o, sp, v, false, c == 'u' ? 10 : c == 'o' ? 8 : 16, c == 'X', false);
			break;
		}
		case 'p': {
			void *p = va_arg(va, void *);
			if (!p) {
				sp.zero = false;
				emit(&o, &sp, "", 0, "(nil)", 5);
			} else {
				fmt_int(&o, sp, (uintptr_t)p, false, 16, false, true);
			}
			break;
		}
		case 'c': {
			char ch = (char)va_arg(va, int);
			sp.zero = false;
			emit(&o, &sp, "", 0, &ch, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(va, const char *);
			if (!s)
				s = "(null)";
			size_t n = sp.prec >= 0 ? strnlen(s, sp.prec) : strlen(s);
			sp.zero = false;
			emit(&o, &sp, "", 0, s, n);
			break;
		}
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
			fmt_float(&o, sp, va_arg(va, double), c);
			break;
		case '%':
			put(&o, '%');
			break;
		default: /* unknown: print it as written */
			put(&o, '%');
			put(&o, c);
			break;
		}
	}
	va_end(va);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int LIBC(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = LIBC(vsnprintf)(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Unbounded, as C has it; prefer snprintf. */
int LIBC(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = LIBC(vsnprintf)(buf, SIZE_MAX, fmt, ap);
	va_end(ap);
	return n;
}

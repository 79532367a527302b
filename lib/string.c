/* <string.h>: memory and string functions (rep movsb/stosb for the bulk). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/libc.h"

void *LIBC(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *LIBC(memmove)(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n) {
		/* no harmful overlap going forward */
		void *d = dst;
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	} else {
		unsigned char *d = (unsigned char *)dst + n - 1;
		const unsigned char *s = (const unsigned char *)src + n - 1;
		__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	return dst;
}

void *LIBC(memset)(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int LIBC(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

void *LIBC(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

size_t LIBC(strlen)(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t LIBC(strnlen)(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int LIBC(strcmp)(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int LIBC(strncmp)(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int LIBC(strcasecmp)(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
		a++, b++;
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

int LIBC(strncasecmp)(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int x = lower((unsigned char)*a), y = lower((unsigned char)*b);
		if (x != y)
			return x - y;
		if (!x)
			return 0;
	}
	return 0;
}

char *LIBC(strcpy)(char *restrict dst, const char *restrict src)
{
	char *d = dst;
	while ((*d++ = *src++))
		;
	return dst;
}

/* C semantics: pads with NULs up to n, no terminator when src is longer. */
char *LIBC(strncpy)(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}

char *LIBC(strcat)(char *restrict dst, const char *restrict src)
{
	LIBC(strcpy)(dst + LIBC(strlen)(dst), src);
	return dst;
}

char *LIBC(strncat)(char *restrict dst, const char *restrict src, size_t n)
{
	char *d = dst + LIBC(strlen)(dst);
	size_t i = 0;
	for (; i < n && src[i]; i++)
		d[i] = src[i];
	d[i] = 0;
	return dst;
}

char *LIBC(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *LIBC(strrchr)(const char *s, int c)
{
	const char *r = NULL;
	for (;; s++) {
		if (*s == (char)c)
			r = s;
		if (!*s)
			return (char *)r;
	}
}

char *LIBC(strstr)(const char *hay, const char *needle)
{
	size_t n = LIBC(strlen)(needle);
	for (; *hay; hay++)
		if (!LIBC(strncmp)(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

size_t LIBC(strspn)(const char *s, const char *accept)
{
	size_t n = 0;
	while (s[n] && LIBC(strchr)(accept, s[n]))
		n++;
	return n;
}

size_t LIBC(strcspn)(const char *s, const char *reject)
{
	size_t n = 0;
	while (s[n] && !LIBC(strchr)(reject, s[n]))
		n++;
	return n;
}

char *LIBC(strpbrk)(const char *s, const char *accept)
{
	s += LIBC(strcspn)(s, accept);
	return *s ? (char *)s : NULL;
}

char *LIBC(strtok_r)(char *restrict s, const char *restrict delim, char **restrict save)
{
	if (!s)
		s = *save;
	s += LIBC(strspn)(s, delim);
	if (!*s) {
		*save = s;
		return NULL;
	}
	char *end = s + LIBC(strcspn)(s, delim);
	if (*end)
		*end++ = 0;
	*save = end;
	return s;
}

char *LIBC(strndup)(const char *s, size_t n)
{
	n = LIBC(strnlen)(s, n);
	char *d = LIBC(malloc)(n + 1);
	if (d) {
		LIBC(memcpy)(d, s, n);
		d[n] = 0;
	}
	return d;
}

char *LIBC(strdup)(const char *s)
{
	return LIBC(strndup)(s, SIZE_MAX);
}

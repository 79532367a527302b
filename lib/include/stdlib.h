/* Freestanding <stdlib.h> for the OS build: the kernel heap (lib/malloc.c),
 * qsort (lib/qsort.c) and number parsing (lib/strtol.c). */
#ifndef LIB_STDLIB_H
#define LIB_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
int posix_memalign(void **out, size_t align, size_t size);
void *aligned_alloc(size_t align, size_t size);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
double strtod(const char *restrict s, char **restrict end);
float strtof(const char *restrict s, char **restrict end);
int atoi(const char *s);
long atol(const char *s);
double atof(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

/* No process to end in the OS: abort() panics. */
void abort(void) __attribute__((noreturn));

#endif

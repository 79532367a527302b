/* Freestanding <strings.h>: the case-insensitive compares (lib/string.c). */
#ifndef LIB_STRINGS_H
#define LIB_STRINGS_H

#include <stddef.h>

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);

#endif

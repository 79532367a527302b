/* Reading the unit tests' data: a whole file (models, vocabs, reference
 * files), a line of token ids. */
#ifndef TESTS_UNIT_FILES_H
#define TESTS_UNIT_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes of PATH in a malloc'd buffer followed by a NUL (a text file is
 * a C string), their count in *len; NULL when the file cannot be read. */
static inline void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The whitespace-separated integers at the start of s, up to the end of its
 * line, into ids[max]; returns how many. */
static inline int parse_ids(const char *s, int32_t *ids, int max)
{
	int n = 0;
	while (n < max && *s && *s != '\n') {
		char *e;
		long v = strtol(s, &e, 10);
		if (e == s)
			break;
		ids[n++] = (int32_t)v;
		s = e;
	}
	return n;
}

#endif

/* Internal to lib/: LIBC(name) names a libc function. The OS build gets
 * the plain name; tests/unit/test_lib.c defines LIB_TEST and #includes
 * the lib C files so they become t_name beside the host's glibc. */
#ifndef LIB_LIBC_H
#define LIB_LIBC_H

#ifdef LIB_TEST
#define LIBC(name) t_##name
#else
#define LIBC(name) name
#endif

#endif

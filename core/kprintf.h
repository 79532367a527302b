/* Kernel console output: everything printed goes to serial (COM1) and to
 * the framebuffer console at once (core/console.c). */
#ifndef CORE_KPRINTF_H
#define CORE_KPRINTF_H

#include <stdarg.h>

/* printf to serial + framebuffer (lib/printf.c formats: %d %u %x %p %s
 * %c %f %e %g, widths, precisions, l/ll/z). Returns bytes written.
 * Serialised between CPUs; output over 1 KiB per call is formatted into a
 * heap buffer (cut to 1 KiB when there is no heap yet). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

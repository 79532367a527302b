/* The console: one output stream to serial and framebuffer at once
 * (kprintf goes through here), serialised between CPUs. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stddef.h>

void console_write(const char *s, size_t n);
void console_puts(const char *s);
/* For panic: stop waiting for a lock another (halted) CPU may hold. */
void console_panic_mode(void);

#endif

/* The console: one output stream to serial and framebuffer at once
 * (kprintf goes through here), serialised between CPUs. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* Mirrors the console to the QEMU/Bochs debug port 0xE9 when that port
 * answers (reads back 0xE9): a test can then read a machine without COM1
 * (`-serial none -debugcon file:X`). Real hardware reads 0xFF: no mirror. */
void console_init(void);
bool console_debugcon(void);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
/* Output that arrives on its own, e.g. a USB device plugged in while the
 * shell waits: console_async_begin starts a fresh line if the cursor is
 * not at the start of one; console_async_end lets the line editor draw its
 * prompt and line again (the hook it set, if any). */
void console_async_begin(void);
void console_async_end(void);
void console_set_redraw(void (*fn)(void));
/* For panic: stop waiting for a lock another (halted) CPU may hold. */
void console_panic_mode(void);

#endif

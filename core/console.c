/* Console output to serial + framebuffer, and kprintf (see core/kprintf.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "core/fbcon.h"
#include "core/kprintf.h"
#include "core/serial.h"
#include "core/spinlock.h"
#include "core/x86.h"

#define DEBUGCON_PORT 0xe9

static struct spinlock con_lock = SPINLOCK_INIT;
static volatile bool panic_mode;
static bool debugcon;
static bool mid_line;              /* the last character written was not '\n' */
static void (*redraw)(void);

void console_init(void)
{
	debugcon = inb(DEBUGCON_PORT) == DEBUGCON_PORT;
}

bool console_debugcon(void)
{
	return debugcon;
}

void console_panic_mode(void)
{
	panic_mode = true;
}

void console_write(const char *s, size_t n)
{
	/* In panic mode the lock may belong to a stopped CPU: wait a little,
	 * then write anyway. */
	bool locked = true;
	if (panic_mode) {
		long tries = 10000000;
		while (!spin_trylock(&con_lock) && --tries)
			cpu_pause();
		locked = tries > 0;
	} else {
		spin_lock(&con_lock);
	}
	serial_write(s, n);
	fbcon_write(s, n);
	for (size_t i = 0; debugcon && i < n; i++)
		outb(DEBUGCON_PORT, (uint8_t)s[i]);
	if (n)
		mid_line = s[n - 1] != '\n';
	if (locked)
		spin_unlock(&con_lock);
}

void console_async_begin(void)
{
	if (mid_line)
		console_write("\n", 1);
}

void console_async_end(void)
{
	if (redraw)
		redraw();
}

void console_set_redraw(void (*fn)(void))
{
	redraw = fn;
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

int kvprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0) {
		va_end(aq);
		return n;
	}
	if ((size_t)n < sizeof buf) {
		console_write(buf, n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, aq);
			console_write(big, n);
			free(big);
		} else {
			console_write(buf, sizeof buf - 1);
			n = sizeof buf - 1;
		}
	}
	va_end(aq);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* 16550 UART on COM1 (0x3F8), 8N1, polled: kernel output and one half of
 * the shell's input (the other is the PS/2 keyboard, core/kbd.c). */
#ifndef CORE_SERIAL_H
#define CORE_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1 0x3F8

/* baud 0 = 115200. Detects a missing UART (scratch register test);
 * then output is dropped. */
void serial_init(uint32_t baud);
bool serial_present(void);
void serial_putc(char c); /* "\n" goes out as "\r\n" */
void serial_write(const char *s, size_t n);
/* A received byte, or -1 when none is waiting. */
int serial_getc(void);

#endif

/*
 * 16550 UARTs, 8N1, polled: kernel output and one of the shell's inputs.
 * Which ports: `serial=` in llm.cfg (com1..com4, an I/O port, off), else
 * the port the ACPI SPCR table names (the firmware's console redirection:
 * Serial-over-LAN on servers is often COM2), else every one of COM1-COM4
 * that answers (scratch register test). Output goes to each chosen port,
 * input is read from each.
 */
#ifndef CORE_SERIAL_H
#define CORE_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acpi.h"

#define SERIAL_COM1 0x3F8
#define SERIAL_MAX_PORTS 4

/* First thing in kmain. baud 0 = 115200 (or the SPCR's); port: llm.cfg's
 * serial= (0 auto, BOOT_SERIAL_OFF none, else that port, answering or
 * not). In auto mode every COM port that answers is used until
 * serial_apply_acpi. */
void serial_init(uint32_t baud, uint16_t port);
/* After acpi_init, in auto mode: the SPCR's port (and speed, when llm.cfg
 * gave none) replaces the probed set. */
void serial_apply_acpi(const struct acpi_info *ai);
bool serial_present(void);
void serial_putc(char c); /* "\n" goes out as "\r\n" */
void serial_write(const char *s, size_t n);
/* A received byte from any port, or -1 when none is waiting. */
int serial_getc(void);
/* The `info` line: ports, speed, how they were chosen. */
void serial_print_info(void);

#endif

/*
 * The i8042 PS/2 controller and its keyboard, polled.
 *
 * Used only where it exists: the ACPI FADT's IAPC_BOOT_ARCH flag "8042"
 * (bit 1; the field exists from FADT revision 3) says whether the machine
 * has one; with an older FADT, or none, a status port reading 0xFF (nothing
 * on the bus) means no controller. Then a real initialisation, each step
 * with bounded waits (input buffer empty before every write, a reply
 * within a time limit), since firmware with Fast Boot may leave the
 * controller half set up and the keyboard not scanning:
 *   1. both ports off (AD, A7), output buffer flushed
 *   2. configuration byte: interrupts off, port 1 clock on, translation
 *      to scancode set 1 on
 *   3. controller self-test (AA -> 55), configuration written again
 *      (some controllers reset it), port 1 interface test (AB -> 00)
 *   4. port 1 on (AE), the keyboard told to scan (F4 -> FA ack)
 * Scancodes (set 1) become USB HID usages and go through input_key, so the
 * layout (`keymap=`) is the same as on USB keyboards.
 */
#ifndef DEV_I8042_H
#define DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"

/* Finds and sets up the controller (acpi: the tables core/acpi_hw.c read;
 * all have_ flags false without ACPI) and registers its poller. Prints one
 * line saying what it found. */
void i8042_init(const struct acpi_info *acpi);
/* A keyboard answered on the controller. */
bool i8042_keyboard(void);

#endif

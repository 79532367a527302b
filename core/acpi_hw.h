/*
 * The kernel's side of ACPI (the parsers are pure, core/acpi.h): the tables
 * are read once, by acpi_init, before pmm_reclaim_boot hands boot-services
 * memory to the allocator (the firmware may have left the RSDP or a table
 * there); what the kernel needs is kept in one struct acpi_info. Also the
 * access to the registers the tables describe (port or memory).
 */
#ifndef CORE_ACPI_HW_H
#define CORE_ACPI_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/boot_info.h"

/* Reads the tables from bi->rsdp (after vmm_init, before pmm_reclaim_boot)
 * and prints warnings (the RSDT fallback, bad checksums). */
void acpi_init(const struct boot_info *bi);
/* The tables' contents; all have_ flags false when there was no ACPI. */
const struct acpi_info *acpi_get(void);
/* Why acpi_init found no usable root table ("" when it did). */
const char *acpi_error(void);

/* Two or three `info` lines: root table, FADT registers, \_S5, HPET... */
void acpi_print_summary(void);

/* Reads / writes the register g describes (I/O port or memory, 8 to 32
 * bits wide). False when g is absent or of a kind we cannot reach. */
bool acpi_gas_read(const struct acpi_gas *g, uint32_t *v);
bool acpi_gas_write(const struct acpi_gas *g, uint32_t v);
/* "io 0x604" / "mem 0xfed00000" / "none" into buf. */
void acpi_gas_describe(const struct acpi_gas *g, char *buf, int size);

#endif

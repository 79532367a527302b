/*
 * Reset and power-off after ExitBootServices, each way tried in turn and
 * named on the console (so a report from a real machine says which
 * failed):
 *   power_off     the firmware's ResetSystem (efi_reset_system), then ACPI
 *                 S5: SLP_TYPa/b from the DSDT's \_S5 into the FADT's
 *                 PM1a/PM1b control blocks; then a halt with a message
 *   power_reboot  ResetSystem, the FADT's reset register, the PCI reset
 *                 control port 0xCF9, the keyboard controller's reset
 *                 line, a triple fault
 * `reset=acpi` in llm.cfg skips ResetSystem (to prove the ACPI ways).
 * Neither returns.
 */
#ifndef CORE_POWER_H
#define CORE_POWER_H

#include "core/boot_info.h"

/* Takes reset= from bi->cfg (any time before the first call). */
void power_init(const struct boot_info *bi);
void power_reboot(void) __attribute__((noreturn));
void power_off(void) __attribute__((noreturn));

#endif

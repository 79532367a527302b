/*
 * Reset and power-off after ExitBootServices: the firmware's ResetSystem
 * first (efi_reset_system, still callable), then the chipset ways that
 * PCs, QEMU and VirtualBox answer to. Neither returns.
 */
#ifndef CORE_POWER_H
#define CORE_POWER_H

void power_reboot(void) __attribute__((noreturn));
void power_off(void) __attribute__((noreturn));

#endif

/* Reset and power-off (core/power.h). */
#include <stdbool.h>

#include "core/boot_info.h"
#include "core/cpu.h"
#include "core/kprintf.h"
#include "core/power.h"
#include "core/timer.h"
#include "core/x86.h"

void power_reboot(void)
{
	kprintf("rebooting\n");
	efi_reset_system(false);
	outb(0xCF9, 0x02); /* PCI reset control: hard reset */
	timer_udelay(1000);
	outb(0xCF9, 0x06);
	timer_udelay(100000);
	outb(0x64, 0xFE); /* i8042: pulse the reset line */
	timer_udelay(100000);
	struct x86_dtr none = {0, 0}; /* last resort: triple fault */
	lidt(&none);
	__asm__ volatile("int3");
	cpu_halt_forever();
}

void power_off(void)
{
	kprintf("powering off\n");
	efi_reset_system(true);
	outw(0x604, 0x2000);  /* QEMU q35 / i440fx ACPI PM1a: SLP_TYP 5 | SLP_EN */
	outw(0xB004, 0x2000); /* older QEMU / Bochs */
	outw(0x4004, 0x3400); /* VirtualBox */
	outb(0xF4, 0x00);     /* QEMU isa-debug-exit, when present */
	kprintf("poweroff failed: halting; switch the machine off\n");
	cpu_halt_forever();
}

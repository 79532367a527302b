/* Reset and power-off (core/power.h). */
#include <stdbool.h>

#include "core/acpi_hw.h"
#include "core/boot_info.h"
#include "core/cpu.h"
#include "core/kprintf.h"
#include "core/power.h"
#include "core/timer.h"
#include "core/x86.h"

#define I8042_STATUS 0x64
#define I8042_IN_FULL 0x02
#define I8042_RESET 0xFE
#define PCI_RESET_CNT 0xCF9

static bool skip_firmware;

void power_init(const struct boot_info *bi)
{
	skip_firmware = bi->cfg.reset_acpi;
}

static void firmware_reset(bool shutdown)
{
	if (skip_firmware) {
		kprintf("%s: reset=acpi: not asking the firmware\n", shutdown ? "poweroff" : "reboot");
		return;
	}
	efi_reset_system(shutdown);
	kprintf("%s: the firmware's ResetSystem returned\n", shutdown ? "poweroff" : "reboot");
}

/* Writes SLP_TYP, then SLP_TYP | SLP_EN, to one PM1 control block, keeping
 * its other bits (as ACPICA does; some chipsets want the two writes). */
static void pm1_sleep(const struct acpi_gas *cnt, uint8_t typ)
{
	uint32_t v;

	if (!cnt->addr || !acpi_gas_read(cnt, &v))
		return;
	v &= ~((7u << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN);
	v |= (uint32_t)typ << ACPI_PM1_SLP_TYP_SHIFT;
	acpi_gas_write(cnt, v);
	acpi_gas_write(cnt, v | ACPI_PM1_SLP_EN);
}

/* ACPI soft-off: SLP_TYPa/b from \_S5 into PM1a/PM1b (switching the
 * chipset to ACPI mode first when the firmware left it in legacy mode).
 * Returns when the machine is still on. No AML runs (_PTS is skipped). */
static void acpi_s5(void)
{
	const struct acpi_info *ai = acpi_get();
	const struct acpi_fadt *f = &ai->fadt;
	uint32_t v = 0;
	char where[40];

	if (!f->present || !f->pm1a_cnt.addr || !ai->have_s5) {
		kprintf("poweroff: no ACPI S5 (%s)\n", !f->present ? "no FADT"
						       : !f->pm1a_cnt.addr ? "no PM1a control block"
						       : "no \\_S5 in the DSDT");
		return;
	}
	acpi_gas_describe(&f->pm1a_cnt, where, sizeof where);
	kprintf("poweroff: ACPI S5 (PM1a %s, SLP_TYP %u/%u)\n", where, ai->s5_typa, ai->s5_typb);
	if (acpi_gas_read(&f->pm1a_cnt, &v) && !(v & ACPI_PM1_SCI_EN) && f->smi_cmd &&
	    f->smi_cmd <= 0xFFFF && f->acpi_enable) {
		outb((uint16_t)f->smi_cmd, f->acpi_enable);
		for (int i = 0; i < 300 && acpi_gas_read(&f->pm1a_cnt, &v) && !(v & ACPI_PM1_SCI_EN); i++)
			timer_udelay(1000);
	}
	pm1_sleep(&f->pm1a_cnt, ai->s5_typa);
	pm1_sleep(&f->pm1b_cnt, ai->s5_typb);
	timer_udelay(1000000);
}

void power_off(void)
{
	kprintf("powering off\n");
	firmware_reset(true);
	acpi_s5();
	kprintf("poweroff failed: halting; switch the machine off\n");
	cpu_halt_forever();
}

void power_reboot(void)
{
	const struct acpi_fadt *f = &acpi_get()->fadt;
	char where[40];

	kprintf("rebooting\n");
	firmware_reset(false);
	if (f->reset_valid) {
		acpi_gas_describe(&f->reset_reg, where, sizeof where);
		kprintf("reboot: ACPI reset register (%s <- 0x%x)\n", where, f->reset_value);
		if (acpi_gas_write(&f->reset_reg, f->reset_value))
			timer_udelay(500000);
	}
	kprintf("reboot: PCI reset control 0xcf9\n");
	outb(PCI_RESET_CNT, 0x02); /* hard reset, armed */
	timer_udelay(1000);
	outb(PCI_RESET_CNT, 0x06); /* ... and pulled */
	timer_udelay(500000);
	kprintf("reboot: keyboard controller\n");
	for (int i = 0; i < 1000 && (inb(I8042_STATUS) & I8042_IN_FULL); i++)
		timer_udelay(100);
	outb(I8042_STATUS, I8042_RESET); /* pulse the CPU reset line */
	timer_udelay(500000);
	kprintf("reboot: triple fault\n");
	struct x86_dtr none = {0, 0};
	lidt(&none);
	int3();
	cpu_halt_forever();
}

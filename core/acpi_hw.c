/* ACPI tables read once at boot, register access (core/acpi_hw.h). */
#include "core/acpi_hw.h"

#include <stdio.h>

#include "core/kprintf.h"
#include "core/x86.h"
#include "mm/vmm.h"

static struct acpi_info info;
static char error[128];

void acpi_init(const struct boot_info *bi)
{
	if (!acpi_read(bi->rsdp, vmm_map_firmware, &info, error, sizeof error))
		kprintf("acpi: %s\n", error);
	else
		error[0] = 0;
	if (info.warn[0])
		kprintf("acpi: warning: %s\n", info.warn);
}

const struct acpi_info *acpi_get(void)
{
	return &info;
}

const char *acpi_error(void)
{
	return error;
}

/* Bytes per access: access_size when given, else the bit width. */
static int gas_bytes(const struct acpi_gas *g)
{
	if (g->access_size >= 1 && g->access_size <= 3)
		return 1 << (g->access_size - 1);
	if (g->bit_width == 8 || g->bit_width == 16 || g->bit_width == 32)
		return g->bit_width / 8;
	return 0;
}

bool acpi_gas_read(const struct acpi_gas *g, uint32_t *v)
{
	int n = gas_bytes(g);

	if (!g->addr || !n)
		return false;
	if (g->space == ACPI_GAS_IO && g->addr <= 0xFFFF) {
		uint16_t port = (uint16_t)g->addr;
		*v = n == 1 ? inb(port) : n == 2 ? inw(port) : inl(port);
		return true;
	}
	if (g->space == ACPI_GAS_MEM) {
		const volatile void *p = vmm_map_firmware(g->addr, (uint64_t)n);
		if (!p)
			return false;
		*v = n == 1 ? *(const volatile uint8_t *)p
		     : n == 2 ? *(const volatile uint16_t *)p : *(const volatile uint32_t *)p;
		return true;
	}
	return false;
}

bool acpi_gas_write(const struct acpi_gas *g, uint32_t v)
{
	int n = gas_bytes(g);

	if (!g->addr || !n)
		return false;
	if (g->space == ACPI_GAS_IO && g->addr <= 0xFFFF) {
		uint16_t port = (uint16_t)g->addr;
		if (n == 1)
			outb(port, (uint8_t)v);
		else if (n == 2)
			outw(port, (uint16_t)v);
		else
			outl(port, v);
		return true;
	}
	if (g->space == ACPI_GAS_MEM) {
		volatile void *p = (volatile void *)(uintptr_t)vmm_map_firmware(g->addr, (uint64_t)n);
		if (!p)
			return false;
		if (n == 1)
			*(volatile uint8_t *)p = (uint8_t)v;
		else if (n == 2)
			*(volatile uint16_t *)p = (uint16_t)v;
		else
			*(volatile uint32_t *)p = v;
		return true;
	}
	return false;
}

void acpi_gas_describe(const struct acpi_gas *g, char *buf, int size)
{
	if (!g->addr)
		snprintf(buf, (size_t)size, "none");
	else
		snprintf(buf, (size_t)size, "%s 0x%llx", g->space == ACPI_GAS_IO ? "io"
							 : g->space == ACPI_GAS_MEM ? "mem" : "space?",
			 (unsigned long long)g->addr);
}

void acpi_print_summary(void)
{
	const struct acpi_fadt *f = &info.fadt;
	char a[40], b[40], c[40];

	if (error[0]) {
		kprintf("acpi: %s\n", error);
		return;
	}
	kprintf("acpi: rev %u tables from the %s (OEM %s)%s%s\n", info.rsdp_rev,
		info.xsdt ? "XSDT" : "RSDT", info.oem, info.warn[0] ? "; warning: " : "", info.warn);
	if (f->present) {
		acpi_gas_describe(&f->pm1a_cnt, a, sizeof a);
		acpi_gas_describe(&f->pm_tmr, b, sizeof b);
		acpi_gas_describe(&f->reset_reg, c, sizeof c);
		kprintf("acpi: FADT rev %u: PM1a control %s, PM timer %s (%s), S5 %s",
			f->rev, a, b, (f->flags & ACPI_FADT_TMR_VAL_EXT) ? "32-bit" : "24-bit",
			info.have_s5 ? "" : "not found in the DSDT");
		if (info.have_s5)
			kprintf("SLP_TYP %u/%u", info.s5_typa, info.s5_typb);
		kprintf(", reset %s", f->reset_valid ? c : "none");
		if (f->reset_valid)
			kprintf(" <- 0x%x", f->reset_value);
		kprintf("\n");
	} else {
		kprintf("acpi: no FADT\n");
	}
	acpi_gas_describe(&info.spcr_port, a, sizeof a);
	if (info.have_hpet)
		snprintf(b, sizeof b, "0x%llx", (unsigned long long)info.hpet_base);
	kprintf("acpi: HPET %s, SPCR %s, DMAR %s\n", info.have_hpet ? b : "none",
		info.have_spcr ? a : "none",
		!info.have_dmar ? "none"
		: (info.dmar_flags & ACPI_DMAR_X2APIC_OPT_OUT) ? "x2APIC opt-out" : "present");
}

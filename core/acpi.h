/*
 * ACPI tables: RSDP -> XSDT (ACPI 2.0+; the RSDT, with a warning, when the
 * XSDT or the extended RSDP is broken) -> the tables the kernel uses:
 *   FACP (FADT)  PM timer, PM1a/PM1b control blocks, reset register,
 *                the 8042 flag, the DSDT's address          (core/acpi.c)
 *   DSDT         only the \_S5 package: SLP_TYPa/b for soft-off
 *                                                           (core/acpi_aml.c)
 *   APIC (MADT)  CPUs, local and I/O APIC addresses         (core/acpi_madt.c)
 *   HPET         the event timer block's address
 *   SPCR         the serial port the firmware's console redirection uses
 *   DMAR         the x2APIC opt-out flag
 *   MCFG         the PCI Express configuration windows (ECAM)
 *
 * Layouts (all little-endian, packed):
 *   RSDP  "RSD PTR " sig[8] csum u8 oem[6] rev u8 rsdt u32 | rev>=2: len u32
 *         xsdt u64 xcsum u8 res[3]   (first 20 bytes sum to 0; all len bytes too)
 *   SDT header (36 bytes): sig[4] len u32 rev u8 csum u8 oem[6] oemtab[8]
 *         oemrev u32 creator u32 crev u32; all len bytes sum to 0
 *   XSDT  header + u64 table addresses;  RSDT  header + u32 addresses
 *   GAS (generic address, 12 bytes): space u8 (0 memory, 1 I/O port)
 *         bit_width u8 bit_offset u8 access_size u8 (1..4: 1..8 bytes) addr u64
 *   FADT  @40 dsdt u32  @48 smi_cmd u32  @52 acpi_enable u8
 *         @64 pm1a_cnt u32  @68 pm1b_cnt u32  @76 pm_tmr u32  @89 pm1_cnt_len u8
 *         @109 iapc_boot_arch u16 (bit 0 legacy devices, bit 1 8042)
 *         @112 flags u32 (bit 8 32-bit PM timer, bit 10 reset register)
 *         @116 reset_reg GAS  @128 reset_value u8  @140 x_dsdt u64
 *         @172 x_pm1a_cnt GAS  @184 x_pm1b_cnt GAS  @208 x_pm_tmr GAS
 *   MADT  header + lapic_addr u32 + flags u32 (bit 0: PC-AT 8259 present),
 *         then entries {type u8, len u8, ...}:
 *           0 Local APIC   uid u8, apic_id u8, flags u32 (1 enabled, 2 online-capable)
 *           1 I/O APIC     id u8, res u8, addr u32, gsi_base u32
 *           5 LAPIC addr override  res u16, addr u64
 *           9 Local x2APIC res u16, x2apic_id u32, flags u32, uid u32
 *   HPET  @40 base GAS (memory)
 *   SPCR  @36 interface type u8 (0 16550, 1 16450, 0x12 16550 by GAS)
 *         @40 base GAS  @58 baud u8 (3 9600, 4 19200, 6 57600, 7 115200)
 *   DMAR  @36 host address width u8  @37 flags u8 (bit 1: x2APIC opt-out)
 *   MCFG  header + res[8], then 16-byte entries {base u64 (ECAM of bus 0 of
 *         the segment), segment u16, bus_start u8, bus_end u8, res u32}
 *
 * Pure logic: tables are reached through a caller-supplied map function
 * (physical address -> readable pointer), so the host unit test can feed it
 * synthetic and corrupted tables. Never reads outside what it mapped, never
 * trusts a length it has not checked against what it mapped.
 */
#ifndef CORE_ACPI_H
#define CORE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLE (1u << 20) /* sanity limit on one table's length */

#define ACPI_GAS_MEM 0
#define ACPI_GAS_IO 1

#define ACPI_FADT_TMR_VAL_EXT (1u << 8)    /* the PM timer counts 32 bits, not 24 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* reset_reg is valid */
#define ACPI_FADT_HW_REDUCED (1u << 20)    /* no PM1 blocks, no PM timer */
#define ACPI_BOOT_LEGACY (1u << 0)         /* iapc_boot_arch: ISA devices */
#define ACPI_BOOT_8042 (1u << 1)           /* iapc_boot_arch: an 8042 controller */

#define ACPI_PM_TIMER_HZ 3579545u
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN (1u << 13)
#define ACPI_PM1_SCI_EN (1u << 0)

#define ACPI_DMAR_X2APIC_OPT_OUT (1u << 1)

/* A register: port or memory address, width in bits. addr 0: absent. */
struct acpi_gas {
	uint8_t space;       /* ACPI_GAS_MEM, ACPI_GAS_IO, others unsupported */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1..4 = 1, 2, 4, 8 bytes */
	uint64_t addr;
};

struct acpi_fadt {
	bool present;
	uint8_t rev;
	uint32_t flags;           /* ACPI_FADT_* */
	bool has_boot_arch;       /* FADT rev >= 3: boot_arch is meaningful */
	uint16_t boot_arch;       /* ACPI_BOOT_* */
	uint64_t dsdt;
	uint32_t smi_cmd;         /* port to write acpi_enable to (0: none) */
	uint8_t acpi_enable;
	struct acpi_gas pm1a_cnt, pm1b_cnt, pm_tmr;
	bool reset_valid;         /* RESET_REG_SUP and a usable reset_reg */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;      /* ACPI processor UID */
	bool x2apic_entry; /* came from a type-9 entry */
};

struct acpi_madt_info {
	uint64_t lapic_phys;      /* after any type-5 override */
	bool pcat_compat;
	int n_cpus;               /* present CPUs: flags bit 0 (enabled) */
	int n_hotplug;            /* disabled but online-capable: may be added later */
	int n_skipped;            /* disabled, not online-capable */
	int n_dropped;            /* usable CPUs beyond ACPI_MAX_CPUS */
	struct acpi_cpu cpu[ACPI_MAX_CPUS];
	int n_ioapics;
	uint64_t ioapic_phys[ACPI_MAX_IOAPICS];
	bool xsdt;                /* found through the XSDT (else the RSDT) */
	char oem[7];              /* MADT OEM id, NUL-terminated */
};

#define ACPI_MAX_ECAM 16

/* One PCI Express configuration window (ECAM): function (bus, dev, fn) of
 * the segment has its 4 KiB of config space at
 * base + (bus << 20 | dev << 15 | fn << 12), for bus_start <= bus <= bus_end. */
struct acpi_ecam {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_mcfg_info {
	int n;
	struct acpi_ecam ecam[ACPI_MAX_ECAM];
	int n_bad;     /* entries skipped: zero or unaligned base, empty bus range */
	int n_dropped; /* beyond ACPI_MAX_ECAM */
};

/* What the kernel keeps of the tables: filled once, before the memory the
 * firmware may have left them in is reused. */
struct acpi_info {
	uint8_t rsdp_rev;
	bool xsdt;                /* tables listed by the XSDT (else the RSDT) */
	char oem[7];              /* the root table's OEM id */
	char warn[160];           /* the RSDT fallback, bad checksums; "" if none */
	bool have_madt;
	char madt_err[96];        /* why have_madt is false */
	struct acpi_madt_info madt;
	struct acpi_fadt fadt;
	bool have_s5;             /* \_S5 found in the DSDT */
	uint8_t s5_typa, s5_typb; /* SLP_TYPa/b, 0..7 */
	bool have_hpet;
	uint64_t hpet_base;       /* memory address of the event timer block */
	bool have_spcr;
	uint8_t spcr_type;        /* SPCR interface type */
	struct acpi_gas spcr_port;
	uint32_t spcr_baud;       /* 0: "as the firmware left it" */
	bool have_dmar;
	uint8_t dmar_flags;
	bool have_mcfg;           /* false: PCI falls back to ports 0xCF8/0xCFC */
	char mcfg_err[96];        /* why have_mcfg is false */
	struct acpi_mcfg_info mcfg;
};

/* Returns a pointer through which len bytes at physical address phys can be
 * read, or NULL. */
typedef const void *(*acpi_map_fn)(uint64_t phys, uint64_t len);

/* Walks RSDP -> XSDT/RSDT and fills *out from every table listed above.
 * Returns false (err says why) when no root table is usable; a missing or
 * broken MADT only clears have_madt (madt_err says why), other tables
 * their have_ flag. err may be NULL. */
bool acpi_read(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_info *out, char *err,
	       size_t errlen);

/* Parses the fixed part of a FADT of len bytes (fields beyond len stay 0). */
void acpi_parse_fadt(const uint8_t *t, uint32_t len, struct acpi_fadt *out);

/* Parses an MCFG of len bytes. False (err says why) when it lists no
 * usable window. */
bool acpi_parse_mcfg(const uint8_t *t, uint32_t len, struct acpi_mcfg_info *out, char *err,
		     size_t errlen);

/* ---- core/acpi_madt.c ---- */

/* Parses a MADT of len bytes (checksum already checked). False with err set
 * on a malformed entry or when no CPU is usable. */
bool acpi_parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt_info *out, char *err,
		     size_t errlen);

enum acpi_apic_mode { ACPI_APIC_XAPIC, ACPI_APIC_X2APIC };

/* The local APIC mode for this machine: x2APIC when the firmware already
 * enabled it (leaving it needs a full APIC disable), or when a CPU's APIC ID
 * does not fit xAPIC's 8 bits; xAPIC when the CPU has no x2APIC or the DMAR
 * table opts out (firmware that relies on xAPIC interrupt routing); else
 * x2APIC. *why (may be NULL) gets a short reason. */
enum acpi_apic_mode acpi_apic_mode(const struct acpi_madt_info *m, bool cpu_x2apic,
				   bool firmware_x2apic, bool dmar_opt_out, const char **why);

/* ---- core/acpi_aml.c ---- */

/* Finds Name(_S5_, Package(){SLP_TYPa, SLP_TYPb, ...}) in the AML byte code
 * aml[0..len) (the DSDT's body) by a bounds-checked scan: no AML is run.
 * True with the two values (each 0..7) when a well-formed one is found. */
bool acpi_aml_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typa, uint8_t *typb);

#endif

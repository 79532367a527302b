/*
 * ACPI table walk for SMP: RSDP -> XSDT (ACPI 2.0+) or RSDT -> MADT ("APIC").
 *
 * Layouts (all little-endian, packed):
 *   RSDP  "RSD PTR " sig[8] csum u8 oem[6] rev u8 rsdt u32 | rev>=2: len u32
 *         xsdt u64 xcsum u8 res[3]   (first 20 bytes sum to 0; all len bytes too)
 *   SDT header (36 bytes): sig[4] len u32 rev u8 csum u8 oem[6] oemtab[8]
 *         oemrev u32 creator u32 crev u32; all len bytes sum to 0
 *   XSDT  header + u64 table addresses;  RSDT  header + u32 addresses
 *   MADT  header + lapic_addr u32 + flags u32 (bit 0: PC-AT 8259 present),
 *         then entries {type u8, len u8, ...}:
 *           0 Local APIC   uid u8, apic_id u8, flags u32 (1 enabled, 2 online-capable)
 *           1 I/O APIC     id u8, res u8, addr u32, gsi_base u32
 *           5 LAPIC addr override  res u16, addr u64
 *           9 Local x2APIC res u16, x2apic_id u32, flags u32, uid u32
 *   MCFG  header + res[8], then 16-byte entries {base u64 (ECAM of bus 0 of
 *         the segment), segment u16, bus_start u8, bus_end u8, res u32}
 *
 * Pure logic: tables are reached through a caller-supplied map function
 * (physical address -> readable pointer), so the host unit test can feed it
 * synthetic and corrupted tables. Never reads outside what it mapped.
 */
#ifndef SMP_ACPI_H
#define SMP_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLE (1u << 20) /* sanity limit on one table's length */

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

/* Returns a pointer through which len bytes at physical address phys can be
 * read, or NULL. */
typedef const void *(*acpi_map_fn)(uint64_t phys, uint64_t len);

/* Finds the table with signature sig (4 chars) through the XSDT or RSDT
 * and checks it (length in [min_len, ACPI_MAX_TABLE], checksum). Returns
 * it mapped, with its length in *len_out and whether the XSDT was used in
 * *via_xsdt (may be NULL); NULL with a one-line reason in err. */
const void *acpi_find_table(uint64_t rsdp_phys, acpi_map_fn map, const char *sig,
			    uint32_t min_len, uint32_t *len_out, bool *via_xsdt, char *err,
			    size_t errlen);

/* Finds and parses the MADT starting from the RSDP at rsdp_phys. Returns
 * true and fills *out; on failure returns false with a one-line reason in
 * err (err may be NULL). Checks signatures, checksums and lengths. */
bool acpi_read_madt(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_madt_info *out,
		    char *err, size_t errlen);

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

/* Finds and parses the MCFG. False (with a reason) when there is none or
 * it lists no usable window: then PCI falls back to I/O ports 0xCF8/0xCFC. */
bool acpi_read_mcfg(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_mcfg_info *out,
		    char *err, size_t errlen);

#endif

/*
 * Host test of core/acpi*.c: synthetic RSDP/XSDT/RSDT/FADT/DSDT/MADT/HPET/
 * SPCR/DMAR/MCFG sets, broken checksums and lengths (the RSDT fallback), the
 * \_S5 scan over hand-written and random AML, the xAPIC/x2APIC decision,
 * and random corruption. "Physical" addresses are offsets into an arena;
 * every map() returns a fresh heap copy of exactly the bytes asked for, and
 * the AML cases are exact-size heap copies too, so AddressSanitizer (make
 * asan) catches any read beyond what the parser was given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/acpi.c"
#include "core/acpi_aml.c"
#include "core/acpi_madt.c"
#include "tests/unit/check.h"

#define ARENA 8192
#define PHYS0 0x10000 /* arena offset 0 as a physical address */

static uint8_t arena[ARENA];
static void *copies[8192];
static int n_copies;

static const void *map_copy(uint64_t phys, uint64_t len)
{
	uint8_t *p;

	if (phys < PHYS0 || len > ARENA || phys - PHYS0 > ARENA - len || n_copies >= 8192)
		return NULL;
	p = malloc(len ? len : 1);
	memcpy(p, arena + (phys - PHYS0), len);
	copies[n_copies++] = p;
	return p;
}

static void free_copies(void)
{
	while (n_copies)
		free(copies[--n_copies]);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void fix_sum(uint8_t *p, uint32_t len, int at)
{
	uint8_t s = 0;
	p[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[at] = (uint8_t)(0 - s);
}

static void sdt_header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = rev;
	memcpy(p + 10, "TESTOE", 6);
}

static void put_gas(uint8_t *p, uint8_t space, uint8_t bits, uint64_t addr)
{
	p[0] = space;
	p[1] = bits;
	p[2] = 0;
	p[3] = 0;
	put64(p + 4, addr);
}

enum {
	RSDP_AT = 0, XSDT_AT = 64, RSDT_AT = 160, FACP_AT = 256, MADT_AT = 576,
	DSDT_AT = 1024, HPET_AT = 2048, SPCR_AT = 2112, DMAR_AT = 2200, MCFG_AT = 2304,
};
#define N_TABLES 6

/* Name(_S5_, Package(4){0x05, 0x07, 0, 0}) after some unrelated AML and a
 * decoy: the string "_S5_" (StringPrefix 0x0D) that is not a name. */
static const uint8_t dsdt_body[] = {
	0x10, 0x08, '\\', '_', 'S', 'B', '_', 0x0D, '_', 'S', '5', '_', 0x00,
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x07, 0x00, 0x00,
	0x14, 0x05, 'F', 'O', 'O', '_', 0x00,
};

/* Builds a full table set; returns the MADT length. rev 2 = XSDT. */
static uint32_t build(int rev, int broken_xsdt)
{
	uint8_t *r = arena + RSDP_AT, *x = arena + XSDT_AT, *rs = arena + RSDT_AT;
	uint8_t *f = arena + FACP_AT, *m = arena + MADT_AT, *d = arena + DSDT_AT, *e;
	const uint32_t at[N_TABLES] = { FACP_AT, MADT_AT, HPET_AT, SPCR_AT, DMAR_AT, MCFG_AT };
	uint32_t mlen, dlen;

	memset(arena, 0, sizeof(arena));
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TESTOE", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, PHYS0 + RSDT_AT);
	put32(r + 20, 36);
	put64(r + 24, PHYS0 + XSDT_AT);
	fix_sum(r, 20, 8);
	fix_sum(r, 36, 32);

	/* FADT rev 6: legacy PM1a 0x604, PM timer only in the X_ field */
	sdt_header(f, "FACP", 276, 6);
	put32(f + 40, PHYS0 + DSDT_AT);
	put32(f + 48, 0xB2);
	f[52] = 0xF1;
	put32(f + 64, 0x604);
	f[89] = 2;
	put16(f + 109, ACPI_BOOT_8042);
	put32(f + 112, ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	put_gas(f + 116, ACPI_GAS_IO, 8, 0xCF9);
	f[128] = 0x06;
	put_gas(f + 208, ACPI_GAS_IO, 32, 0x608);
	fix_sum(f, 276, 9);

	dlen = 36 + (uint32_t)sizeof dsdt_body;
	sdt_header(d, "DSDT", dlen, 2);
	memcpy(d + 36, dsdt_body, sizeof dsdt_body);
	fix_sum(d, dlen, 9);

	sdt_header(arena + HPET_AT, "HPET", 56, 1);
	put_gas(arena + HPET_AT + 40, ACPI_GAS_MEM, 64, 0xFED00000ull);
	fix_sum(arena + HPET_AT, 56, 9);

	sdt_header(arena + SPCR_AT, "SPCR", 80, 2);
	arena[SPCR_AT + 36] = 0;
	put_gas(arena + SPCR_AT + 40, ACPI_GAS_IO, 8, 0x2F8);
	arena[SPCR_AT + 58] = 7;
	fix_sum(arena + SPCR_AT, 80, 9);

	sdt_header(arena + DMAR_AT, "DMAR", 48, 1);
	arena[DMAR_AT + 36] = 38;
	arena[DMAR_AT + 37] = 1 | ACPI_DMAR_X2APIC_OPT_OUT;
	fix_sum(arena + DMAR_AT, 48, 9);

	/* MCFG: segment 0 buses 0-255, an unaligned window, segment 2 */
	const uint64_t ebase[3] = { 0xB0000000ull, 0xC0000123ull, 0x380000000000ull };
	const uint8_t bus[3][2] = { { 0, 255 }, { 0, 7 }, { 0x10, 0x1f } };
	for (int i = 0; i < 3; i++) {
		e = arena + MCFG_AT + 44 + 16 * i;
		put64(e, ebase[i]);
		e[8] = (uint8_t)i; /* segment */
		e[10] = bus[i][0];
		e[11] = bus[i][1];
	}
	sdt_header(arena + MCFG_AT, "MCFG", 44 + 48, 1);
	fix_sum(arena + MCFG_AT, 44 + 48, 9);

	sdt_header(x, "XSDT", 36 + 8 * N_TABLES, 1);
	sdt_header(rs, "RSDT", 36 + 4 * N_TABLES, 1);
	for (int i = 0; i < N_TABLES; i++) {
		put64(x + 36 + 8 * i, PHYS0 + at[i]);
		put32(rs + 36 + 4 * i, PHYS0 + at[i]);
	}
	fix_sum(x, 36 + 8 * N_TABLES, 9);
	fix_sum(rs, 36 + 4 * N_TABLES, 9);
	if (broken_xsdt)
		x[9] ^= 1;

	e = m + 44;
	/* LAPIC uid 0 id 0 enabled; uid 1 id 2 enabled; uid 2 id 4 disabled;
	 * uid 3 id 6 online-capable; duplicate of id 2 */
	const uint8_t lap[5][3] = { { 0, 0, 1 }, { 1, 2, 1 }, { 2, 4, 0 }, { 3, 6, 2 }, { 9, 2, 1 } };
	for (int i = 0; i < 5; i++, e += 8) {
		e[0] = 0;
		e[1] = 8;
		e[2] = lap[i][0];
		e[3] = lap[i][1];
		put32(e + 4, lap[i][2]);
	}
	e[0] = 1; /* IOAPIC */
	e[1] = 12;
	put32(e + 4, 0xFEC00000u);
	e += 12;
	e[0] = 9; /* x2APIC id 300, enabled */
	e[1] = 16;
	put32(e + 4, 300);
	put32(e + 8, 1);
	put32(e + 12, 40);
	e += 16;
	e[0] = 5; /* LAPIC override */
	e[1] = 12;
	put64(e + 4, 0xFEE00000ull);
	e += 12;
	e[0] = 4; /* NMI entry: ignored */
	e[1] = 6;
	e += 6;
	mlen = (uint32_t)(e - m);
	sdt_header(m, "APIC", mlen, 1);
	put32(m + 36, 0xFEE00000u);
	put32(m + 40, 1);
	fix_sum(m, mlen, 9);
	return mlen;
}

static bool parse(struct acpi_info *ai, char *err, size_t n)
{
	err[0] = 0;
	bool ok = acpi_read(PHYS0 + RSDP_AT, map_copy, ai, err, n);
	free_copies();
	return ok;
}

/* acpi_aml_find_s5 on an exact-size heap copy of the bytes. */
static bool s5(const uint8_t *aml, uint32_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, aml, len);
	bool ok = acpi_aml_find_s5(p, len, a, b);
	free(p);
	return ok;
}

static void test_aml(void)
{
	uint8_t a = 9, b = 9;
	static const uint8_t qemu[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
	static const uint8_t root[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x01,
					0x0A, 0x03 };
	/* two-byte PkgLength (0x4B 0x00 = 11), word and dword constants */
	static const uint8_t longlen[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x4B, 0x00, 0x02, 0x0B,
					   0x07, 0x00, 0x0C, 0x06, 0, 0, 0 };
	/* one element: SLP_TYPa in the low byte, SLP_TYPb in the next */
	static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0B, 0x05, 0x07 };
	static const uint8_t integer[] = { 0x08, '_', 'S', '5', '_', 0x0A, 0x05 };
	static const uint8_t big[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x09,
				       0x0A, 0x05 };
	/* a bad one first, then a good one: the scan goes on */
	static const uint8_t second[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0A,
					  0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00 };
	static const uint8_t strname[] = { 0x0D, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };

	check(s5(qemu, sizeof qemu, &a, &b) && a == 0 && b == 0, "aml: QEMU's _S5 {0,0,0,0}");
	check(s5(root, sizeof root, &a, &b) && a == 1 && b == 3, "aml: \\_S5_ with a root prefix");
	check(s5(longlen, sizeof longlen, &a, &b) && a == 7 && b == 6,
	      "aml: 2-byte PkgLength, word and dword constants");
	check(s5(one, sizeof one, &a, &b) && a == 5 && b == 7, "aml: one-element package");
	check(!s5(integer, sizeof integer, &a, &b), "aml: Name(_S5_, 5) is not a package");
	check(!s5(big, sizeof big, &a, &b), "aml: SLP_TYP 9 (not 3 bits) rejected");
	check(s5(second, sizeof second, &a, &b) && a == 1 && b == 0,
	      "aml: a truncated package skipped, the next one found");
	check(!s5(strname, sizeof strname, &a, &b), "aml: \"_S5_\" without NameOp ignored");
	/* every truncation of every case: no read past the end (ASan), and a
	 * cut package is never reported */
	const uint8_t *cases[] = { qemu, root, longlen, one, second };
	const uint32_t lens[] = { sizeof qemu, sizeof root, sizeof longlen, sizeof one,
				  sizeof second };
	bool cut_ok = true;
	for (int c = 0; c < 5; c++)
		for (uint32_t n = 0; n < lens[c]; n++)
			if (s5(cases[c], n, &a, &b))
				cut_ok = false;
	check(cut_ok, "aml: truncated packages rejected, nothing read past the end");
	/* a package length past the table end */
	uint8_t past[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3F, 0x02, 0x00, 0x00 };
	check(!s5(past, sizeof past, &a, &b), "aml: PkgLength beyond the table rejected");
	uint8_t fourbyte[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xCF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0 };
	check(!s5(fourbyte, sizeof fourbyte, &a, &b), "aml: 4-byte PkgLength of 4 GiB rejected");

	/* random AML salted with the name and package bytes */
	uint32_t seed = 7;
	int found = 0;
	bool sane = true;
	for (int it = 0; it < 20000; it++) {
		uint8_t buf[64];
		uint32_t n = 1 + it % 64;
		for (uint32_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		if (n > 12) {
			/* a well-formed package, then one byte of it flipped */
			uint32_t at = (seed >> 8) % (n - 12);
			memcpy(buf + at, qemu, sizeof qemu);
			buf[at + (seed >> 4) % 12] ^= (uint8_t)(1u << (seed % 8));
		}
		a = b = 0xEE;
		if (s5(buf, n, &a, &b)) {
			found++;
			if (a > 7 || b > 7)
				sane = false;
		}
	}
	check(sane, "aml: 20000 random buffers: no crash, SLP_TYP always 0..7");
	printf("(%d of them held a well-formed _S5)\n", found);
}

static void test_apic_mode(void)
{
	static struct acpi_madt_info m;
	const char *why = NULL;

	memset(&m, 0, sizeof m);
	m.n_cpus = 2;
	m.cpu[0].apic_id = 0;
	m.cpu[1].apic_id = 1;
	check(acpi_apic_mode(&m, false, false, false, &why) == ACPI_APIC_XAPIC,
	      "apic: no x2APIC in the CPU -> xAPIC (QEMU TCG)");
	check(acpi_apic_mode(&m, true, false, false, &why) == ACPI_APIC_X2APIC,
	      "apic: x2APIC CPU -> x2APIC");
	check(acpi_apic_mode(&m, true, false, true, &why) == ACPI_APIC_XAPIC && strstr(why, "DMAR"),
	      "apic: DMAR opt-out -> xAPIC");
	check(acpi_apic_mode(&m, true, true, true, &why) == ACPI_APIC_X2APIC &&
		      strstr(why, "firmware"),
	      "apic: x2APIC already on in the firmware stays on, opt-out or not");
	check(acpi_apic_mode(&m, false, true, false, &why) == ACPI_APIC_X2APIC,
	      "apic: firmware x2APIC kept even when CPUID hides it");
	m.cpu[1].apic_id = 300;
	m.cpu[1].x2apic_entry = true;
	check(acpi_apic_mode(&m, true, false, true, &why) == ACPI_APIC_X2APIC &&
		      strstr(why, "above 254"),
	      "apic: an APIC id above 254 needs x2APIC, whatever DMAR says");
	check(acpi_apic_mode(&m, false, false, false, &why) == ACPI_APIC_XAPIC &&
		      strstr(why, "cannot start"),
	      "apic: id above 254 without x2APIC: xAPIC, with the reason");
	m.cpu[1].apic_id = 255;
	check(acpi_apic_mode(&m, true, false, false, &why) == ACPI_APIC_X2APIC,
	      "apic: id 255 (xAPIC broadcast) counts as too big");
	check(acpi_apic_mode(NULL, true, false, false, NULL) == ACPI_APIC_X2APIC,
	      "apic: no MADT, no why pointer");
}

/* x2APIC-only MADT (type-9 entries, as large servers and some firmware
 * list even small ids) plus xAPIC duplicates of the same CPUs. */
static void test_madt_x2(void)
{
	static uint8_t t[44 + 4 * 16 + 2 * 8];
	static struct acpi_madt_info m;
	uint8_t *e = t + 44;
	char err[96];

	memset(t, 0, sizeof t);
	sdt_header(t, "APIC", sizeof t, 4);
	for (uint32_t i = 0; i < 4; i++, e += 16) {
		e[0] = 9;
		e[1] = 16;
		put32(e + 4, i == 3 ? 0x1000 : i);
		put32(e + 8, i == 2 ? 2 : 1); /* the third: online-capable only */
		put32(e + 12, i);
	}
	for (uint32_t i = 0; i < 2; i++, e += 8) {
		e[0] = 0;
		e[1] = 8;
		e[2] = (uint8_t)i;
		e[3] = (uint8_t)i;
		put32(e + 4, 1);
	}
	memset(&m, 0, sizeof m);
	bool ok = acpi_parse_madt(t, sizeof t, &m, err, sizeof err);
	check(ok && m.n_cpus == 3 && m.n_hotplug == 1, "madt: type-9 entries, duplicates dropped");
	check(ok && m.cpu[2].apic_id == 0x1000 && m.cpu[0].x2apic_entry,
	      "madt: 32-bit x2APIC id kept, entry type recorded");
}

int main(void)
{
	static struct acpi_info ai;
	char err[128];
	uint32_t mlen;
	bool ok;

	build(2, 0);
	ok = parse(&ai, err, sizeof(err));
	check(ok && ai.xsdt && ai.have_madt && ai.madt.xsdt && !ai.warn[0], "xsdt path parses");
	check(ai.madt.n_cpus == 3 && ai.madt.n_skipped == 1 && ai.madt.n_hotplug == 1,
	      "3 present cpus, 1 disabled, 1 hot-pluggable, duplicate dropped");
	check(ai.madt.cpu[0].apic_id == 0 && ai.madt.cpu[1].apic_id == 2 &&
		      ai.madt.cpu[2].apic_id == 300 && ai.madt.cpu[2].x2apic_entry &&
		      !ai.madt.cpu[1].x2apic_entry,
	      "apic ids and entry types");
	check(ai.madt.n_ioapics == 1 && ai.madt.ioapic_phys[0] == 0xFEC00000u &&
		      ai.madt.pcat_compat && ai.madt.lapic_phys == 0xFEE00000ull &&
		      strcmp(ai.madt.oem, "TESTOE") == 0,
	      "ioapic, lapic address, oem");
	const struct acpi_fadt *f = &ai.fadt;
	check(f->present && f->rev == 6 && f->dsdt == PHYS0 + DSDT_AT && f->smi_cmd == 0xB2 &&
		      f->acpi_enable == 0xF1,
	      "fadt: revision, DSDT, SMI command");
	check(f->pm1a_cnt.space == ACPI_GAS_IO && f->pm1a_cnt.addr == 0x604 &&
		      f->pm1a_cnt.bit_width == 16 && !f->pm1b_cnt.addr,
	      "fadt: PM1a control from the legacy field (X_ field empty), no PM1b");
	check(f->pm_tmr.addr == 0x608 && f->pm_tmr.bit_width == 32 &&
		      (f->flags & ACPI_FADT_TMR_VAL_EXT),
	      "fadt: PM timer from the X_ field, 32-bit flag");
	check(f->reset_valid && f->reset_reg.addr == 0xCF9 && f->reset_value == 6,
	      "fadt: reset register 0xcf9 <- 6");
	check(f->has_boot_arch && (f->boot_arch & ACPI_BOOT_8042), "fadt: the 8042 flag");
	check(ai.have_s5 && ai.s5_typa == 5 && ai.s5_typb == 7, "dsdt: \\_S5 = 5/7 past a decoy");
	check(ai.have_hpet && ai.hpet_base == 0xFED00000ull, "hpet: base address");
	check(ai.have_spcr && ai.spcr_port.addr == 0x2F8 && ai.spcr_port.space == ACPI_GAS_IO &&
		      ai.spcr_baud == 115200,
	      "spcr: COM2 at 115200");
	check(ai.have_dmar && (ai.dmar_flags & ACPI_DMAR_X2APIC_OPT_OUT), "dmar: x2APIC opt-out flag");

	build(0, 0);
	ok = parse(&ai, err, sizeof(err));
	check(ok && !ai.xsdt && ai.have_madt && ai.madt.n_cpus == 3 && ai.have_s5,
	      "rsdt path (ACPI 1.0 rsdp)");

	build(2, 1);
	ok = parse(&ai, err, sizeof(err));
	check(ok && !ai.xsdt && ai.have_madt && ai.madt.n_cpus == 3 &&
		      strstr(ai.warn, "XSDT checksum mismatch: using the RSDT"),
	      "bad xsdt checksum: the RSDT instead, with a warning ('%s')", ai.warn);

	build(2, 0);
	memcpy(arena + XSDT_AT, "XXXX", 4);
	arena[RSDT_AT + 9] ^= 1;
	check(!parse(&ai, err, sizeof(err)) && strstr(err, "XSDT") && strstr(err, "RSDT") &&
		      !ai.have_madt,
	      "broken xsdt and rsdt: fails, names both ('%s')", err);

	build(2, 0);
	arena[RSDP_AT + 30] ^= 1; /* extended checksum */
	ok = parse(&ai, err, sizeof(err));
	check(ok && !ai.xsdt && ai.have_madt && strstr(ai.warn, "RSDP"),
	      "bad extended rsdp checksum: the RSDT, with a warning");

	build(2, 0);
	arena[RSDP_AT + 8] ^= 0x55;
	check(!parse(&ai, err, sizeof(err)) && strstr(err, "RSDP") && strstr(ai.madt_err, "RSDP"),
	      "bad rsdp checksum rejected");

	build(2, 0);
	arena[MADT_AT + 50] ^= 1;
	check(parse(&ai, err, sizeof(err)) && !ai.have_madt && strstr(ai.madt_err, "checksum") &&
		      ai.fadt.present,
	      "bad madt checksum: no MADT, the other tables still read");

	mlen = build(2, 0);
	arena[MADT_AT + 44 + 1] = 0; /* first entry length 0 */
	fix_sum(arena + MADT_AT, mlen, 9);
	check(parse(&ai, err, sizeof(err)) && !ai.have_madt && strstr(ai.madt_err, "bad length"),
	      "zero-length madt entry rejected");

	build(2, 0);
	put32(arena + MADT_AT + 4, ARENA * 4); /* length past the arena: map fails */
	check(parse(&ai, err, sizeof(err)) && !ai.have_madt, "madt length beyond memory rejected");

	build(2, 0);
	memcpy(arena + MADT_AT, "APIX", 4);
	check(parse(&ai, err, sizeof(err)) && !ai.have_madt && strstr(ai.madt_err, "no MADT"),
	      "missing madt reported");

	build(2, 0);
	arena[DSDT_AT + 40] ^= 0x40; /* DSDT checksum broken: used, with a warning */
	check(parse(&ai, err, sizeof(err)) && ai.have_s5 && strstr(ai.warn, "DSDT checksum"),
	      "bad dsdt checksum: still scanned, with a warning");

	build(2, 0);
	arena[SPCR_AT + 20] ^= 1;
	arena[HPET_AT + 4] = 20; /* too short */
	check(parse(&ai, err, sizeof(err)) && !ai.have_spcr && !ai.have_hpet && ai.have_dmar &&
		      strstr(ai.warn, "SPCR checksum") && strstr(ai.warn, "HPET has bad length"),
	      "bad spcr and hpet skipped with warnings, the rest read");

	build(2, 0);
	put32(arena + FACP_AT + 4, 116); /* ACPI 1.0-sized FADT */
	arena[FACP_AT + 8] = 1;
	fix_sum(arena + FACP_AT, 116, 9);
	check(parse(&ai, err, sizeof(err)) && ai.fadt.present && ai.fadt.pm1a_cnt.addr == 0x604 &&
		      !ai.fadt.pm_tmr.addr && !ai.fadt.reset_valid && !ai.fadt.has_boot_arch &&
		      ai.have_s5,
	      "116-byte rev 1 FADT: legacy fields only");

	check(!acpi_read(0, map_copy, &ai, err, sizeof(err)) && strstr(err, "no RSDP") &&
		      !ai.have_madt && ai.madt_err[0],
	      "no rsdp reported");

	/* MCFG: ECAM windows, a bogus entry skipped; absent MCFG reported */
	build(2, 0);
	ok = parse(&ai, err, sizeof(err));
	check(ok && ai.have_mcfg && ai.mcfg.n == 2 && ai.mcfg.n_bad == 1 &&
		      ai.mcfg.ecam[0].base == 0xB0000000ull && ai.mcfg.ecam[0].bus_end == 255 &&
		      ai.mcfg.ecam[1].segment == 2 && ai.mcfg.ecam[1].bus_start == 0x10 &&
		      ai.mcfg.ecam[1].base == 0x380000000000ull,
	      "mcfg windows parsed, unaligned one skipped");
	memcpy(arena + MCFG_AT, "MCFX", 4);
	check(parse(&ai, err, sizeof(err)) && !ai.have_mcfg && strstr(ai.mcfg_err, "no MCFG") &&
		      ai.have_madt,
	      "missing mcfg reported, madt still found");

	test_aml();
	test_apic_mode();
	test_madt_x2();

	/* Random corruption: must never crash or read past a mapping. Fix the
	 * checksums half of the time so the parser gets past them. */
	{
		uint32_t seed = 1;
		int parsed = 0, s5s = 0;
		bool sane = true;
		for (int it = 0; it < 20000; it++) {
			mlen = build(it & 1 ? 2 : 0, 0);
			for (int k = 0; k < 1 + it % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				uint32_t at = MADT_AT + (seed >> 8) % (mlen + 8);
				if (it % 7 == 0)
					at = (seed >> 8) % 300;
				else if (it % 7 == 1)
					at = DSDT_AT + (seed >> 8) % 80;
				else if (it % 7 == 2)
					at = FACP_AT + (seed >> 8) % 276;
				arena[at] ^= (uint8_t)(seed >> 24 | 1);
			}
			if (it & 2) {
				const uint32_t fix[] = { MADT_AT, DSDT_AT, FACP_AT };
				for (int i = 0; i < 3; i++) {
					uint32_t l;
					memcpy(&l, arena + fix[i] + 4, 4);
					if (l <= ARENA - fix[i])
						fix_sum(arena + fix[i], l, 9);
				}
			}
			ok = parse(&ai, err, sizeof(err));
			parsed += ai.have_madt;
			s5s += ai.have_s5;
			if (ai.madt.n_cpus < 0 || ai.madt.n_cpus > ACPI_MAX_CPUS ||
			    (ai.have_madt && ai.madt.n_cpus == 0) || (!ai.have_madt && !ai.madt_err[0]) ||
			    (!ok && !err[0]) || (ai.have_s5 && (ai.s5_typa > 7 || ai.s5_typb > 7)))
				sane = false;
		}
		check(sane, "20000 corrupted table sets: no crash, sane results");
		printf("(%d of them still had a MADT, %d an _S5)\n", parsed, s5s);
	}
	return n_fail ? 1 : 0;
}

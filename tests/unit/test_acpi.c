/*
 * Host test of smp/acpi.c: synthetic RSDP/XSDT/RSDT/MADT sets, broken
 * checksums and lengths, and random corruption. "Physical" addresses are
 * offsets into an arena; every map() returns a fresh heap copy of exactly
 * the bytes asked for, so AddressSanitizer (make asan) catches any read
 * beyond what the parser mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smp/acpi.c"

#define ARENA 8192
#define PHYS0 0x10000 /* arena offset 0 as a physical address */

static uint8_t arena[ARENA];
static void *copies[4096];
static int n_copies;
static int fails;

static const void *map_copy(uint64_t phys, uint64_t len)
{
	uint8_t *p;

	if (phys < PHYS0 || len > ARENA || phys - PHYS0 > ARENA - len || n_copies >= 4096)
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

static void check(int ok, const char *name)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	fails += !ok;
}

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

static void sdt_header(uint8_t *p, const char *sig, uint32_t len)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = 1;
	memcpy(p + 10, "TESTOE", 6);
}

enum { RSDP_AT = 0, XSDT_AT = 64, RSDT_AT = 160, FACP_AT = 256, MADT_AT = 512 };

/* Builds a full table set; returns the MADT length. rev 2 = XSDT. */
static uint32_t build(int rev, int broken_xsdt)
{
	uint8_t *r = arena + RSDP_AT, *x = arena + XSDT_AT, *rs = arena + RSDT_AT;
	uint8_t *f = arena + FACP_AT, *m = arena + MADT_AT, *e;
	uint32_t mlen;

	memset(arena, 0, sizeof(arena));
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TESTOE", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, PHYS0 + RSDT_AT);
	put32(r + 20, 36);
	put64(r + 24, PHYS0 + XSDT_AT);
	fix_sum(r, 20, 8);
	fix_sum(r, 36, 32);

	sdt_header(f, "FACP", 36);
	fix_sum(f, 36, 9);

	sdt_header(x, "XSDT", 36 + 16);
	put64(x + 36, PHYS0 + FACP_AT);
	put64(x + 44, PHYS0 + MADT_AT);
	fix_sum(x, 52, 9);
	if (broken_xsdt)
		x[9] ^= 1;

	sdt_header(rs, "RSDT", 36 + 8);
	put32(rs + 36, PHYS0 + FACP_AT);
	put32(rs + 40, PHYS0 + MADT_AT);
	fix_sum(rs, 44, 9);

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
	sdt_header(m, "APIC", mlen);
	put32(m + 36, 0xFEE00000u);
	put32(m + 40, 1);
	fix_sum(m, mlen, 9);
	return mlen;
}

static int parse(struct acpi_madt_info *mi, char *err, size_t n)
{
	int ok = acpi_read_madt(PHYS0 + RSDP_AT, map_copy, mi, err, n);
	free_copies();
	return ok;
}

int main(void)
{
	static struct acpi_madt_info mi;
	char err[128];
	uint32_t mlen;
	int ok;

	build(2, 0);
	ok = parse(&mi, err, sizeof(err));
	check(ok && mi.xsdt, "xsdt path parses");
	check(mi.n_cpus == 3 && mi.n_skipped == 1 && mi.n_hotplug == 1,
	      "3 present cpus, 1 disabled, 1 hot-pluggable, duplicate dropped");
	check(mi.cpu[0].apic_id == 0 && mi.cpu[1].apic_id == 2 && mi.cpu[2].apic_id == 300 &&
		      mi.cpu[2].x2apic_entry && !mi.cpu[1].x2apic_entry,
	      "apic ids and entry types");
	check(mi.n_ioapics == 1 && mi.ioapic_phys[0] == 0xFEC00000u && mi.pcat_compat &&
		      mi.lapic_phys == 0xFEE00000ull && strcmp(mi.oem, "TESTOE") == 0,
	      "ioapic, lapic address, oem");

	build(0, 0);
	ok = parse(&mi, err, sizeof(err));
	check(ok && !mi.xsdt && mi.n_cpus == 3, "rsdt path (ACPI 1.0 rsdp)");

	build(2, 1);
	ok = parse(&mi, err, sizeof(err));
	check(!ok && strstr(err, "XSDT checksum"), "bad xsdt checksum rejected");

	build(2, 0);
	arena[RSDP_AT + 8] ^= 0x55;
	check(!parse(&mi, err, sizeof(err)) && strstr(err, "RSDP"), "bad rsdp checksum rejected");

	build(2, 0);
	arena[MADT_AT + 50] ^= 1;
	check(!parse(&mi, err, sizeof(err)) && strstr(err, "checksum"), "bad madt checksum rejected");

	mlen = build(2, 0);
	arena[MADT_AT + 44 + 1] = 0; /* first entry length 0 */
	fix_sum(arena + MADT_AT, mlen, 9);
	check(!parse(&mi, err, sizeof(err)) && strstr(err, "bad length"), "zero-length madt entry rejected");

	mlen = build(2, 0);
	put32(arena + MADT_AT + 4, ARENA * 4); /* length past the arena: map fails */
	check(!parse(&mi, err, sizeof(err)), "madt length beyond memory rejected");

	build(2, 0);
	memcpy(arena + MADT_AT, "APIX", 4);
	check(!parse(&mi, err, sizeof(err)) && strstr(err, "no MADT"), "missing madt reported");

	check(!acpi_read_madt(0, map_copy, &mi, err, sizeof(err)) && strstr(err, "no RSDP"),
	      "no rsdp reported");

	/* MCFG: ECAM windows, a bogus entry skipped; absent MCFG reported */
	{
		struct acpi_mcfg_info mc;
		uint8_t *t = arena + FACP_AT, *e;
		const uint64_t base[3] = { 0xB0000000ull, 0xC0000123ull, 0x380000000000ull };
		const uint8_t bus[3][2] = { { 0, 255 }, { 0, 7 }, { 0x10, 0x1f } };

		build(2, 0);
		check(!acpi_read_mcfg(PHYS0 + RSDP_AT, map_copy, &mc, err, sizeof(err)) &&
		      strstr(err, "no MCFG"), "missing mcfg reported");
		memset(t, 0, 256);
		for (int i = 0; i < 3; i++) {
			e = t + 44 + 16 * i;
			put64(e, base[i]);
			e[8] = (uint8_t)i; /* segment */
			e[10] = bus[i][0];
			e[11] = bus[i][1];
		}
		sdt_header(t, "MCFG", 44 + 48);
		fix_sum(t, 44 + 48, 9);
		ok = acpi_read_mcfg(PHYS0 + RSDP_AT, map_copy, &mc, err, sizeof(err));
		check(ok && mc.n == 2 && mc.n_bad == 1 && mc.ecam[0].base == base[0] &&
		      mc.ecam[0].bus_end == 255 && mc.ecam[1].segment == 2 &&
		      mc.ecam[1].bus_start == 0x10 && mc.ecam[1].base == base[2],
		      "mcfg windows parsed, unaligned one skipped");
		check(acpi_read_madt(PHYS0 + RSDP_AT, map_copy, &mi, err, sizeof(err)) && mi.n_cpus == 3,
		      "madt still found beside the mcfg");
		free_copies();
	}

	/* Random corruption: must never crash or read past a mapping. Fix the
	 * checksums half of the time so the parser gets past them. */
	{
		uint32_t seed = 1;
		int parsed = 0, sane = 1;
		for (int it = 0; it < 20000; it++) {
			mlen = build(it & 1 ? 2 : 0, 0);
			for (int k = 0; k < 1 + it % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				uint32_t at = MADT_AT + (seed >> 8) % (mlen + 8);
				if (it % 7 == 0)
					at = (seed >> 8) % 300;
				arena[at] ^= (uint8_t)(seed >> 24 | 1);
			}
			if (it & 2) {
				uint32_t l;
				memcpy(&l, arena + MADT_AT + 4, 4);
				if (l <= ARENA - MADT_AT)
					fix_sum(arena + MADT_AT, l, 9);
			}
			ok = parse(&mi, err, sizeof(err));
			parsed += ok;
			if (mi.n_cpus < 0 || mi.n_cpus > ACPI_MAX_CPUS || (ok && mi.n_cpus == 0) ||
			    (!ok && !err[0]))
				sane = 0;
		}
		check(sane, "20000 corrupted table sets: no crash, sane results");
		printf("(%d of them still parsed)\n", parsed);
	}
	return fails ? 1 : 0;
}

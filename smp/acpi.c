/* ACPI: RSDP -> XSDT/RSDT -> MADT, MCFG, with checksum and bounds checks. */
#include "smp/acpi.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SDT_HDR_LEN 36
#define MADT_FIXED_LEN 44
#define MCFG_FIXED_LEN 44 /* header + 8 reserved bytes */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static bool sum_ok(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;
	for (uint64_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Maps a whole SDT at phys after checking its header: signature (if sig is
 * not NULL), length within [min_len, ACPI_MAX_TABLE], checksum. Returns the
 * table and its length, or NULL with err set. */
static const uint8_t *map_sdt(acpi_map_fn map, uint64_t phys, const char *sig,
			      uint32_t min_len, uint32_t *len_out, char *err, size_t errlen)
{
	const uint8_t *h;
	uint32_t len;

	if (!phys) {
		seterr(err, errlen, "ACPI: null %s address", sig ? sig : "table");
		return NULL;
	}
	h = map(phys, SDT_HDR_LEN);
	if (!h) {
		seterr(err, errlen, "ACPI: cannot map table at 0x%llx", (unsigned long long)phys);
		return NULL;
	}
	if (sig && memcmp(h, sig, 4) != 0) {
		seterr(err, errlen, "ACPI: no %s signature at 0x%llx", sig,
		       (unsigned long long)phys);
		return NULL;
	}
	len = rd32(h + 4);
	if (len < min_len || len > ACPI_MAX_TABLE) {
		seterr(err, errlen, "ACPI: %.4s has bad length %u", (const char *)h, len);
		return NULL;
	}
	h = map(phys, len);
	if (!h) {
		seterr(err, errlen, "ACPI: cannot map %u bytes at 0x%llx", len,
		       (unsigned long long)phys);
		return NULL;
	}
	if (!sum_ok(h, len)) {
		seterr(err, errlen, "ACPI: %.4s checksum mismatch", (const char *)h);
		return NULL;
	}
	*len_out = len;
	return h;
}

static void add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid,
		    uint32_t flags, bool x2)
{
	if (!(flags & 1)) {
		/* disabled; "online capable" means hot-pluggable later, not present now */
		if (flags & 2)
			out->n_hotplug++;
		else
			out->n_skipped++;
		return;
	}
	for (int i = 0; i < out->n_cpus; i++)
		if (out->cpu[i].apic_id == apic_id)
			return; /* listed twice (xAPIC + x2APIC entry) */
	if (out->n_cpus >= ACPI_MAX_CPUS) {
		out->n_dropped++;
		return;
	}
	out->cpu[out->n_cpus++] = (struct acpi_cpu){
		.apic_id = apic_id, .uid = uid, .x2apic_entry = x2,
	};
}

static bool parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt_info *out,
		       char *err, size_t errlen)
{
	uint32_t off = MADT_FIXED_LEN;

	memcpy(out->oem, t + 10, 6);
	out->oem[6] = 0;
	out->lapic_phys = rd32(t + 36);
	out->pcat_compat = rd32(t + 40) & 1;
	while (off + 2 <= len) {
		const uint8_t *e = t + off;
		uint8_t type = e[0], elen = e[1];

		if (elen < 2 || elen > len - off) {
			seterr(err, errlen, "ACPI: MADT entry at offset %u has bad length %u",
			       off, elen);
			return false;
		}
		switch (type) {
		case 0: /* Processor Local APIC */
			if (elen >= 8)
				add_cpu(out, e[3], e[2], rd32(e + 4), false);
			break;
		case 1: /* I/O APIC */
			if (elen >= 12 && out->n_ioapics < ACPI_MAX_IOAPICS)
				out->ioapic_phys[out->n_ioapics++] = rd32(e + 4);
			break;
		case 5: /* Local APIC address override */
			if (elen >= 12)
				out->lapic_phys = rd64(e + 4);
			break;
		case 9: /* Processor Local x2APIC */
			if (elen >= 16)
				add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
			break;
		default:
			break;
		}
		off += elen;
	}
	if (out->n_cpus == 0) {
		seterr(err, errlen, "ACPI: MADT lists no usable CPU");
		return false;
	}
	return true;
}

const void *acpi_find_table(uint64_t rsdp_phys, acpi_map_fn map, const char *sig,
			    uint32_t min_len, uint32_t *len_out, bool *via_xsdt, char *err,
			    size_t errlen)
{
	const uint8_t *rsdp, *root;
	uint32_t root_len, entry_size;
	uint64_t root_phys;
	bool xsdt = false;

	if (!rsdp_phys) {
		seterr(err, errlen, "ACPI: no RSDP from the firmware");
		return NULL;
	}
	rsdp = map(rsdp_phys, 20);
	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || !sum_ok(rsdp, 20)) {
		seterr(err, errlen, "ACPI: bad RSDP at 0x%llx", (unsigned long long)rsdp_phys);
		return NULL;
	}
	root_phys = rd32(rsdp + 16);
	entry_size = 4;
	if (rsdp[15] >= 2) {
		const uint8_t *r2 = map(rsdp_phys, 36);
		uint32_t rlen = r2 ? rd32(r2 + 20) : 0;

		if (r2 && rlen >= 36 && rlen <= 4096 && (r2 = map(rsdp_phys, rlen)) &&
		    sum_ok(r2, rlen) && rd64(r2 + 24)) {
			root_phys = rd64(r2 + 24);
			entry_size = 8;
			xsdt = true;
		}
	}
	if (via_xsdt)
		*via_xsdt = xsdt;
	root = map_sdt(map, root_phys, entry_size == 8 ? "XSDT" : "RSDT", SDT_HDR_LEN,
		       &root_len, err, errlen);
	if (!root)
		return NULL;
	for (uint32_t off = SDT_HDR_LEN; off + entry_size <= root_len; off += entry_size) {
		uint64_t p = entry_size == 8 ? rd64(root + off) : rd32(root + off);
		const uint8_t *h = p ? map(p, SDT_HDR_LEN) : NULL;

		if (h && memcmp(h, sig, 4) == 0)
			return map_sdt(map, p, sig, min_len, len_out, err, errlen);
	}
	/* the MADT is the one table whose signature is not its name */
	seterr(err, errlen, "ACPI: no %s in the %s", strcmp(sig, "APIC") ? sig : "MADT",
	       xsdt ? "XSDT" : "RSDT");
	return NULL;
}

bool acpi_read_madt(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_madt_info *out,
		    char *err, size_t errlen)
{
	const uint8_t *madt;
	uint32_t madt_len = 0;

	memset(out, 0, sizeof(*out));
	madt = acpi_find_table(rsdp_phys, map, "APIC", MADT_FIXED_LEN, &madt_len, &out->xsdt,
			       err, errlen);
	if (!madt)
		return false;
	return parse_madt(madt, madt_len, out, err, errlen);
}

bool acpi_read_mcfg(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_mcfg_info *out,
		    char *err, size_t errlen)
{
	const uint8_t *t;
	uint32_t len = 0;

	memset(out, 0, sizeof(*out));
	t = acpi_find_table(rsdp_phys, map, "MCFG", MCFG_FIXED_LEN, &len, NULL, err, errlen);
	if (!t)
		return false;
	for (uint32_t off = MCFG_FIXED_LEN; off + 16 <= len; off += 16) {
		const uint8_t *e = t + off;
		struct acpi_ecam *r;

		if (out->n >= ACPI_MAX_ECAM) {
			out->n_dropped++;
			continue;
		}
		r = &out->ecam[out->n];
		r->base = rd64(e);
		r->segment = (uint16_t)(e[8] | e[9] << 8);
		r->bus_start = e[10];
		r->bus_end = e[11];
		/* a window below its own bus range or not 1 MiB aligned is bogus */
		if (!r->base || (r->base & 0xFFFFF) || r->bus_end < r->bus_start) {
			out->n_bad++;
			continue;
		}
		out->n++;
	}
	if (out->n == 0) {
		seterr(err, errlen, "ACPI: MCFG lists no usable ECAM window");
		return false;
	}
	return true;
}

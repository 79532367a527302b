/* The MADT's CPU and APIC entries, and the xAPIC/x2APIC choice (core/acpi.h). */
#include "core/acpi.h"
#include "core/acpi_util.h"

#define MADT_FIXED_LEN 44
#define XAPIC_MAX_ID 254 /* 255 is the xAPIC broadcast id */

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

bool acpi_parse_madt(const uint8_t *t, uint32_t len, struct acpi_madt_info *out, char *err,
		     size_t errlen)
{
	uint32_t off = MADT_FIXED_LEN;

	if (len < MADT_FIXED_LEN) {
		acpi_seterr(err, errlen, "ACPI: MADT too short (%u bytes)", len);
		return false;
	}
	memcpy(out->oem, t + 10, 6);
	out->oem[6] = 0;
	out->lapic_phys = acpi_rd32(t + 36);
	out->pcat_compat = acpi_rd32(t + 40) & 1;
	while (off + 2 <= len) {
		const uint8_t *e = t + off;
		uint8_t type = e[0], elen = e[1];

		if (elen < 2 || elen > len - off) {
			acpi_seterr(err, errlen, "ACPI: MADT entry at offset %u has bad length %u",
				    off, elen);
			return false;
		}
		switch (type) {
		case 0: /* Processor Local APIC */
			if (elen >= 8)
				add_cpu(out, e[3], e[2], acpi_rd32(e + 4), false);
			break;
		case 1: /* I/O APIC */
			if (elen >= 12 && out->n_ioapics < ACPI_MAX_IOAPICS)
				out->ioapic_phys[out->n_ioapics++] = acpi_rd32(e + 4);
			break;
		case 5: /* Local APIC address override */
			if (elen >= 12)
				out->lapic_phys = acpi_rd64(e + 4);
			break;
		case 9: /* Processor Local x2APIC */
			if (elen >= 16)
				add_cpu(out, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8), true);
			break;
		default:
			break;
		}
		off += elen;
	}
	if (out->n_cpus == 0) {
		acpi_seterr(err, errlen, "ACPI: MADT lists no usable CPU");
		return false;
	}
	return true;
}

enum acpi_apic_mode acpi_apic_mode(const struct acpi_madt_info *m, bool cpu_x2apic,
				   bool firmware_x2apic, bool dmar_opt_out, const char **why)
{
	const char *w;
	enum acpi_apic_mode mode;
	bool big_id = false;

	for (int i = 0; m && i < m->n_cpus; i++)
		if (m->cpu[i].apic_id > XAPIC_MAX_ID)
			big_id = true;
	if (firmware_x2apic) {
		mode = ACPI_APIC_X2APIC;
		w = "enabled by the firmware";
	} else if (!cpu_x2apic) {
		mode = ACPI_APIC_XAPIC;
		w = big_id ? "no x2APIC: CPUs with APIC ids above 254 cannot start"
			   : "the CPU has no x2APIC";
	} else if (big_id) {
		mode = ACPI_APIC_X2APIC;
		w = dmar_opt_out ? "APIC ids above 254 (DMAR opt-out overridden)"
				 : "APIC ids above 254";
	} else if (dmar_opt_out) {
		mode = ACPI_APIC_XAPIC;
		w = "the DMAR table opts out of x2APIC";
	} else {
		mode = ACPI_APIC_X2APIC;
		w = "the CPU has it";
	}
	if (why)
		*why = w;
	return mode;
}

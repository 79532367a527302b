/* ACPI: RSDP -> XSDT/RSDT -> FADT, DSDT \_S5, MADT, HPET, SPCR, DMAR, MCFG
 * (core/acpi.h). */
#include "core/acpi.h"
#include "core/acpi_util.h"

#define SDT_HDR_LEN 36
#define FADT_MIN_LEN 44  /* up to the DSDT address; later fields where present */
#define MADT_MIN_LEN 44
#define HPET_MIN_LEN 52
#define SPCR_MIN_LEN 59
#define DMAR_MIN_LEN 38
#define MCFG_MIN_LEN 44 /* header + 8 reserved bytes */

/* Maps a whole SDT at phys after checking its header: signature, length
 * within [min_len, ACPI_MAX_TABLE], checksum. A checksum mismatch fails,
 * unless sum_bad is given: then it is only reported there. Returns the
 * table and its length, or NULL with err set. */
static const uint8_t *map_sdt(acpi_map_fn map, uint64_t phys, const char *sig, uint32_t min_len,
			      uint32_t *len_out, bool *sum_bad, char *err, size_t errlen)
{
	const uint8_t *h;
	uint32_t len;

	if (!phys) {
		acpi_seterr(err, errlen, "ACPI: null %s address", sig);
		return NULL;
	}
	h = map(phys, SDT_HDR_LEN);
	if (!h) {
		acpi_seterr(err, errlen, "ACPI: cannot map %s at 0x%llx", sig,
			    (unsigned long long)phys);
		return NULL;
	}
	if (memcmp(h, sig, 4) != 0) {
		acpi_seterr(err, errlen, "ACPI: no %s signature at 0x%llx", sig,
			    (unsigned long long)phys);
		return NULL;
	}
	len = acpi_rd32(h + 4);
	if (len < min_len || len > ACPI_MAX_TABLE) {
		acpi_seterr(err, errlen, "ACPI: %s has bad length %u", sig, len);
		return NULL;
	}
	h = map(phys, len);
	if (!h) {
		acpi_seterr(err, errlen, "ACPI: cannot map %u bytes of %s at 0x%llx", len, sig,
			    (unsigned long long)phys);
		return NULL;
	}
	if (!acpi_sum_ok(h, len)) {
		if (!sum_bad) {
			acpi_seterr(err, errlen, "ACPI: %s checksum mismatch", sig);
			return NULL;
		}
		*sum_bad = true;
	}
	*len_out = len;
	return h;
}

static void add_warn(struct acpi_info *out, const char *msg)
{
	size_t n = strlen(out->warn);

	if (n + 3 >= sizeof out->warn)
		return;
	snprintf(out->warn + n, sizeof out->warn - n, "%s%s", n ? "; " : "", msg);
}

static struct acpi_gas gas_at(const uint8_t *p)
{
	return (struct acpi_gas){
		.space = p[0], .bit_width = p[1], .bit_offset = p[2], .access_size = p[3],
		.addr = acpi_rd64(p + 4),
	};
}

/* The FADT's register: its 64-bit GAS (at xoff) when the table reaches it
 * and it is set, else the 32-bit port number (at off) of `bytes` width. */
static struct acpi_gas fadt_reg(const uint8_t *t, uint32_t len, uint32_t off, uint32_t xoff,
				uint32_t bytes)
{
	if (xoff + 12 <= len) {
		struct acpi_gas g = gas_at(t + xoff);
		if (g.addr)
			return g;
	}
	if (off + 4 > len || !acpi_rd32(t + off))
		return (struct acpi_gas){ 0 };
	return (struct acpi_gas){
		.space = ACPI_GAS_IO, .bit_width = (uint8_t)(bytes * 8), .addr = acpi_rd32(t + off),
	};
}

void acpi_parse_fadt(const uint8_t *t, uint32_t len, struct acpi_fadt *f)
{
	memset(f, 0, sizeof *f);
	if (len < FADT_MIN_LEN)
		return;
	f->present = true;
	f->rev = t[8];
	f->dsdt = acpi_rd32(t + 40);
	if (len >= 148 && acpi_rd64(t + 140))
		f->dsdt = acpi_rd64(t + 140);
	if (len >= 53) {
		f->smi_cmd = acpi_rd32(t + 48);
		f->acpi_enable = t[52];
	}
	uint32_t cnt_len = len > 89 && t[89] >= 2 && t[89] <= 4 ? t[89] : 2;
	f->pm1a_cnt = fadt_reg(t, len, 64, 172, cnt_len);
	f->pm1b_cnt = fadt_reg(t, len, 68, 184, cnt_len);
	f->pm_tmr = fadt_reg(t, len, 76, 208, 4);
	if (len >= 116)
		f->flags = acpi_rd32(t + 112);
	if (len >= 111 && f->rev >= 3) {
		f->has_boot_arch = true;
		f->boot_arch = acpi_rd16(t + 109);
	}
	if (len >= 129) {
		f->reset_reg = gas_at(t + 116);
		f->reset_value = t[128];
		f->reset_valid = (f->flags & ACPI_FADT_RESET_REG_SUP) && f->reset_reg.addr &&
				 (f->reset_reg.space == ACPI_GAS_IO ||
				  f->reset_reg.space == ACPI_GAS_MEM);
	}
	if (f->flags & ACPI_FADT_HW_REDUCED) {
		/* no fixed hardware: whatever the fields say is not there */
		f->pm1a_cnt = f->pm1b_cnt = f->pm_tmr = (struct acpi_gas){ 0 };
	}
}

/* FADT, then the \_S5 package in the DSDT it names. */
static void read_fadt(acpi_map_fn map, uint64_t phys, struct acpi_info *out)
{
	const uint8_t *t, *dsdt;
	uint32_t len, dlen;
	bool bad = false;
	char e[96];

	t = map_sdt(map, phys, "FACP", FADT_MIN_LEN, &len, &bad, e, sizeof e);
	if (!t) {
		add_warn(out, e);
		return;
	}
	if (bad)
		add_warn(out, "FADT checksum mismatch (used anyway)");
	acpi_parse_fadt(t, len, &out->fadt);
	if (!out->fadt.dsdt)
		return;
	bad = false;
	dsdt = map_sdt(map, out->fadt.dsdt, "DSDT", SDT_HDR_LEN, &dlen, &bad, e, sizeof e);
	if (!dsdt) {
		add_warn(out, e);
		return;
	}
	if (bad)
		add_warn(out, "DSDT checksum mismatch (used anyway)");
	out->have_s5 = acpi_aml_find_s5(dsdt + SDT_HDR_LEN, dlen - SDT_HDR_LEN, &out->s5_typa,
					&out->s5_typb);
}

static void read_madt(acpi_map_fn map, uint64_t phys, struct acpi_info *out)
{
	const uint8_t *t;
	uint32_t len;

	t = map_sdt(map, phys, "APIC", MADT_MIN_LEN, &len, NULL, out->madt_err,
		    sizeof out->madt_err);
	if (!t)
		return;
	memset(&out->madt, 0, sizeof out->madt);
	out->have_madt = acpi_parse_madt(t, len, &out->madt, out->madt_err,
					 sizeof out->madt_err);
	out->madt.xsdt = out->xsdt;
	if (out->have_madt)
		out->madt_err[0] = 0;
}

bool acpi_parse_mcfg(const uint8_t *t, uint32_t len, struct acpi_mcfg_info *out, char *err,
		     size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t off = MCFG_MIN_LEN; off + 16 <= len; off += 16) {
		const uint8_t *e = t + off;
		struct acpi_ecam *r;

		if (out->n >= ACPI_MAX_ECAM) {
			out->n_dropped++;
			continue;
		}
		r = &out->ecam[out->n];
		r->base = acpi_rd64(e);
		r->segment = acpi_rd16(e + 8);
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
		acpi_seterr(err, errlen, "ACPI: MCFG lists no usable ECAM window");
		return false;
	}
	return true;
}

static void read_mcfg(acpi_map_fn map, uint64_t phys, struct acpi_info *out)
{
	const uint8_t *t;
	uint32_t len;

	t = map_sdt(map, phys, "MCFG", MCFG_MIN_LEN, &len, NULL, out->mcfg_err,
		    sizeof out->mcfg_err);
	if (t)
		out->have_mcfg = acpi_parse_mcfg(t, len, &out->mcfg, out->mcfg_err,
						 sizeof out->mcfg_err);
	if (out->have_mcfg)
		out->mcfg_err[0] = 0;
}

/* HPET, SPCR, DMAR: small fixed tables; a bad one is reported and skipped. */
static void read_small(acpi_map_fn map, uint64_t phys, const char *sig, struct acpi_info *out)
{
	uint32_t min = !memcmp(sig, "HPET", 4) ? HPET_MIN_LEN
		       : !memcmp(sig, "SPCR", 4) ? SPCR_MIN_LEN : DMAR_MIN_LEN;
	const uint8_t *t;
	uint32_t len;
	char e[96];

	t = map_sdt(map, phys, sig, min, &len, NULL, e, sizeof e);
	if (!t) {
		add_warn(out, e);
		return;
	}
	if (!memcmp(sig, "HPET", 4)) {
		struct acpi_gas g = gas_at(t + 40);
		if (g.space == ACPI_GAS_MEM && g.addr && !(g.addr & 7)) {
			out->have_hpet = true;
			out->hpet_base = g.addr;
		}
	} else if (!memcmp(sig, "SPCR", 4)) {
		static const uint32_t bauds[8] = { 0, 0, 0, 9600, 19200, 0, 57600, 115200 };
		out->have_spcr = true;
		out->spcr_type = t[36];
		out->spcr_port = gas_at(t + 40);
		out->spcr_baud = t[58] < 8 ? bauds[t[58]] : 0;
	} else {
		out->have_dmar = true;
		out->dmar_flags = t[37];
	}
}

/* The root table's address: the XSDT when the extended RSDP is intact,
 * else the RSDT. Returns false with err set when the RSDP is bad. */
static bool read_rsdp(acpi_map_fn map, uint64_t rsdp_phys, struct acpi_info *out,
		      uint64_t *xsdt, uint32_t *rsdt, char *err, size_t errlen)
{
	const uint8_t *rsdp = map(rsdp_phys, 20);

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || !acpi_sum_ok(rsdp, 20)) {
		acpi_seterr(err, errlen, "ACPI: bad RSDP at 0x%llx", (unsigned long long)rsdp_phys);
		return false;
	}
	out->rsdp_rev = rsdp[15];
	*rsdt = acpi_rd32(rsdp + 16);
	*xsdt = 0;
	if (rsdp[15] >= 2) {
		const uint8_t *r2 = map(rsdp_phys, 36);
		uint32_t rlen = r2 ? acpi_rd32(r2 + 20) : 0;

		if (r2 && rlen >= 36 && rlen <= 4096 && (r2 = map(rsdp_phys, rlen)) &&
		    acpi_sum_ok(r2, rlen))
			*xsdt = acpi_rd64(r2 + 24);
		else
			add_warn(out, "ACPI 2.0 RSDP extension broken");
	}
	return true;
}

/* No root table: every table's own error says why. */
static bool fail_root(struct acpi_info *out, const char *why)
{
	snprintf(out->madt_err, sizeof out->madt_err, "%s", why);
	snprintf(out->mcfg_err, sizeof out->mcfg_err, "%s", why);
	return false;
}

bool acpi_read(uint64_t rsdp_phys, acpi_map_fn map, struct acpi_info *out, char *err,
	       size_t errlen)
{
	const uint8_t *root = NULL;
	uint32_t root_len = 0, entry = 8, rsdt;
	uint64_t xsdt;
	char xerr[96] = "", e[128] = "";

	memset(out, 0, sizeof *out);
	if (!rsdp_phys) {
		snprintf(e, sizeof e, "ACPI: no RSDP from the firmware");
		goto fail;
	}
	if (!read_rsdp(map, rsdp_phys, out, &xsdt, &rsdt, e, sizeof e))
		goto fail;
	if (xsdt) {
		root = map_sdt(map, xsdt, "XSDT", SDT_HDR_LEN, &root_len, NULL, xerr, sizeof xerr);
		out->xsdt = root != NULL;
	}
	if (!root) {
		entry = 4;
		root = map_sdt(map, rsdt, "RSDT", SDT_HDR_LEN, &root_len, NULL, e, sizeof e);
		if (!root) {
			if (xerr[0])
				snprintf(e, sizeof e, "%s, and no usable RSDT", xerr);
			goto fail;
		}
		if (xerr[0]) {
			char w[128];
			snprintf(w, sizeof w, "%s: using the RSDT", xerr);
			add_warn(out, w);
		}
	}
	memcpy(out->oem, root + 10, 6);
	out->oem[6] = 0;
	snprintf(out->madt_err, sizeof out->madt_err, "ACPI: no MADT in the %s",
		 out->xsdt ? "XSDT" : "RSDT");
	snprintf(out->mcfg_err, sizeof out->mcfg_err, "ACPI: no MCFG in the %s",
		 out->xsdt ? "XSDT" : "RSDT");
	for (uint32_t off = SDT_HDR_LEN; off + entry <= root_len; off += entry) {
		uint64_t p = entry == 8 ? acpi_rd64(root + off) : acpi_rd32(root + off);
		const uint8_t *h = p ? map(p, SDT_HDR_LEN) : NULL;
		char sig[5];

		if (!h)
			continue;
		memcpy(sig, h, 4);
		sig[4] = 0;
		if (!strcmp(sig, "APIC") && !out->have_madt)
			read_madt(map, p, out);
		else if (!strcmp(sig, "FACP") && !out->fadt.present)
			read_fadt(map, p, out);
		else if (!strcmp(sig, "MCFG") && !out->have_mcfg)
			read_mcfg(map, p, out);
		else if ((!strcmp(sig, "HPET") && !out->have_hpet) ||
			 (!strcmp(sig, "SPCR") && !out->have_spcr) ||
			 (!strcmp(sig, "DMAR") && !out->have_dmar))
			read_small(map, p, sig, out);
	}
	return true;
fail:
	acpi_seterr(err, errlen, "%s", e);
	return fail_root(out, e);
}

/* \_S5 from the DSDT's AML byte code without an interpreter (core/acpi.h).
 *
 * The object looks like this in AML:
 *   NameOp 0x08, optional root prefix '\' 0x5C, NameSeg "_S5_",
 *   PackageOp 0x12, PkgLength (1-4 bytes, counts itself and what follows),
 *   NumElements u8, then the elements: integers as ZeroOp 0x00, OneOp 0x01,
 *   OnesOp 0xFF or a BytePrefix 0x0A / WordPrefix 0x0B / DWordPrefix 0x0C /
 *   QWordPrefix 0x0E constant.
 * A package with one element holds SLP_TYPa in its low byte and SLP_TYPb in
 * the next (as ACPICA reads it). Every read is checked against both the
 * table's end and the package's end.
 */
#include "core/acpi.h"

#include <string.h>

#define AML_NAME_OP 0x08
#define AML_ROOT_PREFIX 0x5C
#define AML_PACKAGE_OP 0x12

/* Decodes the PkgLength at p (avail bytes readable): returns the bytes it
 * takes (1..4) with the length in *len, or 0 when it runs past avail. */
static uint32_t aml_pkg_length(const uint8_t *p, uint32_t avail, uint32_t *len)
{
	uint32_t extra, v;

	if (!avail)
		return 0;
	extra = p[0] >> 6;
	if (extra + 1 > avail)
		return 0;
	if (!extra) {
		*len = p[0] & 0x3f;
		return 1;
	}
	v = p[0] & 0x0f;
	for (uint32_t i = 1; i <= extra; i++)
		v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	*len = v;
	return extra + 1;
}

/* An integer constant at p: returns its size in bytes with the value in
 * *v, or 0 when p holds something else or it runs past avail. */
static uint32_t aml_integer(const uint8_t *p, uint32_t avail, uint64_t *v)
{
	uint32_t n;

	if (!avail)
		return 0;
	switch (p[0]) {
	case 0x00: *v = 0; return 1;
	case 0x01: *v = 1; return 1;
	case 0xFF: *v = ~0ull; return 1;
	case 0x0A: n = 1; break;
	case 0x0B: n = 2; break;
	case 0x0C: n = 4; break;
	case 0x0E: n = 8; break;
	default: return 0;
	}
	if (n + 1 > avail)
		return 0;
	*v = 0;
	for (uint32_t i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return n + 1;
}

/* Reads the package at aml[at] (PackageOp already matched) into typa/typb. */
static bool aml_s5_package(const uint8_t *aml, uint32_t len, uint32_t at, uint8_t *typa,
			   uint8_t *typb)
{
	uint32_t plen, n, end, p;
	uint64_t a, b;

	n = aml_pkg_length(aml + at, len - at, &plen);
	if (!n || plen < n + 1 || plen > len - at)
		return false; /* the package must lie inside the table */
	end = at + plen;
	p = at + n;
	uint8_t count = aml[p++];
	if (count == 0)
		return false;
	n = aml_integer(aml + p, end - p, &a);
	if (!n)
		return false;
	p += n;
	if (count == 1) {
		b = (a >> 8) & 0xff;
		a &= 0xff;
	} else if (!aml_integer(aml + p, end - p, &b)) {
		return false;
	}
	if (a > 7 || b > 7)
		return false; /* SLP_TYP is three bits: not the package we want */
	*typa = (uint8_t)a;
	*typb = (uint8_t)b;
	return true;
}

bool acpi_aml_find_s5(const uint8_t *aml, uint32_t len, uint8_t *typa, uint8_t *typb)
{
	for (uint32_t i = 1; i + 5 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		bool named = aml[i - 1] == AML_NAME_OP ||
			     (i >= 2 && aml[i - 1] == AML_ROOT_PREFIX && aml[i - 2] == AML_NAME_OP);
		if (!named || aml[i + 4] != AML_PACKAGE_OP)
			continue;
		if (i + 5 < len && aml_s5_package(aml, len, i + 5, typa, typb))
			return true;
	}
	return false;
}

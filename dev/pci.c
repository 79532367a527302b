/* PCI enumeration and configuration access (dev/pci.h). */
#include "dev/pci.h"

#include <stddef.h>
#include <string.h>

#include "core/kprintf.h"
#include "core/x86.h"
#include "mm/vmm.h"
#include "core/acpi_hw.h"

#define PCI_CFG_ADDR 0xCF8
#define PCI_CFG_DATA 0xCFC
#define PCI_MAX_SCANS 64 /* buses queued for scanning at once */

static struct pci_dev devs[PCI_MAX_DEVS];
static int n_devs, n_dropped;
static struct acpi_mcfg_info mcfg;
static bool have_ecam;
/* ECAM windows' buses mapped so far: bit b of mapped[w] for bus b */
static uint64_t mapped[ACPI_MAX_ECAM][4];

/* ---- raw access ------------------------------------------------------- */

/* The 4 KiB of (seg, bus, slot, fn) in an ECAM window, mapping the bus's
 * 1 MiB on first use; NULL when no window covers it. */
static volatile uint8_t *ecam_fn(uint16_t seg, uint8_t bus, uint8_t slot, uint8_t fn)
{
	for (int w = 0; w < mcfg.n; w++) {
		const struct acpi_ecam *e = &mcfg.ecam[w];
		uint64_t bus_base;

		if (e->segment != seg || bus < e->bus_start || bus > e->bus_end)
			continue;
		bus_base = e->base + ((uint64_t)bus << 20);
		if (!(mapped[w][bus / 64] & (1ull << (bus % 64)))) {
			if (!vmm_map_mmio(bus_base, 1u << 20))
				return NULL;
			mapped[w][bus / 64] |= 1ull << (bus % 64);
		}
		return (volatile uint8_t *)(uintptr_t)(bus_base + ((uint32_t)slot << 15) +
						       ((uint32_t)fn << 12));
	}
	return NULL;
}

static uint32_t port_addr(uint8_t bus, uint8_t slot, uint8_t fn, uint16_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)fn << 8 |
	       (off & 0xFC);
}

/* 32-bit read at a dword-aligned offset of a function that may not exist */
static uint32_t raw_read32(volatile uint8_t *ecam, uint8_t bus, uint8_t slot, uint8_t fn,
			   uint16_t off)
{
	if (ecam)
		return *(volatile uint32_t *)(ecam + off);
	if (off > 0xFC)
		return 0xFFFFFFFFu;
	outl(PCI_CFG_ADDR, port_addr(bus, slot, fn, off));
	return inl(PCI_CFG_DATA);
}

static void raw_write32(volatile uint8_t *ecam, uint8_t bus, uint8_t slot, uint8_t fn,
			uint16_t off, uint32_t v)
{
	if (ecam) {
		*(volatile uint32_t *)(ecam + off) = v;
	} else if (off <= 0xFC) {
		outl(PCI_CFG_ADDR, port_addr(bus, slot, fn, off));
		outl(PCI_CFG_DATA, v);
	}
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	if (off > 0xFFC)
		return 0xFFFFFFFFu;
	return raw_read32(d->ecam, d->bus, d->slot, d->fn, off & ~3u);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

/* Narrow writes as read-modify-write of the dword. Safe for the registers
 * drivers write this way (command, capability fields); never used on
 * registers with write-1-to-clear bits beside the written bytes. */
static void write_bits(const struct pci_dev *d, uint16_t off, uint32_t v, unsigned bytes)
{
	unsigned shift = (off & 3) * 8;
	uint32_t mask = (bytes == 4 ? 0xFFFFFFFFu : ((1u << (bytes * 8)) - 1)) << shift;
	uint32_t old;

	if (off > 0xFFC)
		return;
	old = bytes == 4 ? 0 : pci_read32(d, off);
	raw_write32(d->ecam, d->bus, d->slot, d->fn, off & ~3u, (old & ~mask) | (v << shift));
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v) { write_bits(d, off, v, 4); }
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v) { write_bits(d, off, v, 2); }
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v) { write_bits(d, off, v, 1); }

/* ---- enumeration ------------------------------------------------------ */

static void add_fn(uint16_t seg, uint8_t bus, uint8_t slot, uint8_t fn, volatile uint8_t *ecam,
		   uint32_t id, uint8_t *queue, int *nq)
{
	struct pci_dev *d;
	uint32_t cc;

	if (n_devs >= PCI_MAX_DEVS) {
		n_dropped++;
		return;
	}
	d = &devs[n_devs++];
	*d = (struct pci_dev){.seg = seg, .bus = bus, .slot = slot, .fn = fn, .ecam = ecam};
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	cc = pci_read32(d, 0x08);
	d->rev = (uint8_t)cc;
	d->progif = (uint8_t)(cc >> 8);
	d->subcls = (uint8_t)(cc >> 16);
	d->cls = (uint8_t)(cc >> 24);
	d->hdr_type = pci_read8(d, 0x0E) & 0x7F;
	if (d->hdr_type == 1 && *nq < PCI_MAX_SCANS) {
		uint8_t sec = pci_read8(d, 0x19);
		if (sec > bus) /* a bus number below ours would be a loop */
			queue[(*nq)++] = sec;
	}
}

/* Reads function (bus, slot, fn)'s id; 0xFFFFFFFF when absent. */
static uint32_t probe(uint16_t seg, uint8_t bus, uint8_t slot, uint8_t fn,
		      volatile uint8_t **ecam)
{
	*ecam = have_ecam ? ecam_fn(seg, bus, slot, fn) : NULL;
	if (have_ecam && !*ecam)
		return 0xFFFFFFFFu; /* no window covers it */
	return raw_read32(*ecam, bus, slot, fn, 0);
}

static bool seen_bus(uint8_t bus, const uint8_t *done, int ndone)
{
	for (int i = 0; i < ndone; i++)
		if (done[i] == bus)
			return true;
	return false;
}

/* Scans seg from root bus root, then every bus behind a bridge found. */
static void scan_from(uint16_t seg, uint8_t root)
{
	uint8_t queue[PCI_MAX_SCANS], done[PCI_MAX_SCANS];
	int nq = 0, ndone = 0;

	queue[nq++] = root;
	while (nq > 0) {
		uint8_t bus = queue[--nq];

		if (seen_bus(bus, done, ndone) || ndone >= PCI_MAX_SCANS)
			continue;
		done[ndone++] = bus;
		/* a bus scanned from an earlier root is not scanned twice */
		for (int i = 0; i < n_devs; i++)
			if (devs[i].seg == seg && devs[i].bus == bus)
				goto next;
		for (uint8_t slot = 0; slot < 32; slot++) {
			volatile uint8_t *ecam;
			uint32_t id = probe(seg, bus, slot, 0, &ecam);
			uint8_t nfn;

			if ((id & 0xFFFF) == 0xFFFF)
				continue;
			nfn = (raw_read32(ecam, bus, slot, 0, 0x0C) >> 16) & 0x80 ? 8 : 1;
			add_fn(seg, bus, slot, 0, ecam, id, queue, &nq);
			for (uint8_t fn = 1; fn < nfn; fn++) {
				id = probe(seg, bus, slot, fn, &ecam);
				if ((id & 0xFFFF) != 0xFFFF)
					add_fn(seg, bus, slot, fn, ecam, id, queue, &nq);
			}
		}
next:;
	}
}

void pci_init(const struct boot_info *bi)
{
	const struct acpi_info *ai = acpi_get();
	const char *err = ai->mcfg_err;
	volatile uint8_t *ecam;

	(void)bi;
	have_ecam = ai->have_mcfg;
	mcfg = ai->mcfg;
	if (!have_ecam) {
		/* the legacy mechanism: bus 0's host bridge answers on 0xCF8 */
		outl(PCI_CFG_ADDR, 0x80000000u);
		if (inl(PCI_CFG_ADDR) != 0x80000000u) {
			kprintf("pci: no configuration access (%s, no 0xCF8 ports)\n", err);
			return;
		}
	}
	scan_from(0, 0);
	/* a multi-function host bridge at 0:0.0: function f drives root bus f */
	if ((probe(0, 0, 0, 0, &ecam) & 0xFFFF) != 0xFFFF &&
	    (raw_read32(ecam, 0, 0, 0, 0x0C) >> 16) & 0x80)
		for (uint8_t fn = 1; fn < 8; fn++)
			if ((probe(0, 0, 0, fn, &ecam) & 0xFFFF) != 0xFFFF)
				scan_from(0, fn);
	for (int w = 0; have_ecam && w < mcfg.n; w++)
		scan_from(mcfg.ecam[w].segment, mcfg.ecam[w].bus_start);
	kprintf("pci: %d functions (%s)%s\n", n_devs, pci_access(),
		n_dropped ? ", more than the table holds: some ignored" : "");
}

int pci_count(void)
{
	return n_devs;
}

const struct pci_dev *pci_get(int i)
{
	return i >= 0 && i < n_devs ? &devs[i] : NULL;
}

const char *pci_access(void)
{
	if (have_ecam)
		return "ECAM (MCFG)";
	return n_devs ? "I/O ports 0xCF8" : "none";
}

/* ---- BARs, command, capabilities -------------------------------------- */

bool pci_bar(const struct pci_dev *d, int idx, struct pci_bar *out)
{
	uint16_t off = (uint16_t)(0x10 + 4 * idx), cmd;
	uint32_t lo, hi = 0, szlo, szhi = 0;

	memset(out, 0, sizeof(*out));
	if (idx < 0 || idx > 5 || d->hdr_type != 0)
		return false;
	for (int i = 0; i < idx;) { /* the upper half of a 64-bit BAR is no BAR */
		uint32_t v = pci_read32(d, (uint16_t)(0x10 + 4 * i));
		i += !(v & 1) && ((v >> 1) & 3) == 2 ? 2 : 1;
		if (i > idx)
			return false;
	}
	lo = pci_read32(d, off);
	out->io = lo & 1;
	out->is64 = !out->io && ((lo >> 1) & 3) == 2;
	out->prefetch = !out->io && (lo & 8);
	if (out->is64 && idx == 5)
		return false;
	cmd = pci_read16(d, 0x04);
	pci_write16(d, 0x04, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	pci_write32(d, off, 0xFFFFFFFFu);
	szlo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (out->is64) {
		hi = pci_read32(d, (uint16_t)(off + 4));
		pci_write32(d, (uint16_t)(off + 4), 0xFFFFFFFFu);
		szhi = pci_read32(d, (uint16_t)(off + 4));
		pci_write32(d, (uint16_t)(off + 4), hi);
	}
	pci_write16(d, 0x04, cmd);
	if (out->io) {
		uint32_t mask = szlo & ~3u;
		out->phys = lo & ~3u;
		out->size = mask ? (uint64_t)(~mask & 0xFFFF) + 1 : 0;
	} else {
		uint64_t mask = ((uint64_t)szhi << 32 | (szlo & ~0xFu));
		if (!out->is64)
			mask |= 0xFFFFFFFF00000000ull;
		out->phys = ((uint64_t)hi << 32) | (lo & ~0xFu);
		out->size = (szlo & ~0xFu) || szhi ? ~mask + 1 : 0;
	}
	return true;
}

volatile void *pci_map_bar(const struct pci_dev *d, int idx, uint64_t *size)
{
	struct pci_bar b;

	if (!pci_bar(d, idx, &b) || b.io || !b.size || !b.phys)
		return NULL;
	if (size)
		*size = b.size;
	return vmm_map_mmio(b.phys, b.size);
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	pci_write16(d, 0x04, pci_read16(d, 0x04) | bits);
}

uint8_t pci_next_cap(const struct pci_dev *d, uint8_t id, uint8_t prev)
{
	uint8_t off;

	if (!(pci_read16(d, 0x06) & 0x10))
		return 0; /* no capability list */
	off = prev ? pci_read8(d, (uint16_t)(prev + 1)) : pci_read8(d, 0x34);
	for (int n = 0; n < 48 && off >= 0x40; n++) {
		off &= 0xFC;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, (uint16_t)(off + 1));
	}
	return 0;
}

const char *pci_class_name(uint8_t cls, uint8_t subcls, uint8_t progif)
{
	switch (cls) {
	case 0x01:
		return subcls == 0x06 ? "SATA" : subcls == 0x08 ? "NVMe" : "storage";
	case 0x02:
		return subcls == 0x00 ? "Ethernet" : "network";
	case 0x03:
		return "display";
	case 0x04:
		return "multimedia";
	case 0x06:
		return subcls == 0x00 ? "host bridge" : subcls == 0x01 ? "ISA bridge" :
		       subcls == 0x04 ? "PCI bridge" : "bridge";
	case 0x0C:
		if (subcls == 0x03)
			return progif == 0x30 ? "USB xHCI" : progif == 0x20 ? "USB EHCI" :
			       progif == 0x10 ? "USB OHCI" : progif == 0x00 ? "USB UHCI" : "USB";
		return subcls == 0x05 ? "SMBus" : "serial bus";
	default:
		return "other";
	}
}

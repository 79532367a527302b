/*
 * PCI: the functions on the buses, found once at boot, and their
 * configuration space, for the drivers in dev/.
 *
 * Configuration access is PCI Express ECAM (memory-mapped, 4 KiB per
 * function, windows from the ACPI MCFG table) where the firmware lists it,
 * else the legacy I/O ports 0xCF8/0xCFC (256 bytes per function, segment
 * 0 only). Enumeration walks from each root bus down through PCI-PCI
 * bridges (header type 1, secondary bus number); the root buses are bus 0
 * (its host bridge's functions 1..7 are further root buses when it is
 * multi-function) and the first bus of every ECAM window.
 *
 * Config space layout used here (type 0 header):
 *   0x00 vendor u16, device u16   0x04 command u16, status u16
 *   0x08 rev u8, prog-if u8, subclass u8, class u8
 *   0x0E header type u8 (bit 7: multi-function)
 *   0x10..0x24 BAR0..BAR5 (bit 0: I/O; else bits 2:1 = 2 for 64-bit,
 *              bit 3 prefetchable)
 *   0x34 capabilities pointer (status bit 4 says there is a list)
 *   type 1 (bridge): 0x19 secondary bus u8
 *
 * BSP only, after vmm_init: no locking.
 */
#ifndef DEV_PCI_H
#define DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/boot_info.h"

#define PCI_MAX_DEVS 256

/* command register bits */
#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_OFF 0x0400

/* capability ids */
#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_PCIE 0x10
#define PCI_CAP_MSIX 0x11

struct pci_dev {
	uint16_t seg;
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint8_t cls, subcls, progif, rev;
	uint8_t hdr_type; /* without the multi-function bit */
	volatile uint8_t *ecam; /* this function's 4 KiB, or NULL (port access) */
};

struct pci_bar {
	uint64_t phys; /* base address (I/O port number for I/O BARs) */
	uint64_t size; /* bytes; 0 when the BAR is not implemented */
	bool io;
	bool is64;
	bool prefetch;
};

/* Finds every function. Prints one line (how many, which access method)
 * or why none were found; never panics. */
void pci_init(const struct boot_info *bi);

int pci_count(void);
/* The i-th function found (0 <= i < pci_count()), in bus order. */
const struct pci_dev *pci_get(int i);
/* "ECAM (MCFG)", "I/O ports 0xCF8" or "none". */
const char *pci_access(void);

/* Configuration space. Offsets beyond 255 read as all ones (and writes are
 * dropped) when the function has no ECAM window. */
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);

/* Decodes BAR idx (0..5; a 64-bit BAR takes idx and idx+1) and sizes it
 * (decoding is switched off while sizing). False when idx is the upper
 * half of a 64-bit BAR or out of range (not a header type 0 function). */
bool pci_bar(const struct pci_dev *d, int idx, struct pci_bar *out);
/* A memory BAR mapped uncached; NULL for an I/O or empty BAR or when the
 * mapping fails. *size (may be NULL) gets its size. */
volatile void *pci_map_bar(const struct pci_dev *d, int idx, uint64_t *size);

/* Sets the given PCI_CMD_* bits in the command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);

/* Offset of the first capability with this id after offset prev (0: from
 * the start of the list), or 0 when there is none. Walks at most 48 entries
 * (a looping list ends the walk). */
uint8_t pci_next_cap(const struct pci_dev *d, uint8_t id, uint8_t prev);

/* A short name for a class code ("USB xHCI", "Ethernet", ...). */
const char *pci_class_name(uint8_t cls, uint8_t subcls, uint8_t progif);

#endif

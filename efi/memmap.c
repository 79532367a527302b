/* The UEFI memory map: free-memory estimate, final map and ExitBootServices. */
#include "efi/efi.h"

/* Room for the map: firmware maps have ~100 entries; allocations between
 * GetMemoryMap calls add a few. Static, so taking it changes nothing. */
static UINT8 memmap_buf[64 * 1024] __attribute__((aligned(8)));

static uint32_t memmap_type(uint32_t t)
{
	switch (t) {
	case EfiConventionalMemory:
		return BOOT_MEM_USABLE;
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_RECLAIMABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_LOADER;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BOOT_MEM_RUNTIME;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BOOT_MEM_MMIO;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static EFI_STATUS memmap_get(UINTN *size, UINTN *key, UINTN *dsize)
{
	UINT32 dver;
	*size = sizeof memmap_buf;
	return efi_bs->GetMemoryMap(size, (EFI_MEMORY_DESCRIPTOR *)memmap_buf, key, dsize, &dver);
}

uint64_t memmap_free_bytes(void)
{
	UINTN size, key, dsize;
	uint64_t free = 0;

	if (memmap_get(&size, &key, &dsize) != EFI_SUCCESS || dsize < sizeof(EFI_MEMORY_DESCRIPTOR))
		return 0;
	for (UINTN off = 0; off + dsize <= size; off += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(memmap_buf + off);
		if (d->Type == EfiConventionalMemory)
			free += d->NumberOfPages * 4096;
	}
	return free;
}

/* Converts the map in memmap_buf into bi->ranges, merging neighbours of the
 * same kind (types and attributes) so it fits BOOT_MAX_RANGES. */
static void memmap_convert(struct boot_info *bi, UINTN size, UINTN dsize)
{
	uint32_t n = 0;

	for (UINTN off = 0; off + dsize <= size; off += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(memmap_buf + off);
		uint32_t type = memmap_type(d->Type);
		struct boot_mem_range *prev = n ? &bi->ranges[n - 1] : NULL;
		if (!d->NumberOfPages)
			continue;
		if (prev && prev->type == type && prev->efi_type == d->Type &&
		    prev->attr == d->Attribute && prev->base + prev->pages * 4096 == d->PhysicalStart) {
			prev->pages += d->NumberOfPages;
			continue;
		}
		if (n == BOOT_MAX_RANGES) {
			/* out of slots: drop the rest rather than overflow; free
			 * memory there is only lost, nothing in use is missed
			 * because the kernel treats unknown memory as reserved */
			break;
		}
		bi->ranges[n].base = d->PhysicalStart;
		bi->ranges[n].pages = d->NumberOfPages;
		bi->ranges[n].type = type;
		bi->ranges[n].efi_type = d->Type;
		bi->ranges[n].attr = d->Attribute;
		n++;
	}
	bi->n_ranges = n;
}

int memmap_exit(struct boot_info *bi)
{
	UINTN size, key, dsize;

	for (int tries = 0; tries < 16; tries++) {
		if (memmap_get(&size, &key, &dsize) != EFI_SUCCESS ||
		    dsize < sizeof(EFI_MEMORY_DESCRIPTOR))
			return -1;
		memmap_convert(bi, size, dsize);
		EFI_STATUS st = efi_bs->ExitBootServices(efi_image, key);
		if (st == EFI_SUCCESS)
			return 0;
		if (st != EFI_INVALID_PARAMETER)
			return -1;
		/* the map changed (a timer callback allocated): get it again */
	}
	return -1;
}

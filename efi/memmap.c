/* The UEFI memory map: free-memory estimate, final map and ExitBootServices. */
#include "efi/efi.h"

/* Room for the map: firmware maps have ~100-300 entries, so the static
 * buffers serve; a bigger map gets pool memory (EfiLoaderData: the kernel
 * keeps it), sized from the map itself, so nothing is ever cut. */
#define MEMMAP_STATIC_RANGES 512
static UINT8 memmap_static_buf[64 * 1024] __attribute__((aligned(8)));
static struct boot_mem_range memmap_static_ranges[MEMMAP_STATIC_RANGES];
static UINT8 *memmap_buf = memmap_static_buf;
static UINTN memmap_cap = sizeof memmap_static_buf;
static struct boot_mem_range *memmap_ranges = memmap_static_ranges;
static uint32_t memmap_ranges_cap = MEMMAP_STATIC_RANGES;

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

/* GetMemoryMap into memmap_buf, which grows (pool memory) when the map
 * does not fit. The allocation changes the map, hence the loop. */
static EFI_STATUS memmap_get(UINTN *size, UINTN *key, UINTN *dsize)
{
	UINT32 dver;
	EFI_STATUS st;

	for (int tries = 0; tries < 8; tries++) {
		*size = memmap_cap;
		st = efi_bs->GetMemoryMap(size, (EFI_MEMORY_DESCRIPTOR *)memmap_buf, key, dsize, &dver);
		if (st != EFI_BUFFER_TOO_SMALL)
			return st;
		UINTN cap = *size + 32 * (*dsize ? *dsize : 64);
		void *p = NULL;
		if (efi_bs->AllocatePool(EfiLoaderData, cap, &p) != EFI_SUCCESS || !p)
			return EFI_OUT_OF_RESOURCES;
		if (memmap_buf != memmap_static_buf)
			efi_bs->FreePool(memmap_buf);
		memmap_buf = p;
		memmap_cap = cap;
	}
	return EFI_BUFFER_TOO_SMALL;
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

/* The map in memmap_buf as boot ranges sorted by base, neighbours of the
 * same kind (types and attributes) merged. Every descriptor fits:
 * memmap_ranges_cap was checked against the map's size. */
static uint32_t memmap_convert(UINTN size, UINTN dsize)
{
	struct boot_mem_range *r = memmap_ranges;
	uint32_t n = 0;

	for (UINTN off = 0; off + dsize <= size && n < memmap_ranges_cap; off += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(memmap_buf + off);
		if (!d->NumberOfPages)
			continue;
		r[n].base = d->PhysicalStart;
		r[n].pages = d->NumberOfPages;
		r[n].type = memmap_type(d->Type);
		r[n].efi_type = d->Type;
		r[n].attr = d->Attribute;
		/* insertion: firmware maps are (nearly) sorted already */
		for (uint32_t j = n; j > 0 && r[j - 1].base > r[j].base; j--) {
			struct boot_mem_range t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
		n++;
	}
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct boot_mem_range *prev = m ? &r[m - 1] : NULL;
		if (prev && prev->type == r[i].type && prev->efi_type == r[i].efi_type &&
		    prev->attr == r[i].attr && prev->base + prev->pages * 4096 == r[i].base) {
			prev->pages += r[i].pages;
			continue;
		}
		r[m++] = r[i];
	}
	return m;
}

void memmap_fragment(uint32_t n)
{
	if (n)
		fwcon_printf("split_map=%u: fragmenting the memory map\n", n);
	for (uint32_t i = 0; i < n; i++) {
		EFI_PHYSICAL_ADDRESS a = 0;
		efi_bs->AllocatePages(AllocateAnyPages, (i & 1) ? EfiLoaderData : EfiBootServicesData, 1,
				      &a);
	}
}

int memmap_exit(struct boot_info *bi)
{
	UINTN size, key, dsize;

	for (int tries = 0; tries < 16; tries++) {
		if (memmap_get(&size, &key, &dsize) != EFI_SUCCESS ||
		    dsize < sizeof(EFI_MEMORY_DESCRIPTOR))
			return -1;
		UINTN need = size / dsize;
		if (need > memmap_ranges_cap) {
			/* room for every descriptor; the allocation itself changes
			 * the map (and its key): read it again */
			uint32_t cap = (uint32_t)need + 64;
			void *p = NULL;
			if (efi_bs->AllocatePool(EfiLoaderData, cap * sizeof *memmap_ranges, &p) !=
				    EFI_SUCCESS || !p)
				return -1;
			if (memmap_ranges != memmap_static_ranges)
				efi_bs->FreePool(memmap_ranges);
			memmap_ranges = p;
			memmap_ranges_cap = cap;
			continue;
		}
		bi->ranges = memmap_ranges;
		bi->n_ranges = memmap_convert(size, dsize);
		EFI_STATUS st = efi_bs->ExitBootServices(efi_image, key);
		if (st == EFI_SUCCESS)
			return 0;
		if (st != EFI_INVALID_PARAMETER)
			return -1;
		/* the map changed (a timer callback allocated): get it again */
	}
	return -1;
}

/*
 * Our page tables (4-level, 4 KiB / 2 MiB / 1 GiB pages), built by
 * vmm_init and loaded into CR3 on every CPU (APs load vmm_cr3()).
 *
 * Virtual layout:
 *   0 .. top of RAM     identity map (virt == phys) of every RAM range of
 *                       the UEFI map, rounded out to 2 MiB, write-back,
 *                       NX, with 1 GiB pages where a whole aligned GiB is
 *                       RAM, else 2 MiB; 4 KiB pages only where needed:
 *     page 0            NOT mapped (catches NULL dereferences)
 *     our image         .text (_text.._etext) read-only + executable,
 *                       the rest of the image read-write NX, 4 KiB pages
 *     UEFI runtime      read-write-executable (ResetSystem is called)
 *     stack guards      one unmapped page below each vmm_stack_alloc stack
 *   MMIO                identity: the framebuffer write-combining (PAT
 *                       entry 4, programmed by cpu_init_simd), the LAPIC
 *                       (0xFEE00000), IOAPIC (0xFEC00000) and the map's
 *                       MMIO ranges uncached, NX
 *   VMM_MODEL_BASE      the model's chunks (struct boot_file) mapped back
 *   (64 TiB)            to back, writable NX (model_pack rewrites weights
 *                       once after loading), so the engine sees the file as
 *                       one contiguous (base, size); a split model's files
 *                       one after the other, each from a 2 MiB boundary
 *
 * EFER.NXE and CR0.WP are set by vmm_init on the BSP; an AP must set NXE
 * before loading vmm_cr3() (the tables use the NX bit) and should set WP.
 * The page tables themselves come from pmm and are never freed.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/boot_info.h"

#define VMM_MODEL_BASE 0x0000400000000000ull

/* Builds and loads our tables (after pmm_init). Panics if it cannot. */
void vmm_init(const struct boot_info *bi);
uint64_t vmm_cr3(void);

/* Identity-maps [phys, phys+size) uncached NX, returns (void *)phys, or
 * NULL when page tables cannot be allocated. */
void *vmm_map_mmio(uint64_t phys, uint64_t size);
/* A readable pointer to len bytes of firmware data (ACPI tables) at phys:
 * identity-mapped already when in RAM, else mapped uncached now; NULL when
 * that fails. The signature of core/acpi.h's acpi_map_fn. */
const void *vmm_map_firmware(uint64_t phys, uint64_t len);
/* A new stack of size bytes (rounded up to pages) with an unmapped guard
 * page below; returns its TOP (16-byte aligned), or NULL. */
void *vmm_stack_alloc(uint64_t size);

/* The model as mapped: NULL / 0 when there is none (no model, mapping
 * failed); its files (one, or the parts of a split model), each contiguous
 * at a 2 MiB-aligned address; size: all files' bytes. */
const void *vmm_model_base(void);
uint64_t vmm_model_size(void);
uint32_t vmm_model_parts(void);
/* File i (< vmm_model_parts()): its address, and its bytes in *len. */
const void *vmm_model_part(uint32_t i, uint64_t *len);

/* The PTE flags (P, RW, NX, ...) that translate va, and its physical
 * address; false when unmapped. For `info` and tests. */
bool vmm_query(uint64_t va, uint64_t *phys, uint64_t *flags);

/* True when va lies in the guard page of a vmm_stack_alloc stack. */
bool vmm_is_guard(uint64_t va);

#endif

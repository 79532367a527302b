/*
 * Segments: one GDT shared by all CPUs with a 64-bit kernel code and data
 * segment and one TSS slot per CPU (up to MAX_CPUS). Each CPU's TSS holds
 * its IST stacks (IST1 #DF, IST2 NMI, IST3 #MC), so a fault on a broken
 * stack still reaches the panic report.
 */
#ifndef CORE_GDT_H
#define CORE_GDT_H

#include "core/idt.h"

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_TSS0 0x18 /* CPU i's TSS selector: GDT_TSS0 + 16 * i */

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

/* Builds the GDT (BSP, once, before any gdt_load_cpu). */
void gdt_init(void);
/* On CPU cpu (0 = BSP): loads the GDT, reloads CS/DS/ES/SS (FS/GS
 * untouched: an AP may have set its GS base already), fills this CPU's TSS with IST stacks
 * and loads it. The BSP's IST stacks are static; APs' come from
 * vmm_stack_alloc. */
void gdt_load_cpu(int cpu);

#endif

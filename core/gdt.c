/* GDT with one TSS per CPU (see core/gdt.h). */
#include <stdint.h>
#include <string.h>

#include "core/gdt.h"
#include "core/panic.h"
#include "core/param.h"
#include "core/x86.h"
#include "mm/vmm.h"

struct __attribute__((packed)) tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3, iomap;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

#define GDT_N (3 + 2 * MAX_CPUS) /* null, code, data, then 16-byte TSS slots */

static uint64_t gdt[GDT_N] __attribute__((aligned(16)));
static struct tss64 tss[MAX_CPUS] __attribute__((aligned(16)));
static uint8_t bsp_ist[3][IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00AF9A000000FFFFull; /* 64-bit code, DPL 0 */
	gdt[2] = 0x00CF92000000FFFFull; /* data, DPL 0 */
}

static void set_tss_desc(int cpu)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss[cpu], limit = sizeof(struct tss64) - 1;
	uint64_t lo = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) /* present, available TSS */
		      | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[3 + 2 * cpu] = lo;
	gdt[3 + 2 * cpu + 1] = base >> 32;
}

void gdt_load_cpu(int cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		panic("gdt_load_cpu: cpu %d out of range", cpu);
	struct tss64 *t = &tss[cpu];
	memset(t, 0, sizeof *t);
	t->iomap = sizeof *t; /* no I/O bitmap */
	for (int i = 0; i < 3; i++) {
		if (cpu == 0) {
			t->ist[i] = (uint64_t)(uintptr_t)(bsp_ist[i] + IST_STACK_SIZE);
		} else {
			void *top = vmm_stack_alloc(IST_STACK_SIZE);
			if (!top)
				panic("no memory for CPU %d's IST stacks", cpu);
			t->ist[i] = (uint64_t)(uintptr_t)top;
		}
	}
	set_tss_desc(cpu); /* also clears the busy bit of an earlier load */
	struct x86_dtr d = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
	lgdt(&d);
	LOAD_SEGMENTS(GDT_KCODE, GDT_KDATA);
	ltr((uint16_t)(GDT_TSS0 + 16 * cpu));
}

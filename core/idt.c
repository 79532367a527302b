/* The IDT: 256 interrupt gates to the stubs in core/vectors.S. */
#include <stdint.h>

#include "core/gdt.h"
#include "core/idt.h"
#include "core/x86.h"

struct __attribute__((packed)) idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

#define IDT_STUB_SIZE 16
#define GATE_INTERRUPT 0x8E /* present, DPL 0, 64-bit interrupt gate */

extern char trap_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
trap_handler idt_handlers[256];

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + v * IDT_STUB_SIZE);
		struct idt_gate *g = &idt[v];
		g->off_lo = (uint16_t)a;
		g->off_mid = (uint16_t)(a >> 16);
		g->off_hi = (uint32_t)(a >> 32);
		g->sel = GDT_KCODE;
		g->type = GATE_INTERRUPT;
		g->ist = v == IDT_VEC_DF ? IST_DF : v == IDT_VEC_NMI ? IST_NMI : v == IDT_VEC_MC ? IST_MC : 0;
		g->zero = 0;
	}
	idt_load();
}

void idt_load(void)
{
	struct x86_dtr d = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
	lidt(&d);
}

void idt_set_handler(int vec, trap_handler fn)
{
	if (vec >= 0 && vec < 256)
		__atomic_store_n(&idt_handlers[vec], fn, __ATOMIC_RELEASE);
}

/* Interrupt dispatch and the exception report (see core/idt.h). */
#include <stdbool.h>
#include <stdint.h>

#include "core/idt.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/x86.h"
#include "mm/vmm.h"
#include "smp/lapic.h"
#include "smp/smp.h"

extern trap_handler idt_handlers[256];
extern const char msr_read_insn[], msr_write_insn[], msr_fault_return[]; /* core/msr.S */

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 FP error", "#AC alignment check", "#MC machine check", "#XM SIMD FP error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved 31",
};

static void report(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();
	kprintf("\n*** PANIC on CPU %d: exception %lu %s, error code 0x%lx\n", smp_cpu_index(),
		(unsigned long)tf->vector, exc_names[tf->vector & 31], (unsigned long)tf->error);
	if (tf->vector == IDT_VEC_PF)
		kprintf("    page fault: %s %s at CR2 0x%016lx%s\n",
			tf->error & 1 ? "protection violation on" : "not-present page,",
			tf->error & 16 ? "instruction fetch" : tf->error & 2 ? "write" : "read",
			(unsigned long)cr2, tf->error & 8 ? " (reserved bit set)" : "");
	if ((tf->vector == IDT_VEC_PF || tf->vector == IDT_VEC_DF) && vmm_is_guard(cr2))
		kprintf("    CR2 0x%lx is a stack guard page: stack overflow\n", (unsigned long)cr2);
	kprintf("RIP 0x%016lx", (unsigned long)tf->rip);
	panic_print_location(tf->rip);
	kprintf("\nCS  0x%04lx RFLAGS 0x%08lx RSP 0x%016lx SS 0x%04lx\n", (unsigned long)tf->cs,
		(unsigned long)tf->rflags, (unsigned long)tf->rsp, (unsigned long)tf->ss);
	kprintf("CR2 0x%016lx CR3 0x%016lx CR0 0x%08lx CR4 0x%08lx\n", (unsigned long)cr2,
		(unsigned long)read_cr3(), (unsigned long)read_cr0(), (unsigned long)read_cr4());
	kprintf("RAX 0x%016lx RBX 0x%016lx RCX 0x%016lx\n", (unsigned long)tf->rax,
		(unsigned long)tf->rbx, (unsigned long)tf->rcx);
	kprintf("RDX 0x%016lx RSI 0x%016lx RDI 0x%016lx\n", (unsigned long)tf->rdx,
		(unsigned long)tf->rsi, (unsigned long)tf->rdi);
	kprintf("RBP 0x%016lx R8  0x%016lx R9  0x%016lx\n", (unsigned long)tf->rbp,
		(unsigned long)tf->r8, (unsigned long)tf->r9);
	kprintf("R10 0x%016lx R11 0x%016lx R12 0x%016lx\n", (unsigned long)tf->r10,
		(unsigned long)tf->r11, (unsigned long)tf->r12);
	kprintf("R13 0x%016lx R14 0x%016lx R15 0x%016lx\n", (unsigned long)tf->r13,
		(unsigned long)tf->r14, (unsigned long)tf->r15);
	panic_stack_walk(tf->rbp);
}

void trap_dispatch(struct trap_frame *tf)
{
	uint64_t v = tf->vector & 0xff;
	trap_handler h = __atomic_load_n(&idt_handlers[v], __ATOMIC_ACQUIRE);
	if (h) {
		h(tf);
		return;
	}
	if (v == IDT_VEC_GP && (tf->rip == (uint64_t)(uintptr_t)msr_read_insn ||
				tf->rip == (uint64_t)(uintptr_t)msr_write_insn)) {
		tf->rip = (uint64_t)(uintptr_t)msr_fault_return; /* cpu_rdmsr_safe: false */
		return;
	}
	if (v == IDT_VEC_NMI && (panic_in_progress() || smp_stop_requested()))
		cpu_halt_forever(); /* another CPU panicked: stop here quietly */
	if (v < 32) {
		if (!panic_begin())
			cpu_halt_forever();
		report(tf);
		panic_end();
	}
	if (v == IDT_VEC_SPURIOUS)
		return;
	if (lapic_ready())
		lapic_eoi(); /* else its in-service bit blocks that priority class */
	static volatile int warned;
	if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		kprintf("[trap] unexpected interrupt vector %lu on CPU %d (ignored)\n", (unsigned long)v,
			smp_cpu_index());
}

/*
 * The interrupt descriptor table, shared by all CPUs. Every one of the 256
 * vectors has a stub (core/vectors.S) that builds a struct trap_frame and
 * calls trap_dispatch(): vectors with a registered handler go to it, CPU
 * exceptions (0..31) without one go to the panic report (core/trap.c).
 * #DF, NMI and #MC run on their own IST stacks (core/gdt.c).
 */
#ifndef CORE_IDT_H
#define CORE_IDT_H

#include <stdint.h>

#define IDT_VEC_NMI 2
#define IDT_VEC_DF 8
#define IDT_VEC_GP 13
#define IDT_VEC_PF 14
#define IDT_VEC_MC 18
#define IDT_VEC_PIC 0x20        /* the 8259s' IRQs 0-15, remapped and masked */
#define IDT_VEC_IDLE_TIMER 0xE0 /* the BSP's APIC timer in the input wait */
#define IDT_VEC_SPURIOUS 0xFF   /* the local APIC's spurious vector: no EOI */

/* Saved by core/vectors.S, in push order reversed (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error; /* error = 0 for vectors without a code */
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*trap_handler)(struct trap_frame *tf);

/* Builds the IDT (BSP, once) and loads it on this CPU. */
void idt_init(void);
/* Loads the IDT on this CPU (APs). */
void idt_load(void);
/* Routes vector vec (0..255) to fn instead of the default; NULL restores
 * the default. For exceptions the handler must itself decide to panic. */
void idt_set_handler(int vec, trap_handler fn);

/* The C side of every stub (core/trap.c). */
void trap_dispatch(struct trap_frame *tf);

#endif

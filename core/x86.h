/* x86-64 instructions as static inline wrappers: the only place C code
 * reaches the CPU directly (port I/O, MSRs, control registers, CPUID). */
#ifndef CORE_X86_H
#define CORE_X86_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_EFER 0xC0000080u
#define MSR_PAT 0x277u
#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_KERNEL_GS_BASE 0xC0000102u
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)

#define RFLAGS_IF (1u << 9)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
/* A short delay: a write to the unused POST port 0x80. */
static inline void io_wait(void) { outb(0x80, 0); }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* CPUID leaf/subleaf into r[0..3] = eax, ebx, ecx, edx. */
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* A hardware random number; false when the CPU had none ready (or lacks
 * RDRAND: check CPUID.1:ECX bit 30 first). */
static inline bool rdrand64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static inline uint64_t xgetbv(uint32_t idx)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((uint64_t)hi << 32) | lo;
}
static inline void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define X86_CR_RW(n)                                                        \
	static inline uint64_t read_cr##n(void)                             \
	{                                                                   \
		uint64_t v;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                   \
	}                                                                   \
	static inline void write_cr##n(uint64_t v)                          \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
X86_CR_RW(0)
X86_CR_RW(2)
X86_CR_RW(3)
X86_CR_RW(4)
#undef X86_CR_RW

static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
/* Flushes the whole non-global TLB by reloading CR3. */
static inline void tlb_flush_all(void) { write_cr3(read_cr3()); }

/* Compiler barrier; and a full fence (device-visible memory ordering
 * where x86's store order alone is not enough, e.g. before reading a
 * device's flags after publishing a ring index). */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }

static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* Waits for an interrupt with interrupts enabled only for the hlt: one
 * that arrives between a check and the wait still wakes it (sti's shadow). */
static inline void sti_hlt_cli(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
static inline void int3(void) { __asm__ volatile("int3"); }
static inline void ud2(void) { __asm__ volatile("ud2"); }
/* x87 reset, and MXCSR (the SSE control and status word). */
static inline void fninit(void) { __asm__ volatile("fninit"); }
static inline void ldmxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
/* A 32-bit load at a constant offset from the GS base (per-CPU data). */
#define GS_READ32(off)                                                       \
	({                                                                   \
		uint32_t v_;                                                 \
		__asm__ volatile("movl %%gs:%c1, %0" : "=r"(v_) : "i"(off)); \
		v_;                                                          \
	})
static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}
static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_rsp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

struct __attribute__((packed)) x86_dtr {
	uint16_t limit;
	uint64_t base;
};
static inline void lgdt(const struct x86_dtr *d) { __asm__ volatile("lgdt %0" : : "m"(*d)); }
static inline void lidt(const struct x86_dtr *d) { __asm__ volatile("lidt %0" : : "m"(*d)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }
/* After lgdt: CS by a far return, then DS, ES and SS (constant selectors). */
#define LOAD_SEGMENTS(cs, ds)                                        \
	__asm__ volatile("pushq %[c]\n\t"                           \
			 "leaq 1f(%%rip), %%rax\n\t"               \
			 "pushq %%rax\n\t"                         \
			 "lretq\n"                                  \
			 "1:\n\t"                                   \
			 "movl %[d], %%eax\n\t"                    \
			 "movw %%ax, %%ds\n\t"                     \
			 "movw %%ax, %%es\n\t"                     \
			 "movw %%ax, %%ss\n\t"                     \
			 :                                           \
			 : [c] "i"(cs), [d] "i"(ds)                  \
			 : "rax", "memory")

/* Stops this CPU for good (interrupts off, hlt forever; NMIs return to hlt). */
/* Continues in fn(arg) on the stack whose top is top, with no frame
 * behind it; fn (cast to void (*)(void)) takes arg as its one argument
 * and never returns. */
static inline __attribute__((noreturn)) void switch_stack(uint64_t top, void (*fn)(void), uint64_t arg)
{
	__asm__ volatile("movq %0, %%rsp\n\t"
			 "xorl %%ebp, %%ebp\n\t"
			 "call *%1\n\t"
			 "ud2"
			 :
			 : "r"(top), "r"(fn), "D"(arg)
			 : "memory");
	__builtin_unreachable();
}

static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

#endif

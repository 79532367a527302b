/* The halting input wait, the 8259 PICs and the spurious vectors (core/idle.h). */
#include "core/idle.h"

#include "core/idt.h"
#include "core/kprintf.h"
#include "core/param.h"
#include "core/serial.h"
#include "core/x86.h"
#include "smp/lapic.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B

#define CPUID6_EAX_ARAT (1u << 2)

static uint64_t apic_hz;   /* APIC timer ticks per second (divide by 16) */
static uint32_t tick;      /* ticks per idle period */
static uint32_t hz;        /* idle periods per second */
static volatile uint64_t wakeups;

/* ICW1-4: edge triggered, cascaded, vectors base..base+15, 8086 mode;
 * then every line masked. */
static void pic_remap_and_mask(void)
{
	outb(PIC1_CMD, 0x11);
	io_wait();
	outb(PIC2_CMD, 0x11);
	io_wait();
	outb(PIC1_DATA, IDT_VEC_PIC);
	io_wait();
	outb(PIC2_DATA, IDT_VEC_PIC + 8);
	io_wait();
	outb(PIC1_DATA, 0x04); /* the slave on IRQ 2 */
	io_wait();
	outb(PIC2_DATA, 0x02);
	io_wait();
	outb(PIC1_DATA, 0x01);
	io_wait();
	outb(PIC2_DATA, 0x01);
	io_wait();
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

/* An 8259 vector although every line is masked: IRQ 7 or 15 raised and
 * withdrawn (spurious: no EOI, except the master's for a slave's 15), or
 * one that was in flight while we masked (EOI it). */
static void pic_vector(struct trap_frame *tf)
{
	int irq = (int)(tf->vector - IDT_VEC_PIC);
	uint16_t cmd = irq >= 8 ? PIC2_CMD : PIC1_CMD;

	outb(cmd, PIC_READ_ISR);
	bool in_service = inb(cmd) & (1u << (irq & 7));
	if (!in_service && (irq & 7) == 7) {
		if (irq == 15)
			outb(PIC1_CMD, PIC_EOI);
		return;
	}
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

static void timer_vector(struct trap_frame *tf)
{
	(void)tf;
	wakeups++;
	lapic_eoi();
}

void idle_init(void)
{
	pic_remap_and_mask();
	for (int v = IDT_VEC_PIC; v < IDT_VEC_PIC + 16; v++)
		idt_set_handler(v, pic_vector);
	idt_set_handler(IDT_VEC_IDLE_TIMER, timer_vector);
	if (!lapic_ready() && !lapic_init(0, false)) {
		kprintf("idle: no local APIC: the input wait spins\n");
		return;
	}
	uint32_t r[4], eax6 = 0;
	cpuid(0, 0, r);
	if (r[0] >= 6) {
		cpuid(6, 0, r);
		eax6 = r[0];
	}
	if (!(eax6 & CPUID6_EAX_ARAT)) {
		/* without "always running APIC timer" a C-state the halt may
		 * reach stops the timer, and nothing would wake us */
		kprintf("idle: the APIC timer may stop while halted (no ARAT): the input wait spins\n");
		return;
	}
	hz = serial_present() ? IDLE_HZ_SERIAL : IDLE_HZ;
	apic_hz = lapic_timer_measure(10);
	if (apic_hz < 10000 || apic_hz / hz > 0xFFFFFFFFu) {
		kprintf("idle: the APIC timer does not count (%llu Hz): the input wait spins\n",
			(unsigned long long)apic_hz);
		apic_hz = 0;
		return;
	}
	tick = (uint32_t)(apic_hz / hz);
}

void idle_wait(void)
{
	if (!tick) {
		cpu_pause();
		return;
	}
	lapic_timer_oneshot(IDT_VEC_IDLE_TIMER, tick);
	/* sti's one-instruction shadow: an interrupt pending now wakes the
	 * hlt instead of slipping in before it */
	sti_hlt_cli();
}

bool idle_halts(void)
{
	return tick != 0;
}

void idle_print_info(void)
{
	if (tick)
		kprintf("idle: input wait halts, woken %u times a second by the APIC timer "
			"(%.1f MHz), %llu wakeups so far\n", hz, apic_hz / 1e6,
			(unsigned long long)wakeups);
	else
		kprintf("idle: input wait spins (no usable APIC timer)\n");
}

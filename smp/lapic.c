/* Local APIC access in x2APIC (MSR) or xAPIC (MMIO) mode, and IPIs. */
#include "smp/lapic.h"

#include "core/timer.h"
#include "core/x86.h"
#include "mm/vmm.h"

static volatile uint32_t *xapic; /* MMIO page in xAPIC mode */
static bool x2;
static bool ready;

static uint32_t rd(uint32_t reg)
{
	if (x2)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return xapic[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		xapic[reg / 4] = v;
}

/* Sets IA32_APIC_BASE for the chosen mode and software-enables the APIC
 * (spurious vector 0xFF) on this CPU. */
static void enable_here(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_APIC_BASE, base);
	}
	if (x2 && !(base & APIC_BASE_X2))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2);
	wr(LAPIC_SVR, (rd(LAPIC_SVR) & ~0xFFu) | LAPIC_SVR_ENABLE | 0xFF);
}

bool lapic_init(uint64_t phys, bool want_x2)
{
	uint32_t r[4];
	uint64_t base;

	cpuid(1, 0, r);
	if (!(r[3] & (1u << 9)))
		return false; /* no APIC */
	base = rdmsr(MSR_APIC_BASE);
	/* leaving x2APIC mode takes a full APIC disable: keep the firmware's */
	x2 = ((r[2] & (1u << 21)) && want_x2) || (base & APIC_BASE_X2);
	if (!x2) {
		if (!phys)
			phys = base & ~0xFFFull;
		xapic = vmm_map_mmio(phys & ~0xFFFull, 4096);
		if (!xapic)
			return false;
	}
	enable_here();
	ready = true;
	return true;
}

void lapic_init_ap(void)
{
	enable_here();
}

bool lapic_ready(void)
{
	return ready;
}

bool lapic_is_x2(void)
{
	return x2;
}

uint32_t lapic_id(void)
{
	if (x2)
		return rd(LAPIC_ID);
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/* Writes the ICR and, in xAPIC mode, waits (bounded) until the APIC has
 * accepted the IPI. x2APIC ICR writes complete without a pending bit. */
static void send_icr(uint32_t dest, uint32_t lo)
{
	if (x2) {
		wrmsr(0x830, ((uint64_t)dest << 32) | lo);
		return;
	}
	for (int i = 0; i < 1000000 && (rd(LAPIC_ICR_LO) & LAPIC_ICR_PENDING); i++)
		cpu_pause();
	wr(LAPIC_ICR_HI, dest << 24);
	wr(LAPIC_ICR_LO, lo);
	for (int i = 0; i < 1000000 && (rd(LAPIC_ICR_LO) & LAPIC_ICR_PENDING); i++)
		cpu_pause();
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_LEVEL | LAPIC_ICR_ASSERT);
	if (!x2) /* INIT level de-assert: older xAPICs want it; x2APIC has none */
		send_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_LEVEL);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t vector_page)
{
	send_icr(apic_id, LAPIC_ICR_STARTUP | vector_page);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT | vector);
}

void lapic_send_nmi_others(void)
{
	if (ready)
		send_icr(0, LAPIC_ICR_NMI | LAPIC_ICR_ASSERT | LAPIC_ICR_ALL_BUT_SELF);
}

uint64_t lapic_timer_measure(uint32_t ms)
{
	uint32_t left;

	if (!ready)
		return 0;
	wr(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV16);
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED); /* one-shot, no interrupt */
	wr(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	timer_udelay((uint64_t)ms * 1000);
	left = rd(LAPIC_TIMER_CUR);
	wr(LAPIC_TIMER_INIT, 0);
	return (uint64_t)(0xFFFFFFFFu - left) * 1000 / ms;
}

void lapic_timer_oneshot(uint8_t vector, uint32_t ticks)
{
	wr(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV16);
	wr(LAPIC_LVT_TIMER, vector);
	wr(LAPIC_TIMER_INIT, ticks);
}

/*
 * The local APIC, in x2APIC mode (MSRs 0x800+) when the CPU has it, else
 * xAPIC mode (MMIO page at the MADT's address). Only what SMP needs:
 * IDs, enabling, EOI, sending IPIs (INIT, SIPI, NMI, fixed vectors) and
 * the one-shot timer. Interrupts stay off in this kernel, except in the
 * dispatcher's idle sleep, which is woken by a fixed-vector IPI, and in
 * the input wait (core/idle.h), woken by the timer.
 */
#ifndef SMP_LAPIC_H
#define SMP_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0

#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_TIMER_DIV16 0x3

#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_ICR_FIXED (0u << 8)
#define LAPIC_ICR_NMI (4u << 8)
#define LAPIC_ICR_INIT (5u << 8)
#define LAPIC_ICR_STARTUP (6u << 8)
#define LAPIC_ICR_PENDING (1u << 12) /* xAPIC delivery status */
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL (1u << 15)
#define LAPIC_ICR_ALL_BUT_SELF (3u << 18)

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_X2 (1u << 10)
#define APIC_BASE_EN (1u << 11)

/* BSP: x2APIC mode when want_x2 and CPUID.1:ECX[21] (or when the firmware
 * already enabled it: that stays), else xAPIC with the page at phys (0:
 * from IA32_APIC_BASE) mapped; enables this CPU's APIC. False when the CPU
 * has no APIC. */
bool lapic_init(uint64_t phys, bool want_x2);
/* AP: enables its APIC in the mode the BSP picked. */
void lapic_init_ap(void);
bool lapic_ready(void);
bool lapic_is_x2(void);
/* This CPU's APIC ID (full 32-bit in x2APIC mode). */
uint32_t lapic_id(void);
void lapic_eoi(void);

void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t vector_page);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* NMI to every CPU but this one. */
void lapic_send_nmi_others(void);

/* Measures this APIC's timer rate (divide-by-16 ticks per second) against
 * the TSC over `ms` milliseconds; 0 when it does not count. */
uint64_t lapic_timer_measure(uint32_t ms);
/* Fires `vector` once after `ticks` timer ticks (divide by 16); 0 stops it. */
void lapic_timer_oneshot(uint8_t vector, uint32_t ticks);

#endif

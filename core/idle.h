/*
 * Waiting without burning a core: the shell's input wait halts the boot
 * CPU (hlt) until the next tick of its local APIC timer, IDLE_HZ times a
 * second (IDLE_HZ_SERIAL with a serial console: the UART's FIFO is short),
 * or any other interrupt, then polls the keyboards, the serial
 * line and the drivers' pollers again (core/input.c). The APs sleep
 * between parallel jobs on their own (smp/dispatch.c).
 *
 * idle_init, before interrupts are ever enabled on the BSP: the legacy
 * 8259 PICs are remapped to vectors 0x20-0x2F and masked (the firmware
 * may leave them anywhere; IRQ 0 unmasked on vector 8 would look like a
 * double fault), their spurious IRQ 7/15 and the local APIC's spurious
 * vector are ignored, and the APIC timer's rate is measured against the
 * TSC. Without a usable APIC timer, or where it may stop in a deep C-state
 * (no ARAT in CPUID 6: CPUs before about 2010), idle_wait spins with
 * `pause` as before.
 */
#ifndef CORE_IDLE_H
#define CORE_IDLE_H

#include <stdbool.h>
#include <stdint.h>

/* After timer_init and smp_init (the local APIC). */
void idle_init(void);
/* Halts until the next tick or interrupt. */
void idle_wait(void);
/* Whether idle_wait halts (false: it spins). */
bool idle_halts(void);
/* The `info` line: halting or not, tick rate, wakeups. */
void idle_print_info(void);

#endif

/*
 * The work dispatcher behind smp_parallel_for. One job at a time: the
 * caller writes the job, then publishes a new generation word
 * (generation << 16 | workers) with a release store; parked workers spin
 * on that word with `pause`, run their share of ith (ith = index,
 * index + nw, ...) and publish the generation they finished in their own
 * cache line; the caller runs ith 0 and then waits for each worker's line.
 * A worker claims its share with a CAS on its own line; the caller, once
 * done with its own share, claims (steals) the shares no worker has
 * claimed yet and runs them itself, so a worker that is slow to wake (a
 * descheduled vCPU under a hypervisor) delays nothing. No locked
 * read-modify-write on a line shared by all cores.
 *
 * A worker idle for longer than DISPATCH_SPIN_US sleeps (sti; hlt) and is
 * woken by a fixed-vector IPI (DISPATCH_WAKE_VECTOR), so idle cores at the
 * shell cost nothing (under QEMU: no host CPU).
 */
#ifndef SMP_DISPATCH_H
#define SMP_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ai/parallel.h"

#define DISPATCH_WAKE_VECTOR 0xF0
#define DISPATCH_SPIN_US 20000

/* Per-CPU counters (each written only by its own CPU). */
struct dispatch_stats {
	uint64_t jobs;        /* parallel_for calls this CPU took part in */
	uint64_t tasks;       /* fn(ctx, ith, nth) calls it ran */
	uint64_t busy_cycles; /* TSC cycles spent in tasks */
	uint64_t wakeups;     /* times woken from the idle sleep */
	uint64_t steals;      /* caller only: worker shares it ran itself */
};

/* Called by smp_init before the APs start (wake-IPI handler, spin time),
 * so started APs already sleep while later ones come up. */
void dispatch_init(void);
/* Called once the APs are online: n_online CPUs with indices
 * 0..n_online-1 and their APIC ids (for the wake IPI). */
void dispatch_set_workers(int n_online, const uint32_t *apic_ids);
/* The loop an AP parks in after it reported in. */
void dispatch_worker(int index) __attribute__((noreturn));
/* Makes parked workers halt for good (smp_halt_others). */
void dispatch_stop(void);
bool dispatch_stopping(void);
void dispatch_get_stats(int index, struct dispatch_stats *out);

#endif

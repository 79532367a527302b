/* smp_parallel_for: generation-word dispatch to parked APs (see dispatch.h). */
#include "smp/dispatch.h"

#include "core/idt.h"
#include "core/param.h"
#include "core/timer.h"
#include "core/x86.h"
#include "smp/lapic.h"
#include "smp/smp.h"

#define LINE 64

struct job {
	par_task fn;
	void *ctx;
	int n;
};

/* Each worker's line: the last job word whose share it claimed (or the
 * caller stole), the last it finished, whether it sleeps, its counters.
 * Only this worker and the caller write it. */
struct slot {
	volatile uint64_t claimed;
	volatile uint64_t done;
	volatile int32_t sleeping;
	struct dispatch_stats st;
} __attribute__((aligned(LINE)));
_Static_assert(sizeof(struct slot) == LINE, "one cache line per slot");

static struct {
	volatile uint64_t word; /* generation << 16 | number of workers */
} pub __attribute__((aligned(LINE)));

static struct job job __attribute__((aligned(LINE)));
static struct slot slots[MAX_CPUS];
static uint32_t apic_of[MAX_CPUS];
static int n_workers = 1;
/* The caller's own line: workers never read it. */
static struct {
	uint64_t generation; /* under busy */
	volatile int busy;
} caller __attribute__((aligned(LINE)));
/* Read-mostly, polled by idle workers. */
static volatile bool stopping __attribute__((aligned(LINE)));
static volatile uint64_t sleep_cycles; /* 0: never sleep */

static void wake_handler(struct trap_frame *tf)
{
	(void)tf;
	lapic_eoi();
}

void dispatch_init(void)
{
	idt_set_handler(DISPATCH_WAKE_VECTOR, wake_handler);
	__atomic_store_n(&sleep_cycles, timer_tsc_hz() / 1000000 * DISPATCH_SPIN_US,
			 __ATOMIC_RELEASE);
}

void dispatch_set_workers(int n_online, const uint32_t *apic_ids)
{
	for (int i = 0; i < n_online && i < MAX_CPUS; i++)
		apic_of[i] = apic_ids[i];
	n_workers = n_online;
}

void dispatch_stop(void)
{
	stopping = true;
}

bool dispatch_stopping(void)
{
	return stopping;
}

void dispatch_get_stats(int index, struct dispatch_stats *out)
{
	*out = slots[index].st;
}

/* Spins (then sleeps) until the generation word differs from seen. */
static uint64_t wait_new(struct slot *s, uint64_t seen)
{
	uint64_t t0 = rdtsc();

	for (;;) {
		uint64_t w = __atomic_load_n(&pub.word, __ATOMIC_ACQUIRE);
		uint64_t sc;

		if (w != seen)
			return w;
		if (stopping)
			cpu_halt_forever();
		sc = __atomic_load_n(&sleep_cycles, __ATOMIC_RELAXED);
		if (sc && rdtsc() - t0 > sc) {
			/* Dekker with the caller: sleeping=1 then re-read the word;
			 * the caller stores the word then reads sleeping. */
			__atomic_store_n(&s->sleeping, 1, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&pub.word, __ATOMIC_ACQUIRE) == seen && !stopping) {
				sti_hlt_cli();
				s->st.wakeups++;
			}
			__atomic_store_n(&s->sleeping, 0, __ATOMIC_RELAXED);
			t0 = rdtsc();
			continue;
		}
		cpu_pause();
	}
}

/* Runs the share of worker `index`: ith = index, index + nw, ... < n. */
static void run_share(struct slot *s, par_task fn, void *ctx, int n, int index, int nw)
{
	uint64_t t0 = rdtsc();

	for (int ith = index; ith < n; ith += nw) {
		fn(ctx, ith, n);
		s->st.tasks++;
	}
	s->st.busy_cycles += rdtsc() - t0;
}

/* Claims the share of a slot for job word w: the worker itself and the
 * caller (stealing) race for it; words only grow, so a stale claimer from
 * an older job always loses. */
static bool claim(struct slot *s, uint64_t w)
{
	uint64_t old = __atomic_load_n(&s->claimed, __ATOMIC_ACQUIRE);

	return old < w && __atomic_compare_exchange_n(&s->claimed, &old, w, false,
						      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void dispatch_worker(int index)
{
	struct slot *s = &slots[index];
	uint64_t seen = __atomic_load_n(&pub.word, __ATOMIC_ACQUIRE);

	for (;;) {
		uint64_t w = wait_new(s, seen);
		int nw = (int)(w & 0xFFFF);

		seen = w;
		/* not needed this time, or the caller already took our share
		 * (then the job may already be a newer one: do not read it) */
		if (index >= nw || !claim(s, w))
			continue;
		run_share(s, job.fn, job.ctx, job.n, index, nw);
		s->st.jobs++;
		__atomic_store_n(&s->done, w, __ATOMIC_RELEASE);
	}
}

void smp_parallel_for(par_task fn, void *ctx, int n)
{
	int nw = n < n_workers ? n : n_workers, me = smp_cpu_index();
	struct slot *self = &slots[me];
	uint64_t w;

	if (n <= 0)
		return;
	/* One CPU only, a nested call from inside a task, a call from an AP,
	 * or stopping: run everything here. */
	if (nw <= 1 || stopping || me != 0 || __atomic_exchange_n(&caller.busy, 1, __ATOMIC_ACQUIRE)) {
		run_share(self, fn, ctx, n, 0, 1);
		self->st.jobs++;
		return;
	}
	job.fn = fn;
	job.ctx = ctx;
	job.n = n;
	w = (++caller.generation << 16) | (uint64_t)nw;
	__atomic_store_n(&pub.word, w, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 1; i < nw; i++)
		if (__atomic_load_n(&slots[i].sleeping, __ATOMIC_RELAXED))
			lapic_send_ipi(apic_of[i], DISPATCH_WAKE_VECTOR);

	run_share(self, fn, ctx, n, 0, nw);
	self->st.jobs++;

	/* Shares no worker has claimed yet (descheduled vCPU, slow wake-up)
	 * are run here; the others are waited for. */
	for (int i = 1; i < nw; i++) {
		if (claim(&slots[i], w)) {
			run_share(self, fn, ctx, n, i, nw);
			self->st.steals++;
			continue;
		}
		while (__atomic_load_n(&slots[i].done, __ATOMIC_ACQUIRE) != w)
			cpu_pause();
	}
	__atomic_store_n(&caller.busy, 0, __ATOMIC_RELEASE);
}

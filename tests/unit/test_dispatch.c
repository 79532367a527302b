/*
 * Host test of the SMP dispatcher protocol (smp/dispatch.c): pthreads play
 * the APs, the main thread the BSP. Every call of smp_parallel_for must run
 * each ith in [0, n) exactly once and return only when all are done, for
 * random n (fewer, equal and more tasks than workers), with tasks of random
 * length so the caller sometimes steals shares. The idle sleep (sti; hlt)
 * stays off here (dispatch_init is not called). Also worth running under
 * ThreadSanitizer:
 *   clang -fsanitize=thread -O1 -g -I. -pthread tests/unit/test_dispatch.c
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "smp/dispatch.c"

#define WORKERS 4 /* CPUs including the caller */
#define CALLS 20000
#define MAX_N 64

static __thread int my_index;

int smp_cpu_index(void)
{
	return my_index;
}

/* Stubs of what dispatch.c uses from the kernel. */
void idt_set_handler(int vec, trap_handler fn)
{
	(void)vec;
	(void)fn;
}
uint64_t timer_tsc_hz(void)
{
	return 0;
}
void lapic_eoi(void)
{
}
void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	(void)apic_id;
	(void)vector;
}

static int hits[MAX_N];
static int by_cpu[WORKERS];
static volatile int bad_nth;

struct ctx {
	int n;
	uint32_t spin;
};

static void task(void *p, int ith, int nth)
{
	struct ctx *c = p;

	if (nth != c->n)
		bad_nth = 1;
	for (volatile uint32_t i = 0; i < (c->spin * (uint32_t)(ith + 1)) % 3000; i++)
		;
	__atomic_fetch_add(&hits[ith], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&by_cpu[smp_cpu_index()], 1, __ATOMIC_RELAXED);
}

static void nested(void *p, int ith, int nth)
{
	(void)nth;
	/* a nested call runs inline on whichever CPU made it */
	smp_parallel_for(task, p, ((struct ctx *)p)->n);
	(void)ith;
}

static void *worker(void *arg)
{
	my_index = (int)(intptr_t)arg;
	dispatch_worker(my_index);
}

static void check(int ok, const char *name)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		exit(1);
}

int main(void)
{
	uint32_t ids[WORKERS] = { 0, 1, 2, 3 };
	pthread_t th[WORKERS];
	uint32_t seed = 7;
	int wrong = 0, multi = 0;

	for (int i = 1; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	dispatch_set_workers(WORKERS, ids);

	for (int call = 0; call < CALLS && !wrong; call++) {
		struct ctx c;
		seed = seed * 1103515245u + 12345u;
		c.n = 1 + (int)((seed >> 16) % MAX_N);
		c.spin = seed >> 20;
		for (int i = 0; i < c.n; i++)
			hits[i] = 0;
		smp_parallel_for(task, &c, c.n);
		for (int i = 0; i < c.n; i++)
			if (__atomic_load_n(&hits[i], __ATOMIC_RELAXED) != 1)
				wrong = 1;
	}
	check(!wrong && !bad_nth, "20000 calls: every ith ran exactly once, with the right nth");
	for (int i = 1; i < WORKERS; i++)
		multi += by_cpu[i] > 0;
	check(multi == WORKERS - 1, "every worker thread ran tasks");
	printf("(tasks per cpu: %d %d %d %d; caller stole %llu shares)\n", by_cpu[0], by_cpu[1],
	       by_cpu[2], by_cpu[3], (unsigned long long)slots[0].st.steals);

	{
		struct ctx c = { .n = 3, .spin = 5 };
		for (int i = 0; i < MAX_N; i++)
			hits[i] = 0;
		smp_parallel_for(nested, &c, 4); /* 4 outer tasks x 3 inner */
		check(hits[0] == 4 && hits[1] == 4 && hits[2] == 4, "nested calls run inline");
	}
	{
		struct ctx c = { .n = 5, .spin = 1 };
		for (int i = 0; i < MAX_N; i++)
			hits[i] = 0;
		smp_parallel_for(task, &c, 0);
		smp_parallel_for(task, &c, -3);
		check(hits[0] == 0, "n <= 0 runs nothing");
	}
	return 0;
}

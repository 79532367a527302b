/* pool: pthread workers behind par_for, spin-then-sleep between tasks.
 *
 * A dispatch publishes one 64-bit word (generation << 32 | next index).
 * Every participant, the caller included, claims task indices from it with
 * compare-and-swap until none are left, so a worker that the OS has not
 * scheduled yet never holds the others up: the caller runs its share. The
 * result does not depend on who runs which index.
 *
 * A dispatch for n workers is cut into n * split tasks (tasks only divide
 * their work by (ith, nth), ai/parallel.h), so a worker that starts late or
 * shares its core with another process takes fewer of them instead of
 * holding up the whole call. LLM_POOL_SPLIT overrides split (1..16). */
#include "host/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "ai/parallel.h"

#define POOL_SPIN 20000 /* pause loops (~1 ms) before a worker sleeps */
#define POOL_SPLIT 4     /* tasks per worker in one dispatch */

static struct {
	/* written by the caller before each dispatch is published */
	par_task fn;
	void *ctx;
	int n;
	int nth;
	int split;
	pthread_t *threads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	_Alignas(64) _Atomic uint64_t work; /* generation << 32 | next task index */
	_Alignas(64) atomic_int done;       /* tasks finished in this generation */
	_Alignas(64) atomic_int sleeping;
	atomic_bool quit;
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* Claim and run tasks of generation gen until none are left. */
static void run_tasks(uint32_t gen)
{
	uint64_t w = atomic_load(&P.work);
	for (;;) {
		if ((uint32_t)(w >> 32) != gen || (int)(uint32_t)w >= P.n)
			return;
		if (!atomic_compare_exchange_weak(&P.work, &w, w + 1))
			continue; /* w reloaded */
		int ith = (int)(uint32_t)w;
		P.fn(P.ctx, ith, P.n);
		atomic_fetch_add_explicit(&P.done, 1, memory_order_release);
		w = atomic_load(&P.work);
	}
}

static void *worker(void *arg)
{
	(void)arg;
	uint32_t seen = 0;
	for (;;) {
		uint32_t g;
		int spins = 0;
		while ((g = (uint32_t)(atomic_load(&P.work) >> 32)) == seen) {
			if (++spins < POOL_SPIN) {
				cpu_relax();
				continue;
			}
			pthread_mutex_lock(&P.mu);
			atomic_fetch_add(&P.sleeping, 1);
			while ((uint32_t)(atomic_load(&P.work) >> 32) == seen && !atomic_load(&P.quit))
				pthread_cond_wait(&P.cv, &P.mu);
			atomic_fetch_sub(&P.sleeping, 1);
			pthread_mutex_unlock(&P.mu);
			spins = 0;
			if (atomic_load(&P.quit))
				return NULL;
		}
		seen = g;
		if (atomic_load(&P.quit))
			return NULL;
		run_tasks(g);
	}
}

static void pool_run(par_task fn, void *ctx, int n)
{
	if (n > P.nth)
		n = P.nth;
	n *= P.split;
	P.fn = fn;
	P.ctx = ctx;
	P.n = n;
	atomic_store(&P.done, 0);
	uint32_t gen = (uint32_t)(atomic_load(&P.work) >> 32) + 1;
	atomic_store(&P.work, (uint64_t)gen << 32);
	if (atomic_load(&P.sleeping) > 0) {
		pthread_mutex_lock(&P.mu);
		pthread_cond_broadcast(&P.cv);
		pthread_mutex_unlock(&P.mu);
	}
	run_tasks(gen);
	int spins = 0;
	while (atomic_load_explicit(&P.done, memory_order_acquire) < n) {
		if (++spins < POOL_SPIN)
			cpu_relax();
		else
			sched_yield();
	}
}

int pool_init(int nth)
{
	if (nth <= 1) {
		par_set_runner(NULL, 1);
		return 0;
	}
	P.threads = calloc((size_t)nth, sizeof *P.threads);
	if (!P.threads)
		return -1;
	P.nth = nth;
	P.split = POOL_SPLIT;
	const char *e = getenv("LLM_POOL_SPLIT");
	if (e && atoi(e) >= 1 && atoi(e) <= 16)
		P.split = atoi(e);
	atomic_store(&P.quit, false);
	for (int i = 1; i < nth; i++) {
		if (pthread_create(&P.threads[i], NULL, worker, NULL) != 0) {
			P.nth = i;
			pool_shutdown();
			return -1;
		}
	}
	par_set_runner(pool_run, nth);
	return 0;
}

void pool_shutdown(void)
{
	if (!P.threads)
		return;
	par_set_runner(NULL, 1);
	pthread_mutex_lock(&P.mu);
	atomic_store(&P.quit, true);
	P.n = 0;
	atomic_fetch_add(&P.work, (uint64_t)1 << 32);
	pthread_cond_broadcast(&P.cv);
	pthread_mutex_unlock(&P.mu);
	for (int i = 1; i < P.nth; i++)
		pthread_join(P.threads[i], NULL);
	free(P.threads);
	P.threads = NULL;
	P.nth = 0;
}

/*
 * A persistent pthread pool implementing the engine's par_runner
 * (ai/parallel.h). Workers spin briefly between tasks (a token runs hundreds
 * of par_for calls back to back), then sleep on a condition variable.
 * Each dispatch is cut into 4 tasks per worker (LLM_POOL_SPLIT=1..16
 * overrides) that the workers claim as they come free, so a worker that
 * shares its core with another process delays the call by less.
 */
#ifndef HOST_POOL_H
#define HOST_POOL_H

/* Start nth - 1 workers (the caller is worker 0) and install the runner.
 * nth <= 1 installs nothing. Returns 0, or -1 if threads cannot start. */
int pool_init(int nth);
/* Stop the workers and remove the runner. */
void pool_shutdown(void);

#endif

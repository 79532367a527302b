/*
 * The engine's only contact with threads or cores. Kernels are written as
 * tasks fn(ctx, ith, nth) that split their rows by (ith, nth) themselves.
 * The host tool installs a thread pool, the OS its AP dispatcher (smp/);
 * without a runner, par_for runs the task once with nth = 1.
 */
#ifndef AI_PARALLEL_H
#define AI_PARALLEL_H

typedef void (*par_task)(void *ctx, int ith, int nth);
/* Runs fn(ctx, ith, n) for ith in [0, n) on n workers (the caller is one of
 * them) and returns when all are done. */
typedef void (*par_runner)(par_task fn, void *ctx, int n);

void par_set_runner(par_runner run, int nth);
void par_for(par_task fn, void *ctx);
int par_nth(void);

#endif

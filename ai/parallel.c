/* par_for: dispatch a task to the installed runner, or run it inline. */
#include "ai/parallel.h"

static par_runner runner;
static int runner_nth = 1;

void par_set_runner(par_runner run, int nth)
{
	runner = run;
	runner_nth = (run && nth > 0) ? nth : 1;
}

int par_nth(void)
{
	return runner_nth;
}

void par_for(par_task fn, void *ctx)
{
	if (runner && runner_nth > 1)
		runner(fn, ctx, runner_nth);
	else
		fn(ctx, 0, 1);
}

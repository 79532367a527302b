/* The pollers' and the idle jobs' tables (core/poll.h). */
#include "core/poll.h"

#include <stddef.h>

#define POLL_IDLE_MAX 4

/* A table of named functions run in turn, never recursively. */
struct fn_table {
	struct {
		const char *name;
		void (*fn)(void);
	} e[POLL_MAX];
	int n, max;
	bool running;
};

static struct fn_table pollers = { .max = POLL_MAX };
static struct fn_table idlers = { .max = POLL_IDLE_MAX };

static bool table_add(struct fn_table *t, const char *name, void (*fn)(void))
{
	if (t->n >= t->max || !fn)
		return false;
	t->e[t->n].name = name;
	t->e[t->n].fn = fn;
	t->n++;
	return true;
}

static void table_run(struct fn_table *t)
{
	if (t->running)
		return;
	t->running = true;
	for (int i = 0; i < t->n; i++)
		t->e[i].fn();
	t->running = false;
}

bool poll_register(const char *name, void (*fn)(void))
{
	return table_add(&pollers, name, fn);
}

void poll_run(void)
{
	table_run(&pollers);
}

const char *poll_name(int i)
{
	return i >= 0 && i < pollers.n ? pollers.e[i].name : NULL;
}

bool poll_register_idle(const char *name, void (*fn)(void))
{
	return table_add(&idlers, name, fn);
}

void poll_idle(void)
{
	table_run(&idlers);
}

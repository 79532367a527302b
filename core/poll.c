/* The pollers' table (core/poll.h). */
#include "core/poll.h"

#include <stddef.h>

static struct {
	const char *name;
	void (*fn)(void);
} pollers[POLL_MAX];
static int n_pollers;
static bool running;

bool poll_register(const char *name, void (*fn)(void))
{
	if (n_pollers >= POLL_MAX || !fn)
		return false;
	pollers[n_pollers].name = name;
	pollers[n_pollers].fn = fn;
	n_pollers++;
	return true;
}

void poll_run(void)
{
	if (running)
		return;
	running = true;
	for (int i = 0; i < n_pollers; i++)
		pollers[i].fn();
	running = false;
}

const char *poll_name(int i)
{
	return i >= 0 && i < n_pollers ? pollers[i].name : NULL;
}

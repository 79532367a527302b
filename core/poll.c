/* The pollers' table (core/poll.h). */
#include "core/poll.h"

#include <stddef.h>

static struct {
	const char *name;
	void (*fn)(void);
} pollers[POLL_MAX];
static int n_pollers;
static bool running;

#define POLL_IDLE_MAX 4
static void (*idlers[POLL_IDLE_MAX])(void);
static int n_idlers;
static bool idling;

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

bool poll_register_idle(const char *name, void (*fn)(void))
{
	(void)name;
	if (n_idlers >= POLL_IDLE_MAX || !fn)
		return false;
	idlers[n_idlers++] = fn;
	return true;
}

void poll_idle(void)
{
	if (idling)
		return;
	idling = true;
	for (int i = 0; i < n_idlers; i++)
		idlers[i]();
	idling = false;
}

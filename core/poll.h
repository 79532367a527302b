/*
 * Pollers: work that drivers need done while the kernel waits (the USB
 * keyboard's event ring, the network card's receive ring and the TCP/IP
 * timers). Interrupts are not used for devices: a driver registers a
 * function once, and poll_run() calls every registered function in turn.
 * core/input.c runs them whenever it looks for a key, so they run while
 * the shell waits at the prompt and, through input_ctrl_c(), between the
 * tokens of a generation.
 *
 * BSP only. A poller must not wait for long (no more than ~1 ms) and must
 * not call input_getc(); poll_run() called from inside a poller returns at
 * once, so pollers cannot recurse.
 */
#ifndef CORE_POLL_H
#define CORE_POLL_H

#include <stdbool.h>

#define POLL_MAX 16

/* Adds fn under a short name (for `info`); false when the table is full. */
bool poll_register(const char *name, void (*fn)(void));
/* Calls every registered poller once. */
void poll_run(void);
/* The registered names, for diagnostics: the i-th or NULL. */
const char *poll_name(int i);

/* Idle work: jobs that may run long (the API server's queued generations),
 * run only while the shell waits at its own prompt (shell_run passes
 * poll_idle to line_read_idle), never inside a command such as generate or
 * chat, whose model state they would disturb. Pollers keep running inside
 * them through poll_run. BSP only; poll_idle called from inside an idle job
 * returns at once. */
bool poll_register_idle(const char *name, void (*fn)(void));
void poll_idle(void);

#endif

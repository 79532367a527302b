/*
 * Shell input: the PS/2 keyboard (core/kbd.c), the serial line
 * (core/serial.c) and drivers' pollers (core/poll.h: USB keyboards call
 * input_push) feed one queue of keys. Printable characters and control
 * characters are their byte values (Enter = '\n', Backspace = '\b',
 * Ctrl-C = 3, Ctrl-L = 12); serial UTF-8 passes through byte by byte;
 * cursor keys (PS/2 extended codes or ANSI escapes on serial) are KEY_*.
 */
#ifndef CORE_INPUT_H
#define CORE_INPUT_H

#include <stdbool.h>

enum {
	KEY_CTRL_C = 3,
	KEY_CTRL_L = 12,
	KEY_ESC = 27,
	KEY_UP = 0x101,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
	KEY_PGUP,
	KEY_PGDN,
};

/* Next key, or -1 when none is waiting (polls every source, and runs
 * the registered pollers). */
int input_poll(void);
/* Waits for a key (pause-spinning). */
int input_getc(void);
/* Queues a key (used by kbd.c; safe to call from the polling path). */
void input_push(int key);
/* True (and the key consumed) when Ctrl-C is waiting: for long-running
 * commands that want to be interruptible. Other keys stay queued. */
bool input_ctrl_c(void);

#endif

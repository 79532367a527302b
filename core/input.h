/*
 * Shell input: the keyboards (PS/2, and USB through the drivers' pollers,
 * core/poll.h), both through input_key and one layout (core/keymap.h),
 * and the serial line (core/serial.c) feed one queue of keys. Printable characters and control
 * characters are their byte values (Enter = '\n', Backspace = '\b',
 * Ctrl-C = 3, Ctrl-L = 12); serial UTF-8 passes through byte by byte;
 * cursor keys (PS/2 extended codes or ANSI escapes on serial) are KEY_*.
 */
#ifndef CORE_INPUT_H
#define CORE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

struct keymap;

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
/* Waits for a key, halting the CPU between polls (core/idle.h). */
int input_getc(void);
/* Queues a key (used by the drivers; safe to call from the polling path). */
void input_push(int key);
/* A keyboard key, named by its USB HID usage (core/keymap.h), went down
 * (or repeats) or up: the current layout turns it into keys. */
void input_key(uint8_t usage, bool down);
/* The layout for input_key ("us" until this is called). */
void input_set_keymap(const struct keymap *map);
const struct keymap *input_keymap(void);
/* True (and the key consumed) when Ctrl-C is waiting: for long-running
 * commands that want to be interruptible. Other keys stay queued. */
bool input_ctrl_c(void);

#endif

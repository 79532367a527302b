/* One key queue fed by the keyboard and the serial line (core/input.h). */
#include <stdbool.h>

#include "core/idle.h"
#include "core/input.h"
#include "core/keymap.h"
#include "core/param.h"
#include "core/poll.h"
#include "core/serial.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/x86.h"

static int queue[INPUT_QUEUE];
static unsigned head, tail; /* head == tail: empty */
static struct spinlock in_lock = SPINLOCK_INIT;
static struct keys keys = { .num = true }; /* every keyboard shares it */

void input_push(int key)
{
	if (tail - head >= INPUT_QUEUE)
		return; /* full: drop */
	queue[tail++ % INPUT_QUEUE] = key;
}

void input_key(uint8_t usage, bool down)
{
	int out[KEYS_OUT_MAX];
	if (!keys.map)
		keys_init(&keys, NULL);
	if (!down) {
		keys_up(&keys, usage);
		return;
	}
	int n = keys_down(&keys, usage, out);
	for (int i = 0; i < n; i++)
		input_push(out[i]);
}

void input_set_keymap(const struct keymap *map)
{
	keys_init(&keys, map);
}

const struct keymap *input_keymap(void)
{
	return keys.map ? keys.map : keymap_default();
}

/* A serial byte within ms milliseconds, or -1. */
static int serial_wait(int ms)
{
	for (int i = 0; i < ms * 10; i++) {
		int c = serial_getc();
		if (c >= 0)
			return c;
		timer_udelay(100);
	}
	return -1;
}

/* Turns serial bytes into keys: CR/LF -> '\n', DEL/BS -> '\b', ANSI
 * escape sequences (ESC [ A, ESC O A, ESC [ 3 ~ ...) -> KEY_*. */
static void serial_poll(void)
{
	static bool last_cr;
	/* leave bytes in the UART (and the host's flow control) while the
	 * queue is nearly full, instead of dropping them */
	while (tail - head < INPUT_QUEUE - 4) {
		int c = serial_getc();
		if (c < 0)
			return;
		if (c == '\n' && last_cr) { /* CR LF: one Enter */
			last_cr = false;
			continue;
		}
		last_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			input_push('\n');
		} else if (c == 0x7f || c == 0x08) {
			input_push('\b');
		} else if (c == 0x1b) {
			int c2 = serial_wait(30);
			if (c2 != '[' && c2 != 'O') {
				input_push(KEY_ESC);
				if (c2 >= 0)
					input_push(c2);
				continue;
			}
			int num = 0, c3;
			while ((c3 = serial_wait(30)) >= '0' && c3 <= '9')
				num = num * 10 + (c3 - '0');
			switch (c3) {
			case 'A': input_push(KEY_UP); break;
			case 'B': input_push(KEY_DOWN); break;
			case 'C': input_push(KEY_RIGHT); break;
			case 'D': input_push(KEY_LEFT); break;
			case 'H': input_push(KEY_HOME); break;
			case 'F': input_push(KEY_END); break;
			case '~':
				if (num == 1 || num == 7)
					input_push(KEY_HOME);
				else if (num == 4 || num == 8)
					input_push(KEY_END);
				else if (num == 3)
					input_push(KEY_DELETE);
				else if (num == 5)
					input_push(KEY_PGUP);
				else if (num == 6)
					input_push(KEY_PGDN);
				break;
			default:
				break; /* unknown sequence: dropped */
			}
		} else {
			input_push(c);
		}
	}
}

int input_poll(void)
{
	int k = -1;
	poll_run(); /* drivers' pollers: USB keyboards push keys here */
	spin_lock(&in_lock);
	serial_poll();
	if (head != tail)
		k = queue[head++ % INPUT_QUEUE];
	spin_unlock(&in_lock);
	return k;
}

int input_getc(void)
{
	for (;;) {
		int k = input_poll();
		if (k >= 0)
			return k;
		idle_wait(); /* hlt until the next tick */
	}
}

bool input_ctrl_c(void)
{
	bool hit = false;
	poll_run();
	spin_lock(&in_lock);
	serial_poll();
	for (unsigned i = head; i != tail; i++) {
		if (queue[i % INPUT_QUEUE] == KEY_CTRL_C) {
			/* drop it and everything typed before it */
			head = i + 1;
			hit = true;
			break;
		}
	}
	spin_unlock(&in_lock);
	return hit;
}

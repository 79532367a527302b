/* Line editor with history (see shell/line.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/console.h"
#include "core/fbcon.h"
#include "core/input.h"
#include "core/param.h"
#include "core/idle.h"
#include "shell/line.h"

static char history[SHELL_HISTORY][SHELL_LINE_MAX];
static int hist_n; /* lines stored (the newest at (hist_n - 1) % SHELL_HISTORY) */

static void out(const char *s, size_t n)
{
	console_write(s, n);
}

static void outs(const char *s)
{
	console_write(s, strlen(s));
}

/* Moves the terminal cursor n columns left (n < 0: right). */
static void move(int n)
{
	char b[16];
	if (n)
		outs((snprintf(b, sizeof b, "\x1b[%d%c", n > 0 ? n : -n, n > 0 ? 'D' : 'C'), b));
}

static bool is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Columns of buf[a..b): UTF-8 continuation bytes take none. */
static int cols(const char *buf, size_t a, size_t b)
{
	int n = 0;
	for (size_t i = a; i < b; i++)
		n += !is_cont(buf[i]);
	return n;
}

/* Replaces the whole line on screen by text. */
static void replace(const char *prompt, char *buf, size_t size, size_t *len, size_t *pos,
		    const char *text)
{
	move(cols(buf, 0, *pos));
	(void)prompt;
	size_t n = strlen(text);
	if (n >= size)
		n = size - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	out(buf, n);
	outs("\x1b[K");
	*len = *pos = n;
}

/* The next key; idle() runs while none is waiting. */
static int next_key(void (*idle)(void))
{
	if (!idle)
		return input_getc();
	for (;;) {
		int k = input_poll();
		if (k >= 0)
			return k;
		idle();
		idle_wait(); /* hlt until the next tick */
	}
}

/* The line being edited, for redraw() */
static const char *ed_prompt;
static const char *ed_buf;
static const size_t *ed_len, *ed_pos;

/* After output that came on its own (console_async_end): the prompt and
 * the line again, on the fresh line below it. */
static void redraw(void)
{
	outs(ed_prompt);
	out(ed_buf, *ed_len);
	move(cols(ed_buf, *ed_pos, *ed_len));
}

int line_read(const char *prompt, char *buf, size_t size)
{
	return line_read_idle(prompt, buf, size, NULL);
}

int line_read_idle(const char *prompt, char *buf, size_t size, void (*idle)(void))
{
	size_t len = 0, pos = 0;
	int hist_i = hist_n; /* == hist_n: the line being typed */
	static char saved[SHELL_LINE_MAX];
	buf[0] = 0;
	outs(prompt);
	ed_prompt = prompt;
	ed_buf = buf;
	ed_len = &len;
	ed_pos = &pos;
	console_set_redraw(redraw);
	for (;;) {
		int k = next_key(idle);
		if (k == '\n' || k == KEY_CTRL_C)
			console_set_redraw(NULL);
		if (k == '\n') {
			outs("\n");
			buf[len] = 0;
			if (len) {
				strncpy(history[hist_n % SHELL_HISTORY], buf, SHELL_LINE_MAX - 1);
				history[hist_n % SHELL_HISTORY][SHELL_LINE_MAX - 1] = 0;
				hist_n++;
			}
			return (int)len;
		}
		switch (k) {
		case KEY_CTRL_C:
			outs("^C\n");
			buf[0] = 0;
			return -1;
		case KEY_CTRL_L:
			outs("\x1b[2J\x1b[H");
			outs(prompt);
			out(buf, len);
			move(cols(buf, pos, len));
			break;
		case '\b':
			if (!pos)
				break;
			{
				size_t from = pos - 1;
				while (from > 0 && is_cont(buf[from]))
					from--;
				memmove(buf + from, buf + pos, len - pos);
				len -= pos - from;
				pos = from;
				if (pos == len) {
					outs("\b \b");
				} else {
					outs("\b");
					out(buf + pos, len - pos);
					outs(" ");
					move(cols(buf, pos, len) + 1);
				}
			}
			break;
		case KEY_DELETE:
			if (pos < len) {
				size_t to = pos + 1;
				while (to < len && is_cont(buf[to]))
					to++;
				memmove(buf + pos, buf + to, len - to);
				len -= to - pos;
				out(buf + pos, len - pos);
				outs(" ");
				move(cols(buf, pos, len) + 1);
			}
			break;
		case KEY_LEFT:
			if (pos) {
				do
					pos--;
				while (pos > 0 && is_cont(buf[pos]));
				move(1);
			}
			break;
		case KEY_RIGHT:
			if (pos < len) {
				do
					pos++;
				while (pos < len && is_cont(buf[pos]));
				move(-1);
			}
			break;
		case KEY_HOME:
			move(cols(buf, 0, pos));
			pos = 0;
			break;
		case KEY_END:
			move(-cols(buf, pos, len));
			pos = len;
			break;
		case KEY_UP:
		case KEY_DOWN: {
			int oldest = hist_n > SHELL_HISTORY ? hist_n - SHELL_HISTORY : 0;
			int ni = hist_i + (k == KEY_UP ? -1 : 1);
			if (ni < oldest || ni > hist_n)
				break;
			buf[len] = 0;
			if (hist_i == hist_n)
				strncpy(saved, buf, sizeof saved - 1);
			hist_i = ni;
			replace(prompt, buf, size, &len, &pos,
				ni == hist_n ? saved : history[ni % SHELL_HISTORY]);
			break;
		}
		default:
			if (k < 0x20 || k > 0xff || k == 0x7f || len + 1 >= size)
				break; /* other control keys, or the line is full */
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos] = (char)k;
			len++;
			pos++;
			out(buf + pos - 1, len - pos + 1);
			move(cols(buf, pos, len));
			break;
		}
	}
}

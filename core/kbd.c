/* i8042 PS/2 keyboard, polled (see core/kbd.h). */
#include <stdbool.h>
#include <stdint.h>

#include "core/input.h"
#include "core/kbd.h"
#include "core/x86.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_CMD 0x64
#define ST_OUT_FULL 0x01
#define ST_AUX 0x20 /* the byte is from the mouse */

static bool present, shift, ctrl, caps, ext;

static const char map_plain[0x3a] = {
	0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0, 'a', 's',
	'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
	'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char map_shift[0x3a] = {
	0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0, 'A', 'S',
	'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
	'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

void kbd_init(void)
{
	if (inb(KBD_STATUS) == 0xff)
		return; /* no controller (floating bus) */
	present = true;
	outb(KBD_CMD, 0xAE); /* enable the keyboard port */
	for (int i = 0; i < 64 && (inb(KBD_STATUS) & ST_OUT_FULL); i++)
		(void)inb(KBD_DATA);
}

bool kbd_present(void)
{
	return present;
}

static void scancode(uint8_t sc)
{
	bool up = sc & 0x80;
	uint8_t code = sc & 0x7f;
	if (sc == 0xE0) {
		ext = true;
		return;
	}
	if (sc == 0xFA || sc == 0xFE || sc == 0x00 || sc == 0xFF)
		return; /* ACK, resend, errors */
	if (ext) {
		ext = false;
		if (code == 0x1D) { /* right ctrl */
			ctrl = !up;
			return;
		}
		if (code == 0x2A || code == 0x36)
			return; /* fake shifts around extended keys */
		if (up)
			return;
		switch (code) {
		case 0x48: input_push(KEY_UP); break;
		case 0x50: input_push(KEY_DOWN); break;
		case 0x4B: input_push(KEY_LEFT); break;
		case 0x4D: input_push(KEY_RIGHT); break;
		case 0x47: input_push(KEY_HOME); break;
		case 0x4F: input_push(KEY_END); break;
		case 0x53: input_push(KEY_DELETE); break;
		case 0x49: input_push(KEY_PGUP); break;
		case 0x51: input_push(KEY_PGDN); break;
		case 0x1C: input_push('\n'); break; /* keypad enter */
		case 0x35: input_push('/'); break;
		default: break;
		}
		return;
	}
	switch (code) {
	case 0x2A:
	case 0x36:
		shift = !up;
		return;
	case 0x1D:
		ctrl = !up;
		return;
	case 0x3A:
		if (!up)
			caps = !caps;
		return;
	default:
		break;
	}
	if (up || code >= sizeof map_plain)
		return;
	char c = shift ? map_shift[code] : map_plain[code];
	if (!c)
		return;
	if (caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (ctrl && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		c = (char)((c | 0x20) - 'a' + 1);
	input_push((unsigned char)c);
}

void kbd_poll(void)
{
	if (!present)
		return;
	for (int i = 0; i < 16; i++) {
		uint8_t st = inb(KBD_STATUS);
		if (!(st & ST_OUT_FULL))
			return;
		uint8_t b = inb(KBD_DATA);
		if (!(st & ST_AUX))
			scancode(b);
	}
}

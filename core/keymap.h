/*
 * Keyboard layouts, shared by every keyboard driver. Keys are named by
 * their USB HID usage (HID Usage Tables, page 7: 0x04 'a' ... 0x38 '/',
 * 0x64 the ISO key beside left Shift, 0xE0..0xE7 the modifiers); the PS/2
 * driver translates its scancodes to the same usages. A layout maps a
 * usage to the character it types plain, with Shift and with AltGr.
 *
 * struct keys follows the modifiers and the locks across key events and
 * turns a key press into what the shell's input queue takes (core/input.h):
 * bytes of the character's UTF-8, a control character (Ctrl-letter,
 * Enter = '\n', Backspace = '\b') or one KEY_* code.
 *
 * Layouts: us, uk, de, fr (`keymap=` in llm.cfg). Dead keys (de ^ ´ `,
 * fr ^ ¨) type their own character; there is no composition.
 * Portable (no libc): built into the OS and into host unit tests.
 */
#ifndef CORE_KEYMAP_H
#define CORE_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HID usages the drivers and tables name. */
enum {
	HID_A = 0x04,
	HID_Z = 0x1d,
	HID_1 = 0x1e,
	HID_0 = 0x27,
	HID_ENTER = 0x28,
	HID_ESC = 0x29,
	HID_BACKSPACE = 0x2a,
	HID_TAB = 0x2b,
	HID_SPACE = 0x2c,
	HID_CAPSLOCK = 0x39,
	HID_F1 = 0x3a,
	HID_INSERT = 0x49,
	HID_HOME = 0x4a,
	HID_PGUP = 0x4b,
	HID_DELETE = 0x4c,
	HID_END = 0x4d,
	HID_PGDN = 0x4e,
	HID_RIGHT = 0x4f,
	HID_LEFT = 0x50,
	HID_DOWN = 0x51,
	HID_UP = 0x52,
	HID_NUMLOCK = 0x53,
	HID_KP_SLASH = 0x54,
	HID_KP_ENTER = 0x58,
	HID_KP_1 = 0x59,
	HID_KP_0 = 0x62,
	HID_KP_DOT = 0x63,
	HID_ISO = 0x64, /* the 102nd key, left of Z on ISO keyboards */
	HID_LCTRL = 0xe0,
	HID_LSHIFT = 0xe1,
	HID_LALT = 0xe2,
	HID_LGUI = 0xe3,
	HID_RCTRL = 0xe4,
	HID_RSHIFT = 0xe5,
	HID_RALT = 0xe6, /* AltGr */
	HID_RGUI = 0xe7,
};

/* Modifier bits: bit i is usage 0xE0 + i, as in a boot keyboard report. */
#define KEYMAP_MOD_CTRL 0x11
#define KEYMAP_MOD_SHIFT 0x22
#define KEYMAP_MOD_ALTGR 0x40

struct keymap;

/* The layout called name[0..len) ("us", "uk", "de", "fr"), or NULL. */
const struct keymap *keymap_find(const char *name, size_t len);
const struct keymap *keymap_default(void); /* us */
const char *keymap_name(const struct keymap *m);
/* "us uk de fr", for messages. */
const char *keymap_list(void);

/* The keyboard's state; zero it, then keys_init. */
struct keys {
	const struct keymap *map;
	uint8_t mods; /* modifier keys held, KEYMAP_MOD_* bits */
	bool caps;    /* Caps Lock on */
	bool num;     /* Num Lock on (keypad types digits) */
};

#define KEYS_OUT_MAX 4

void keys_init(struct keys *k, const struct keymap *map);
/* Usage pressed (or repeating): fills out[] with the input keys it makes
 * and returns how many (0 for a modifier or an unmapped key). */
int keys_down(struct keys *k, uint8_t usage, int out[KEYS_OUT_MAX]);
void keys_up(struct keys *k, uint8_t usage);

#endif

/*
 * USB HID boot-protocol keyboard reports -> key events, with key repeat.
 *
 * A boot report is 8 bytes: modifiers (bit i = usage 0xE0 + i), a reserved
 * byte, then up to six usages of the keys held (0 = none, 0x01 in every
 * slot = too many keys, "phantom state"). The keyboard sends a report when
 * something changes (SET_IDLE 0); events come from the difference between
 * consecutive reports. USB keyboards do not repeat by themselves: the key
 * pressed last repeats after HID_REPEAT_DELAY_MS, every HID_REPEAT_MS,
 * until it is released (modifiers and lock keys never repeat).
 * Pure logic (no hardware, no libc): built into the OS and host unit tests.
 */
#ifndef DEV_HID_KBD_H
#define DEV_HID_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HID_REPEAT_DELAY_MS 500
#define HID_REPEAT_MS 33

#define HID_BOOT_REPORT 8

struct hid_kbd {
	uint8_t prev[HID_BOOT_REPORT]; /* the last report taken */
	uint8_t repeat;                /* the usage repeating, 0: none */
	uint64_t repeat_at;            /* when it types next, ms */
};

/* Called per key event: usage down (press or repeat) or up. */
typedef void (*hid_key_fn)(void *ctx, uint8_t usage, bool down);

/* Takes one report of len bytes received at now_ms. Releases come before
 * presses, modifiers before other keys. Short or phantom reports are
 * ignored. */
void hid_kbd_report(struct hid_kbd *h, const uint8_t *rep, size_t len, uint64_t now_ms,
		    hid_key_fn fn, void *ctx);
/* Types the repeats due by now_ms. */
void hid_kbd_tick(struct hid_kbd *h, uint64_t now_ms, hid_key_fn fn, void *ctx);
/* The keyboard went away: every key held is released. */
void hid_kbd_release_all(struct hid_kbd *h, hid_key_fn fn, void *ctx);

#endif

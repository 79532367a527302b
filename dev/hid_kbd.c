/* Boot keyboard reports -> key events with repeat (dev/hid_kbd.h). */
#include "core/keymap.h"
#include "dev/hid_kbd.h"

static bool has_key(const uint8_t *rep, uint8_t usage)
{
	for (int i = 2; i < HID_BOOT_REPORT; i++)
		if (rep[i] == usage)
			return true;
	return false;
}

static bool repeats(uint8_t usage)
{
	return usage != HID_CAPSLOCK && usage != HID_NUMLOCK && usage != 0x47 /* Scroll Lock */;
}

/* Events that turn h->prev into rep; rep becomes the new prev. */
static void hid_diff(struct hid_kbd *h, const uint8_t *rep, uint64_t now_ms, hid_key_fn fn,
		     void *ctx)
{
	uint8_t gone = h->prev[0] & (uint8_t)~rep[0], came = rep[0] & (uint8_t)~h->prev[0];
	for (int i = 0; i < 8; i++)
		if (gone & (1u << i))
			fn(ctx, (uint8_t)(HID_LCTRL + i), false);
	for (int i = 2; i < HID_BOOT_REPORT; i++) {
		uint8_t u = h->prev[i];
		if (u > 3 && !has_key(rep, u)) {
			fn(ctx, u, false);
			if (u == h->repeat)
				h->repeat = 0;
		}
	}
	for (int i = 0; i < 8; i++)
		if (came & (1u << i))
			fn(ctx, (uint8_t)(HID_LCTRL + i), true);
	for (int i = 2; i < HID_BOOT_REPORT; i++) {
		uint8_t u = rep[i];
		if (u > 3 && !has_key(h->prev, u)) {
			fn(ctx, u, true);
			if (repeats(u)) {
				h->repeat = u;
				h->repeat_at = now_ms + HID_REPEAT_DELAY_MS;
			}
		}
	}
	for (int i = 0; i < HID_BOOT_REPORT; i++)
		h->prev[i] = rep[i];
}

void hid_kbd_report(struct hid_kbd *h, const uint8_t *rep, size_t len, uint64_t now_ms,
		    hid_key_fn fn, void *ctx)
{
	if (len < HID_BOOT_REPORT)
		return;
	for (int i = 2; i < HID_BOOT_REPORT; i++)
		if (rep[i] >= 1 && rep[i] <= 3)
			return; /* rollover / POST fail / undefined: the state is unknown */
	hid_diff(h, rep, now_ms, fn, ctx);
}

void hid_kbd_tick(struct hid_kbd *h, uint64_t now_ms, hid_key_fn fn, void *ctx)
{
	if (!h->repeat || now_ms < h->repeat_at)
		return;
	fn(ctx, h->repeat, true);
	h->repeat_at += HID_REPEAT_MS;
	if (h->repeat_at <= now_ms) /* polled late: no burst of catch-up repeats */
		h->repeat_at = now_ms + HID_REPEAT_MS;
}

void hid_kbd_release_all(struct hid_kbd *h, hid_key_fn fn, void *ctx)
{
	static const uint8_t none[HID_BOOT_REPORT];
	hid_diff(h, none, 0, fn, ctx);
	h->repeat = 0;
}

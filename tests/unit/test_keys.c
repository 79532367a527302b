/*
 * Host test of the keyboard logic shared by the PS/2 and USB drivers:
 * core/keymap.c (layouts us/uk/de/fr, Shift/AltGr/Ctrl, Caps and Num Lock)
 * and dev/hid_kbd.c (boot reports -> key events, key repeat).
 */
#include <string.h>

#include "core/keymap.c"
#include "dev/hid_kbd.c"
#include "tests/unit/check.h"

/* ---- keymap ---------------------------------------------------------- */

/* What typing usage gives, as a string (bytes; KEY_* as "<N>"). */
static const char *typed(struct keys *k, uint8_t usage)
{
	static char s[64];
	int out[KEYS_OUT_MAX], n = keys_down(k, usage, out), p = 0;
	s[0] = 0;
	for (int i = 0; i < n; i++) {
		if (out[i] >= 0 && out[i] < 256)
			s[p++] = (char)out[i];
		else
			p += snprintf(s + p, sizeof s - p, "<%d>", out[i]);
	}
	s[p] = 0;
	keys_up(k, usage);
	return s;
}

static const char *with(struct keys *k, uint8_t mod, uint8_t usage)
{
	int out[KEYS_OUT_MAX];
	keys_down(k, mod, out);
	const char *s = typed(k, usage);
	keys_up(k, mod);
	return s;
}

static int count_cp(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void test_keymap(void)
{
	struct keys k;

	for (size_t i = 0; i < N_KEYMAPS; i++)
		check(count_cp(keymaps[i].plain) == KM_CHARS && count_cp(keymaps[i].shift) == KM_CHARS &&
			      (!keymaps[i].altgr || count_cp(keymaps[i].altgr) % 2 == 0),
		      "keymap %s: %d plain and shift characters, AltGr in pairs", keymaps[i].name,
		      KM_CHARS);
	check(keymap_find("de", 2) && !strcmp(keymap_name(keymap_find("DE", 2)), "de") &&
		      !keymap_find("d", 1) && !keymap_find("dex", 3) && !keymap_find("xx", 2),
	      "keymap_find: exact names, any case");

	keys_init(&k, keymap_find("us", 2));
	check(!strcmp(typed(&k, HID_A), "a") && !strcmp(with(&k, HID_LSHIFT, HID_A), "A") &&
		      !strcmp(with(&k, HID_RSHIFT, HID_1 + 1), "@") && !strcmp(typed(&k, 0x38), "/"),
	      "us: a, Shift-a, Shift-2 = @, /");
	check(!strcmp(with(&k, HID_LCTRL, 0x06), "\x03") && !strcmp(with(&k, HID_RCTRL, 0x0f), "\x0c"),
	      "us: Ctrl-C is 3, Ctrl-L is 12");
	check(!strcmp(typed(&k, HID_ENTER), "\n") && !strcmp(typed(&k, HID_BACKSPACE), "\b") &&
		      !strcmp(typed(&k, HID_KP_ENTER), "\n") && !strcmp(typed(&k, HID_SPACE), " "),
	      "Enter, keypad Enter, Backspace, Space");
	char want[32];
	snprintf(want, sizeof want, "<%d>", KEY_UP);
	check(!strcmp(typed(&k, HID_UP), want), "Up arrow -> KEY_UP");
	snprintf(want, sizeof want, "<%d>", KEY_DELETE);
	check(!strcmp(typed(&k, HID_DELETE), want), "Delete -> KEY_DELETE");
	check(!strcmp(typed(&k, HID_KP_1 + 6), "7"), "keypad 7 with Num Lock");
	typed(&k, HID_NUMLOCK);
	snprintf(want, sizeof want, "<%d>", KEY_HOME);
	check(!strcmp(typed(&k, HID_KP_1 + 6), want), "keypad 7 without Num Lock -> Home");
	typed(&k, HID_CAPSLOCK);
	check(!strcmp(typed(&k, HID_A), "A") && !strcmp(with(&k, HID_LSHIFT, HID_A), "a") &&
		      !strcmp(typed(&k, HID_1), "1"),
	      "Caps Lock: letters upper, Shift lowers them, digits unchanged");
	typed(&k, HID_CAPSLOCK);
	check(!strcmp(with(&k, HID_RALT, HID_A), "a"), "us: right Alt is plain Alt");
	check(!strcmp(typed(&k, 0xe8), "") && !strcmp(typed(&k, HID_F1), ""),
	      "unmapped keys type nothing");

	keys_init(&k, keymap_find("uk", 2));
	check(!strcmp(with(&k, HID_LSHIFT, HID_1 + 2), "£") && !strcmp(with(&k, HID_LSHIFT, 0x34), "@") &&
		      !strcmp(typed(&k, 0x32), "#") && !strcmp(with(&k, HID_RALT, HID_1 + 3), "€"),
	      "uk: Shift-3 = £, Shift-' = @, # key, AltGr-4 = €");

	keys_init(&k, keymap_find("de", 2));
	check(!strcmp(typed(&k, 0x1c), "z") && !strcmp(typed(&k, 0x1d), "y") &&
		      !strcmp(typed(&k, 0x2d), "ß") && !strcmp(typed(&k, 0x33), "ö") &&
		      !strcmp(with(&k, HID_LSHIFT, 0x34), "Ä"),
	      "de: QWERTZ, ß, ö, Shift-ä = Ä");
	check(!strcmp(with(&k, HID_RALT, 0x14), "@") && !strcmp(with(&k, HID_RALT, HID_1 + 7), "[") &&
		      !strcmp(with(&k, HID_RALT, HID_ISO), "|") && !strcmp(with(&k, HID_RALT, HID_A), ""),
	      "de: AltGr-q = @, AltGr-8 = [, AltGr-< = |, AltGr-a nothing");
	typed(&k, HID_CAPSLOCK);
	check(!strcmp(typed(&k, 0x2f), "Ü") && !strcmp(typed(&k, 0x2d), "ß"), "de: Caps Lock ü -> Ü, ß stays");
	typed(&k, HID_CAPSLOCK);
	check(!strcmp(with(&k, HID_LCTRL, 0x1d), "\x19"), "de: Ctrl on the y key (QWERTZ) is Ctrl-Y");

	keys_init(&k, keymap_find("fr", 2));
	check(!strcmp(typed(&k, 0x14), "a") && !strcmp(typed(&k, HID_A), "q") &&
		      !strcmp(typed(&k, 0x33), "m") && !strcmp(typed(&k, 0x10), ","),
	      "fr: AZERTY letters");
	check(!strcmp(typed(&k, HID_1 + 1), "é") && !strcmp(with(&k, HID_LSHIFT, HID_1 + 1), "2") &&
		      !strcmp(with(&k, HID_RALT, HID_0), "@") && !strcmp(typed(&k, 0x34), "ù"),
	      "fr: é, Shift-é = 2, AltGr-à = @, ù");
	check(!strcmp(with(&k, HID_LCTRL, 0x14), "\x01"), "fr: Ctrl on the a key (AZERTY) is Ctrl-A");
}

/* ---- HID boot reports -------------------------------------------------- */

static char ev[256];

static void rec(void *ctx, uint8_t usage, bool down)
{
	(void)ctx;
	size_t n = strlen(ev);
	snprintf(ev + n, sizeof ev - n, "%s%02x ", down ? "+" : "-", usage);
}

static void report(struct hid_kbd *h, uint64_t t, uint8_t mods, uint8_t k0, uint8_t k1)
{
	uint8_t r[8] = { mods, 0, k0, k1, 0, 0, 0, 0 };
	hid_kbd_report(h, r, 8, t, rec, NULL);
}

static void test_hid(void)
{
	struct hid_kbd h;
	memset(&h, 0, sizeof h);

	ev[0] = 0;
	report(&h, 0, 0x02, 0x04, 0);  /* Shift + a */
	report(&h, 50, 0x02, 0x04, 0x05); /* + b */
	report(&h, 80, 0x00, 0x05, 0); /* Shift and a up */
	report(&h, 90, 0x00, 0, 0);
	check(!strcmp(ev, "+e1 +04 +05 -e1 -04 -05 "), "hid: press/release order (%s)", ev);

	ev[0] = 0;
	hid_kbd_tick(&h, 2000, rec, NULL);
	check(!ev[0], "hid: nothing repeats when no key is held");
	report(&h, 1000, 0, 0x04, 0);
	hid_kbd_tick(&h, 1499, rec, NULL);
	check(!strcmp(ev, "+04 "), "hid: no repeat before %d ms", HID_REPEAT_DELAY_MS);
	hid_kbd_tick(&h, 1500, rec, NULL);
	hid_kbd_tick(&h, 1520, rec, NULL);
	hid_kbd_tick(&h, 1533, rec, NULL);
	check(!strcmp(ev, "+04 +04 +04 "), "hid: repeats at %d ms, then every %d ms (%s)",
	      HID_REPEAT_DELAY_MS, HID_REPEAT_MS, ev);
	ev[0] = 0;
	hid_kbd_tick(&h, 9000, rec, NULL);
	hid_kbd_tick(&h, 9001, rec, NULL);
	check(!strcmp(ev, "+04 "), "hid: a late poll gives one repeat, not a burst");
	ev[0] = 0;
	report(&h, 9010, 0x02, 0x04, 0); /* Shift while a repeats */
	hid_kbd_tick(&h, 9100, rec, NULL);
	check(!strcmp(ev, "+e1 +04 "), "hid: the key keeps repeating across a modifier (%s)", ev);
	ev[0] = 0;
	report(&h, 9200, 0x02, 0x04, 0x06); /* c pressed: c repeats now */
	hid_kbd_tick(&h, 9700, rec, NULL);
	report(&h, 9710, 0x02, 0x04, 0);  /* c released: repeat stops */
	hid_kbd_tick(&h, 12000, rec, NULL);
	check(!strcmp(ev, "+06 +06 -06 "), "hid: the newest key repeats, and stops on release (%s)", ev);

	ev[0] = 0;
	uint8_t phantom[8] = { 0x02, 0, 1, 1, 1, 1, 1, 1 };
	hid_kbd_report(&h, phantom, 8, 12100, rec, NULL);
	hid_kbd_report(&h, phantom, 5, 12100, rec, NULL);
	check(!ev[0], "hid: phantom and short reports ignored");
	hid_kbd_release_all(&h, rec, NULL);
	hid_kbd_tick(&h, 20000, rec, NULL);
	check(!strcmp(ev, "-e1 -04 "), "hid: unplugging releases every key (%s)", ev);
	ev[0] = 0;
	report(&h, 30000, 0, HID_CAPSLOCK, 0);
	hid_kbd_tick(&h, 31000, rec, NULL);
	check(!strcmp(ev, "+39 "), "hid: Caps Lock does not repeat");
}

int main(void)
{
	test_keymap();
	test_hid();
	return n_fail ? 1 : 0;
}

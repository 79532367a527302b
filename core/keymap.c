/* Keyboard layouts and the modifier state (core/keymap.h). */
#include "core/input.h"
#include "core/keymap.h"

/*
 * A layout is three UTF-8 strings over the character keys in usage order:
 * the 26 letter keys (0x04..0x1d), the 10 digit keys (0x1e..0x27), the 12
 * punctuation keys (0x2d..0x38) and the ISO key (0x64), 49 characters in
 * all; plus AltGr as pairs "plain character, AltGr character" (the plain
 * characters of a layout are distinct).
 */
#define KM_CHARS 49

struct keymap {
	const char *name;
	const char *plain;
	const char *shift;
	const char *altgr; /* NULL: right Alt is just Alt */
};

static const struct keymap keymaps[] = {
	{"us",
	 "abcdefghijklmnopqrstuvwxyz" "1234567890" "-=[]\\\\;'`,./" "\\",
	 "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "!@#$%^&*()" "_+{}||:\"~<>?" "|",
	 NULL},
	{"uk",
	 "abcdefghijklmnopqrstuvwxyz" "1234567890" "-=[]##;'`,./" "\\",
	 "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "!\"£$%^&*()" "_+{}~~:@¬<>?" "|",
	 "4€`¦"},
	{"de",
	 "abcdefghijklmnopqrstuvwxzy" "1234567890" "ß´ü+##öä^,.-" "<",
	 "ABCDEFGHIJKLMNOPQRSTUVWXZY" "!\"§$%&/()=" "?`Ü*''ÖÄ°;:_" ">",
	 "2²3³7{8[9]0}ß\\q@e€+~<|mµ"},
	{"fr",
	 "qbcdefghijkl,noparstuvzxyw" "&é\"'(-è_çà" ")=^$**mù²;:!" "<",
	 "QBCDEFGHIJKL?NOPARSTUVZXYW" "1234567890" "°+¨£µµM%²./§" ">",
	 "é~\"#'{([-|è`_\\ç^à@)]=}$¤e€"},
};
#define N_KEYMAPS (sizeof keymaps / sizeof keymaps[0])

const struct keymap *keymap_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_KEYMAPS; i++) {
		const char *n = keymaps[i].name;
		size_t j = 0;
		while (j < len && n[j] && (name[j] | 0x20) == n[j])
			j++;
		if (j == len && !n[j])
			return &keymaps[i];
	}
	return NULL;
}

const struct keymap *keymap_default(void)
{
	return &keymaps[0];
}

const char *keymap_name(const struct keymap *m)
{
	return m->name;
}

const char *keymap_list(void)
{
	return "us uk de fr";
}

/* The code point starting at *s; advances *s. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = p[0];
	int n = 0;
	if (c >= 0xf0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		n = 2;
	} else if (c >= 0xc0) {
		c &= 0x1f;
		n = 1;
	}
	p++;
	for (int i = 0; i < n && (*p & 0xc0) == 0x80; i++)
		c = c << 6 | (*p++ & 0x3f);
	*s = (const char *)p;
	return c;
}

/* The i-th code point of s (0 past the end). */
static uint32_t utf8_at(const char *s, int i)
{
	uint32_t c = 0;
	for (int k = 0; k <= i; k++) {
		if (!*s)
			return 0;
		c = utf8_next(&s);
	}
	return c;
}

/* Index of a character key in the layout strings, or -1. */
static int km_index(uint8_t usage)
{
	if (usage >= HID_A && usage <= HID_0)
		return usage - HID_A;
	if (usage >= 0x2d && usage <= 0x38)
		return 36 + (usage - 0x2d);
	if (usage == HID_ISO)
		return 48;
	return -1;
}

/* The AltGr character for plain character c, 0 if none. */
static uint32_t km_altgr(const char *pairs, uint32_t c)
{
	while (*pairs) {
		uint32_t from = utf8_next(&pairs);
		if (!*pairs)
			break;
		uint32_t to = utf8_next(&pairs);
		if (from == c)
			return to;
	}
	return 0;
}

static bool is_lower(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7);
}

static bool is_upper(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}

/* Appends c as UTF-8 bytes to out; returns the new count. */
static int put_utf8(int *out, int n, uint32_t c)
{
	if (c < 0x80) {
		out[n++] = (int)c;
	} else if (c < 0x800) {
		out[n++] = 0xc0 | (int)(c >> 6);
		out[n++] = 0x80 | (int)(c & 0x3f);
	} else {
		out[n++] = 0xe0 | (int)(c >> 12);
		out[n++] = 0x80 | (int)((c >> 6) & 0x3f);
		out[n++] = 0x80 | (int)(c & 0x3f);
	}
	return n;
}

void keys_init(struct keys *k, const struct keymap *map)
{
	k->map = map ? map : keymap_default();
	k->mods = 0;
	k->caps = false;
	k->num = true;
}

void keys_up(struct keys *k, uint8_t usage)
{
	if (usage >= HID_LCTRL && usage <= HID_RGUI)
		k->mods &= (uint8_t)~(1u << (usage - HID_LCTRL));
}

/* Keys that type the same on every layout; -1 if usage is not one. */
static int fixed_key(const struct keys *k, uint8_t usage)
{
	static const int nav[] = {
		[HID_HOME - HID_INSERT] = KEY_HOME,   [HID_PGUP - HID_INSERT] = KEY_PGUP,
		[HID_DELETE - HID_INSERT] = KEY_DELETE, [HID_END - HID_INSERT] = KEY_END,
		[HID_PGDN - HID_INSERT] = KEY_PGDN,   [HID_RIGHT - HID_INSERT] = KEY_RIGHT,
		[HID_LEFT - HID_INSERT] = KEY_LEFT,   [HID_DOWN - HID_INSERT] = KEY_DOWN,
		[HID_UP - HID_INSERT] = KEY_UP,
	};
	/* keypad 1..9, 0, '.' without Num Lock */
	static const int kp_nav[] = { KEY_END, KEY_DOWN, KEY_PGDN, KEY_LEFT, 0, KEY_RIGHT,
				      KEY_HOME, KEY_UP, KEY_PGUP, 0, KEY_DELETE };

	switch (usage) {
	case HID_ENTER:
	case HID_KP_ENTER:
		return '\n';
	case HID_ESC:
		return KEY_ESC;
	case HID_BACKSPACE:
		return '\b';
	case HID_TAB:
		return '\t';
	case HID_SPACE:
		return ' ';
	case HID_KP_SLASH:
		return '/';
	case HID_KP_SLASH + 1:
		return '*';
	case HID_KP_SLASH + 2:
		return '-';
	case HID_KP_SLASH + 3:
		return '+';
	default:
		break;
	}
	if (usage >= HID_INSERT && usage <= HID_UP)
		return nav[usage - HID_INSERT] ? nav[usage - HID_INSERT] : 0;
	if (usage >= HID_KP_1 && usage <= HID_KP_DOT) {
		int i = usage - HID_KP_1;
		if (k->num)
			return i < 9 ? '1' + i : (i == 9 ? '0' : '.');
		return kp_nav[i];
	}
	return -1;
}

int keys_down(struct keys *k, uint8_t usage, int out[KEYS_OUT_MAX])
{
	if (usage >= HID_LCTRL && usage <= HID_RGUI) {
		k->mods |= (uint8_t)(1u << (usage - HID_LCTRL));
		return 0;
	}
	if (usage == HID_CAPSLOCK) {
		k->caps = !k->caps;
		return 0;
	}
	if (usage == HID_NUMLOCK) {
		k->num = !k->num;
		return 0;
	}
	int f = fixed_key(k, usage);
	if (f >= 0) {
		if (!f)
			return 0;
		out[0] = f;
		return 1;
	}
	int i = km_index(usage);
	if (i < 0)
		return 0;
	const struct keymap *m = k->map;
	uint32_t plain = utf8_at(m->plain, i), c;
	if ((k->mods & KEYMAP_MOD_ALTGR) && m->altgr) {
		c = km_altgr(m->altgr, plain);
	} else {
		c = (k->mods & KEYMAP_MOD_SHIFT) ? utf8_at(m->shift, i) : plain;
		if (k->caps && is_lower(c))
			c -= 0x20;
		else if (k->caps && is_upper(c))
			c += 0x20;
	}
	if (!c)
		return 0;
	if ((k->mods & KEYMAP_MOD_CTRL) && (plain | 0x20) >= 'a' && (plain | 0x20) <= 'z') {
		out[0] = (int)((plain | 0x20) - 'a' + 1);
		return 1;
	}
	return put_utf8(out, 0, c);
}

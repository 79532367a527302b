/* i8042 PS/2 keyboard, polled (see dev/i8042.h). */
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/input.h"
#include "core/keymap.h"
#include "core/kprintf.h"
#include "core/poll.h"
#include "core/timer.h"
#include "core/x86.h"
#include "dev/i8042.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64
#define I8042_CMD 0x64
#define ST_OUT_FULL 0x01
#define ST_IN_FULL 0x02
#define ST_AUX 0x20 /* the byte is from the mouse */


static bool present, keyboard;
static bool ext;     /* after E0 */
static int skip;     /* bytes left of a Pause (E1) sequence */

/* Scancode set 1 -> HID usage: plain codes 0x00..0x58, then E0 codes. */
static const uint8_t set1[0x59] = {
	0, 0x29, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2d, 0x2e, 0x2a, 0x2b,
	0x14, 0x1a, 0x08, 0x15, 0x17, 0x1c, 0x18, 0x0c, 0x12, 0x13, 0x2f, 0x30, 0x28, 0xe0, 0x04, 0x16,
	0x07, 0x09, 0x0a, 0x0b, 0x0d, 0x0e, 0x0f, 0x33, 0x34, 0x35, 0xe1, 0x31, 0x1d, 0x1b, 0x06, 0x19,
	0x05, 0x11, 0x10, 0x36, 0x37, 0x38, 0xe5, 0x55, 0xe2, 0x2c, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e,
	0x3f, 0x40, 0x41, 0x42, 0x43, 0x53, 0x47, 0x5f, 0x60, 0x61, 0x56, 0x5c, 0x5d, 0x5e, 0x57, 0x59,
	0x5a, 0x5b, 0x62, 0x63, 0, 0, 0x64, 0x44, 0x45,
};

static uint8_t set1_ext(uint8_t code)
{
	switch (code) {
	case 0x1c: return 0x58; /* keypad Enter */
	case 0x1d: return 0xe4; /* right Ctrl */
	case 0x35: return 0x54; /* keypad / */
	case 0x38: return 0xe6; /* AltGr */
	case 0x47: return 0x4a; /* Home */
	case 0x48: return 0x52; /* Up */
	case 0x49: return 0x4b; /* Page Up */
	case 0x4b: return 0x50; /* Left */
	case 0x4d: return 0x4f; /* Right */
	case 0x4f: return 0x4d; /* End */
	case 0x50: return 0x51; /* Down */
	case 0x51: return 0x4e; /* Page Down */
	case 0x52: return 0x49; /* Insert */
	case 0x53: return 0x4c; /* Delete */
	case 0x5b: return 0xe3; /* left GUI */
	case 0x5c: return 0xe7; /* right GUI */
	default: return 0;      /* E0 2A / E0 36 (fake shifts) and the rest */
	}
}

static void scancode(uint8_t sc)
{
	if (skip) {
		skip--;
		return;
	}
	if (sc == 0xe0) {
		ext = true;
		return;
	}
	if (sc == 0xe1) {
		skip = 5; /* Pause: E1 1D 45 E1 9D C5 */
		return;
	}
	if (sc == 0xfa || sc == 0xfe || sc == 0x00 || sc == 0xff)
		return; /* ACK, resend, errors (0xAA is also left Shift's break code) */
	bool up = sc & 0x80;
	uint8_t code = sc & 0x7f, usage;
	usage = ext ? set1_ext(code) : code < sizeof set1 ? set1[code] : 0;
	ext = false;
	if (usage)
		input_key(usage, !up);
}

static void i8042_poll(void)
{
	for (int i = 0; i < 16; i++) {
		uint8_t st = inb(I8042_STATUS);
		if (!(st & ST_OUT_FULL))
			return;
		uint8_t b = inb(I8042_DATA);
		if (!(st & ST_AUX))
			scancode(b);
	}
}

/* ---- initialisation ---------------------------------------------------- */

static bool wait_write(void)
{
	for (int i = 0; i < 5000; i++) { /* 50 ms */
		if (!(inb(I8042_STATUS) & ST_IN_FULL))
			return true;
		timer_udelay(10);
	}
	return false;
}

/* A byte from the controller or the keyboard within ms, or -1. */
static int read_data(unsigned ms)
{
	for (unsigned i = 0; i < ms * 100; i++) {
		if (inb(I8042_STATUS) & ST_OUT_FULL)
			return inb(I8042_DATA);
		timer_udelay(10);
	}
	return -1;
}

static bool ctl_cmd(uint8_t c)
{
	if (!wait_write())
		return false;
	outb(I8042_CMD, c);
	return true;
}

static bool ctl_write(uint8_t c, uint8_t arg)
{
	if (!ctl_cmd(c) || !wait_write())
		return false;
	outb(I8042_DATA, arg);
	return true;
}

static void flush(void)
{
	for (int i = 0; i < 32 && (inb(I8042_STATUS) & ST_OUT_FULL); i++) {
		(void)inb(I8042_DATA);
		timer_udelay(10);
	}
}

/* Sends b to the keyboard; true when it acknowledged (resends on FE). */
static bool kbd_send(uint8_t b)
{
	for (int tries = 0; tries < 3; tries++) {
		if (!wait_write())
			return false;
		outb(I8042_DATA, b);
		int r = read_data(250);
		if (r == 0xfa)
			return true;
		if (r != 0xfe)
			return false;
	}
	return false;
}

/* What the FADT says: 1 an 8042 is there, 0 it is not, -1 unknown. */
static int fadt_8042(const struct acpi_info *acpi)
{
	if (!acpi->fadt.present || !acpi->fadt.has_boot_arch)
		return -1;
	return acpi->fadt.boot_arch & ACPI_BOOT_8042 ? 1 : 0;
}

static const char *i8042_setup(void)
{
	int cfg;
	if (!ctl_cmd(0xad) || !ctl_cmd(0xa7)) /* step 1 */
		return "controller does not take commands";
	flush();
	if (!ctl_cmd(0x20) || (cfg = read_data(50)) < 0) /* step 2 */
		return "no configuration byte";
	cfg = (cfg & ~0x13) | 0x40; /* IRQ 1, IRQ 12, port 1 clock off bits; translation */
	if (!ctl_write(0x60, (uint8_t)cfg))
		return "configuration not written";
	if (!ctl_cmd(0xaa) || read_data(100) != 0x55) /* step 3 */
		return "self-test failed";
	ctl_write(0x60, (uint8_t)cfg);
	if (!ctl_cmd(0xab) || read_data(100) != 0x00)
		return "keyboard port test failed";
	if (!ctl_cmd(0xae)) /* step 4 */
		return "keyboard port not enabled";
	flush();
	keyboard = kbd_send(0xf4);
	flush();
	return NULL;
}

void i8042_init(const struct acpi_info *acpi)
{
	int fadt = fadt_8042(acpi);
	if (fadt == 0) {
		kprintf("ps2: none (ACPI FADT)\n");
		return;
	}
	if (inb(I8042_STATUS) == 0xff) {
		kprintf("ps2: none (no controller answers)\n");
		return;
	}
	const char *err = i8042_setup();
	if (err) {
		kprintf("ps2: %s: not used\n", err);
		return;
	}
	present = true;
	poll_register("ps2", i8042_poll);
	kprintf("ps2: controller%s, %s\n", fadt < 0 ? " (no FADT flag: probed)" : "",
		keyboard ? "keyboard" : "no keyboard answers");
}

bool i8042_keyboard(void)
{
	return present && keyboard;
}

/*
 * Host test of dev/usb_desc.c, the configuration descriptor parser the USB
 * enumeration trusts: QEMU's usb-kbd and usb-hub descriptors, a composite
 * keyboard (boot keyboard + consumer-control interface, alternate settings),
 * and truncated or corrupted copies (each parse reads a heap copy of exactly
 * the given length, so `make asan` catches a read past it).
 */
#include <stdlib.h>
#include <string.h>

#include "dev/usb_desc.c"
#include "tests/unit/check.h"
#include "tests/unit/rng.h"

/* QEMU usb-kbd: config, interface 0 (HID boot keyboard), HID, endpoint 0x81 */
static const uint8_t kbd_cfg[] = {
	9, 2, 34, 0, 1, 1, 4, 0xa0, 50,
	9, 4, 0, 0, 1, 3, 1, 1, 0,
	9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,
	7, 5, 0x81, 3, 8, 0, 7,
};

/* QEMU usb-hub: config, interface (class 9), endpoint 0x81 interrupt */
static const uint8_t hub_cfg[] = {
	9, 2, 25, 0, 1, 1, 0, 0xe0, 0,
	9, 4, 0, 0, 1, 9, 0, 0, 0,
	7, 5, 0x81, 3, 2, 0, 0xff,
};

/* composite: interface 0 alt 0 consumer control (HID, no boot), its alt 1
 * with an endpoint, then interface 1: a boot keyboard, bulk OUT before the
 * interrupt IN endpoint */
static const uint8_t combo_cfg[] = {
	9, 2, 73, 0, 2, 3, 0, 0xa0, 50,
	9, 4, 0, 0, 1, 3, 0, 0, 0,
	7, 5, 0x82, 3, 4, 0, 10,
	9, 4, 0, 1, 1, 3, 1, 1, 0,
	7, 5, 0x83, 3, 8, 0, 10,
	9, 4, 1, 0, 2, 3, 1, 1, 0,
	9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,
	7, 5, 0x02, 2, 64, 0, 0,
	7, 5, 0x81, 3, 8, 0, 4,
};

static bool parse(const uint8_t *b, size_t n, struct usb_config *c)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, b, n);
	bool ok = usb_parse_config(copy, n, c);
	free(copy);
	return ok;
}

int main(void)
{
	struct usb_config c;

	check(parse(kbd_cfg, sizeof kbd_cfg, &c) && c.value == 1 && c.n_ifaces == 1 &&
		      c.iface[0].cls == 3 && c.iface[0].subcls == 1 && c.iface[0].proto == 1 &&
		      c.iface[0].has_int_in && c.iface[0].int_in.addr == 0x81 &&
		      c.iface[0].int_in.mps == 8 && c.iface[0].int_in.interval == 7,
	      "usb: QEMU usb-kbd: boot keyboard interface, interrupt IN 0x81, 8 bytes, 7 ms");
	check(parse(hub_cfg, sizeof hub_cfg, &c) && c.n_ifaces == 1 && c.iface[0].cls == 9 &&
		      c.iface[0].has_int_in && c.iface[0].int_in.mps == 2,
	      "usb: QEMU usb-hub: hub interface with its status-change endpoint");
	check(parse(combo_cfg, sizeof combo_cfg, &c) && c.n_ifaces == 2 && c.value == 3 &&
		      c.iface[0].subcls == 0 && c.iface[0].int_in.addr == 0x82 &&
		      c.iface[1].number == 1 && c.iface[1].proto == 1 &&
		      c.iface[1].int_in.addr == 0x81 && c.iface[1].int_in.interval == 4,
	      "usb: composite device: alternate settings skipped, bulk endpoints passed over");

	/* wTotalLength shorter than the buffer bounds the walk */
	uint8_t cut[sizeof kbd_cfg];
	memcpy(cut, kbd_cfg, sizeof cut);
	cut[2] = 18;
	check(parse(cut, sizeof cut, &c) && c.n_ifaces == 1 && !c.iface[0].has_int_in,
	      "usb: wTotalLength bounds the walk");
	check(!parse(kbd_cfg, 8, &c) && !parse(hub_cfg + 9, sizeof hub_cfg - 9, &c),
	      "usb: a short buffer or a non-configuration descriptor is refused");
	memcpy(cut, kbd_cfg, sizeof cut);
	cut[18] = 0; /* a zero-length descriptor */
	check(parse(cut, sizeof cut, &c) && c.n_ifaces == 1 && !c.iface[0].has_int_in,
	      "usb: a zero bLength ends the walk");

	/* every truncation and random corruption: no crash, no overread */
	bool sane = true;
	for (size_t n = 0; n <= sizeof combo_cfg; n++) {
		parse(combo_cfg, n, &c);
		sane &= c.n_ifaces <= USB_MAX_IFACES;
	}
	for (int i = 0; i < 20000; i++) {
		uint8_t b[96];
		size_t n = rnd() % sizeof b;
		memcpy(b, combo_cfg, n < sizeof combo_cfg ? n : sizeof combo_cfg);
		for (int k = 0; k < 4; k++)
			b[rnd() % sizeof b] = (uint8_t)rnd();
		if (i & 1)
			for (size_t k = 0; k < n; k++)
				b[k] = (uint8_t)rnd();
		parse(b, n, &c);
		sane &= c.n_ifaces <= USB_MAX_IFACES;
	}
	check(sane, "usb: truncated and corrupted descriptors parse within bounds");
	return n_fail ? 1 : 0;
}

/* USB HID keyboards in the boot protocol (see dev/usb.h, dev/hid_kbd.h). */
#include <stdlib.h>

#include "core/input.h"
#include "core/timer.h"
#include "dev/hid_kbd.h"
#include "dev/usb.h"
#include "dev/xhci.h"

#define HID_SET_IDLE 0x0a
#define HID_SET_PROTOCOL 0x0b
#define HID_PROTO_BOOT 0

static int n_kbds;

struct usb_kbd {
	struct hid_kbd hid;
	uint16_t len; /* transfer size: the endpoint's packet, 8..64 bytes */
};

static void kbd_key(void *ctx, uint8_t usage, bool down)
{
	(void)ctx;
	input_key(usage, down);
}

static void kbd_intr_done(struct usb_dev *d, size_t len)
{
	struct usb_kbd *k = d->priv;
	hid_kbd_report(&k->hid, xhci_dev_intr_buf(d), len, timer_now_ns() / 1000000, kbd_key, NULL);
	xhci_dev_intr_submit(d, k->len);
}

static void kbd_poll(struct usb_dev *d, uint64_t now_ms)
{
	struct usb_kbd *k = d->priv;
	hid_kbd_tick(&k->hid, now_ms, kbd_key, NULL);
}

static void kbd_detach(struct usb_dev *d)
{
	struct usb_kbd *k = d->priv;
	hid_kbd_release_all(&k->hid, kbd_key, NULL);
	free(k);
	d->priv = NULL;
	n_kbds--;
}

static const struct usb_driver kbd_driver = {
	.name = "keyboard",
	.intr_done = kbd_intr_done,
	.poll = kbd_poll,
	.detach = kbd_detach,
};

bool usb_kbd_probe(struct usb_dev *d, const struct usb_config *cfg)
{
	const struct usb_iface *it = NULL;
	for (int i = 0; i < cfg->n_ifaces && !it; i++) {
		const struct usb_iface *f = &cfg->iface[i];
		if (f->cls == USB_CLASS_HID && f->subcls == 1 && f->proto == 1 && f->has_int_in)
			it = f;
	}
	if (!it)
		return false;
	struct usb_kbd *k = calloc(1, sizeof *k);
	if (!k)
		return false;
	/* the whole packet, so a keyboard that sends more than 8 bytes does
	 * not babble; hid_kbd_report reads the first 8 */
	k->len = it->int_in.mps < HID_BOOT_REPORT ? HID_BOOT_REPORT : it->int_in.mps > 64 ? 64 : it->int_in.mps;
	if (xhci_dev_configure(d, &it->int_in, 0, 0, false) < 0 ||
	    usb_control(d, 0, USB_REQ_SET_CONFIGURATION, cfg->value, 0, NULL, 0) < 0) {
		usb_log("%s: keyboard cannot be configured\n", d->name);
		free(k);
		return true; /* claimed all the same: nobody else wants it */
	}
	/* boot reports, sent on change only; keyboards that refuse either
	 * (a stall) are often in that state already */
	usb_control(d, USB_RT_CLASS | USB_RT_IFACE, HID_SET_PROTOCOL, HID_PROTO_BOOT, it->number, NULL, 0);
	usb_control(d, USB_RT_CLASS | USB_RT_IFACE, HID_SET_IDLE, 0, it->number, NULL, 0);
	d->priv = k;
	d->drv = &kbd_driver;
	n_kbds++;
	xhci_dev_intr_submit(d, k->len);
	usb_log("%s: keyboard %04x:%04x\n", d->name, d->desc.vendor, d->desc.product);
	return true;
}

int usb_kbd_count(void)
{
	return n_kbds;
}

/* USB enumeration above the host controller (see dev/usb.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "dev/usb.h"
#include "dev/xhci.h"

void usb_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_async_begin();
	kvprintf(fmt, ap);
	console_async_end();
	va_end(ap);
}

int usb_control(struct usb_dev *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
		void *data, uint16_t len)
{
	uint8_t setup[8] = { rt, req, (uint8_t)value, (uint8_t)(value >> 8),
			     (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len, (uint8_t)(len >> 8) };
	return xhci_dev_control(d, setup, data, len);
}

static int get_desc(struct usb_dev *d, uint8_t type, void *buf, uint16_t len)
{
	return usb_control(d, USB_RT_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8), 0, buf, len);
}

static const char *class_name(uint8_t cls)
{
	switch (cls) {
	case 0x01: return "audio";
	case 0x02: return "communications";
	case 0x03: return "HID";
	case 0x07: return "printer";
	case 0x08: return "mass storage";
	case 0x09: return "hub";
	case 0x0a: return "CDC data";
	case 0x0b: return "smart card";
	case 0x0e: return "video";
	case 0xe0: return "wireless";
	case 0xef: return "composite";
	default: return "device";
	}
}

/* Steps 2-4 of dev/usb.h: descriptors, then a class driver. */
static bool usb_describe(struct usb_dev *d)
{
	static uint8_t cbuf[1024];
	struct usb_config cfg;

	if (get_desc(d, USB_DT_DEVICE, &d->desc, 8) < 0) {
		usb_log("%s: no device descriptor\n", d->name);
		return false;
	}
	/* endpoint 0 started at 8 bytes (64 at high speed, 512 at super speed) */
	uint8_t mps0 = d->desc.mps0;
	if (d->speed < USB_SUPER && mps0 != (d->speed == USB_HIGH ? 64 : 8) &&
	    (mps0 == 8 || mps0 == 16 || mps0 == 32 || mps0 == 64) && xhci_dev_set_mps0(d, mps0) < 0) {
		usb_log("%s: endpoint 0 size not accepted\n", d->name);
		return false;
	}
	if (get_desc(d, USB_DT_DEVICE, &d->desc, 18) < 0 || get_desc(d, USB_DT_CONFIG, cbuf, 9) < 0) {
		usb_log("%s: descriptors unreadable\n", d->name);
		return false;
	}
	uint16_t total = (uint16_t)(cbuf[2] | cbuf[3] << 8);
	if (total > sizeof cbuf)
		total = sizeof cbuf;
	if (total < 9 || get_desc(d, USB_DT_CONFIG, cbuf, total) < 0 ||
	    !usb_parse_config(cbuf, total, &cfg)) {
		usb_log("%s: bad configuration descriptor\n", d->name);
		return false;
	}
	if (usb_hub_probe(d, &cfg) || usb_kbd_probe(d, &cfg))
		return true;
	uint8_t cls = d->desc.cls ? d->desc.cls : cfg.n_ifaces ? cfg.iface[0].cls : 0;
	usb_log("%s: %04x:%04x %s, not used\n", d->name, d->desc.vendor, d->desc.product,
		class_name(cls));
	return true;
}

struct usb_dev *usb_attach(struct xhci *hc, struct usb_dev *parent, uint8_t port, uint8_t speed)
{
	struct usb_dev *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->hc = hc;
	d->speed = speed;
	d->port = port;
	d->parent = parent;
	if (parent) {
		d->root_port = parent->root_port;
		d->depth = (uint8_t)(parent->depth + 1);
		d->route = parent->route | (uint32_t)(port > 15 ? 15 : port) << (4 * parent->depth);
		if (parent->speed == USB_HIGH && speed <= USB_LOW) {
			d->tt_slot = (uint8_t)parent->slot; /* its transaction translator */
			d->tt_port = port;
		} else {
			d->tt_slot = parent->tt_slot;
			d->tt_port = parent->tt_port;
		}
		snprintf(d->name, sizeof d->name, "%s.%u", parent->name, port);
	} else {
		d->root_port = port;
		snprintf(d->name, sizeof d->name, "usb%d-%u", xhci_index(hc), port);
	}
	if (xhci_dev_address(d) < 0)
		goto fail;
	timer_udelay(2000); /* SET_ADDRESS recovery */
	if (!usb_describe(d))
		goto fail;
	return d;
fail:
	xhci_dev_free(d);
	free(d);
	return NULL;
}

void usb_detach(struct usb_dev *d)
{
	if (d->drv && d->drv->detach)
		d->drv->detach(d);
	xhci_dev_free(d);
	free(d);
}

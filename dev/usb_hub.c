/*
 * USB 2 hubs (class 9), one tier or more below a root port (dev/usb.h).
 * The hub's interrupt endpoint reports which ports changed (a bitmap, bit 0
 * the hub itself); the poll hook then reads those ports' status, clears the
 * change bits, and detaches a device that left or resets the port of one
 * that came. Nothing waits in the poller: the ports' power-good time, a
 * port's reset and its recovery time are deadlines looked at on later
 * polls, after which the new device is enumerated. USB 3 hubs are not
 * driven: their USB 2 half, on the matching USB 2 root port, carries
 * keyboards anyway.
 *   wPortStatus  0 connection, 1 enable, 4 reset, 8 power, 9 low speed,
 *                10 high speed;  wPortChange 0 connection, 4 reset
 */
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "dev/usb.h"
#include "dev/xhci.h"

#define HUB_MAX_PORTS 15 /* a route string nibble */
#define PORT_RESET 4
#define PORT_POWER 8
#define C_PORT_CONNECTION 16
#define C_PORT_RESET 20
#define ST_CONNECTION 0x0001
#define ST_ENABLE 0x0002
#define ST_LOW_SPEED 0x0200
#define ST_HIGH_SPEED 0x0400

#define HUB_RESET_MS 500
#define HUB_RECOVERY_MS 10

enum { HP_IDLE, HP_RESETTING, HP_RECOVERY };

struct usb_hub {
	int nports;
	uint16_t changed;   /* bit p: port p to look at */
	uint64_t ready_at;  /* ms: the ports' power is good */
	struct usb_dev *child[HUB_MAX_PORTS + 1];
	uint8_t state[HUB_MAX_PORTS + 1];   /* HP_* */
	uint8_t speed[HUB_MAX_PORTS + 1];   /* of the device in reset */
	uint64_t until[HUB_MAX_PORTS + 1];  /* ms: reset deadline, end of recovery */
};

static int port_status(struct usb_dev *d, unsigned p, uint16_t *st, uint16_t *ch)
{
	uint8_t b[4];
	int r = usb_control(d, USB_RT_IN | USB_RT_CLASS | USB_RT_OTHER, USB_REQ_GET_STATUS, 0,
			    (uint16_t)p, b, 4);
	*st = (uint16_t)(b[0] | b[1] << 8);
	*ch = (uint16_t)(b[2] | b[3] << 8);
	return r;
}

static int port_feature(struct usb_dev *d, uint8_t req, unsigned p, uint16_t feature)
{
	return usb_control(d, USB_RT_CLASS | USB_RT_OTHER, req, feature, (uint16_t)p, NULL, 0);
}

static uint8_t port_speed(uint16_t st)
{
	if (st & ST_LOW_SPEED)
		return USB_LOW;
	return (st & ST_HIGH_SPEED) ? USB_HIGH : USB_FULL;
}

/* A port in reset: once it reports the reset done and the recovery time
 * has passed, the device on it is enumerated. */
static void hub_port_service(struct usb_dev *d, struct usb_hub *h, unsigned p, uint64_t now)
{
	uint16_t st, ch;
	if (h->state[p] == HP_RESETTING) {
		if (port_status(d, p, &st, &ch) < 0 || !(st & ST_CONNECTION)) {
			h->state[p] = HP_IDLE;
			return;
		}
		if (ch & 0x10) { /* C_PORT_RESET */
			port_feature(d, USB_REQ_CLEAR_FEATURE, p, C_PORT_RESET);
			if (!(st & ST_ENABLE)) {
				usb_log("%s.%u: port does not enable\n", d->name, p);
				h->state[p] = HP_IDLE;
				return;
			}
			h->speed[p] = port_speed(st);
			h->state[p] = HP_RECOVERY;
			h->until[p] = now + HUB_RECOVERY_MS;
		} else if (now >= h->until[p]) {
			usb_log("%s.%u: port reset does not finish\n", d->name, p);
			h->state[p] = HP_IDLE;
		}
		return;
	}
	if (now < h->until[p])
		return;
	h->state[p] = HP_IDLE;
	h->child[p] = usb_attach(d->hc, d, (uint8_t)p, h->speed[p]);
}

static void hub_port_check(struct usb_dev *d, struct usb_hub *h, unsigned p, uint64_t now)
{
	uint16_t st, ch;
	if (port_status(d, p, &st, &ch) < 0)
		return;
	if (ch & 1)
		port_feature(d, USB_REQ_CLEAR_FEATURE, p, C_PORT_CONNECTION);
	for (unsigned f = 1; f <= 3; f++) /* enable, suspend, over-current changes */
		if (ch & (1u << f))
			port_feature(d, USB_REQ_CLEAR_FEATURE, p, (uint16_t)(C_PORT_CONNECTION + f));
	if (h->child[p] && (!(st & ST_CONNECTION) || (ch & 1))) {
		usb_log("%s: unplugged\n", h->child[p]->name);
		usb_detach(h->child[p]);
		h->child[p] = NULL;
	}
	if (!(st & ST_CONNECTION) || h->child[p] || h->state[p] != HP_IDLE)
		return;
	if (d->depth + 1 >= USB_MAX_DEPTH) {
		usb_log("%s.%u: too many hubs deep\n", d->name, p);
		return;
	}
	if (port_feature(d, USB_REQ_SET_FEATURE, p, PORT_RESET) < 0)
		return;
	h->state[p] = HP_RESETTING;
	h->until[p] = now + HUB_RESET_MS;
}

static void hub_intr_done(struct usb_dev *d, size_t len)
{
	struct usb_hub *h = d->priv;
	const uint8_t *b = xhci_dev_intr_buf(d);
	for (size_t i = 0; i < len && i < 2; i++)
		h->changed |= (uint16_t)(b[i] << (8 * i));
	xhci_dev_intr_submit(d, (uint16_t)((h->nports + 8) / 8));
}

static void hub_poll(struct usb_dev *d, uint64_t now_ms)
{
	struct usb_hub *h = d->priv;
	if (now_ms < h->ready_at)
		return; /* port power not good yet */
	while (h->changed & ~1u) {
		unsigned p = (unsigned)__builtin_ctz(h->changed & ~1u);
		h->changed &= (uint16_t)~(1u << p);
		if ((int)p <= h->nports)
			hub_port_check(d, h, p, now_ms);
	}
	h->changed &= (uint16_t)~1u;
	for (int p = 1; p <= h->nports && d->priv; p++)
		if (h->state[p] != HP_IDLE)
			hub_port_service(d, h, (unsigned)p, now_ms);
}

static bool hub_settling(struct usb_dev *d)
{
	struct usb_hub *h = d->priv;
	if (h->changed & ~1u)
		return true;
	for (int p = 1; p <= h->nports; p++)
		if (h->state[p] != HP_IDLE)
			return true;
	return false;
}

static void hub_detach(struct usb_dev *d)
{
	struct usb_hub *h = d->priv;
	for (int p = 1; p <= h->nports; p++) {
		if (h->child[p]) {
			usb_log("%s: unplugged\n", h->child[p]->name);
			usb_detach(h->child[p]);
		}
	}
	free(h);
	d->priv = NULL;
}

static const struct usb_driver hub_driver = {
	.name = "hub",
	.intr_done = hub_intr_done,
	.poll = hub_poll,
	.detach = hub_detach,
	.settling = hub_settling,
};

bool usb_hub_probe(struct usb_dev *d, const struct usb_config *cfg)
{
	uint8_t hd[9];
	if (d->desc.cls != USB_CLASS_HUB || !cfg->n_ifaces || !cfg->iface[0].has_int_in)
		return false;
	if (d->speed >= USB_SUPER) {
		usb_log("%s: USB 3 hub: its USB 2 half serves the keyboards\n", d->name);
		return true;
	}
	if (usb_control(d, USB_RT_IN | USB_RT_CLASS, USB_REQ_GET_DESCRIPTOR, USB_DT_HUB << 8, 0, hd,
			sizeof hd) < 0 || hd[1] != USB_DT_HUB || hd[2] == 0) {
		usb_log("%s: hub descriptor unreadable\n", d->name);
		return true;
	}
	struct usb_hub *h = calloc(1, sizeof *h);
	if (!h)
		return true;
	h->nports = hd[2] > HUB_MAX_PORTS ? HUB_MAX_PORTS : hd[2];
	uint8_t ttt = d->speed == USB_HIGH ? (uint8_t)((hd[3] >> 5) & 3) : 0;
	if (xhci_dev_configure(d, &cfg->iface[0].int_in, (uint8_t)h->nports, ttt, false) < 0 ||
	    usb_control(d, 0, USB_REQ_SET_CONFIGURATION, cfg->value, 0, NULL, 0) < 0) {
		usb_log("%s: hub cannot be configured\n", d->name);
		free(h);
		return true;
	}
	for (int p = 1; p <= h->nports; p++)
		port_feature(d, USB_REQ_SET_FEATURE, (unsigned)p, PORT_POWER);
	unsigned good_ms = hd[5] * 2u;
	h->ready_at = timer_now_ns() / 1000000 + (good_ms < 100 ? 100 : good_ms);
	d->priv = h;
	d->drv = &hub_driver;
	h->changed = (uint16_t)(((1u << h->nports) - 1) << 1); /* look at every port once */
	usb_log("%s: hub, %d ports\n", d->name, h->nports);
	xhci_dev_intr_submit(d, (uint16_t)((h->nports + 8) / 8));
	return true;
}

/*
 * xHCI device slots: contexts, endpoint 0 control transfers and the one
 * interrupt IN endpoint a class driver uses (dev/xhci.h).
 *
 * Contexts are 32 or 64 bytes (HCCPARAMS1.CSZ). The device context is the
 * slot context then endpoint contexts 1..31 (DCI = 2 * endpoint number +
 * 1 for IN, endpoint 0 is DCI 1); an input context puts the input control
 * context (drop flags, add flags) in front of the same layout.
 *   slot  dw0 route 19:0, speed 23:20, MTT 25, hub 26, entries 31:27
 *         dw1 root port 23:16, ports 31:24   dw2 TT slot 7:0, TT port 15:8,
 *         TT think time 17:16
 *   ep    dw0 interval 23:16   dw1 error count 2:1, type 5:3 (4 control,
 *         7 interrupt IN), max packet 31:16   dw2-3 dequeue | cycle
 *         dw4 average TRB length 15:0, max ESIT payload 31:16
 */
#include <string.h>

#include "core/timer.h"
#include "dev/usb.h"
#include "dev/xhci.h"
#include "dev/xhci_hw.h"

#define EP_TYPE_CONTROL 4
#define EP_TYPE_INT_IN 7
#define CTRL_TIMEOUT_MS 1000

static uint32_t *ctx(struct xhci *hc, void *base, unsigned i)
{
	return (uint32_t *)((uint8_t *)base + i * (hc->csz ? 64 : 32));
}

/* Input context: control (0), slot (1), endpoint DCI d (d + 1). */
static uint32_t *in_ctrl(struct xhci *hc, struct xhci_slot *s)
{
	memset(s->in_ctx, 0, 33 * (hc->csz ? 64 : 32));
	return ctx(hc, s->in_ctx, 0);
}

static void slot_release(struct xhci *hc, unsigned id)
{
	struct xhci_slot *s = &hc->slots[id];
	hc->dcbaa[id] = 0;
	xhci_free_page(s->out_ctx);
	xhci_free_page(s->in_ctx);
	xhci_free_page(s->ep0.trb);
	xhci_free_page(s->intr.trb);
	xhci_free_page(s->intr_buf);
	xhci_free_page(s->ctrl_buf);
	memset(s, 0, sizeof *s);
}

static uint16_t default_mps0(uint8_t speed)
{
	return speed >= USB_SUPER ? 512 : speed == USB_HIGH ? 64 : 8;
}

int xhci_dev_address(struct usb_dev *d)
{
	struct xhci *hc = d->hc;
	uint8_t id = 0;
	int cc = xhci_command(hc, 0, TRB_TYPE(TRB_ENABLE_SLOT), &id);
	if (cc != CC_SUCCESS || !id || id > hc->max_slots) {
		usb_log("%s: no device slot (completion code %d)\n", d->name, cc);
		return -1;
	}
	struct xhci_slot *s = &hc->slots[id];
	memset(s, 0, sizeof *s);
	s->out_ctx = xhci_alloc_page(hc);
	s->in_ctx = xhci_alloc_page(hc);
	s->ctrl_buf = xhci_alloc_page(hc);
	struct trb *ep0 = xhci_alloc_page(hc);
	if (!s->out_ctx || !s->in_ctx || !s->ctrl_buf || !ep0) {
		s->ep0.trb = ep0;
		usb_log("%s: out of memory\n", d->name);
		goto fail;
	}
	ring_init(&s->ep0, ep0);
	hc->dcbaa[id] = (uint64_t)(uintptr_t)s->out_ctx;

	uint32_t *ic = in_ctrl(hc, s), *sl = ctx(hc, s->in_ctx, 1), *ep = ctx(hc, s->in_ctx, 2);
	ic[1] = 0x3; /* add the slot and endpoint 0 */
	sl[0] = (d->route & 0xfffff) | (uint32_t)d->speed << 20 | 1u << 27;
	sl[1] = (uint32_t)d->root_port << 16;
	sl[2] = d->tt_slot | (uint32_t)d->tt_port << 8;
	ep[1] = 3u << 1 | EP_TYPE_CONTROL << 3 | (uint32_t)default_mps0(d->speed) << 16;
	uint64_t deq = (uint64_t)(uintptr_t)ep0 | 1;
	ep[2] = (uint32_t)deq;
	ep[3] = (uint32_t)(deq >> 32);
	ep[4] = 8;
	s->dev = d;
	d->slot = id;
	cc = xhci_command(hc, (uint64_t)(uintptr_t)s->in_ctx, TRB_TYPE(TRB_ADDRESS_DEV) | TRB_SLOT(id),
			  NULL);
	if (cc == CC_SUCCESS)
		return 0;
	usb_log("%s: Address Device failed (completion code %d)\n", d->name, cc);
fail:
	d->slot = 0;
	xhci_command(hc, 0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(id), NULL);
	slot_release(hc, id);
	return -1;
}

int xhci_dev_set_mps0(struct usb_dev *d, uint16_t mps)
{
	struct xhci *hc = d->hc;
	struct xhci_slot *s = &hc->slots[d->slot];
	uint32_t *ic = in_ctrl(hc, s), *ep = ctx(hc, s->in_ctx, 2);
	ic[1] = 0x2; /* endpoint 0 */
	memcpy(ep, ctx(hc, s->out_ctx, 1), 20);
	ep[1] = (ep[1] & 0xffff) | (uint32_t)mps << 16;
	int cc = xhci_command(hc, (uint64_t)(uintptr_t)s->in_ctx, TRB_TYPE(TRB_EVAL_CTX) | TRB_SLOT(d->slot),
			      NULL);
	return cc == CC_SUCCESS ? 0 : -1;
}

/* xHCI interval code (period 2^n * 125 us) from an interrupt bInterval. */
static uint32_t ep_interval(uint8_t speed, uint8_t b)
{
	if (speed >= USB_HIGH) /* 2^(b-1) microframes */
		return b < 1 ? 0 : b > 16 ? 15 : b - 1u;
	/* b milliseconds = b * 8 microframes, rounded down to a power of two */
	uint32_t n = 3;
	while (n < 10 && (1u << (n + 1)) <= (uint32_t)(b ? b : 1) * 8)
		n++;
	return n;
}

int xhci_dev_configure(struct usb_dev *d, const struct usb_ep *e, uint8_t nports, uint8_t ttt,
		       bool mtt)
{
	struct xhci *hc = d->hc;
	struct xhci_slot *s = &hc->slots[d->slot];
	uint32_t *ic = in_ctrl(hc, s), *sl = ctx(hc, s->in_ctx, 1);
	unsigned dci = e ? 2u * (e->addr & 0xf) + 1 : 1;

	memcpy(sl, ctx(hc, s->out_ctx, 0), 16);
	sl[3] = 0;
	sl[0] = (sl[0] & ~(0x1fu << 27)) | (uint32_t)(dci > 1 ? dci : 1) << 27;
	if (nports) {
		sl[0] |= 1u << 26 | (mtt ? 1u << 25 : 0);
		sl[1] = (sl[1] & 0x00ffffff) | (uint32_t)nports << 24;
		sl[2] = (sl[2] & ~(3u << 16)) | (uint32_t)(ttt & 3) << 16;
	}
	ic[1] = 0x1;
	if (e) {
		struct trb *r = s->intr.trb ? s->intr.trb : xhci_alloc_page(hc);
		if (!s->intr_buf)
			s->intr_buf = xhci_alloc_page(hc);
		if (!r || !s->intr_buf) {
			xhci_free_page(r);
			return -1;
		}
		ring_init(&s->intr, r);
		s->intr_dci = (uint8_t)dci;
		uint32_t *ep = ctx(hc, s->in_ctx, dci + 1);
		uint16_t mps = e->mps ? e->mps : 8;
		ep[0] = ep_interval(d->speed, e->interval) << 16;
		ep[1] = 3u << 1 | EP_TYPE_INT_IN << 3 | (uint32_t)mps << 16;
		uint64_t deq = (uint64_t)(uintptr_t)r | 1;
		ep[2] = (uint32_t)deq;
		ep[3] = (uint32_t)(deq >> 32);
		ep[4] = (uint32_t)mps | (uint32_t)mps << 16;
		ic[1] |= 1u << dci;
	}
	int cc = xhci_command(hc, (uint64_t)(uintptr_t)s->in_ctx, TRB_TYPE(TRB_CONFIG_EP) | TRB_SLOT(d->slot),
			      NULL);
	if (cc != CC_SUCCESS) {
		usb_log("%s: Configure Endpoint failed (completion code %d)\n", d->name, cc);
		return -1;
	}
	return 0;
}

/* A halted endpoint (stall, transaction error): Reset Endpoint, then the
 * dequeue pointer moved past whatever was left on the ring. */
static void ep_recover(struct xhci *hc, unsigned id, unsigned dci, struct ring *r)
{
	xhci_command(hc, 0, TRB_TYPE(TRB_RESET_EP) | TRB_SLOT(id) | TRB_EP(dci), NULL);
	uint64_t deq = (uint64_t)(uintptr_t)&r->trb[r->enq] | r->pcs;
	xhci_command(hc, deq, TRB_TYPE(TRB_SET_DEQ) | TRB_SLOT(id) | TRB_EP(dci), NULL);
}

int xhci_dev_control(struct usb_dev *d, const uint8_t setup[8], void *data, uint16_t len)
{
	struct xhci *hc = d->hc;
	struct xhci_slot *s = &hc->slots[d->slot];
	struct xhci_wait w = { 0 };
	bool in = setup[0] & USB_RT_IN;
	uint64_t sp;

	if (!d->slot || d->gone || hc->dead || len > 4096 || !xhci_dev_connected(d))
		return -1;
	memcpy(&sp, setup, 8);
	if (!in && len)
		memcpy(s->ctrl_buf, data, len);
	ring_put(&s->ep0, sp, 8, TRB_TYPE(TRB_SETUP) | TRB_IDT | (len ? (in ? 3u : 2u) << 16 : 0));
	if (len)
		ring_put(&s->ep0, (uint64_t)(uintptr_t)s->ctrl_buf, len,
			 TRB_TYPE(TRB_DATA) | (in ? TRB_DIR_IN : 0));
	w.trb = ring_put(&s->ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC | (len && in ? 0 : TRB_DIR_IN));
	s->ctrl_wait = &w;
	xhci_ring_db(hc, d->slot, 1);
	bool ok = xhci_wait_done(hc, &w, CTRL_TIMEOUT_MS);
	s->ctrl_wait = NULL;
	if (!ok) {
		/* unplugged mid-request, or broken: either way no more requests
		 * (the transfer is still on the ring) */
		usb_log("%s: control request %02x timed out\n", d->name, setup[1]);
		d->gone = true;
		return -1;
	}
	if (w.cc != CC_SUCCESS) {
		if (w.cc == CC_STALL || w.cc == 4 /* transaction error */)
			ep_recover(hc, d->slot, 1, &s->ep0);
		return -(int)w.cc;
	}
	if (in && len)
		memcpy(data, s->ctrl_buf, len);
	return len;
}

void *xhci_dev_intr_buf(struct usb_dev *d)
{
	return d->hc->slots[d->slot].intr_buf;
}

int xhci_dev_intr_submit(struct usb_dev *d, uint16_t len)
{
	struct xhci *hc = d->hc;
	struct xhci_slot *s = &hc->slots[d->slot];
	if (!d->slot || !s->intr_dci || s->intr_busy || hc->dead)
		return -1;
	s->intr_len = len;
	s->intr_busy = true;
	ring_put(&s->intr, (uint64_t)(uintptr_t)s->intr_buf, len,
		 TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_ring_db(hc, d->slot, s->intr_dci);
	return 0;
}

void xhci_dev_event(struct xhci *hc, const struct trb *ev)
{
	unsigned id = ev->control >> 24, dci = (ev->control >> 16) & 0x1f;
	uint8_t cc = (uint8_t)(ev->status >> 24);
	if (!id || id > hc->max_slots)
		return;
	struct xhci_slot *s = &hc->slots[id];
	if (dci == 1 && s->ctrl_wait) {
		/* the status stage ends a control transfer; an error on any stage too */
		if (ev->param == s->ctrl_wait->trb || (cc != CC_SUCCESS && cc != CC_SHORT)) {
			s->ctrl_wait->cc = cc == CC_SHORT ? CC_SUCCESS : cc;
			s->ctrl_wait->done = true;
		}
	} else if (dci && dci == s->intr_dci && s->intr_busy) {
		bool ok = cc == CC_SUCCESS || cc == CC_SHORT;
		uint32_t resid = ev->status & 0xffffff;
		s->intr_busy = false;
		if (!ok) {
			s->intr_errors++;
			s->intr_halted = true;
			return;
		}
		s->intr_errors = 0;
		if (s->dev && s->dev->drv && s->dev->drv->intr_done)
			s->dev->drv->intr_done(s->dev, resid <= s->intr_len ? s->intr_len - resid : 0);
	}
}

void xhci_dev_recover(struct xhci *hc, unsigned id)
{
	struct xhci_slot *s = &hc->slots[id];
	if (!s->intr_halted)
		return;
	s->intr_halted = false;
	if (s->intr_errors > 3) {
		if (s->dev && s->intr_errors == 4)
			usb_log("%s: interrupt endpoint keeps failing: stopped\n", s->dev->name);
		return;
	}
	ep_recover(hc, id, s->intr_dci, &s->intr);
	if (s->dev)
		xhci_dev_intr_submit(s->dev, s->intr_len);
}

void xhci_dev_free(struct usb_dev *d)
{
	struct xhci *hc = d->hc;
	if (!d->slot)
		return;
	if (!hc->dead)
		xhci_command(hc, 0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(d->slot), NULL);
	slot_release(hc, (unsigned)d->slot);
	d->slot = 0;
}

/*
 * xHCI host controllers, polled (no interrupts, no MSI).
 *
 * Bring-up of each controller (PCI class 0C/03, prog-if 30), in order:
 *   1. PCI: memory decoding and bus mastering on, INTx off; map BAR0.
 *      Intel 7/8/9-series chipsets: route the shared ports from the EHCI
 *      controllers to this one (XUSB2PR/USB3_PSSEN).
 *   2. Ownership: the USB Legacy Support capability's OS-owned semaphore
 *      is set and we wait (1 s at most) for the firmware to drop its own;
 *      then its SMIs are switched off. Firmware that never answers loses
 *      the controller anyway, with a message.
 *   3. Supported Protocol capabilities: which ports are USB 2, which USB 3.
 *   4. Halt (Run/Stop off, wait for HCHalted), reset (HCRST, wait for it
 *      and Controller Not Ready to clear).
 *   5. Memory (identity-mapped pages, below 4 GiB if the controller has no
 *      64-bit addressing): the device context base array, scratchpad
 *      buffers, the command ring, one event ring segment and its table.
 *   6. Program MaxSlotsEn, DCBAAP, CRCR, interrupter 0 (interrupts off;
 *      the event ring is read by polling), then Run/Stop.
 *   7. Power the ports where the controller switches port power, and look
 *      at every port: a USB 2 port with a device gets a port reset, a USB 3
 *      port trains its link itself; enabled ports are enumerated by
 *      dev/usb.c after the reset recovery time. Boot polls (2 s at most)
 *      until every device found, hubs' included, is enumerated.
 * From then on the poller (core/poll.h) handles the event ring: command
 * completions, transfer completions (key reports, via the class drivers)
 * and port status changes, which are how hot-plug and unplug arrive. Port
 * resets and their recovery are deadlines checked on later polls, not
 * waits; what does wait is a request to a device (commands and control
 * transfers take well under a millisecond on real controllers, a second at
 * most before the device is given up).
 * A controller that stops answering (a command timeout, host system
 * error) is reported and left alone; the others carry on.
 */
#include <stdlib.h>
#include <string.h>

#include "core/poll.h"
#include "core/timer.h"
#include "dev/pci.h"
#include "dev/usb.h"
#include "dev/xhci.h"
#include "dev/xhci_hw.h"
#include "mm/pmm.h"

#define XHCI_MAX_CTRL 8

static struct xhci *ctrls[XHCI_MAX_CTRL];
static int n_ctrls;

uint64_t xhci_ms(void)
{
	return timer_now_ns() / 1000000;
}

int xhci_count(void)
{
	int n = 0;
	for (int i = 0; i < n_ctrls; i++)
		n += !ctrls[i]->dead;
	return n;
}

int xhci_index(const struct xhci *hc)
{
	return hc->index;
}

/* ---- memory and rings ------------------------------------------------ */

void *xhci_alloc_page(struct xhci *hc)
{
	void *p = hc->ac64 ? pmm_alloc_pages(1) : pmm_alloc_below(1, 1ull << 32);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void xhci_free_page(void *p)
{
	if (p)
		pmm_free_pages(p, 1);
}

static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p; /* RAM is identity-mapped */
}

void ring_init(struct ring *r, struct trb *page)
{
	r->trb = page;
	r->enq = 0;
	r->pcs = 1;
	page[RING_TRBS - 1].param = phys(page);
	page[RING_TRBS - 1].control = TRB_TYPE(TRB_LINK) | TRB_TC;
}

uint64_t ring_put(struct ring *r, uint64_t param, uint32_t status, uint32_t control)
{
	struct trb *t = &r->trb[r->enq];
	t->param = param;
	t->status = status;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the cycle bit hands it over: last */
	*(volatile uint32_t *)&t->control = (control & ~TRB_CYCLE) | r->pcs;
	if (++r->enq == RING_TRBS - 1) {
		struct trb *link = &r->trb[RING_TRBS - 1];
		*(volatile uint32_t *)&link->control = TRB_TYPE(TRB_LINK) | TRB_TC | r->pcs;
		r->enq = 0;
		r->pcs ^= 1;
	}
	return phys(t);
}

void xhci_ring_db(struct xhci *hc, unsigned slot, unsigned target)
{
	mmio_wr32(hc->db, 4 * slot, target);
}

/* ---- events and commands --------------------------------------------- */

static void port_mark(struct xhci *hc, unsigned port)
{
	if (port >= 1 && port <= hc->max_ports)
		hc->port_dirty[port / 64] |= 1ull << (port % 64);
}

int xhci_events(struct xhci *hc)
{
	int n = 0;
	for (;;) {
		volatile struct trb *v = &hc->evt[hc->evt_deq];
		uint32_t c = v->control;
		if ((c & TRB_CYCLE) != hc->evt_ccs)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		struct trb ev = { v->param, v->status, c };
		switch (TRB_GET_TYPE(c)) {
		case TRB_EV_CMD:
			if (hc->cmd_wait && ev.param == hc->cmd_wait->trb) {
				hc->cmd_wait->cc = (uint8_t)(ev.status >> 24);
				hc->cmd_wait->slot = (uint8_t)(c >> 24);
				hc->cmd_wait->done = true;
			}
			break;
		case TRB_EV_PORT:
			port_mark(hc, (unsigned)(ev.param >> 24) & 0xff);
			break;
		case TRB_EV_TRANSFER:
			xhci_dev_event(hc, &ev);
			break;
		default:
			break;
		}
		if (++hc->evt_deq == EVENT_TRBS) {
			hc->evt_deq = 0;
			hc->evt_ccs ^= 1;
		}
		n++;
	}
	if (n)
		mmio_wr64(hc->rt, XHCI_ERDP, phys(&hc->evt[hc->evt_deq]) | ERDP_EHB);
	return n;
}

bool xhci_wait_done(struct xhci *hc, struct xhci_wait *w, unsigned ms)
{
	/* counted in 20 us steps rather than read from the clock, so a wait
	 * ends even where the TSC rate is unknown */
	for (unsigned i = 0; i < ms * 50; i++) {
		xhci_events(hc);
		if (w->done)
			return true;
		timer_udelay(20);
	}
	return false;
}

int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint8_t *slot_out)
{
	struct xhci_wait w = { 0 };
	if (hc->dead)
		return 0;
	w.trb = ring_put(&hc->cmd, param, 0, control);
	hc->cmd_wait = &w;
	xhci_ring_db(hc, 0, 0);
	bool ok = xhci_wait_done(hc, &w, 1000);
	hc->cmd_wait = NULL;
	if (!ok) {
		usb_log("usb%d: command %u timed out: controller stopped\n", hc->index,
			TRB_GET_TYPE(control));
		hc->dead = true;
		return 0;
	}
	if (slot_out)
		*slot_out = w.slot;
	return w.cc;
}

/* ---- bring-up ---------------------------------------------------------- */

/* Waits until (reg & mask) == want, up to ms; false on timeout. */
static bool reg_wait(volatile uint8_t *base, uint32_t off, uint32_t mask, uint32_t want, unsigned ms)
{
	for (unsigned i = 0; i < ms * 50; i++) {
		if ((mmio_rd32(base, off) & mask) == want)
			return true;
		timer_udelay(20);
	}
	return (mmio_rd32(base, off) & mask) == want;
}

/* Intel chipsets whose USB ports start out routed to EHCI (as Linux's
 * usb_enable_intel_xhci_ports): hand them all to the xHCI. */
static void intel_route_ports(const struct pci_dev *pd)
{
	static const uint16_t ids[] = { 0x1e31, 0x8c31, 0x9c31, 0x8cb1, 0x9cb1 };
	if (pd->vendor != 0x8086)
		return;
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		if (pd->device == ids[i]) {
			pci_write32(pd, 0xd8, pci_read32(pd, 0xdc)); /* USB3_PSSEN = USB3PRM */
			pci_write32(pd, 0xd0, pci_read32(pd, 0xd4)); /* XUSB2PR = USB2PRM */
			return;
		}
	}
}

/* Step 2: takes the controller from the firmware (legacy capability at off). */
static void xhci_handoff(struct xhci *hc, uint32_t off)
{
	volatile uint8_t *leg = hc->cap + off;
	leg[3] = 1; /* HC OS Owned Semaphore (byte 3, bit 24) */
	if (!reg_wait(leg, 0, LEGSUP_BIOS_OWNED, 0, 1000)) {
		usb_log("usb%d: the firmware kept the controller for 1 s: taking it\n", hc->index);
		leg[2] = 0; /* HC BIOS Owned Semaphore */
	}
	/* USBLEGCTLSTS: SMI enables (bits 0, 4, 13-15) off, SMI events
	 * (29-31, write 1 to clear) cleared */
	uint32_t ctl = mmio_rd32(leg, 4);
	mmio_wr32(leg, 4, (ctl & ~0x0000e011u & ~0x001f0000u) | 0xe0000000u);
}

/* Steps 2 and 3: walks the extended capabilities. */
static void xhci_xcaps(struct xhci *hc)
{
	uint32_t off = (mmio_rd32(hc->cap, XHCI_HCCPARAMS1) >> 16) << 2;
	for (int n = 0; off && n < 64; n++) {
		uint32_t v = mmio_rd32(hc->cap, off);
		if (v == 0xffffffffu)
			break;
		if ((v & 0xff) == XCAP_LEGACY) {
			xhci_handoff(hc, off);
		} else if ((v & 0xff) == XCAP_PROTOCOL) {
			uint8_t major = (uint8_t)(v >> 24);
			uint32_t ports = mmio_rd32(hc->cap, off + 8);
			unsigned first = ports & 0xff, count = (ports >> 8) & 0xff;
			for (unsigned p = first; p < first + count && p <= hc->max_ports; p++)
				if (p)
					hc->port_major[p] = major;
		}
		uint32_t next = (v >> 8) & 0xff;
		off = next ? off + (next << 2) : 0;
	}
}

/* Step 4. */
static bool xhci_reset(struct xhci *hc)
{
	if (!(mmio_rd32(hc->op, XHCI_USBSTS) & STS_HCH)) {
		mmio_wr32(hc->op, XHCI_USBCMD, mmio_rd32(hc->op, XHCI_USBCMD) & ~CMD_RS);
		if (!reg_wait(hc->op, XHCI_USBSTS, STS_HCH, STS_HCH, 32)) {
			usb_log("usb%d: does not halt\n", hc->index);
			return false;
		}
	}
	mmio_wr32(hc->op, XHCI_USBCMD, CMD_HCRST);
	timer_udelay(1000); /* some Intel controllers hang if read right away */
	if (!reg_wait(hc->op, XHCI_USBCMD, CMD_HCRST, 0, 1000) ||
	    !reg_wait(hc->op, XHCI_USBSTS, STS_CNR, 0, 1000)) {
		usb_log("usb%d: reset does not finish\n", hc->index);
		return false;
	}
	return true;
}

/* Steps 5 and 6. */
static bool xhci_setup(struct xhci *hc)
{
	uint32_t hcs2 = mmio_rd32(hc->cap, XHCI_HCSPARAMS2);
	uint32_t n_scratch = ((hcs2 >> 21) & 0x1f) << 5 | hcs2 >> 27;
	uint8_t *dcbaa_page = xhci_alloc_page(hc);
	struct trb *cmd = xhci_alloc_page(hc), *evt = xhci_alloc_page(hc);

	if (!dcbaa_page || !cmd || !evt)
		goto nomem;
	if (!(mmio_rd32(hc->op, XHCI_PAGESIZE) & 1)) {
		usb_log("usb%d: no 4 KiB page size\n", hc->index);
		return false;
	}
	hc->dcbaa = (uint64_t *)dcbaa_page;
	if (n_scratch) {
		/* the scratchpad array after the DCBAA (256 * 8 bytes), below the ERST */
		uint64_t *arr = n_scratch <= 248 ? (uint64_t *)(dcbaa_page + 2048) : NULL;
		if (!arr) {
			usb_log("usb%d: wants %u scratchpad pages\n", hc->index, n_scratch);
			return false;
		}
		for (uint32_t i = 0; i < n_scratch; i++) {
			void *p = xhci_alloc_page(hc);
			if (!p)
				goto nomem;
			arr[i] = phys(p);
		}
		hc->dcbaa[0] = phys(arr);
	}
	ring_init(&hc->cmd, cmd);
	hc->evt = evt;
	hc->evt_deq = 0;
	hc->evt_ccs = 1;
	/* the event ring segment table: one entry, in the page's last 64 bytes */
	uint64_t *erst = (uint64_t *)(dcbaa_page + 4096 - 64);
	erst[0] = phys(evt);
	erst[1] = EVENT_TRBS;

	mmio_wr32(hc->op, XHCI_CONFIG, hc->max_slots);
	mmio_wr64(hc->op, XHCI_DCBAAP, phys(hc->dcbaa));
	mmio_wr64(hc->op, XHCI_CRCR, phys(cmd) | 1);
	mmio_wr32(hc->rt, XHCI_IMAN, 1); /* interrupt pending cleared, enable off */
	mmio_wr32(hc->rt, XHCI_IMOD, 0);
	mmio_wr32(hc->rt, XHCI_ERSTSZ, 1);
	mmio_wr64(hc->rt, XHCI_ERDP, phys(evt));
	mmio_wr64(hc->rt, XHCI_ERSTBA, phys(erst));
	mmio_wr32(hc->op, XHCI_USBCMD, CMD_RS);
	if (!reg_wait(hc->op, XHCI_USBSTS, STS_HCH, 0, 100)) {
		usb_log("usb%d: does not start\n", hc->index);
		return false;
	}
	return true;
nomem:
	usb_log("usb%d: out of memory\n", hc->index);
	return false;
}

/* ---- root-hub ports ----------------------------------------------------- */

static uint32_t portsc(struct xhci *hc, unsigned p)
{
	return mmio_rd32(hc->op, XHCI_PORTSC(p));
}

/* Writes PORTSC keeping power and the wake bits; set adds bits (PR,
 * change bits to clear). */
static void portsc_write(struct xhci *hc, unsigned p, uint32_t sc, uint32_t set)
{
	mmio_wr32(hc->op, XHCI_PORTSC(p), (sc & PORT_KEEP) | set);
}

/*
 * A connected port is brought to Enabled without waiting in the poller:
 * port_check starts a reset (USB 2: PR; a USB 3 port trains its link by
 * itself and gets a warm reset only when it did not), port_service looks
 * again on later polls, and once the port is enabled and the reset
 * recovery time (TRSTRCY, 10 ms) has passed, enumerates the device.
 */
#define PORT_RESET_MS 500
#define PORT_RECOVERY_MS 10

static void port_start(struct xhci *hc, unsigned p, uint64_t now)
{
	uint32_t sc = portsc(hc, p);
	bool usb3 = hc->port_major[p] == 3 || (!hc->port_major[p] && PORT_PLS(sc) == PLS_U0);
	if (!(usb3 && (sc & PORT_PED)))
		portsc_write(hc, p, sc, usb3 ? PORT_WPR : PORT_PR);
	hc->port_state[p] = PS_RESETTING;
	hc->port_until[p] = now + PORT_RESET_MS;
}

/* A port in reset: enumerates its device once it is enabled and settled. */
static void port_service(struct xhci *hc, unsigned p, uint64_t now)
{
	uint32_t sc = portsc(hc, p);
	if (!(sc & PORT_CCS)) {
		hc->port_state[p] = PS_IDLE; /* gone during the reset */
		return;
	}
	if (hc->port_state[p] == PS_RESETTING) {
		if ((sc & PORT_PED) && !(sc & (PORT_PR | PORT_WPR))) {
			hc->port_state[p] = PS_RECOVERY;
			hc->port_until[p] = now + PORT_RECOVERY_MS;
		} else if (now >= hc->port_until[p]) {
			usb_log("usb%d-%u: port does not enable\n", hc->index, p);
			hc->port_state[p] = PS_IDLE;
		}
		return;
	}
	if (now < hc->port_until[p])
		return;
	hc->port_state[p] = PS_IDLE;
	portsc_write(hc, p, sc, sc & PORT_CHANGES);
	struct usb_dev *d = usb_attach(hc, NULL, (uint8_t)p, (uint8_t)PORT_SPEED(sc));
	if (d)
		hc->port_slot[p] = (uint8_t)d->slot;
}

bool xhci_dev_connected(struct usb_dev *d)
{
	uint32_t sc = portsc(d->hc, d->root_port);
	return (sc & PORT_CCS) && !(sc & PORT_CSC);
}

/* A port whose status changed (or which was never looked at). */
static void port_check(struct xhci *hc, unsigned p, uint64_t now)
{
	uint32_t sc = portsc(hc, p);
	struct usb_dev *d = hc->port_slot[p] ? hc->slots[hc->port_slot[p]].dev : NULL;

	portsc_write(hc, p, sc, sc & PORT_CHANGES);
	if (d && (!(sc & PORT_CCS) || (sc & PORT_CSC))) {
		usb_log("%s: unplugged\n", d->name);
		hc->port_slot[p] = 0;
		usb_detach(d);
		d = NULL;
	}
	if ((sc & PORT_CCS) && !d && hc->port_state[p] == PS_IDLE)
		port_start(hc, p, now);
}

/* Something is still being enumerated (root ports in reset, hubs powering
 * their ports). */
static bool xhci_settling(struct xhci *hc)
{
	for (unsigned p = 1; p <= hc->max_ports; p++)
		if (hc->port_state[p] != PS_IDLE)
			return true;
	for (unsigned s = 1; s <= hc->max_slots; s++) {
		struct usb_dev *d = hc->slots[s].dev;
		if (d && d->drv && d->drv->settling && d->drv->settling(d))
			return true;
	}
	return false;
}

/* ---- the poller ---------------------------------------------------------- */

static void xhci_poll_one(struct xhci *hc, uint64_t now)
{
	uint32_t sts = mmio_rd32(hc->op, XHCI_USBSTS);
	if (sts == 0xffffffffu || (sts & (STS_HSE | STS_HCE))) {
		usb_log("usb%d: controller error (status 0x%x): stopped\n", hc->index, sts);
		hc->dead = true;
		return;
	}
	xhci_events(hc);
	for (unsigned w = 0; w < 4; w++) {
		while (hc->port_dirty[w] && !hc->dead) {
			unsigned b = (unsigned)__builtin_ctzll(hc->port_dirty[w]);
			hc->port_dirty[w] &= ~(1ull << b);
			port_check(hc, w * 64 + b, now);
		}
	}
	for (unsigned p = 1; p <= hc->max_ports && !hc->dead; p++)
		if (hc->port_state[p] != PS_IDLE)
			port_service(hc, p, now);
	for (unsigned s = 1; s <= hc->max_slots && !hc->dead; s++) {
		struct usb_dev *d = hc->slots[s].dev;
		if (hc->slots[s].intr_halted)
			xhci_dev_recover(hc, s);
		if (d && d->drv && d->drv->poll)
			d->drv->poll(d, now);
	}
}

static void xhci_poll(void)
{
	uint64_t now = xhci_ms();
	for (int i = 0; i < n_ctrls; i++)
		if (!ctrls[i]->dead)
			xhci_poll_one(ctrls[i], now);
}

/* ---- init ----------------------------------------------------------------- */

static bool xhci_start(struct xhci *hc)
{
	const struct pci_dev *pd = hc->pci;
	uint64_t size = 0;

	pci_enable(pd, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
	hc->cap = (volatile uint8_t *)pci_map_bar(pd, 0, &size);
	if (!hc->cap || size < 0x1000) {
		usb_log("usb%d: BAR0 cannot be mapped\n", hc->index);
		return false;
	}
	uint32_t hcs1 = mmio_rd32(hc->cap, XHCI_HCSPARAMS1);
	uint32_t hcc1 = mmio_rd32(hc->cap, XHCI_HCCPARAMS1);
	uint8_t caplen = hc->cap[XHCI_CAPLENGTH];
	if (hcs1 == 0xffffffffu || caplen < 0x20) {
		usb_log("usb%d: registers do not answer\n", hc->index);
		return false;
	}
	intel_route_ports(pd);
	hc->op = hc->cap + caplen;
	hc->rt = hc->cap + (mmio_rd32(hc->cap, XHCI_RTSOFF) & ~0x1fu);
	hc->db = hc->cap + (mmio_rd32(hc->cap, XHCI_DBOFF) & ~0x3u);
	hc->max_slots = hcs1 & 0xff;
	hc->max_ports = hcs1 >> 24;
	hc->ac64 = hcc1 & HCC_AC64;
	hc->csz = hcc1 & HCC_CSZ;
	if (hc->max_slots > XHCI_MAX_SLOTS)
		hc->max_slots = XHCI_MAX_SLOTS;

	xhci_xcaps(hc);
	if (!xhci_reset(hc) || !xhci_setup(hc))
		return false;
	if (hcc1 & HCC_PPC) {
		for (unsigned p = 1; p <= hc->max_ports; p++)
			if (!(portsc(hc, p) & PORT_PP))
				portsc_write(hc, p, portsc(hc, p), PORT_PP);
	}
	timer_udelay(20000); /* port power good, connects detected */
	unsigned n2 = 0, n3 = 0;
	for (unsigned p = 1; p <= hc->max_ports; p++) {
		n2 += hc->port_major[p] == 2;
		n3 += hc->port_major[p] == 3;
		port_mark(hc, p);
	}
	usb_log("usb%d: xHCI %02x:%02x.%x, %u ports (USB 2: %u, USB 3: %u), %u slots\n", hc->index,
		pd->bus, pd->slot, pd->fn, hc->max_ports, n2, n3, hc->max_slots);
	/* enumerate what is plugged in now (hubs and their ports included),
	 * 2 s at the most: later arrivals come as hot-plug */
	for (int i = 0; i < 2000 && !hc->dead; i++) {
		xhci_poll_one(hc, xhci_ms());
		if (!xhci_settling(hc))
			break;
		timer_udelay(1000);
	}
	return !hc->dead;
}

void xhci_init(void)
{
	for (int i = 0; i < pci_count() && n_ctrls < XHCI_MAX_CTRL; i++) {
		const struct pci_dev *pd = pci_get(i);
		if (pd->cls != 0x0c || pd->subcls != 0x03 || pd->progif != 0x30)
			continue;
		struct xhci *hc = calloc(1, sizeof *hc);
		if (!hc) {
			usb_log("usb: out of memory\n");
			return;
		}
		hc->pci = pd;
		hc->index = n_ctrls + 1;
		ctrls[n_ctrls++] = hc; /* kept even when broken: its number stays taken */
		if (!xhci_start(hc)) {
			usb_log("usb%d: not used\n", hc->index);
			hc->dead = true;
		}
	}
	if (n_ctrls)
		poll_register("usb", xhci_poll);
}

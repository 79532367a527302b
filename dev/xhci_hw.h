/*
 * xHCI registers, rings and contexts (xHCI 1.2 spec, chapters 4-6), and the
 * driver's state for one controller: private to dev/xhci*.c.
 *
 * Register blocks, from BAR0:
 *   capability  CAPLENGTH u8, HCIVERSION u16 @2, HCSPARAMS1..3 @4/@8/@C
 *               (MaxSlots 7:0, MaxPorts 31:24; scratchpad count in
 *               HCSPARAMS2 31:27 and 25:21), HCCPARAMS1 @10 (AC64 bit 0,
 *               PPC bit 3, CSZ bit 2 = 64-byte contexts, xECP 31:16 in
 *               dwords), DBOFF @14, RTSOFF @18
 *   operational (BAR0 + CAPLENGTH) USBCMD @0, USBSTS @4, PAGESIZE @8,
 *               CRCR @18, DCBAAP @30, CONFIG @38; port n (1-based)
 *               PORTSC at @400 + 16 (n - 1)
 *   runtime     (BAR0 + RTSOFF) interrupter 0 at @20: IMAN, IMOD, ERSTSZ,
 *               (res), ERSTBA @10, ERDP @18
 *   doorbells   (BAR0 + DBOFF) DB[0] rings the command ring, DB[slot] the
 *               slot's endpoint DCI
 *   extended capabilities (xECP chain): 1 USB Legacy Support (BIOS/OS
 *               ownership semaphores, SMI control), 2 Supported Protocol
 *               (which ports speak USB 2 and which USB 3)
 *
 * A TRB is 16 bytes {parameter u64, status u32, control u32}; control
 * holds the cycle bit (0) and the type (15:10). Rings are arrays of TRBs
 * whose last entry is a Link TRB back to the start (toggle cycle).
 */
#ifndef DEV_XHCI_HW_H
#define DEV_XHCI_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/pci.h"
#include "dev/usb.h"

/* capability registers */
#define XHCI_CAPLENGTH 0x00
#define XHCI_HCSPARAMS1 0x04
#define XHCI_HCSPARAMS2 0x08
#define XHCI_HCCPARAMS1 0x10
#define XHCI_DBOFF 0x14
#define XHCI_RTSOFF 0x18
#define HCC_AC64 (1u << 0)
#define HCC_CSZ (1u << 2)
#define HCC_PPC (1u << 3)

/* operational registers */
#define XHCI_USBCMD 0x00
#define XHCI_USBSTS 0x04
#define XHCI_PAGESIZE 0x08
#define XHCI_CRCR 0x18
#define XHCI_DCBAAP 0x30
#define XHCI_CONFIG 0x38
#define XHCI_PORTSC(n) (0x400 + 0x10 * ((n) - 1))
#define CMD_RS (1u << 0)
#define CMD_HCRST (1u << 1)
#define STS_HCH (1u << 0)
#define STS_HSE (1u << 2)
#define STS_CNR (1u << 11)
#define STS_HCE (1u << 12)

/* PORTSC */
#define PORT_CCS (1u << 0)
#define PORT_PED (1u << 1)
#define PORT_PR (1u << 4)
#define PORT_PLS(v) (((v) >> 5) & 0xf)
#define PORT_PP (1u << 9)
#define PORT_SPEED(v) (((v) >> 10) & 0xf)
#define PORT_CSC (1u << 17)
#define PORT_PEC (1u << 18)
#define PORT_WRC (1u << 19)
#define PORT_OCC (1u << 20)
#define PORT_PRC (1u << 21)
#define PORT_PLC (1u << 22)
#define PORT_CEC (1u << 23)
#define PORT_WPR (1u << 31)
#define PORT_CHANGES (PORT_CSC | PORT_PEC | PORT_WRC | PORT_OCC | PORT_PRC | PORT_PLC | PORT_CEC)
/* bits kept when writing PORTSC back: power, indicator, wake enables */
#define PORT_KEEP ((1u << 9) | (3u << 14) | (7u << 25))
#define PLS_U0 0
#define PLS_POLLING 7

/* interrupter 0 (runtime base + 0x20) */
#define XHCI_IMAN 0x20
#define XHCI_IMOD 0x24
#define XHCI_ERSTSZ 0x28
#define XHCI_ERSTBA 0x30
#define XHCI_ERDP 0x38
#define ERDP_EHB (1u << 3)

/* extended capabilities */
#define XCAP_LEGACY 1
#define XCAP_PROTOCOL 2
#define LEGSUP_BIOS_OWNED (1u << 16)
#define LEGSUP_OS_OWNED (1u << 24)

struct trb {
	uint64_t param;
	uint32_t status;
	uint32_t control;
};
_Static_assert(sizeof(struct trb) == 16, "a TRB is 16 bytes");

#define TRB_CYCLE (1u << 0)
#define TRB_TC (1u << 1)   /* link: toggle cycle */
#define TRB_ISP (1u << 2)
#define TRB_IOC (1u << 5)
#define TRB_IDT (1u << 6)
#define TRB_BSR (1u << 9)  /* address device: block SET_ADDRESS */
#define TRB_DIR_IN (1u << 16)
#define TRB_TYPE(t) ((uint32_t)(t) << 10)
#define TRB_GET_TYPE(c) (((c) >> 10) & 0x3f)
#define TRB_SLOT(s) ((uint32_t)(s) << 24)
#define TRB_EP(e) ((uint32_t)(e) << 16)

enum {
	TRB_NORMAL = 1,
	TRB_SETUP = 2,
	TRB_DATA = 3,
	TRB_STATUS = 4,
	TRB_LINK = 6,
	TRB_ENABLE_SLOT = 9,
	TRB_DISABLE_SLOT = 10,
	TRB_ADDRESS_DEV = 11,
	TRB_CONFIG_EP = 12,
	TRB_EVAL_CTX = 13,
	TRB_RESET_EP = 14,
	TRB_SET_DEQ = 16,
	TRB_EV_TRANSFER = 32,
	TRB_EV_CMD = 33,
	TRB_EV_PORT = 34,
};

/* completion codes */
#define CC_SUCCESS 1
#define CC_STALL 6
#define CC_SHORT 13

#define RING_TRBS 64  /* per transfer ring and the command ring (one page) */
#define EVENT_TRBS 256 /* the event ring segment (one page) */

struct ring {
	struct trb *trb; /* RING_TRBS, the last one the link */
	unsigned enq;
	uint32_t pcs;    /* producer cycle state */
};

/* The outcome of a command or of a control transfer being waited for. */
struct xhci_wait {
	uint64_t trb;      /* physical address of the TRB whose event ends it */
	volatile bool done;
	uint8_t cc;        /* completion code */
	uint8_t slot;      /* a command's slot id */
	uint32_t residual; /* transfer: bytes not transferred */
};

#define XHCI_MAX_PORTS 255
enum { PS_IDLE, PS_RESETTING, PS_RECOVERY };
#define XHCI_MAX_SLOTS 255

/* Per slot: the device's contexts and rings. */
struct xhci_slot {
	struct usb_dev *dev;
	void *out_ctx;      /* device context (written by the controller) */
	void *in_ctx;       /* input context for commands */
	struct ring ep0;
	struct ring intr;   /* the driver's interrupt IN endpoint, if any */
	uint8_t intr_dci;
	void *intr_buf;
	uint16_t intr_len;
	bool intr_busy;     /* a transfer is queued */
	bool intr_halted;   /* it ended in an error: recover from the poller */
	uint8_t intr_errors; /* in a row */
	void *ctrl_buf;     /* endpoint 0's data stage (one page) */
	struct xhci_wait *ctrl_wait; /* a control transfer in progress */
};

struct xhci {
	int index;                  /* usb1, usb2, ... */
	const struct pci_dev *pci;
	volatile uint8_t *cap, *op, *rt, *db;
	uint32_t max_slots, max_ports;
	bool ac64, csz;             /* 64-bit addresses; 64-byte contexts */
	uint64_t *dcbaa;
	struct ring cmd;
	struct trb *evt;            /* event ring segment */
	unsigned evt_deq;
	uint32_t evt_ccs;
	struct xhci_wait *cmd_wait; /* the command in progress */
	uint8_t port_major[XHCI_MAX_PORTS + 1]; /* 2 or 3 per port, 0 unknown */
	uint8_t port_slot[XHCI_MAX_PORTS + 1];  /* device on the root port (slot id) */
	uint8_t port_state[XHCI_MAX_PORTS + 1]; /* PS_*: where its reset stands */
	uint64_t port_until[XHCI_MAX_PORTS + 1]; /* ms: reset deadline, end of recovery */
	uint64_t port_dirty[4];     /* ports to look at (bit per port) */
	struct xhci_slot slots[XHCI_MAX_SLOTS + 1];
	bool dead;                  /* stopped after a fatal error */
};

/* MMIO accessors */
static inline uint32_t mmio_rd32(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint32_t *)(b + off);
}
static inline void mmio_wr32(volatile uint8_t *b, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}
static inline void mmio_wr64(volatile uint8_t *b, uint32_t off, uint64_t v)
{
	mmio_wr32(b, off, (uint32_t)v);
	mmio_wr32(b, off + 4, (uint32_t)(v >> 32));
}

/* dev/xhci.c */
void *xhci_alloc_page(struct xhci *hc);
void xhci_free_page(void *p);
void ring_init(struct ring *r, struct trb *page);
/* Puts one TRB on r (cycle bit added); returns its physical address. */
uint64_t ring_put(struct ring *r, uint64_t param, uint32_t status, uint32_t control);
/* Runs a command and waits for its completion; returns the completion
 * code (0 on a timeout). *slot_out (may be NULL) gets the slot id. */
int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint8_t *slot_out);
/* Handles the waiting events; returns how many. */
int xhci_events(struct xhci *hc);
void xhci_ring_db(struct xhci *hc, unsigned slot, unsigned target);
/* Waits (handling events) until w->done or ms pass; false on timeout. */
bool xhci_wait_done(struct xhci *hc, struct xhci_wait *w, unsigned ms);
uint64_t xhci_ms(void);

/* dev/xhci_dev.c: a transfer event; the recovery of an interrupt
 * endpoint that failed (outside event handling: it runs commands) */
void xhci_dev_event(struct xhci *hc, const struct trb *ev);
void xhci_dev_recover(struct xhci *hc, unsigned slot);

#endif

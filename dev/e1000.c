/*
 * Intel gigabit Ethernet (dev/nic.h), one driver for three generations
 * that share the register map and the legacy descriptor formats:
 *   e1000:  the 8254x PCI/PCI-X parts; QEMU's `-device e1000` is the
 *           82540EM, VMware's default the 82545EM;
 *   e1000e: the 82574L/82583V PCIe parts (QEMU's `-device e1000e`);
 *   PCH:    the I217/I218/I219 "LAN on motherboard" of most Intel desktops
 *           and laptops (the MAC lives in the chipset, the PHY outside).
 * Where they differ, and what this driver does about it:
 *   - EEPROM read (EERD): done bit 4 and the address at bit 8 on 8254x,
 *     done bit 1 and the address at bit 2 on 82574; the PCH parts have no
 *     EERD (the NVM is in the SPI flash), so their MAC is taken from RAL0/
 *     RAH0 as the firmware left it. Every part: RAL0/RAH0 first.
 *   - Reset: 8254x and 82574 get a full CTRL.RST (82574 after stopping
 *     its PCIe bus mastering, then waiting for the NVM auto-read). A PCH
 *     part is NOT reset: that needs the software/firmware semaphore and a
 *     PHY re-initialisation over MDIO, so the firmware's PHY setup is kept
 *     and only receive/transmit are stopped and reprogrammed.
 *   - Not handled (PCH): a PHY left in ULP (ultra-low-power) mode by the
 *     firmware, the I219 descriptor-ring flush quirk and the ME's SMBus
 *     link. On such a machine the card is found but its link stays down.
 *   - DRV_LOAD (CTRL_EXT) is set on 82574 and PCH parts so that a
 *     manageability engine knows a driver owns the port.
 * Rings: 128 receive and 64 transmit legacy descriptors, each with its own
 * 2 KiB buffer (a full frame; RCTL.BSIZE = 2048), the FCS stripped on
 * receive (SECRC) and added on transmit (IFCS). Interrupts are masked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "core/x86.h"
#include "dev/nic.h"

#define INTEL_VENDOR 0x8086

#define E_CTRL 0x0000
#define E_STATUS 0x0008
#define E_EECD 0x0010
#define E_EERD 0x0014
#define E_CTRL_EXT 0x0018
#define E_ICR 0x00C0
#define E_IMC 0x00D8
#define E_RCTL 0x0100
#define E_TCTL 0x0400
#define E_TIPG 0x0410
#define E_RDBAL 0x2800
#define E_RDBAH 0x2804
#define E_RDLEN 0x2808
#define E_RDH 0x2810
#define E_RDT 0x2818
#define E_TDBAL 0x3800
#define E_TDBAH 0x3804
#define E_TDLEN 0x3808
#define E_TDH 0x3810
#define E_TDT 0x3818
#define E_MTA 0x5200 /* 128 dwords */
#define E_RAL0 0x5400
#define E_RAH0 0x5404

#define CTRL_GIO_MASTER_DISABLE (1u << 2)
#define CTRL_LRST (1u << 3)
#define CTRL_ASDE (1u << 5)
#define CTRL_SLU (1u << 6)
#define CTRL_ILOS (1u << 7)
#define CTRL_RST (1u << 26)
#define CTRL_VME (1u << 30)
#define CTRL_PHY_RST (1u << 31)
#define STATUS_LU (1u << 1)
#define STATUS_GIO_MASTER_EN (1u << 19)
#define EECD_AUTO_RD (1u << 9)
#define CTRL_EXT_DRV_LOAD (1u << 28)
#define RAH_AV (1u << 31)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26) /* BSIZE 00 = 2048 bytes */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (15u << 4)
#define TCTL_COLD (63u << 12)
#define TIPG_COPPER (8u | 8u << 10 | 6u << 20)

#define RXD_DD 0x01
#define RXD_EOP 0x02
#define TXD_CMD_EOP 0x01
#define TXD_CMD_IFCS 0x02
#define TXD_CMD_RS 0x08
#define TXD_DD 0x01

#define N_RX 128
#define N_TX 64

struct rx_desc {
	uint64_t addr;
	uint16_t len, csum;
	uint8_t status, errors;
	uint16_t special;
};

struct tx_desc {
	uint64_t addr;
	uint16_t len;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};

_Static_assert(sizeof(struct rx_desc) == 16, "legacy receive descriptor");
_Static_assert(sizeof(struct tx_desc) == 16, "legacy transmit descriptor");

enum e1k_kind { K_8254X, K_82574, K_PCH };

static const struct {
	uint16_t id;
	uint8_t kind;
	const char *name;
} models[] = {
	{ 0x100E, K_8254X, "82540EM" }, { 0x1015, K_8254X, "82540EM LOM" },
	{ 0x100F, K_8254X, "82545EM" }, { 0x1026, K_8254X, "82545GM" },
	{ 0x10D3, K_82574, "82574L" },  { 0x150C, K_82574, "82583V" },
	{ 0x153A, K_PCH, "I217-LM" },   { 0x153B, K_PCH, "I217-V" },
	{ 0x155A, K_PCH, "I218-LM" },   { 0x1559, K_PCH, "I218-V" },
	{ 0x15A0, K_PCH, "I218-LM" },   { 0x15A1, K_PCH, "I218-V" },
	{ 0x15A2, K_PCH, "I218-LM" },   { 0x15A3, K_PCH, "I218-V" },
	{ 0x156F, K_PCH, "I219-LM" },   { 0x1570, K_PCH, "I219-V" },
	{ 0x15B7, K_PCH, "I219-LM" },   { 0x15B8, K_PCH, "I219-V" },
	{ 0x15B9, K_PCH, "I219-LM" },   { 0x15D7, K_PCH, "I219-LM" },
	{ 0x15D8, K_PCH, "I219-V" },    { 0x15E3, K_PCH, "I219-LM" },
	{ 0x15D6, K_PCH, "I219-V" },    { 0x15BD, K_PCH, "I219-LM" },
	{ 0x15BE, K_PCH, "I219-V" },    { 0x15BB, K_PCH, "I219-LM" },
	{ 0x15BC, K_PCH, "I219-V" },    { 0x15DF, K_PCH, "I219-LM" },
	{ 0x15E0, K_PCH, "I219-V" },    { 0x15E1, K_PCH, "I219-LM" },
	{ 0x15E2, K_PCH, "I219-V" },    { 0x0D4E, K_PCH, "I219-LM" },
	{ 0x0D4F, K_PCH, "I219-V" },    { 0x0D4C, K_PCH, "I219-LM" },
	{ 0x0D4D, K_PCH, "I219-V" },
};
#define N_MODELS ((int)(sizeof models / sizeof models[0]))

struct e1k {
	volatile uint8_t *regs;
	int kind;
	volatile struct rx_desc *rx;
	volatile struct tx_desc *tx;
	uint8_t *rx_bufs, *tx_bufs;
	unsigned rx_next;            /* next descriptor the card fills */
	unsigned tx_next, tx_clean;  /* next to fill; oldest not yet done */
};

static uint32_t rd(struct e1k *e, unsigned reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void wr(struct e1k *e, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

/* Waits up to ms milliseconds for (reg & mask) == want. */
static bool wait_reg(struct e1k *e, unsigned reg, uint32_t mask, uint32_t want, int ms)
{
	for (int i = 0; i < ms * 10; i++) {
		if ((rd(e, reg) & mask) == want)
			return true;
		timer_udelay(100);
	}
	return false;
}

/* ---- nic ops ----------------------------------------------------------- */

static int e1k_rx_poll(struct nic *n, int budget)
{
	struct e1k *e = n->priv;
	int got = 0;
	unsigned last = 0;
	while (got < budget) {
		volatile struct rx_desc *d = &e->rx[e->rx_next];
		if (!(d->status & RXD_DD))
			break;
		barrier(); /* the rest of the descriptor after DD */
		uint16_t len = d->len;
		if ((d->status & RXD_EOP) && !d->errors && len >= 14 && len <= NIC_FRAME_MAX) {
			n->stats.rx_packets++;
			n->stats.rx_bytes += len;
			if (n->rx)
				n->rx(n, e->rx_bufs + (size_t)e->rx_next * NIC_BUF_SIZE, len);
		} else {
			n->stats.rx_errors++;
		}
		d->status = 0;
		last = e->rx_next;
		e->rx_next = (e->rx_next + 1) % N_RX;
		got++;
	}
	if (got) {
		barrier();
		wr(e, E_RDT, last); /* hand the processed descriptors back */
	}
	return got;
}

static void *e1k_tx_buf(struct nic *n)
{
	struct e1k *e = n->priv;
	while (e->tx_clean != e->tx_next && (e->tx[e->tx_clean].status & TXD_DD))
		e->tx_clean = (e->tx_clean + 1) % N_TX;
	if ((e->tx_next + 1) % N_TX == e->tx_clean) {
		n->stats.tx_busy++;
		return NULL;
	}
	return e->tx_bufs + (size_t)e->tx_next * NIC_BUF_SIZE;
}

static void e1k_tx_commit(struct nic *n, size_t len)
{
	struct e1k *e = n->priv;
	volatile struct tx_desc *d = &e->tx[e->tx_next];
	if (len < 60) { /* pad runts to the minimum frame (the card would too, with PSP) */
		memset(e->tx_bufs + (size_t)e->tx_next * NIC_BUF_SIZE + len, 0, 60 - len);
		len = 60;
	}
	d->len = (uint16_t)len;
	d->cso = d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	e->tx_next = (e->tx_next + 1) % N_TX;
	barrier();
	wr(e, E_TDT, e->tx_next);
	n->stats.tx_packets++;
	n->stats.tx_bytes += len;
}

static bool e1k_link_up(struct nic *n)
{
	struct e1k *e = n->priv;
	return (rd(e, E_STATUS) & STATUS_LU) != 0;
}

static const struct nic_ops e1k_ops = {
	.tx_buf = e1k_tx_buf,
	.tx_commit = e1k_tx_commit,
	.rx_poll = e1k_rx_poll,
	.link_up = e1k_link_up,
};

/* ---- bring-up ---------------------------------------------------------- */

/* One 16-bit EEPROM word through EERD, or -1 (no answer / no EERD). */
static int eeprom_word(struct e1k *e, unsigned addr)
{
	uint32_t done, shift;
	if (e->kind == K_PCH)
		return -1;
	done = e->kind == K_82574 ? 1u << 1 : 1u << 4;
	shift = e->kind == K_82574 ? 2 : 8;
	wr(e, E_EERD, (addr << shift) | 1);
	if (!wait_reg(e, E_EERD, done, done, 10))
		return -1;
	return (int)(rd(e, E_EERD) >> 16);
}

static bool mac_ok(const uint8_t *m)
{
	static const uint8_t zero[6], ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	return memcmp(m, zero, 6) && memcmp(m, ones, 6) && !(m[0] & 1);
}

static bool read_mac(struct e1k *e, uint8_t *mac)
{
	uint32_t lo = rd(e, E_RAL0), hi = rd(e, E_RAH0);
	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
	if ((hi & RAH_AV) && mac_ok(mac))
		return true;
	for (unsigned w = 0; w < 3; w++) {
		int v = eeprom_word(e, w);
		if (v < 0)
			return false;
		mac[2 * w] = (uint8_t)v;
		mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
	return mac_ok(mac);
}

static void reset(struct e1k *e)
{
	if (e->kind == K_82574) {
		wr(e, E_CTRL, rd(e, E_CTRL) | CTRL_GIO_MASTER_DISABLE);
		wait_reg(e, E_STATUS, STATUS_GIO_MASTER_EN, 0, 10);
	}
	wr(e, E_CTRL, rd(e, E_CTRL) | CTRL_RST);
	timer_udelay(3000);
	wait_reg(e, E_CTRL, CTRL_RST, 0, 100);
	wr(e, E_IMC, 0xffffffffu);
	(void)rd(e, E_ICR);
	if (e->kind == K_82574)
		wait_reg(e, E_EECD, EECD_AUTO_RD, EECD_AUTO_RD, 10);
}

static bool e1k_match(const struct pci_dev *d)
{
	if (d->vendor != INTEL_VENDOR)
		return false;
	for (int i = 0; i < N_MODELS; i++)
		if (models[i].id == d->device)
			return true;
	return false;
}

static bool e1k_probe(const struct pci_dev *d, struct nic *n, char *err, size_t errlen)
{
	int m = 0;
	uint64_t size = 0;
	while (models[m].id != d->device)
		m++;
	struct e1k *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	e->kind = models[m].kind;
	e->regs = (volatile uint8_t *)pci_map_bar(d, 0, &size);
	if (!e->regs || size < 0x6000) {
		snprintf(err, errlen, "register BAR 0 missing or too small");
		free(e);
		return false;
	}
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
	/* whatever the firmware left running stops before we touch memory */
	wr(e, E_IMC, 0xffffffffu);
	wr(e, E_RCTL, 0);
	wr(e, E_TCTL, 0);
	timer_udelay(10000);
	if (e->kind != K_PCH)
		reset(e);
	uint32_t ctrl = rd(e, E_CTRL);
	ctrl &= ~(CTRL_LRST | CTRL_PHY_RST | CTRL_ILOS | CTRL_VME);
	wr(e, E_CTRL, ctrl | CTRL_SLU | CTRL_ASDE);
	if (e->kind != K_8254X)
		wr(e, E_CTRL_EXT, rd(e, E_CTRL_EXT) | CTRL_EXT_DRV_LOAD);
	if (!read_mac(e, n->mac)) {
		snprintf(err, errlen, "no valid MAC address (RAL0 or EEPROM)");
		goto fail;
	}
	wr(e, E_RAL0, n->mac[0] | n->mac[1] << 8 | n->mac[2] << 16 | (uint32_t)n->mac[3] << 24);
	wr(e, E_RAH0, n->mac[4] | n->mac[5] << 8 | RAH_AV);
	for (int i = 0; i < 128; i++)
		wr(e, E_MTA + 4 * i, 0);

	e->rx = nic_dma_alloc(N_RX * sizeof(struct rx_desc));
	e->tx = nic_dma_alloc(N_TX * sizeof(struct tx_desc));
	e->rx_bufs = nic_dma_alloc((size_t)N_RX * NIC_BUF_SIZE);
	e->tx_bufs = nic_dma_alloc((size_t)N_TX * NIC_BUF_SIZE);
	if (!e->rx || !e->tx || !e->rx_bufs || !e->tx_bufs) {
		snprintf(err, errlen, "out of memory for the rings");
		goto fail;
	}
	for (int i = 0; i < N_RX; i++)
		e->rx[i].addr = (uintptr_t)(e->rx_bufs + (size_t)i * NIC_BUF_SIZE);
	for (int i = 0; i < N_TX; i++) {
		e->tx[i].addr = (uintptr_t)(e->tx_bufs + (size_t)i * NIC_BUF_SIZE);
		e->tx[i].status = TXD_DD;
	}
	wr(e, E_RDBAL, (uint32_t)(uintptr_t)e->rx);
	wr(e, E_RDBAH, (uint32_t)((uintptr_t)e->rx >> 32));
	wr(e, E_RDLEN, N_RX * sizeof(struct rx_desc));
	wr(e, E_RDH, 0);
	wr(e, E_RDT, N_RX - 1);
	wr(e, E_TDBAL, (uint32_t)(uintptr_t)e->tx);
	wr(e, E_TDBAH, (uint32_t)((uintptr_t)e->tx >> 32));
	wr(e, E_TDLEN, N_TX * sizeof(struct tx_desc));
	wr(e, E_TDH, 0);
	wr(e, E_TDT, 0);
	wr(e, E_TIPG, TIPG_COPPER);
	wr(e, E_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(e, E_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);

	n->driver = e->kind == K_8254X ? "e1000" : "e1000e";
	snprintf(n->model, sizeof n->model, "%s", models[m].name);
	n->ops = &e1k_ops;
	n->priv = e;
	return true;
fail:
	wr(e, E_RCTL, 0);
	wr(e, E_TCTL, 0);
	free(e); /* ring pages, if any, stay allocated: the card saw them */
	return false;
}

const struct nic_driver e1000_driver = {
	.name = "e1000",
	.match = e1k_match,
	.probe = e1k_probe,
};

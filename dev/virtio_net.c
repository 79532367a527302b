/*
 * virtio-net (dev/nic.h): QEMU's and most clouds' paravirtual network card,
 * PCI vendor 0x1AF4.
 *
 * Two register interfaces, one set of rings:
 *   legacy (device 0x1000 without the capabilities below, virtio 0.9):
 *     I/O BAR 0 holds features, queue select/size/PFN, notify and status,
 *     then the MAC; each queue lives in one physically contiguous block
 *     laid out by the spec (descriptors, avail ring, used ring on the next
 *     4 KiB boundary) whose page number is written to QUEUE_PFN; the
 *     packet header is 10 bytes.
 *   modern (device 0x1041, or a transitional 0x1000 that has them, virtio
 *     1.0): vendor-specific PCI capabilities point into memory BARs at the
 *     common configuration (features, status, per-queue size/addresses/
 *     enable), the notify area and the device configuration (MAC, link
 *     status); VERSION_1 must be negotiated; the header is 12 bytes.
 * Queue 0 receives, queue 1 transmits. Every descriptor owns one
 * NIC_BUF_SIZE buffer (virtio header, then the frame) for good, so
 * descriptor id == buffer index. No interrupts: the avail rings say
 * NO_INTERRUPT and rx_poll reads the used ring.
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

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_DEV_NET_LEGACY 0x1000
#define VIRTIO_DEV_NET_MODERN 0x1041

/* legacy I/O registers */
#define VL_DEV_FEATURES 0x00
#define VL_DRV_FEATURES 0x04
#define VL_QUEUE_PFN 0x08
#define VL_QUEUE_SIZE 0x0C
#define VL_QUEUE_SEL 0x0E
#define VL_QUEUE_NOTIFY 0x10
#define VL_STATUS 0x12
#define VL_CONFIG 0x14 /* device configuration (no MSI-X) */

/* modern common configuration */
#define VC_DEV_FEATURE_SEL 0x00
#define VC_DEV_FEATURE 0x04
#define VC_DRV_FEATURE_SEL 0x08
#define VC_DRV_FEATURE 0x0C
#define VC_STATUS 0x14
#define VC_QUEUE_SEL 0x16
#define VC_QUEUE_SIZE 0x18
#define VC_QUEUE_ENABLE 0x1C
#define VC_QUEUE_NOTIFY_OFF 0x1E
#define VC_QUEUE_DESC 0x20
#define VC_QUEUE_DRIVER 0x28
#define VC_QUEUE_DEVICE 0x30

/* capability cfg_type */
#define VCAP_COMMON 1
#define VCAP_NOTIFY 2
#define VCAP_DEVICE 4

#define VS_ACK 1
#define VS_DRIVER 2
#define VS_DRIVER_OK 4
#define VS_FEATURES_OK 8

#define VNET_F_MAC (1u << 5)
#define VNET_F_STATUS (1u << 16)
#define VIRTIO_F_ANY_LAYOUT (1u << 27)
#define VIRTIO_F_VERSION_1_HI (1u << 0) /* feature bit 32 */
#define VNET_S_LINK_UP 1

#define VQ_DESC_F_WRITE 2
#define VQ_AVAIL_F_NO_INTERRUPT 1
#define VQ_MAX 1024     /* largest ring we lay out */
#define VQ_MAX_BUFS 128 /* buffers per ring (the ring may be larger) */

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq {
	uint16_t index, size; /* queue number; ring entries */
	uint16_t nbufs;       /* descriptors/buffers in use: min(size, VQ_MAX_BUFS) */
	volatile struct vq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size] */
	volatile uint32_t *used;  /* flags|idx, then (id, len) pairs */
	uint16_t avail_idx, used_last;
	uint8_t *bufs; /* nbufs * NIC_BUF_SIZE */
	uint16_t free_ids[VQ_MAX_BUFS];
	uint16_t n_free;
	volatile uint16_t *notify; /* modern; legacy writes VL_QUEUE_NOTIFY */
};

struct vnet {
	bool modern;
	uint16_t io;                     /* legacy: I/O BAR base */
	volatile uint8_t *common, *devcfg;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint32_t hdr_len;
	bool has_status, has_mac;
	struct vq rx, tx;
	int tx_id; /* between tx_buf and tx_commit */
};

static uint16_t used_idx(struct vq *q)
{
	return (uint16_t)(q->used[0] >> 16);
}

static void vq_notify(struct vnet *v, struct vq *q)
{
	mfence(); /* the avail index before the doorbell */
	if (v->modern)
		*q->notify = q->index;
	else
		outw(v->io + VL_QUEUE_NOTIFY, q->index);
}

static void vq_publish(struct vq *q, uint16_t id)
{
	q->avail[2 + q->avail_idx % q->size] = id;
	q->avail_idx++;
}

/* Bytes of a legacy ring of n entries: descriptors + avail, then used on
 * the next page (the modern layout uses the same block). */
static size_t vq_bytes(uint16_t n, size_t *used_off)
{
	size_t a = 16u * n + 6 + 2u * n;
	*used_off = (a + 4095) & ~(size_t)4095;
	return *used_off + ((6 + 8u * n + 4095) & ~(size_t)4095);
}

/* Rings and buffers for a queue of size entries; false: out of memory. */
static bool vq_alloc(struct vq *q, uint16_t index, uint16_t size, bool rx)
{
	size_t used_off, bytes = vq_bytes(size, &used_off);
	uint8_t *ring = nic_dma_alloc(bytes);
	q->index = index;
	q->size = size;
	q->nbufs = size < VQ_MAX_BUFS ? size : VQ_MAX_BUFS;
	q->bufs = nic_dma_alloc((size_t)q->nbufs * NIC_BUF_SIZE);
	if (!ring || !q->bufs)
		return false;
	q->desc = (volatile struct vq_desc *)ring;
	q->avail = (volatile uint16_t *)(ring + 16u * size);
	q->used = (volatile uint32_t *)(ring + used_off);
	q->avail[0] = VQ_AVAIL_F_NO_INTERRUPT;
	for (uint16_t i = 0; i < q->nbufs; i++) {
		q->desc[i].addr = (uint64_t)(uintptr_t)(q->bufs + (size_t)i * NIC_BUF_SIZE);
		q->desc[i].len = NIC_BUF_SIZE;
		q->desc[i].flags = rx ? VQ_DESC_F_WRITE : 0;
		if (rx)
			vq_publish(q, i);
		else
			q->free_ids[q->n_free++] = i;
	}
	return true;
}

/* ---- register access, legacy and modern ------------------------------- */

static uint8_t status_get(struct vnet *v)
{
	return v->modern ? v->common[VC_STATUS] : inb(v->io + VL_STATUS);
}

static void status_set(struct vnet *v, uint8_t s)
{
	if (v->modern)
		v->common[VC_STATUS] = s;
	else
		outb(v->io + VL_STATUS, s);
}

static volatile uint32_t *c32(struct vnet *v, unsigned off)
{
	return (volatile uint32_t *)(v->common + off);
}

static volatile uint16_t *c16(struct vnet *v, unsigned off)
{
	return (volatile uint16_t *)(v->common + off);
}

static uint8_t cfg8(struct vnet *v, unsigned off)
{
	return v->modern ? v->devcfg[off] : inb(v->io + VL_CONFIG + off);
}

/* ---- nic ops ----------------------------------------------------------- */

static int vnet_rx_poll(struct nic *n, int budget)
{
	struct vnet *v = n->priv;
	struct vq *q = &v->rx;
	int got = 0;
	while (got < budget && q->used_last != used_idx(q)) {
		barrier(); /* the entry after the index */
		const volatile uint32_t *e = q->used + 1 + 2 * (q->used_last % q->size);
		uint32_t id = e[0], len = e[1];
		q->used_last++;
		if (id >= q->nbufs)
			continue; /* not ours: cannot be re-posted either */
		if (len > v->hdr_len && len - v->hdr_len <= NIC_FRAME_MAX + 4) {
			n->stats.rx_packets++;
			n->stats.rx_bytes += len - v->hdr_len;
			if (n->rx)
				n->rx(n, q->bufs + (size_t)id * NIC_BUF_SIZE + v->hdr_len, len - v->hdr_len);
		} else {
			n->stats.rx_errors++;
		}
		vq_publish(q, (uint16_t)id);
		got++;
	}
	if (got) {
		barrier();
		q->avail[1] = q->avail_idx;
		vq_notify(v, q);
	}
	return got;
}

static void *vnet_tx_buf(struct nic *n)
{
	struct vnet *v = n->priv;
	struct vq *q = &v->tx;
	while (q->used_last != used_idx(q)) {
		barrier();
		uint32_t id = q->used[1 + 2 * (q->used_last % q->size)];
		q->used_last++;
		if (id < q->nbufs && q->n_free < q->nbufs)
			q->free_ids[q->n_free++] = (uint16_t)id;
	}
	if (!q->n_free) {
		n->stats.tx_busy++;
		return NULL;
	}
	v->tx_id = q->free_ids[--q->n_free];
	uint8_t *b = q->bufs + (size_t)v->tx_id * NIC_BUF_SIZE;
	memset(b, 0, v->hdr_len); /* no checksum offload, no GSO */
	return b + v->hdr_len;
}

static void vnet_tx_commit(struct nic *n, size_t len)
{
	struct vnet *v = n->priv;
	struct vq *q = &v->tx;
	q->desc[v->tx_id].len = (uint32_t)(v->hdr_len + len);
	vq_publish(q, (uint16_t)v->tx_id);
	barrier();
	q->avail[1] = q->avail_idx;
	vq_notify(v, q);
	n->stats.tx_packets++;
	n->stats.tx_bytes += len;
}

static bool vnet_link_up(struct nic *n)
{
	struct vnet *v = n->priv;
	if (!v->has_status)
		return true;
	return (cfg8(v, 6) & VNET_S_LINK_UP) != 0;
}

static const struct nic_ops vnet_ops = {
	.tx_buf = vnet_tx_buf,
	.tx_commit = vnet_tx_commit,
	.rx_poll = vnet_rx_poll,
	.link_up = vnet_link_up,
};

/* ---- bring-up ---------------------------------------------------------- */

/* Waits up to 100 ms for the device status to read back 0 after a reset. */
static bool reset(struct vnet *v)
{
	status_set(v, 0);
	for (int i = 0; i < 1000; i++) {
		if (status_get(v) == 0)
			return true;
		timer_udelay(100);
	}
	return false;
}

/* The modern capabilities: common, notify and device configuration. */
static bool find_caps(const struct pci_dev *d, struct vnet *v)
{
	volatile uint8_t *bars[6] = { 0 };
	uint64_t sizes[6] = { 0 };
	for (uint8_t cap = pci_next_cap(d, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_next_cap(d, PCI_CAP_VENDOR, cap)) {
		uint8_t type = pci_read8(d, cap + 3), bar = pci_read8(d, cap + 4);
		uint32_t off = pci_read32(d, cap + 8), len = pci_read32(d, cap + 12);
		if (type != VCAP_COMMON && type != VCAP_NOTIFY && type != VCAP_DEVICE)
			continue;
		if (bar > 5)
			continue;
		if (!bars[bar])
			bars[bar] = (volatile uint8_t *)pci_map_bar(d, bar, &sizes[bar]);
		if (!bars[bar] || (uint64_t)off + len > sizes[bar])
			continue;
		volatile uint8_t *p = bars[bar] + off;
		if (type == VCAP_COMMON && !v->common && len >= 0x38) {
			v->common = p;
		} else if (type == VCAP_NOTIFY && !v->notify_base) {
			v->notify_base = p;
			v->notify_mult = pci_read32(d, cap + 16);
		} else if (type == VCAP_DEVICE && !v->devcfg && len >= 8) {
			v->devcfg = p;
		}
	}
	return v->common && v->notify_base && v->devcfg;
}

static bool setup_modern(struct vnet *v, char *err, size_t errlen)
{
	*c32(v, VC_DEV_FEATURE_SEL) = 0;
	uint32_t f0 = *c32(v, VC_DEV_FEATURE);
	*c32(v, VC_DEV_FEATURE_SEL) = 1;
	uint32_t f1 = *c32(v, VC_DEV_FEATURE);
	if (!(f1 & VIRTIO_F_VERSION_1_HI)) {
		snprintf(err, errlen, "modern interface without VERSION_1");
		return false;
	}
	uint32_t acc0 = f0 & (VNET_F_MAC | VNET_F_STATUS);
	*c32(v, VC_DRV_FEATURE_SEL) = 0;
	*c32(v, VC_DRV_FEATURE) = acc0;
	*c32(v, VC_DRV_FEATURE_SEL) = 1;
	*c32(v, VC_DRV_FEATURE) = VIRTIO_F_VERSION_1_HI;
	status_set(v, VS_ACK | VS_DRIVER | VS_FEATURES_OK);
	if (!(status_get(v) & VS_FEATURES_OK)) {
		snprintf(err, errlen, "the device refused our features");
		return false;
	}
	v->has_status = acc0 & VNET_F_STATUS;
	v->has_mac = acc0 & VNET_F_MAC;
	v->hdr_len = 12;
	struct vq *qs[2] = { &v->rx, &v->tx };
	for (uint16_t i = 0; i < 2; i++) {
		*c16(v, VC_QUEUE_SEL) = i;
		uint16_t size = *c16(v, VC_QUEUE_SIZE);
		if (!size) {
			snprintf(err, errlen, "queue %u missing", i);
			return false;
		}
		if (size > 256) {
			size = 256;
			*c16(v, VC_QUEUE_SIZE) = size;
		}
		if (!vq_alloc(qs[i], i, size, i == 0)) {
			snprintf(err, errlen, "out of memory for the rings");
			return false;
		}
		uint64_t a[3] = { (uintptr_t)qs[i]->desc, (uintptr_t)qs[i]->avail, (uintptr_t)qs[i]->used };
		for (int k = 0; k < 3; k++) {
			*c32(v, VC_QUEUE_DESC + 8 * k) = (uint32_t)a[k];
			*c32(v, VC_QUEUE_DESC + 8 * k + 4) = (uint32_t)(a[k] >> 32);
		}
		qs[i]->notify = (volatile uint16_t *)(v->notify_base +
						      (uint32_t)*c16(v, VC_QUEUE_NOTIFY_OFF) * v->notify_mult);
		*c16(v, VC_QUEUE_ENABLE) = 1;
	}
	return true;
}

static bool setup_legacy(struct vnet *v, char *err, size_t errlen)
{
	uint32_t f = inl(v->io + VL_DEV_FEATURES);
	uint32_t acc = f & (VNET_F_MAC | VNET_F_STATUS | VIRTIO_F_ANY_LAYOUT);
	outl(v->io + VL_DRV_FEATURES, acc);
	v->has_status = acc & VNET_F_STATUS;
	v->has_mac = acc & VNET_F_MAC;
	v->hdr_len = 10;
	struct vq *qs[2] = { &v->rx, &v->tx };
	for (uint16_t i = 0; i < 2; i++) {
		outw(v->io + VL_QUEUE_SEL, i);
		uint16_t size = inw(v->io + VL_QUEUE_SIZE);
		if (!size || size > VQ_MAX) {
			snprintf(err, errlen, "queue %u has %u entries", i, size);
			return false;
		}
		if (!vq_alloc(qs[i], i, size, i == 0)) {
			snprintf(err, errlen, "out of memory for the rings");
			return false;
		}
		outl(v->io + VL_QUEUE_PFN, (uint32_t)((uintptr_t)qs[i]->desc >> 12));
	}
	return true;
}

static bool vnet_match(const struct pci_dev *d)
{
	return d->vendor == VIRTIO_VENDOR &&
	       (d->device == VIRTIO_DEV_NET_MODERN || d->device == VIRTIO_DEV_NET_LEGACY);
}

static bool vnet_probe(const struct pci_dev *d, struct nic *n, char *err, size_t errlen)
{
	struct vnet *v = calloc(1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (find_caps(d, v)) {
		v->modern = true;
		pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
	} else {
		struct pci_bar b;
		if (d->device != VIRTIO_DEV_NET_LEGACY || !pci_bar(d, 0, &b) || !b.io || !b.size) {
			snprintf(err, errlen, "neither the virtio 1.0 capabilities nor a legacy I/O BAR");
			goto fail;
		}
		v->io = (uint16_t)b.phys;
		pci_enable(d, PCI_CMD_IO | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
	}
	if (!reset(v)) {
		snprintf(err, errlen, "the device does not reset");
		goto fail;
	}
	status_set(v, VS_ACK);
	status_set(v, VS_ACK | VS_DRIVER);
	if (!(v->modern ? setup_modern(v, err, errlen) : setup_legacy(v, err, errlen)))
		goto fail;
	for (int i = 0; i < 6; i++)
		n->mac[i] = v->has_mac ? cfg8(v, i) : (uint8_t)(rdtsc() >> (8 * i));
	if (!v->has_mac)
		n->mac[0] = (n->mac[0] & 0xfe) | 0x02; /* locally administered, unicast */
	v->rx.avail[1] = v->rx.avail_idx;
	status_set(v, status_get(v) | VS_DRIVER_OK);
	vq_notify(v, &v->rx);
	n->driver = "virtio-net";
	snprintf(n->model, sizeof n->model, "%s", v->modern ? "1.0 (modern)" : "0.9 (legacy)");
	n->ops = &vnet_ops;
	n->priv = v;
	return true;
fail:
	if (v->common || v->io)
		status_set(v, 0); /* stop it: no DMA into rings we give up */
	free(v); /* the rings (pmm pages) are not returned: the device saw them */
	return false;
}

const struct nic_driver virtio_net_driver = {
	.name = "virtio-net",
	.match = vnet_match,
	.probe = vnet_probe,
};

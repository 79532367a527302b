/*
 * Network cards: the drivers in dev/ behind one small interface, for
 * net/ (which puts lwIP on top). Every card is polled: no interrupts.
 *
 * Bring-up (nic_probe_all, once at boot, after pci_init):
 *   1. every PCI function is matched against each driver's id table;
 *   2. the driver maps its registers, resets the card, allocates its
 *      descriptor rings and packet buffers from pmm (identity-mapped, so
 *      the DMA address of a buffer is its address), reads the MAC and
 *      starts receive and transmit;
 *   3. a card that fails any step prints one line saying why and is left
 *      out; the OS carries on without it.
 *
 * Frames are whole Ethernet frames without the FCS (14-byte header +
 * payload, at most NIC_FRAME_MAX bytes). BSP only.
 */
#ifndef DEV_NIC_H
#define DEV_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/pci.h"

#define NIC_MAX 4
#define NIC_FRAME_MAX 1514
#define NIC_BUF_SIZE 2048 /* one packet buffer (frame + any device header) */

struct nic;

struct nic_ops {
	/* A buffer for the next frame to send (NIC_FRAME_MAX bytes), or NULL
	 * when the transmit ring is full; then tx_commit sends len bytes of
	 * it. Nothing else may be called in between. */
	void *(*tx_buf)(struct nic *n);
	void (*tx_commit)(struct nic *n, size_t len);
	/* Hands up to budget received frames to n->rx, returns how many. */
	int (*rx_poll)(struct nic *n, int budget);
	bool (*link_up)(struct nic *n);
};

struct nic_stats {
	uint64_t rx_packets, rx_bytes, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_busy; /* tx_busy: ring full when asked */
};

struct nic {
	const char *driver;       /* "virtio-net", "e1000", "e1000e" */
	char model[40];           /* e.g. "82540EM", "virtio 1.0 (modern)" */
	uint8_t mac[6];
	const struct pci_dev *pci;
	const struct nic_ops *ops;
	void *priv;               /* the driver's state */
	struct nic_stats stats;
	/* Set by the user of the card (net/): called from rx_poll for each
	 * frame; the bytes are valid only during the call. */
	void (*rx)(struct nic *n, const void *frame, size_t len);
	void *user;
};

/* A driver: which PCI ids it takes, and its probe, which fills n (driver,
 * model, mac, ops, priv) or returns false with a reason in err. */
struct nic_driver {
	const char *name;
	bool (*match)(const struct pci_dev *d);
	bool (*probe)(const struct pci_dev *d, struct nic *n, char *err, size_t errlen);
};

/* Finds and starts every supported card; returns how many work. */
int nic_probe_all(void);
int nic_count(void);
struct nic *nic_get(int i);

/* DMA memory for drivers: zeroed, page-aligned, physically contiguous,
 * below 4 GiB (some cards take 32-bit addresses), never freed. NULL when
 * there is no such memory. */
void *nic_dma_alloc(size_t bytes);

/* The drivers (dev/virtio_net.c, dev/e1000.c). */
extern const struct nic_driver virtio_net_driver;
extern const struct nic_driver e1000_driver;

#endif

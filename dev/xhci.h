/*
 * xHCI (USB 3) host controllers, polled: see the bring-up sequence atop
 * dev/xhci.c. The USB layer (dev/usb.c) and the class drivers reach a
 * device's slot through the xhci_dev_* calls below.
 */
#ifndef DEV_XHCI_H
#define DEV_XHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/usb.h"

/* Takes over and starts every xHCI controller on the PCI bus, enumerates
 * what is plugged in, and registers the poller that handles key reports
 * and hot-plug from then on. A controller that fails prints why and is
 * left alone. */
void xhci_init(void);
/* Controllers running. */
int xhci_count(void);
/* The controller's number in device names (usb1, usb2, ...). */
int xhci_index(const struct xhci *hc);

/* Enable Slot + Address Device for d (speed, route, ports, TT filled in). */
int xhci_dev_address(struct usb_dev *d);
/* Endpoint 0's max packet size changed (Evaluate Context). */
int xhci_dev_set_mps0(struct usb_dev *d, uint16_t mps);
/* Configure Endpoint: adds the interrupt IN endpoint ep (may be NULL) and,
 * for a hub (nports > 0), the hub fields (ttt: TT think time code, mtt). */
int xhci_dev_configure(struct usb_dev *d, const struct usb_ep *ep, uint8_t nports, uint8_t ttt,
		       bool mtt);
/* A control transfer on endpoint 0; setup is the 8-byte request. Returns
 * the bytes transferred (>= 0) or a negative error. */
int xhci_dev_control(struct usb_dev *d, const uint8_t setup[8], void *data, uint16_t len);
/* Queues one transfer of len bytes on the interrupt IN endpoint into the
 * slot's buffer (xhci_dev_intr_buf); the driver's intr_done runs when it
 * completes. */
int xhci_dev_intr_submit(struct usb_dev *d, uint16_t len);
void *xhci_dev_intr_buf(struct usb_dev *d);
/* The root port d hangs off still has a device and no unhandled connect
 * change: false means d is (or may be) gone, and requests would time out. */
bool xhci_dev_connected(struct usb_dev *d);
/* Disable Slot and free the slot's memory. */
void xhci_dev_free(struct usb_dev *d);

#endif

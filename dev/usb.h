/*
 * USB devices above the host controller: enumeration (descriptors,
 * configuration) and the class drivers (hubs, boot keyboards).
 *
 * A device is attached by whoever saw it appear (a root-hub port of
 * dev/xhci.c or a port of an external hub, dev/usb_hub.c):
 *   1. the host controller resets the port and gives the device an address
 *      (xhci_dev_address: Enable Slot + Address Device)
 *   2. GET_DESCRIPTOR device: the first 8 bytes for bMaxPacketSize0 (full
 *      speed devices may use 8..64), then all 18
 *   3. GET_DESCRIPTOR configuration: 9 bytes for wTotalLength, then all
 *   4. a class driver claims it: a hub (class 9), or an interface of class
 *      3 (HID), subclass 1 (boot), protocol 1 (keyboard)
 *   5. the driver's endpoints are configured (xhci_dev_configure), then
 *      SET_CONFIGURATION and the class requests; its interrupt IN endpoint
 *      always has one transfer queued, and the completions call the driver
 * Devices nobody claims stay addressed but unconfigured. Detaching frees
 * the slot, and a hub's children with it.
 *
 * Descriptor layouts (USB 2.0 chapter 9, little-endian):
 *   device (18)    bLength bDescriptorType=1 bcdUSB u16 bDeviceClass
 *                  bDeviceSubClass bDeviceProtocol bMaxPacketSize0 idVendor
 *                  u16 idProduct u16 bcdDevice u16 iManufacturer iProduct
 *                  iSerialNumber bNumConfigurations
 *   config (9)     bLength 2 wTotalLength u16 bNumInterfaces
 *                  bConfigurationValue iConfiguration bmAttributes bMaxPower
 *   interface (9)  bLength 4 bInterfaceNumber bAlternateSetting
 *                  bNumEndpoints bInterfaceClass bInterfaceSubClass
 *                  bInterfaceProtocol iInterface
 *   endpoint (7)   bLength 5 bEndpointAddress (bit 7 IN) bmAttributes
 *                  (bits 1:0 type: 3 interrupt) wMaxPacketSize u16 bInterval
 *   hub (7+)       bLength 0x29 bNbrPorts wHubCharacteristics u16
 *                  bPwrOn2PwrGood (2 ms units) ...
 */
#ifndef DEV_USB_H
#define DEV_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* speeds as the xHCI port registers number them */
enum { USB_FULL = 1, USB_LOW = 2, USB_HIGH = 3, USB_SUPER = 4, USB_SUPER_PLUS = 5 };

#define USB_DT_DEVICE 1
#define USB_DT_CONFIG 2
#define USB_DT_INTERFACE 4
#define USB_DT_ENDPOINT 5
#define USB_DT_HUB 0x29
#define USB_DT_SS_HUB 0x2a

#define USB_REQ_GET_STATUS 0
#define USB_REQ_CLEAR_FEATURE 1
#define USB_REQ_SET_FEATURE 3
#define USB_REQ_GET_DESCRIPTOR 6
#define USB_REQ_SET_CONFIGURATION 9

/* bmRequestType: direction | type | recipient */
#define USB_RT_IN 0x80
#define USB_RT_CLASS 0x20
#define USB_RT_DEV 0x00
#define USB_RT_IFACE 0x01
#define USB_RT_OTHER 0x03

#define USB_CLASS_HID 3
#define USB_CLASS_HUB 9

#define USB_MAX_DEPTH 5 /* hub tiers below the root (the route string's limit) */

struct usb_dev_desc {
	uint8_t len, type;
	uint16_t bcd_usb;
	uint8_t cls, subcls, proto, mps0;
	uint16_t vendor, product, bcd_dev;
	uint8_t i_manuf, i_product, i_serial, n_configs;
} __attribute__((packed));
_Static_assert(sizeof(struct usb_dev_desc) == 18, "device descriptor is 18 bytes");

/* An endpoint from a configuration descriptor. */
struct usb_ep {
	uint8_t addr;     /* bEndpointAddress: number | 0x80 for IN */
	uint8_t type;     /* bmAttributes & 3 */
	uint16_t mps;     /* wMaxPacketSize bits 10:0 */
	uint8_t interval; /* bInterval */
};

/* What a class driver needs from a configuration descriptor. */
struct usb_iface {
	uint8_t number, alt;
	uint8_t cls, subcls, proto;
	bool has_int_in;
	struct usb_ep int_in; /* the first interrupt IN endpoint */
};

#define USB_MAX_IFACES 8

struct usb_config {
	uint8_t value; /* bConfigurationValue */
	int n_ifaces;  /* alternate setting 0 only */
	struct usb_iface iface[USB_MAX_IFACES];
};

/* Parses a configuration descriptor (len bytes, untrusted): true with
 * *out filled when its header is sane. Never reads outside buf. */
bool usb_parse_config(const uint8_t *buf, size_t len, struct usb_config *out);

struct xhci;
struct usb_dev;

/* A class driver's hooks. */
struct usb_driver {
	const char *name;
	/* a transfer on the driver's interrupt IN endpoint finished with len
	 * bytes in xhci_dev_intr_buf (errors are retried by dev/xhci_dev.c);
	 * runs inside event handling: no control transfers here */
	void (*intr_done)(struct usb_dev *d, size_t len);
	/* regular work outside event handling (hub port changes, repeats) */
	void (*poll)(struct usb_dev *d, uint64_t now_ms);
	void (*detach)(struct usb_dev *d);
	/* still bringing up what hangs off it (boot waits for this) */
	bool (*settling)(struct usb_dev *d);
};

struct usb_dev {
	struct xhci *hc;
	int slot;              /* xHCI slot id, 0 while not addressed */
	uint8_t speed;         /* USB_FULL ... */
	uint8_t root_port;     /* 1-based root-hub port this tree hangs off */
	uint32_t route;        /* xHCI route string: a hub port per tier, 4 bits each */
	uint8_t depth;         /* 0: on a root port */
	struct usb_dev *parent; /* the hub it is on, NULL on a root port */
	uint8_t port;          /* port number on the parent (or root port) */
	uint8_t tt_slot, tt_port; /* full/low speed behind a high-speed hub: its TT */
	struct usb_dev_desc desc;
	const struct usb_driver *drv;
	void *priv;            /* the driver's state */
	char name[24];         /* "usb1-3.2": controller, root port, hub ports */
	bool gone;             /* stopped answering: no more requests */
};

/* Enumerates a device that appeared on port of parent (NULL: root port),
 * already reset and enabled at speed. Returns the device (claimed by a
 * driver or not), or NULL when it did not answer (a message says why). */
struct usb_dev *usb_attach(struct xhci *hc, struct usb_dev *parent, uint8_t port, uint8_t speed);
/* The device is gone: its driver lets go, its slot is freed. */
void usb_detach(struct usb_dev *d);

/* A message from the USB drivers: on a line of its own, and the shell's
 * line drawn again below it when one is being edited (core/console.h). */
void usb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Synchronous control transfer; data (len bytes) goes in or out as the
 * request type says. Returns 0 or a negative error (stall, timeout). */
int usb_control(struct usb_dev *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
		void *data, uint16_t len);

/* The class drivers (dev/usb_hub.c, dev/usb_kbd.c): each claims d if it
 * is of its kind and returns true. */
bool usb_hub_probe(struct usb_dev *d, const struct usb_config *cfg);
bool usb_kbd_probe(struct usb_dev *d, const struct usb_config *cfg);
int usb_kbd_count(void);

#endif

/* Configuration descriptor parsing (dev/usb.h): pure logic, host-tested. */
#include <string.h>

#include "dev/usb.h"

bool usb_parse_config(const uint8_t *buf, size_t len, struct usb_config *out)
{
	struct usb_iface *cur = NULL;

	memset(out, 0, sizeof *out);
	if (len < 9 || buf[0] < 9 || buf[1] != USB_DT_CONFIG)
		return false;
	size_t total = (size_t)(buf[2] | buf[3] << 8);
	if (total < len)
		len = total;
	out->value = buf[5];
	for (size_t off = buf[0]; off + 2 <= len;) {
		const uint8_t *d = buf + off;
		if (d[0] < 2 || d[0] > len - off)
			break; /* a zero or overlong length ends the walk */
		if (d[1] == USB_DT_INTERFACE && d[0] >= 9) {
			cur = NULL;
			if (d[3] == 0 && out->n_ifaces < USB_MAX_IFACES) {
				cur = &out->iface[out->n_ifaces++];
				cur->number = d[2];
				cur->alt = d[3];
				cur->cls = d[5];
				cur->subcls = d[6];
				cur->proto = d[7];
			}
		} else if (d[1] == USB_DT_ENDPOINT && d[0] >= 7 && cur && !cur->has_int_in &&
			   (d[2] & 0x80) && (d[3] & 3) == 3) {
			cur->has_int_in = true;
			cur->int_in.addr = d[2];
			cur->int_in.type = d[3] & 3;
			cur->int_in.mps = (uint16_t)((d[4] | d[5] << 8) & 0x7ff);
			cur->int_in.interval = d[6];
		}
		off += d[0];
	}
	return true;
}

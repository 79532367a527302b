/* Network bring-up, the poller and the `net` command (net/net.h). */
#include "net/net.h"

#include <stdio.h>
#include <string.h>

#include "core/kprintf.h"
#include "core/poll.h"
#include "core/timer.h"
#include "dev/nic.h"
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "net/netif.h"
#include "net/serve.h"

static struct netdev devs[NIC_MAX];
static int n_devs;
static bool off; /* net=off */

static void net_poll(void)
{
	uint64_t now = timer_now_ns();
	for (int i = 0; i < n_devs; i++)
		netdev_poll(&devs[i], now);
	sys_check_timeouts();
}

void net_pump(void)
{
	poll_run();
}

void net_format_ipv4(uint32_t a, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static uint32_t host_order(const ip4_addr_t *a)
{
	return lwip_ntohl(ip4_addr_get_u32(a));
}

uint32_t net_ipv4(void)
{
	return n_devs ? host_order(netif_ip4_addr(&devs[0].nif)) : 0;
}

bool net_present(void)
{
	return n_devs > 0;
}

/* "10.0.2.15/24 (DHCP), gateway 10.0.2.2" or why there is no address. */
static void describe_addr(struct netdev *d, char *buf, size_t n)
{
	uint32_t ip = host_order(netif_ip4_addr(&d->nif));
	uint32_t mask = host_order(netif_ip4_netmask(&d->nif));
	uint32_t gw = host_order(netif_ip4_gw(&d->nif));
	char a[16], g[16];
	int bits = 0;
	if (!ip) {
		snprintf(buf, n, "no address yet (%s)",
			 !d->link ? "link down" : d->dhcp ? "asking DHCP" : "static");
		return;
	}
	while (bits < 32 && (mask << bits) & 0x80000000u)
		bits++;
	net_format_ipv4(ip, a, sizeof a);
	net_format_ipv4(gw, g, sizeof g);
	snprintf(buf, n, "%s/%d (%s), gateway %s", a, bits, d->dhcp ? "DHCP" : "static",
		 gw ? g : "none");
}

void net_init(const struct boot_info *bi)
{
	const struct boot_config *c = &bi->cfg;
	if (c->net_off) {
		off = true;
		kprintf("net: off (net=off in llm.cfg)\n");
		return;
	}
	int n = nic_probe_all();
	if (!n) {
		kprintf("net: no supported network card (virtio-net, e1000, e1000e)\n");
		return;
	}
	lwip_init();
	for (int i = 0; i < n; i++) {
		uint32_t mask = c->netmask ? c->netmask : 0xFFFFFF00u;
		uint32_t ip = i == 0 ? c->ip : 0;
		if (!netdev_add(&devs[n_devs], nic_get(i), n_devs, ip, mask, c->gateway)) {
			kprintf("net: %s: lwIP refused the interface\n", nic_get(i)->driver);
			continue;
		}
		n_devs++;
	}
	if (!n_devs)
		return;
	netif_set_default(&devs[0].nif);
	if (!poll_register("net", net_poll)) {
		kprintf("net: no poller slot left; network off\n");
		n_devs = 0;
		return;
	}
	/* a moment for link and DHCP, so that the address shows on the boot screen */
	uint64_t t0 = timer_now_ns(), limit = (uint64_t)NET_BOOT_WAIT_MS * 1000000u;
	while (timer_now_ns() - t0 < limit) {
		net_poll();
		if (net_ipv4())
			break;
		if (!devs[0].link && timer_now_ns() - t0 > limit / 2)
			break; /* no cable: no point waiting for DHCP */
	}
	for (int i = 0; i < n_devs; i++) {
		char a[96];
		describe_addr(&devs[i], a, sizeof a);
		kprintf("net: en%d %s, link %s, %s\n", i, devs[i].nic->driver, devs[i].link ? "up" : "down",
			a);
	}
}

int net_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (off) {
		kprintf("network off (net=off in llm.cfg)\n");
		return 0;
	}
	if (!n_devs) {
		kprintf("no network card (supported: virtio-net, e1000, e1000e)\n");
		return 0;
	}
	for (int i = 0; i < n_devs; i++) {
		struct netdev *d = &devs[i];
		struct nic *n = d->nic;
		const uint8_t *m = n->mac;
		char a[96];
		describe_addr(d, a, sizeof a);
		kprintf("en%d: %s %s at %02x:%02x.%u, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", i,
			n->driver, n->model, n->pci->bus, n->pci->slot, n->pci->fn, m[0], m[1], m[2], m[3],
			m[4], m[5], d->link ? "up" : "down");
		kprintf("  IPv4 %s\n", a);
		kprintf("  rx %lu packets, %lu bytes, %lu errors; tx %lu packets, %lu bytes, %lu ring full\n",
			(unsigned long)n->stats.rx_packets, (unsigned long)n->stats.rx_bytes,
			(unsigned long)n->stats.rx_errors, (unsigned long)n->stats.tx_packets,
			(unsigned long)n->stats.tx_bytes, (unsigned long)n->stats.tx_busy);
	}
	char s[160];
	serve_describe(s, sizeof s);
	kprintf("API: %s\n", s);
	return 0;
}

/* lwIP netif <-> card glue (net/netif.h). */
#include "net/netif.h"

#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define RX_BUDGET 64
#define LINK_CHECK_NS 250000000ull

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct netdev *d = nif->state;
	struct nic *n = d->nic;
	if (p->tot_len > NIC_FRAME_MAX)
		return ERR_BUF;
	void *buf = n->ops->tx_buf(n);
	if (!buf)
		return ERR_MEM; /* ring full: TCP retransmits, DHCP retries */
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	n->ops->tx_commit(n, p->tot_len);
	return ERR_OK;
}

/* A frame from the card: into a pool pbuf, then lwIP's Ethernet input. */
static void rx_frame(struct nic *n, const void *frame, size_t len)
{
	struct netdev *d = n->user;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		n->stats.rx_errors++; /* lwIP out of receive buffers: dropped */
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (d->nif.input(p, &d->nif) != ERR_OK)
		pbuf_free(p);
}

static err_t nif_init(struct netif *nif)
{
	struct netdev *d = nif->state;
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, d->nic->mac, ETH_HWADDR_LEN);
	nif->mtu = 1500;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	netif_set_hostname(nif, "llm-os");
	return ERR_OK;
}

bool netdev_add(struct netdev *d, struct nic *n, int index, uint32_t ip, uint32_t mask, uint32_t gw)
{
	ip4_addr_t a, m, g;
	memset(d, 0, sizeof *d);
	d->nic = n;
	d->dhcp = ip == 0;
	ip4_addr_set_u32(&a, lwip_htonl(ip));
	ip4_addr_set_u32(&m, lwip_htonl(ip ? mask : 0));
	ip4_addr_set_u32(&g, lwip_htonl(ip ? gw : 0));
	if (!netif_add(&d->nif, &a, &m, &g, d, nif_init, ethernet_input))
		return false;
	d->nif.num = (u8_t)index;
	n->user = d;
	n->rx = rx_frame;
	netif_set_up(&d->nif);
	d->link = n->ops->link_up(n);
	if (d->link)
		netif_set_link_up(&d->nif);
	if (d->dhcp)
		dhcp_start(&d->nif); /* waits for the link by itself */
	return true;
}

void netdev_poll(struct netdev *d, uint64_t now_ns)
{
	struct nic *n = d->nic;
	n->ops->rx_poll(n, RX_BUDGET);
	if (now_ns >= d->next_check) {
		d->next_check = now_ns + LINK_CHECK_NS;
		bool up = n->ops->link_up(n);
		if (up != d->link) {
			d->link = up;
			if (up)
				netif_set_link_up(&d->nif); /* DHCP starts over on its own */
			else
				netif_set_link_down(&d->nif);
		}
	}
}

/*
 * One lwIP network interface per card (dev/nic.h): frames from the card's
 * receive ring go to lwIP's Ethernet input, lwIP's frames go into the
 * card's transmit ring, and the card's link state is followed.
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/nic.h"
#include "lwip/netif.h"

struct netdev {
	struct netif nif;
	struct nic *nic;
	bool dhcp;            /* DHCP, else the static address from llm.cfg */
	bool link;            /* as last seen */
	uint64_t next_check;  /* ns: when to look at the link again */
};

/* Adds n to lwIP with a static address (ip != 0, host order) or DHCP. */
bool netdev_add(struct netdev *d, struct nic *n, int index, uint32_t ip, uint32_t mask,
		uint32_t gw);
/* Receives up to budget frames; checks the link every 250 ms. */
void netdev_poll(struct netdev *d, uint64_t now_ns);

#endif

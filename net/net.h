/*
 * The network: lwIP (TCP/IP, built from Debian's source, mk/net.mk) on the
 * cards that dev/nic.c finds. Bring-up, net_init(), once at boot after
 * pci_init and the heap:
 *   1. net=off in llm.cfg: stop here (`net` says so);
 *   2. nic_probe_all(): the drivers start every supported card (none:
 *      `net` says so, and everything else works as before);
 *   3. lwip_init(), then one lwIP netif per card (net/netif.c), the first
 *      card the default route;
 *   4. the first card takes ip=/netmask=/gateway= from llm.cfg when ip= is
 *      given; every other card (and the first without ip=) asks DHCP;
 *   5. net_poll joins core/poll: each card's receive ring, lwIP's timers,
 *      link changes; it runs while the shell waits for a key and between
 *      generated tokens;
 *   6. waits up to NET_BOOT_WAIT_MS for link and an address so that the
 *      boot screen can show it (DHCP carries on afterwards if need be).
 * Everything runs on the BSP from the pollers: lwIP is never re-entered.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/boot_info.h"

#define NET_BOOT_WAIT_MS 4000
#define NET_DEFAULT_PORT 8080

void net_init(const struct boot_info *bi);
/* True when at least one card works (and net=off was not given). */
bool net_present(void);
/* The default card's IPv4 address (a.b.c.d in host order: a << 24 ...),
 * 0 while it has none. */
uint32_t net_ipv4(void);
/* One round of network work now (all pollers: receive, lwIP timers); for
 * long jobs such as the API server's generations. Does nothing when called
 * from inside a poller. */
void net_pump(void);
/* Formats a.b.c.d. */
void net_format_ipv4(uint32_t a, char *buf, size_t n);
/* The shell's `net`: cards, MAC, link, addresses, counters, the API. */
int net_cmd(int argc, char **argv);

#endif

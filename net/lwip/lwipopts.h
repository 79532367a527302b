/*
 * lwIP's options for the OS (lwIP includes it from lwip/opt.h).
 *
 * NO_SYS: no threads. The BSP runs all of lwIP from the kernel's main loop
 * (net_poll, registered with core/poll: NIC receive, then lwIP's timers),
 * so no lock is taken anywhere (SYS_LIGHTWEIGHT_PROT 0). Only the raw
 * callback API is used (no netconn, no sockets).
 *
 * Memory: packet data (PBUF_RAM) comes from our heap (MEM_LIBC_MALLOC);
 * control blocks and receive pbufs from lwIP's fixed pools, whose sizes
 * below bound what the network can make the OS allocate.
 */
#ifndef NET_LWIP_LWIPOPTS_H
#define NET_LWIP_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

#define MEM_LIBC_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_TCP_PCB 64          /* connections, closing ones included: well above
                                        the server's HTTP_MAX_CONNS, so that lwIP never
                                        resets a live one to make room */
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 256         /* queued segments, all connections */
#define MEMP_NUM_REASSDATA 4
#define MEMP_NUM_ARP_QUEUE 16
#define PBUF_POOL_SIZE 128           /* receive buffers */
#define PBUF_POOL_BUFSIZE 1536       /* one whole Ethernet frame each */

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1

#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 32 /* handshakes in progress: a dropped SYN costs
                                        the client seconds (QEMU retries after 6 s) */
#define LWIP_TCP_KEEPALIVE 1         /* finds peers that vanished mid-generation */
#define TCP_KEEPIDLE_DEFAULT 60000
#define TCP_KEEPINTVL_DEFAULT 10000
#define TCP_KEEPCNT_DEFAULT 6

#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_SINGLE_NETIF 0

#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_STATS 0

#endif

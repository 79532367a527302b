# lwIP, the OS's TCP/IP stack: Debian's source package, fetched and unpacked
# into $(LWIP_DIR) by `make deps` (tools/fetch-lwip; nothing of lwIP is
# committed), compiled here with our port in net/lwip/ (lwipopts.h,
# arch/cc.h, sys_arch.c) and linked into BOOTX64.EFI. Only the parts the OS
# uses: the core, IPv4 with ARP and DHCP, UDP, TCP and Ethernet.

LWIP_VERSION := 2.1.3
LWIP_DIR ?= deps/lwip
LWIP_STAMP := $(LWIP_DIR)/.version
LWIP_CFLAGS := -Inet/lwip -I$(LWIP_DIR)/src/include

LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c \
	core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	netif/ethernet.c
LWIP_OBJ := $(LWIP_FILES:%.c=$(BUILD)/os/lwip/%.o)
OS_LIB_OBJ += $(LWIP_OBJ)

# Third-party code: our flags minus -Werror (a newer gcc's new warning in
# lwIP must not break the build), plus lwIP's include paths.
$(BUILD)/os/lwip/%.o: $(LWIP_DIR)/src/%.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(OS_CC) $(filter-out -Werror,$(OS_CFLAGS)) $(OS_LIBC_FLAGS) $(LWIP_CFLAGS) -MMD -MP -c $< -o $@

$(LWIP_STAMP):
	@echo "lwIP $(LWIP_VERSION) sources are missing in $(LWIP_DIR): run 'make deps' (tools/fetch-lwip)" >&2
	@false

.PHONY: deps-lwip
deps-lwip:
	python3 tools/fetch-lwip $(LWIP_DIR) $(LWIP_VERSION)

#!/usr/bin/env bash
# The network stack in the OS (issue 14): lwIP 2.1.3 from Debian's source
# package, the NIC drivers, DHCP, static addresses, TCP.
#
# Three QEMU boots with user-mode networking (slirp), each card on its own
# subnet with a hostfwd from 127.0.0.1 only:
#   cards  virtio-net legacy (disable-modern), virtio-net modern
#          (disable-legacy, PCI id 0x1041), e1000 (82540EM), e1000e (82574L)
#          in one boot: each is found by PCI id, gets its address by DHCP
#          (`net`), and answers TCP through its forwarded port;
#   static llm.cfg ip=/netmask=/gateway= on an e1000: `net` shows the static
#          address (not the one slirp's DHCP would give) and TCP reaches it;
#   off    llm.cfg net=off with a card present: the card is not touched and
#          `net` says the network is off.
# TCP is checked against the test build's echo service (make EFI with
# OS_DEFS=-DNET_TEST_ECHO into $BUILD-nettest: net/tcp_echo.c, port 7; not
# in BOOTX64.EFI): 20 KB echoed back intact, then a close from the OS side
# after the data (FIN, no reset).
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

checks="cards-found dhcp-virtio-legacy dhcp-virtio-modern dhcp-e1000 dhcp-e1000e tcp-virtio-legacy
	tcp-virtio-modern tcp-e1000 tcp-e1000e counters static-addr static-tcp off-untouched off-net"
if why=$(boot_unavailable); then
	for c in $checks; do skip "$c" "$why"; done
	exit 0
fi
if [ ! -r deps/lwip/.version ] && [ ! -r "${LWIP_DIR:-deps/lwip}/.version" ]; then
	for c in $checks; do fail "$c"; done
	echo "# lwIP sources missing: make deps"
	exit 1
fi

NT=$BUILD-nettest
if ! nice make -s efi BUILD="$NT" OS_DEFS=-DNET_TEST_ECHO > "$TMP/build.log" 2>&1; then
	tail -20 "$TMP/build.log"
	for c in $checks; do fail "$c"; done
	exit 1
fi

# free TCP ports on 127.0.0.1
ports=($(python3 - <<'PY'
import socket
ss = [socket.socket() for _ in range(6)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
PY
))

# echo PORT TAG: 20 KB through the echo service and back; then "Q" makes
# the OS close after echoing what came before it.
cat > "$TMP/echo.py" <<'PY'
import socket, sys
port, tag = int(sys.argv[1]), sys.argv[2]
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    msg = (tag + " 0123456789abcdef ").encode() * 1000
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.sendall(b"tailQ")
    rest = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        rest += d
    print("%s echo %s close %s" % (tag, "ok" if got == msg else "bad(%d)" % len(got),
                                   "ok" if rest == b"tail" else repr(rest)))
except OSError as e:
    print("%s error %s" % (tag, e))
PY

nic() { # nic INDEX MODEL PORT: QEMU args for one card on its own slirp subnet
	echo "--qemu-arg=-netdev --qemu-arg=user,id=n$1,net=10.0.$(($1 + 2)).0/24,hostfwd=tcp:127.0.0.1:$3-:7"
	echo "--qemu-arg=-device --qemu-arg=$2,netdev=n$1,romfile="
}

# 1. every card model in one boot
models=(virtio-net-pci,disable-modern=on virtio-net-pci,disable-legacy=on e1000 e1000e)
names=(virtio-legacy virtio-modern e1000 e1000e)
args=()
for i in 0 1 2 3; do args+=($(nic $i "${models[$i]}" "${ports[$i]}")); done
steps=()
for i in 0 1 2 3; do steps+=("!sh python3 $TMP/echo.py ${ports[$i]} ${names[$i]}"); done
steps+=("") # a fresh prompt after the [sh] lines
BUILD=$NT osrun_log cards --timeout 400 "${args[@]}" net "${steps[@]}" net

check cards-found has cards '^net: virtio-net 0\.9 \(legacy\) at ' && has cards '^net: virtio-net 1\.0 \(modern\) at ' &&
	has cards '^net: e1000 82540EM at ' && has cards '^net: e1000e 82574L at '
# `net` after the TCP checks: by then every card has finished DHCP
net_out=$(python3 - "$TMP/cards.log" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
outs = re.findall(r"llm> net\n(.*?)(?=\nllm> |\Z)", log, re.S)
sys.stdout.write(outs[-1] if outs else "")
PY
)
card_addr() { # card_addr DRIVER-REGEX SUBNET: the card's block in `net` shows a DHCP address
	echo "$net_out" | grep -A1 -E "^en[0-9]: $1 .* link up" | grep -Eq "IPv4 10\.0\.$2\.[0-9]+/24 \(DHCP\), gateway 10\.0\.$2\.2"
}
check dhcp-virtio-legacy card_addr 'virtio-net 0\.9' 2
check dhcp-virtio-modern card_addr 'virtio-net 1\.0' 3
check dhcp-e1000 card_addr 'e1000 82540EM' 4
check dhcp-e1000e card_addr 'e1000e 82574L' 5
for n in "${names[@]}"; do
	check "tcp-$n" has cards "^\[sh\] $n echo ok close ok"
done
counters() { echo "$net_out" | grep -Eq '^  rx [1-9][0-9]+ packets, [0-9]+ bytes, 0 errors; tx [1-9][0-9]+ packets'; }
check counters counters

# 2. a static address from llm.cfg (slirp's DHCP would have given 10.0.2.15)
printf 'ip=10.0.2.20\nnetmask=255.255.255.0\ngateway=10.0.2.2\n' > "$TMP/static.cfg"
BUILD=$NT osrun_log static --timeout 300 --esp-extra "$TMP/static.cfg=llm.cfg" \
	--qemu-arg=-netdev --qemu-arg="user,id=n0,hostfwd=tcp:127.0.0.1:${ports[4]}-10.0.2.20:7" \
	--qemu-arg=-device --qemu-arg=e1000,netdev=n0,romfile= \
	"!sh python3 $TMP/echo.py ${ports[4]} static" "" net
check static-addr section_has static net 'IPv4 10\.0\.2\.20/24 \(static\), gateway 10\.0\.2\.2'
check static-tcp has static '^\[sh\] static echo ok close ok'

# 3. net=off: the card stays untouched
printf 'net=off\n' > "$TMP/off.cfg"
BUILD=$NT osrun_log off --timeout 300 --esp-extra "$TMP/off.cfg=llm.cfg" \
	--qemu-arg=-netdev --qemu-arg="user,id=n0,hostfwd=tcp:127.0.0.1:${ports[5]}-:7" \
	--qemu-arg=-device --qemu-arg=e1000,netdev=n0,romfile= net
off_untouched() { has off '^net: off \(net=off in llm.cfg\)' && ! has off '^net: e1000'; }
check off-untouched off_untouched
check off-net section_has off net '^network off \(net=off in llm.cfg\)'

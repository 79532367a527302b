#!/usr/bin/env bash
# The network stack in the OS (issue 14): lwIP 2.1.3 from Debian's source
# package, the NIC drivers, DHCP, static addresses, and the HTTP API served
# over them (the API itself is tested in depth by t-38-serve on the host).
#
# Three QEMU boots with user-mode networking (slirp), each card on its own
# subnet with a hostfwd from 127.0.0.1 only, on the demo model (mkmodel):
#   cards  virtio-net legacy (disable-modern), virtio-net modern
#          (disable-legacy, PCI id 0x1041), e1000 (82540EM), e1000e (82574L)
#          in one boot with api=on: each is found by PCI id, gets its address
#          by DHCP (`net`), and answers curl through its forwarded port:
#          GET /health and a short completion whose text at temperature 0
#          equals the shell's `generate`; the boot screen and `net` say the
#          API is open without a key; on the e1000 a client that leaves
#          mid-stream stops its generation, then a bounded load (20 clients,
#          15 s) gets only 200s and 503s and the shell still answers;
#   static llm.cfg ip=/netmask=/gateway= on an e1000, port= and api_key=,
#          the API started by the shell's `serve`: `net` shows the static
#          address (not the one slirp's DHCP would give), 401 without the
#          key, 200 with it;
#   off    llm.cfg net=off with a card present: the card is not touched,
#          `net` says the network is off and `serve` says there is none.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

names=(virtio-legacy virtio-modern e1000 e1000e)
checks="cards-found api-boot-open api-leave api-load shell-after-load counters static-addr static-401 static-200 static-serve off-untouched off-net
	off-serve"
for n in "${names[@]}"; do checks="$checks dhcp-$n health-$n completion-$n"; done
if why=$(boot_unavailable); then
	for c in $checks; do skip "$c" "$why"; done
	exit 0
fi
if [ ! -x "$BUILD/host/mkmodel" ] || ! "$BUILD/host/mkmodel" --preset demo -o "$TMP/demo.gguf" > /dev/null 2>&1; then
	for c in $checks; do skip "$c" "no $BUILD/host/mkmodel (make host)"; done
	exit 0
fi
MODEL=$TMP/demo.gguf

# free TCP ports on 127.0.0.1
ports=($(python3 - <<'PY'
import socket
ss = [socket.socket() for _ in range(6)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
PY
))

nic() { # nic INDEX MODEL PORT: QEMU args for one card on its own slirp subnet
	echo "--qemu-arg=-netdev --qemu-arg=user,id=n$1,net=10.0.$(($1 + 2)).0/24,hostfwd=tcp:127.0.0.1:$3-:8080"
	echo "--qemu-arg=-device --qemu-arg=$2,netdev=n$1,romfile="
}
# the API's answers, one line per request: "[sh] TAG BODY"
curl_health() { echo "!sh printf '$1 '; curl -sS -m 60 http://127.0.0.1:$2/health"; }
curl_completion() {
	echo "!sh printf '$1 '; curl -sS -m 120 http://127.0.0.1:$2/v1/completions -H 'Content-Type: application/json' -d '{\"prompt\":\"Once upon\",\"max_tokens\":6,\"temperature\":0}'"
}

# the clients: tests/serve-client.py (leave: a streamed completion the
# client drops after its first event; steady: parallel keep-alive clients
# for a bounded time, every answer 200 or 503)
SC="python3 $PWD/tests/serve-client.py"

# 1. every card model in one boot, the API on from llm.cfg
printf 'api=on\n' > "$TMP/api.cfg"
models=(virtio-net-pci,disable-modern=on virtio-net-pci,disable-legacy=on e1000 e1000e)
args=()
steps=()
for i in 0 1 2 3; do
	args+=($(nic $i "${models[$i]}" "${ports[$i]}"))
	steps+=("$(curl_health "${names[$i]}" "${ports[$i]}")" "$(curl_completion "${names[$i]}" "${ports[$i]}")")
done
# on the e1000: a client that leaves mid-stream stops its generation; then
# 20 clients for 15 s; the shell still answers afterwards
steps+=("!sh $SC leave 127.0.0.1 ${ports[2]} '{\"prompt\":\"Once upon\",\"max_tokens\":400,\"temperature\":0}' 1; sleep 1"
	"" serve "!sh $SC steady 127.0.0.1 ${ports[2]} 15 20" "" serve net "generate -n 6 --temp 0 Once upon")
osrun_log cards --timeout 500 --model "$MODEL" --esp-extra "$TMP/api.cfg=llm.cfg" "${args[@]}" "${steps[@]}"

check cards-found has cards '^net: virtio-net 0\.9 \(legacy\) at ' && has cards '^net: virtio-net 1\.0 \(modern\) at ' &&
	has cards '^net: e1000 82540EM at ' && has cards '^net: e1000e 82574L at '
api_boot_open() {
	has cards '^API: serving .* on http://10\.0\.2\.15:8080/' &&
		has cards '^API: WARNING: open to the network without a key'
}
check api-boot-open api_boot_open
card_addr() { # card_addr DRIVER-REGEX SUBNET: the card's block in `net` shows a DHCP address
	section cards net | grep -A1 -E "^en[0-9]: $1 .* link up" |
		grep -Eq "IPv4 10\.0\.$2\.[0-9]+/24 \(DHCP\), gateway 10\.0\.$2\.2"
}
drivers=('virtio-net 0\.9' 'virtio-net 1\.0' 'e1000 82540EM' 'e1000e 82574L')
# the shell's text for the same prompt: the API must give the same
shell_text=$(section cards "generate -n 6 --temp 0 Once upon" | head -1)
api_text() { # api_text TAG: the completion's text field
	sed -n "s/^\[sh\] $1 {\"id\":\"cmpl-.*\"text\":\"\(.*\)\",\"logprobs\".*/\1/p" "$TMP/cards.log" | head -1
}
completion_ok() {
	has cards "^\[sh\] $1 \\{\"id\":\"cmpl-.*\"completion_tokens\":6" && [ -n "$shell_text" ] &&
		[ "$(api_text "$1")" = "$shell_text" ]
}
for i in 0 1 2 3; do
	check "dhcp-${names[$i]}" card_addr "${drivers[$i]}" $((i + 2))
	check "health-${names[$i]}" has cards "^\[sh\] ${names[$i]} \\{\"status\":\"ok\"\\}"
	check "completion-${names[$i]}" completion_ok "${names[$i]}"
done
leave_ok() {
	has cards '^\[sh\] left after 1 events' &&
		section cards serve | grep -Eq 'the client left: generation stopped after [0-9]+ tokens'
}
check api-leave leave_ok
check api-load has cards '^\[sh\] load 200=[0-9]+( 503=[0-9]+)? ok$'
grep '^\[sh\] load ' "$TMP/cards.log" | sed 's/^\[sh\]/# answers:/'
check shell-after-load section_has cards "generate -n 6 --temp 0 Once upon" '.'
counters() { section cards net | grep -Eq '^  rx [1-9][0-9]+ packets, [0-9]+ bytes, 0 errors; tx [1-9][0-9]+ packets'; }
check counters counters

# 2. a static address, another port and a key; `serve` starts the API
printf 'ip=10.0.2.20\nnetmask=255.255.255.0\ngateway=10.0.2.2\nport=9000\napi_key=k3y-t56\n' > "$TMP/static.cfg"
osrun_log static --timeout 300 --model "$MODEL" --esp-extra "$TMP/static.cfg=llm.cfg" \
	--qemu-arg=-netdev --qemu-arg="user,id=n0,hostfwd=tcp:127.0.0.1:${ports[4]}-10.0.2.20:9000" \
	--qemu-arg=-device --qemu-arg=e1000,netdev=n0,romfile= \
	net serve \
	"!sh printf 'nokey '; curl -sS -m 60 -o /dev/null -w '%{http_code}\n' http://127.0.0.1:${ports[4]}/v1/models" \
	"!sh printf 'key '; curl -sS -m 60 -o /dev/null -w '%{http_code}\n' -H 'Authorization: Bearer k3y-t56' http://127.0.0.1:${ports[4]}/v1/models"
check static-addr section_has static net 'IPv4 10\.0\.2\.20/24 \(static\), gateway 10\.0\.2\.2'
check static-serve section_has static serve '^API: http://10\.0\.2\.20:9000/ \(key required\)'
check static-401 has static '^\[sh\] nokey 401'
check static-200 has static '^\[sh\] key 200'

# 3. net=off: the card stays untouched, and there is nothing to serve on
printf 'net=off\n' > "$TMP/off.cfg"
osrun_log off --timeout 300 --model "$MODEL" --esp-extra "$TMP/off.cfg=llm.cfg" \
	--qemu-arg=-netdev --qemu-arg="user,id=n0,hostfwd=tcp:127.0.0.1:${ports[5]}-:8080" \
	--qemu-arg=-device --qemu-arg=e1000,netdev=n0,romfile= net serve
off_untouched() { has off '^net: off \(net=off in llm.cfg\)' && ! has off '^net: e1000'; }
check off-untouched off_untouched
check off-net section_has off net '^network off \(net=off in llm.cfg\)'
check off-serve section_has off serve '^API: no network'

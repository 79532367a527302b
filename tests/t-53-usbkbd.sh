#!/usr/bin/env bash
# Input on machines shaped like today's PCs (issue 12): no PS/2 controller
# (q35 with i8042=off, and the FADT says so), the ESP on a USB stick
# (usb-storage on SuperSpeed), the keyboard on USB (qemu-xhci + usb-kbd),
# every command typed on that keyboard with QMP send-key (tools/osrun
# --usb-kbd). Host unit tests first: test_keys (layouts, modifiers, HID
# boot reports, key repeat) and test_usb (configuration descriptors).
#
# Boot 1, answers read on COM1: `cpus` and a greedy `generate --ids`
# typed on the USB keyboard (ids equal the host tool's with --kernels avx2,
# as in t-70); Ctrl-C on it stops a generation; that keyboard unplugged, a
# hub hot-plugged with a keyboard behind it that types; the hub unplugged,
# a keyboard hot-plugged on a root port that types; a key held 1.5 s
# repeats; `keymap de` switches the layout (QWERTZ: the y and z keys swap,
# the US minus key types ß).
# Boot 2, no serial port at all (-serial none, read from the 0xE9 debug
# port) and no keyboard at boot: the screen says nothing can type, llm.cfg
# autorun= runs, then a keyboard is plugged into a second xHCI controller
# and types `generate --ids`.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh
export BUILD

run_units keys usb

if why=$(boot_unavailable); then
	skip "USB keyboard boots" "$why"
	exit 0
fi
for f in "$EFI" "$BUILD/host/llm" "$BUILD/host/mkmodel"; do
	[ -f "$f" ] || { fail "USB keyboard boots ($f missing: make efi host)"; exit 0; }
done
"$BUILD/host/mkmodel" --preset demo -o "$TMP/demo.gguf" > /dev/null 2>&1 ||
	{ fail "USB keyboard: mkmodel --preset demo failed"; exit 0; }

PROMPT="Once upon a time"
GEN="generate --ids --temp 0 -n 12 $PROMPT"
host_ids=$(timeout 60 "$BUILD/host/llm" generate "$TMP/demo.gguf" --ids --temp 0 -n 12 \
	-p "$PROMPT" --kernels avx2 2> /dev/null | head -1)
[ -n "$host_ids" ] || fail "USB keyboard: host llm generate gave no ids"

# ids_match NAME: the line after the typed generate equals the host's ids
ids_match() {
	local os
	os=$(section "$1" "$GEN" | head -1)
	[ -n "$host_ids" ] && [ "$os" = "$host_ids" ] ||
		{ echo "# host '$host_ids', os '$os'"; return 1; }
}

KBD='{"driver": "usb-kbd", "bus": "xhci.0"'
osrun_log com1 --timeout 600 --smp 2 --machine q35,i8042=off --usb-stick --usb-kbd \
	--model "$TMP/demo.gguf" \
	cpus "$GEN" \
	'!keys generate -n 900 --temp 1 --seed 3 Once\r' '!wait Once\n.' '!keys \x03' '!prompt' \
	'!qmp device_del {"id": "kbd0"}' '!wait unplugged' \
	'!qmp device_add {"driver": "usb-hub", "bus": "xhci.0", "port": "3", "id": "hub1"}' \
	'!wait : hub, [0-9]+ ports' \
	"!qmp device_add $KBD, \"port\": \"3.2\", \"id\": \"kbd1\"}" '!wait \.2: keyboard' \
	'echo typed behind a hub' \
	'!qmp device_del {"id": "hub1"}' '!wait \.2: unplugged' \
	"!qmp device_add $KBD, \"id\": \"kbd2\"}" '!wait : keyboard' \
	'echo typed on a plugged-in keyboard' \
	'!keys echo ' '!qmp send-key {"keys": [{"type": "qcode", "data": "a"}], "hold-time": 1500}' \
	'!keys \r' '!prompt' \
	'keymap de' '!keys echo zy-\r' '!prompt'
check "USB keyboard: every command typed on it ran (COM1)" [ "$(cat "$TMP/com1.rc")" = 0 ]
check "USB keyboard: no PS/2 (the FADT says so)" has com1 '^ps2: none \(ACPI FADT\)'
check "USB keyboard: found on the xHCI at boot" has com1 '^usb1-[0-9]+: keyboard 0627:0001'
check "USB keyboard: the USB stick (SuperSpeed) enumerated too" has com1 \
	'^usb1-[0-9]+: 46f4:0001 mass storage'
check "USB keyboard: cpus typed on it" section_has com1 cpus '2 of 2 CPUs online'
check "USB keyboard: generate --ids typed on it equals the host's ids" ids_match com1
check "USB keyboard: Ctrl-C on it stops a generation" has com1 '\[stopped\]'
check "USB keyboard: unplugging is noticed" has com1 '^usb1-[0-9]+: unplugged'
check "USB keyboard: a hot-plugged hub is enumerated" has com1 '^usb1-[0-9]+: hub, 8 ports'
check "USB keyboard: a keyboard behind the hub types" has com1 '^typed behind a hub$'
check "USB keyboard: unplugging the hub unplugs what is behind it" has com1 \
	'^usb1-[0-9]+\.2: unplugged'
check "USB keyboard: a keyboard plugged in after boot types" has com1 \
	'^typed on a plugged-in keyboard$'
check "USB keyboard: a key held down repeats" has com1 '^aaaaa+$'
check "USB keyboard: keymap de (QWERTZ y/z, ß on the US minus key)" has com1 '^yzß$'

# no COM1: the console comes from the debug port; no keyboard until one is
# plugged into a second controller (an NEC model)
printf 'autorun=echo autorun ran\n' > "$TMP/llm.cfg"
osrun_log e9 --timeout 400 --smp 2 --machine q35,i8042=off --usb-stick --type-on usb \
	--console debugcon --model "$TMP/demo.gguf" --esp-extra "$TMP/llm.cfg=llm.cfg" \
	--qemu-arg=-device --qemu-arg=nec-usb-xhci,id=xhci2 \
	'!qmp device_add {"driver": "usb-kbd", "bus": "xhci2.0", "id": "kbd0"}' \
	'!wait usb2-[0-9]+: keyboard' "$GEN" info
check "no COM1: the session ran, read from the 0xE9 debug port" [ "$(cat "$TMP/e9.rc")" = 0 ]
check "no COM1: with no keyboard the screen says so" has e9 '^No keyboard found'
check "no COM1: llm.cfg autorun= ran at the prompt" has e9 '^autorun ran$'
check "no COM1: both xHCI controllers run" has e9 '^usb2: xHCI'
check "no COM1: info lists the input devices and the debug-port console" section_has e9 info \
	'^input: 1 USB keyboard\(s\) on 2 xHCI controller\(s\), PS/2 keyboard no, keymap us, console on debug port 0xE9'
check "no COM1: generate --ids typed on a plugged-in keyboard equals the host's ids" \
	ids_match e9

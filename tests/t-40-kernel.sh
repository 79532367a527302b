#!/usr/bin/env bash
# Kernel side (issue 2: core/, mm/, lib/). Host unit tests of the OS's libc
# subset against glibc (vsnprintf incl. floats, str*, strtol/strtod, qsort
# order, the heap) and of the pure mm/ logic (free-range set, page-table
# builder), built by `make unit`. Then, when QEMU + OVMF are there, a boot
# that exercises the kernel's own pieces through tools/osrun: `mem`, the
# line editor over serial (Backspace, Up/Down history, Left/Right,
# Home/End/Delete, Ctrl-L), an unknown command, `help` listing the
# commands, `poweroff` ending QEMU by itself, `debug on` +
# `panic-test pf` (page 0 unmapped -> #PF report naming CR2, error code,
# registers, stack walk) and
# `panic-test guard` (stack overflow into the guard page -> #DF on its IST
# stack, still reported); and the PS/2 keyboard + line editor through QEMU
# `sendkey` (tests/kbd-sendkey.py). Reads ../shared's aidreams model for
# `mapcheck` when present (SKIP otherwise).
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

run_units lib mm

if why=$(boot_unavailable); then
	for c in "kernel shell" "kernel #PF report" "kernel guard page #DF report" "kernel PS/2 keyboard"; do
		skip "$c" "$why"
	done
	exit 0
fi
if [ ! -f "$EFI" ]; then
	fail "boot image $EFI exists (make efi)"
	exit 0
fi

# with ../shared's conformance model when present: `mapcheck` reads it back
# through the contiguous mapping at 64 TiB and compares the loader's CRC
AID=$SHARED_MODELS/aidreams260K-f32.gguf
MODEL_ARGS=() MAPCHECK=()
[ -f "$AID" ] && MODEL_ARGS=(--model "$AID") MAPCHECK=(mapcheck)
LONG="echo $(seq -s ' ' 1 150) end"
# serial line editing: Up recalls, Left/Right move, Home/End, Delete,
# Ctrl-L redraws, Down walks back through the history
osrun_log shell --timeout 150 --smp 2 "${MODEL_ARGS[@]}" mem "$(printf 'echo abX\x7fc')" \
	no-such-command help "$LONG" "${MAPCHECK[@]}" \
	'echo abcdef' '!keys \x1b[A\x1b[D\x1b[DX\x1b[C\x1b[CY\r' '!prompt' \
	'!keys ZZecho home\x1b[H\x1b[3~\x1b[3~\x1b[Fq\r' '!prompt' \
	'!keys echo cl\x0cear\r' '!prompt' \
	'!keys \x1b[A\x1b[A\x1b[A\x1b[B\r' '!prompt'
check "kernel: boot reaches the shell and runs every command" [ "$(cat $TMP/shell.rc)" = 0 ]
check "kernel: mem lists the map and free pages" section_has shell mem '^free: [0-9]+ pages \([0-9]+ MiB\)'
check "kernel: mem shows usable RAM in the map" section_has shell mem 'usable'
check "kernel: Backspace over serial edits the line" grep -qx 'abc' "$TMP/shell.log"
check "kernel: unknown command answered, shell alive" section_has shell no-such-command "unknown command 'no-such-command'"
check "kernel: a 600-byte line typed at once arrives intact" grep -qx "$(seq -s ' ' 1 150) end" "$TMP/shell.log"
if [ -f "$AID" ]; then
	check "kernel: model mapped contiguously (mapcheck CRC matches the loader's)" \
		section_has shell mapcheck 'crc32 0x[0-9a-f]{8}, loader 0x[0-9a-f]{8}: match'
else
	skip "kernel: model mapping check" "../shared/conformance/models absent"
fi
check "kernel: serial Up/Left/Right edit a recalled line" grep -qx 'abcdXefY' "$TMP/shell.log"
check "kernel: serial Home/Delete/End edit the line" grep -qx 'homeq' "$TMP/shell.log"
check "kernel: serial Ctrl-L redraws and keeps the line" grep -qx 'clear' "$TMP/shell.log"
check "kernel: serial Up x3 + Down recalls the right history line" [ "$(grep -cx 'homeq' "$TMP/shell.log")" = 2 ]
for c in info mem cpus generate chat set model bench stats reboot poweroff; do
	check "kernel: help lists $c" section_has shell help "^  $c( |\$)"
done
check "kernel: poweroff switches the machine off (QEMU exits by itself)" \
	bash -c "grep -q '^powering off' $TMP/shell.log && ! grep -q 'still running .* after poweroff' $TMP/shell.log"
check "kernel: help hides debug commands by default" bash -c "! grep -q 'panic-test' <(sed -n '/llm> help/,\$p' $TMP/shell.log)"

osrun_log pf --timeout 120 --cmd-timeout 40 --until '(?s)panic-test pf\n.*system halted' "debug on" "panic-test pf"
check "kernel #PF: report reached" [ "$(cat $TMP/pf.rc)" = 0 ]
check "kernel #PF: exception 14 reported" has pf 'exception 14 #PF page fault' 
check "kernel #PF: write to a not-present page at CR2 0x8" has pf 'not-present page, write at CR2 0x0+8\b'
check "kernel #PF: RIP located in the image" has pf 'RIP 0x[0-9a-f]+ \(image\+0x[0-9a-f]+'
check "kernel #PF: error code shown (write, not present: 0x2)" has pf 'exception 14 #PF page fault, error code 0x2$'
check "kernel #PF: general registers shown" \
	bash -c "grep -q '^RAX 0x[0-9a-f]\{16\} RBX' $TMP/pf.log && grep -q '^R13 0x[0-9a-f]\{16\} R14 0x[0-9a-f]\{16\} R15' $TMP/pf.log"
check "kernel #PF: CR2/CR3 line shown" has pf '^CR2 0x0+8 CR3 0x[0-9a-f]+'
check "kernel #PF: stack walk printed" has pf '^stack walk'

osrun_log guard --timeout 120 --cmd-timeout 40 --until '(?s)panic-test guard\n.*system halted' "debug on" "panic-test guard"
check "kernel guard page: overflow reported as #DF on the IST stack" has guard 'exception 8 #DF double fault'
check "kernel guard page: CR2 named as a stack guard page" has guard 'is a stack guard page: stack overflow'
check "kernel guard page: stack walk printed" has guard '^  #0 0x[0-9a-f]+'

python3 tests/kbd-sendkey.py
exit 0

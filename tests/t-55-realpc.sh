#!/usr/bin/env bash
# Machines shaped like real PCs (issue 12: time, power, the stick). Three
# QEMU boots, none with the isa-debug-exit device, all with reset=acpi in
# llm.cfg so poweroff and reboot skip the firmware's ResetSystem and must
# work through ACPI alone:
#  1. q35 with the PIT off (-machine q35,pit=off), the ESP on a GPT stick
#     image (tools/mkesp --gpt, as `make usb`) on usb-storage behind
#     qemu-xhci, the memory map split past 512 entries (split_map=600):
#     `info` shows a sane TSC rate from a source other than the PIT, every
#     map range kept; `cpus` has both CPUs; Left/Right and Home over the
#     serial line edit a line (escape timing needs a calibrated TSC); the
#     idle shell costs QEMU at most 15% of one host core over 20 s
#     (tools/osrun '!cpu 20', QEMU's utime + stime); `poweroff` ends QEMU
#     through the FADT's PM1a block and the DSDT's \_S5.
#  2. the i440fx `pc` machine with a CPU without AVX2 (-cpu Westmere), the
#     console on COM2 (COM1 leads nowhere) named by an ACPI SPCR table
#     (-acpitable): `info` says scalar kernels and COM2 from the SPCR;
#     `generate --ids` on a demo model equals the host tool's
#     `--kernels scalar` ids; `poweroff` ends QEMU through ACPI S5.
#  3. q35 again: `reboot` ends QEMU (-no-reboot) through the FADT's reset
#     register.
# Without booting: the stick image passes `sgdisk -v` and `fsck.fat -n`,
# is FAT32 with at least 65525 clusters in a partition of the ESP type;
# `make sign` signs BOOTX64.EFI with a throwaway key and `sbverify` accepts
# it (SKIP without gdisk / sbsigntools: make deps).
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

MODEL=$TMP/demo.gguf
if ! "$BUILD/host/mkmodel" --preset demo -o "$MODEL" >/dev/null 2>&1; then
	make_tiny_gguf "$MODEL"
fi

# ---- the stick image, without booting ----
if [ -f "$EFI" ] && python3 tools/mkesp --gpt -o "$TMP/usb.img" --efi "$EFI" "$MODEL" >"$TMP/mkesp.log" 2>&1; then
	pass "stick: tools/mkesp --gpt writes an image"
	if command -v sgdisk >/dev/null; then
		check "stick: sgdisk -v finds no problem" bash -c "sgdisk -v '$TMP/usb.img' | grep -q '^No problems found'"
		check "stick: one partition of the EFI system type" \
			bash -c "sgdisk -i 1 '$TMP/usb.img' | grep -q 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B'"
	else
		skip "stick: sgdisk -v" "no sgdisk (make deps: gdisk)"
	fi
	# the first GPT entry (LBA 2): first and last LBA at bytes 32 and 40
	range=$(python3 -c "import struct; f=open('$TMP/usb.img','rb'); f.seek(1024); \
print(*struct.unpack_from('<QQ', f.read(128), 32))")
	read -r lba_first lba_last <<<"$range"
	dd if="$TMP/usb.img" of="$TMP/part.img" bs=512 skip="$lba_first" \
		count=$((lba_last - lba_first + 1)) status=none
	check "stick: fsck.fat -n passes on the partition" bash -c "fsck.fat -n '$TMP/part.img' >/dev/null"
	fat=$(python3 -c "
import struct
bs = open('$TMP/part.img', 'rb').read(512)
bps, spc, res, nf = struct.unpack_from('<HBHB', bs, 11)
tot = struct.unpack_from('<I', bs, 32)[0]; fsz = struct.unpack_from('<I', bs, 36)[0]
print(bs[82:90].decode().strip(), (tot - res - nf * fsz) // spc)")
	check "stick: FAT32 with at least 65525 clusters ($fat)" \
		bash -c "[ '${fat% *}' = FAT32 ] && [ '${fat#* }' -ge 65525 ]"
	rm -f "$TMP/part.img"
else
	fail "stick: tools/mkesp --gpt writes an image"
	sed 's/^/#   /' "$TMP/mkesp.log" 2>/dev/null | tail -5
fi

# ---- make sign with a throwaway key ----
if command -v sbsign >/dev/null && command -v sbverify >/dev/null && command -v openssl >/dev/null &&
	[ -f "$EFI" ]; then
	openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=llm-os test key/" -days 1 \
		-keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
	make -s sign SIGN_KEY="$TMP/key.pem" SIGN_CERT="$TMP/cert.pem" SIGN_OUT="$TMP/signed.efi" \
		>"$TMP/sign.log" 2>&1
	check "sign: make sign signs, sbverify accepts the signature" \
		bash -c "grep -q 'Signature verification OK' '$TMP/sign.log' && sbverify --cert '$TMP/cert.pem' '$TMP/signed.efi' >/dev/null 2>&1"
	check "sign: the unsigned image fails sbverify" \
		bash -c "! sbverify --cert '$TMP/cert.pem' '$EFI' >/dev/null 2>&1"
else
	skip "sign: make sign" "no sbsigntools or openssl (make deps)"
fi

boot_ready "q35,pit=off" "pc, Westmere, SPCR COM2" "q35 reboot" || exit 0

# poweroff_by_acpi NAME PM1A: the transcript shows ACPI S5 through that block
# and QEMU went away by itself after it.
poweroff_by_acpi() {
	has "$1" "^poweroff: reset=acpi: not asking the firmware" &&
		has "$1" "^poweroff: ACPI S5 \\(PM1a io $2" &&
		! has "$1" "still running .* after poweroff" && ! has "$1" "^poweroff failed"
}

# ---- 1. q35, no PIT, the stick on USB ----
printf 'reset=acpi\nsplit_map=600\n' >"$TMP/q35.cfg"
osrun_log q35 --timeout 400 --smp 2 --no-debug-exit --gpt --usb-stick \
	--qemu-arg=-machine --qemu-arg=q35,pit=off --model "$MODEL" \
	--esp-extra "$TMP/q35.cfg=llm.cfg" \
	info cpus '!keys cho abcd\x1b[D\x1b[D\x1b[D\x1b[CX\x1b[He\r' '!prompt' '!cpu 20'
check "q35,pit=off: boots from the USB stick to the shell" [ "$(cat "$TMP/q35.rc")" = 0 ]
check "q35,pit=off: the model was read from the stick" section_has q35 info '^model: .*demo\.gguf'
ghz=$(section q35 info | sed -n 's/^timer: TSC \([0-9.]*\) GHz (\([^)]*\)).*/\1 \2/p')
check "q35,pit=off: info shows a sane TSC rate not from the PIT ($ghz)" \
	bash -c "awk -v g='${ghz%% *}' 'BEGIN { exit !(g >= 0.5 && g <= 10) }' && [ '${ghz#* }' != pit ] && [[ '${ghz#* }' != guess* ]]"
check "q35,pit=off: cpus says 2 of 2 CPUs online" section_has q35 cpus '^2 of 2 CPUs online'
check "q35,pit=off: Left, Right and Home over serial edit the line" grep -qx 'abXcd' "$TMP/q35.log"
ranges=$(section q35 info | sed -n 's/.*(\([0-9]*\) ranges in the firmware.s map).*/\1/p')
check "q35,pit=off: all ${ranges:-?} memory map ranges kept (split_map=600: over 512)" \
	[ "${ranges:-0}" -gt 512 ]
share=$(sed -n 's/.*osrun: idle 20 s: QEMU used .* (\([0-9.]*\)% of one core).*/\1/p' "$TMP/q35.log")
check "q35,pit=off: idle shell costs QEMU ${share:-?}% of one core (at most 15%)" \
	awk -v s="${share:-100}" 'BEGIN { exit !(s <= 15) }'
check "q35,pit=off: info says the input wait halts" section_has q35 info '^idle: input wait halts'
check "q35,pit=off: poweroff ends QEMU through ACPI S5 (PM1a 0x604, \\_S5)" poweroff_by_acpi q35 0x604

# ---- 2. pc, a CPU without AVX2, the console on COM2 named by SPCR ----
# SPCR body after the header: 16550 at I/O port 0x2f8, 115200 baud
python3 - "$TMP/spcr.bin" <<'PY'
import struct, sys
b = bytearray(44)
b[4:16] = struct.pack("<BBBBQ", 1, 8, 0, 1, 0x2F8)
b[16], b[17], b[22], b[24] = 1, 3, 7, 1
b[28:32] = b"\xff\xff\xff\xff"
open(sys.argv[1], "wb").write(b)
PY
printf 'reset=acpi\n' >"$TMP/pc.cfg"
GEN="generate --ids --temp 0 -n 12 Once upon a time"
osrun_log pc --timeout 400 --smp 2 --no-debug-exit --com 2 --model "$MODEL" \
	--esp-extra "$TMP/pc.cfg=llm.cfg" --qemu-arg=-machine --qemu-arg=pc \
	--qemu-arg=-cpu --qemu-arg=Westmere \
	--qemu-arg=-acpitable --qemu-arg="sig=SPCR,rev=2,data=$TMP/spcr.bin" info "$GEN"
check "pc, Westmere: boots to the shell on COM2" [ "$(cat "$TMP/pc.rc")" = 0 ]
check "pc, Westmere: info says scalar kernels" section_has pc info '^kernels: scalar'
check "pc, Westmere: the console is COM2, from the ACPI SPCR" \
	section_has pc info '^serial: COM2 \(0x2f8\) at 115200 baud \(ACPI SPCR\)'
host=$(timeout 120 "$BUILD/host/llm" generate "$MODEL" --ids --temp 0 -n 12 -p "Once upon a time" \
	--kernels scalar 2>/dev/null | head -1)
os=$(section pc "$GEN" | head -1)
check "pc, Westmere: generate --ids equals the host's scalar ids ($(wc -w <<<"$host") ids)" \
	bash -c "[ -n '$host' ] && [ '$host' = '$os' ]"
check "pc, Westmere: poweroff ends QEMU through ACPI S5 (PM1a 0xb004, \\_S5)" poweroff_by_acpi pc 0xb004

# ---- 3. q35: reboot through the FADT reset register ----
# osrun fails here by design: QEMU is gone before the prompt comes back
tools/osrun --quiet --timeout 200 --smp 1 --no-debug-exit --esp-extra "$TMP/pc.cfg=llm.cfg" \
	--qemu-arg=-machine --qemu-arg=q35 reboot >"$TMP/reboot.log" 2>&1
check "q35: reboot goes to the FADT reset register" \
	has reboot '^reboot: ACPI reset register \(io 0xcf9 <- 0xf\)'
check "q35: ... which resets the machine (QEMU -no-reboot exits)" \
	bash -c "grep -q 'QEMU exited' '$TMP/reboot.log' && ! grep -q '^reboot: PCI reset control' '$TMP/reboot.log'"
exit 0

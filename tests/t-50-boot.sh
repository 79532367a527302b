#!/usr/bin/env bash
# Boot tests (issue 2): BOOTX64.EFI under QEMU TCG + OVMF through tools/osrun.
# Reaches the shell after ExitBootServices with a model (the conformance
# model aidreams260K-f32.gguf from ../shared, SKIP when absent, and the demo
# model) and without one; `info` must show our page tables live (CR3 differs
# from the firmware's, NX enabled) and the model's size and CRC-32 equal to
# what python computes for the file. Both model boots also have a decoy
# model that sorts first: the boot menu must take Down + Enter (aidreams)
# and llm.cfg's model= (with a 1 s countdown) as the default (demo, with the
# decoy in \models\). The demo boot also checks the loader's progress bar
# and `info`'s firmware, CPU, memory, framebuffer and CPU-count lines. A model loaded in 2 MiB
# chunks must read back whole through the kernel's contiguous mapping
# (mapcheck). The no-model boot goes through a GPT disk image (as written
# to a USB stick). Also runs the fs/ host unit tests.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

# ---- host unit tests of fs/ (cfg parser, CRC-32, GGUF size scan)
if [ -x "$BUILD/host/test_bootfs" ]; then
	out=$("$BUILD/host/test_bootfs" $(ls $SHARED_MODELS/*.gguf 2>/dev/null))
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || grep -q '^FAIL' <<<"$out" || fail "bootfs unit tests exit status $rc"
else
	fail "bootfs unit tests built ($BUILD/host/test_bootfs missing: make unit)"
fi

boot_ready "boot with aidreams" "boot with demo model" "boot without model" || exit 0

# check_info NAME FILE: the `info` output of boot NAME shows FILE's size and
# CRC-32, a CR3 different from the firmware's and NX enabled.
check_info() {
	python3 - "$TMP/$1.log" "$2" <<'PY'
import re, sys, zlib
log = open(sys.argv[1], errors="replace").read()
size, crc = 0, 0
with open(sys.argv[2], "rb") as f:
    for piece in iter(lambda: f.read(1 << 24), b""):
        size += len(piece)
        crc = zlib.crc32(piece, crc)
m = re.search(r"llm> info\n(.*?)(\nllm> |\Z)", log, re.S)
info = m.group(1) if m else ""
def res(good, what):
    print("%s: %s" % ("PASS" if good else "FAIL", what))
res(bool(info), "info output present")
res(re.search(r"\b%d\b" % size, info) is not None, "info shows model size %d" % size)
crc = "crc32 0x%08x" % crc
res(crc in info.lower(), "info shows %s" % crc)
cr3 = set()
for line in info.splitlines():
    if "cr3" in line.lower():
        cr3.update(int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]+)", line))
res(len(cr3) >= 2, "info shows our CR3 differs from the firmware's")
res(re.search(r"(?i)\bNX\b[: ]*\s*enabled", info) is not None, "info shows NX enabled")
PY
}

# ---- the conformance model
AID=$SHARED_MODELS/aidreams260K-f32.gguf
if [ -f "$AID" ]; then
	# with a decoy listed first: the boot menu, Down + Enter picks aidreams
	make_tiny_gguf "$TMP/a-decoy.gguf" decoy
	osrun_log aid --timeout 180 --model "$TMP/a-decoy.gguf" --model "$AID" \
		'!wait Booting .* in' '!keys \x1b[B\r' info
	check "boot with aidreams260K reaches the shell" [ "$(cat $TMP/aid.rc)" = 0 ]
	check "boot menu: Down + Enter chose aidreams260K" section_has aid info 'aidreams260K-f32\.gguf'

	check "firmware phase loaded aidreams260K" has aid 'aidreams260K-f32\.gguf: [0-9]+ bytes, crc32 0x[0-9a-f]{8}'
	check_info aid "$AID" | sed 's/^\(PASS\|FAIL\): /\1: aidreams /'
else
	skip "boot with aidreams260K" "../shared/conformance/models absent"
fi

# ---- a model split into 2 MiB chunks (llm.cfg chunk_mib, as on fragmented
# RAM): the kernel's contiguous mapping must read back the loader's CRC-32
SPLIT=$SHARED_MODELS/synth-llama-f32.gguf
if [ -f "$SPLIT" ]; then
	printf 'chunk_mib=2\n' >"$TMP/chunk.cfg"
	osrun_log split --timeout 180 --model "$SPLIT" --esp-extra "$TMP/chunk.cfg=llm.cfg" info mapcheck
	check "split model: loaded in several chunks" has split 'in [0-9]+ chunks \(llm.cfg chunk_mib\)'
	check_info split "$SPLIT" | sed 's/^\(PASS\|FAIL\): /\1: split /' | grep -v 'CR3\|NX'
	check "split model: mapped chunks match the loader's CRC-32" section_has split mapcheck ': match'
else
	skip "split model" "../shared/conformance/models absent"
fi

# ---- opt-in (LLM_TEST_BIG=1; 7 GB of /tmp, about a minute): a 3.3 GB model
# in a 4 GiB VM, which only fits in pieces around the PCI hole
if [ "${LLM_TEST_BIG:-0}" = 1 ]; then
	python3 - "$TMP/big3g.gguf" <<'PY'
import struct, sys
def s(x): b = x.encode(); return struct.pack("<Q", len(b)) + b
n = 3300 * 1024 * 1024 // 4
h = struct.pack("<IIQQ", 0x46554747, 3, 1, 1) + s("general.architecture") + \
    struct.pack("<I", 8) + s("llama") + s("huge") + struct.pack("<IQQIQ", 2, n // 1024, 1024, 0, 0)
h += b"\0" * (-len(h) % 32)
with open(sys.argv[1], "wb") as f:
    f.write(h)
    for k in range(1, 33):  # markers all over the file: chunk order matters
        f.seek(len(h) + n * 4 * k // 33)
        f.write(b"marker %d " % k * 50)
    f.seek(len(h) + n * 4 - 990)
    f.write(b"tail-marker" * 90)
PY
	osrun_log big --timeout 590 --mem 4096 --model "$TMP/big3g.gguf" info mapcheck
	check "3.3 GB model: loaded in several chunks" has big 'in [0-9]+ chunks'
	check_info big "$TMP/big3g.gguf" | sed 's/^\(PASS\|FAIL\): /\1: big /' | grep -v 'CR3\|NX'
	check "3.3 GB model: mapped chunks match the loader's CRC-32" section_has big mapcheck ': match'
	rm -f "$TMP/big3g.gguf"
else
	skip "3.3 GB model in fragmented memory" "set LLM_TEST_BIG=1"
fi

# ---- the demo model (or a tiny synthetic GGUF when mkmodel is not built)
DEMO=$BUILD/demo.gguf
if [ ! -f "$DEMO" ] && [ -x "$BUILD/host/mkmodel" ]; then
	"$BUILD/host/mkmodel" --preset demo -o "$TMP/demo.gguf" >/dev/null 2>&1 && DEMO=$TMP/demo.gguf
fi
if [ ! -f "$DEMO" ]; then
	DEMO=$TMP/tiny.gguf
	make_tiny_gguf "$DEMO"
fi
[ -f "$TMP/a-decoy.gguf" ] || make_tiny_gguf "$TMP/a-decoy.gguf" decoy
# the decoy sits in \models\ (listed too); no key is pressed: after the
# 1 s countdown the menu boots llm.cfg's model=
printf 'model=%s\ntimeout=1\n' "$(basename "$DEMO")" >"$TMP/llm.cfg"
osrun_log demo --timeout 180 --esp-extra "$TMP/a-decoy.gguf=models/a-decoy.gguf" --model "$DEMO" \
	--esp-extra "$TMP/llm.cfg" info
check "boot with $(basename "$DEMO") reaches the shell" [ "$(cat $TMP/demo.rc)" = 0 ]
check "boot menu lists both models (one in \\models\\)" has demo '[12] +\\models\\a-decoy\.gguf'
check "boot menu: countdown from llm.cfg timeout=1 boots the default" has demo "Booting .*$(basename "$DEMO") in 1 s"
check "loader shows a progress bar (percent, MB/s)" has demo '\] 100%  [0-9]+\.[0-9]/[0-9]+\.[0-9] MiB  [0-9]+\.[0-9] MB/s'
check "info: firmware vendor" section_has demo info '^firmware: .*EDK'
check "info: CPU brand" section_has demo info '^cpu: .'
check "info: CPU features" section_has demo info '^cpu features:.* avx2'

check "info: memory summary" section_has demo info '^memory: usable [0-9]+ MiB, .*free now [0-9]+ MiB'
check "info: framebuffer mode" section_has demo info '^framebuffer: [0-9]+x[0-9]+ (BGRX|RGBX|bitmask), [0-9]+ pixels per line'
check "info: CPU count" section_has demo info '^cpus: 2 online'
check "llm.cfg model= chose $(basename "$DEMO")" section_has demo info "$(basename "$DEMO")"
check_info demo "$DEMO" | sed 's/^\(PASS\|FAIL\): /\1: demo /'

# ---- no model at all: a clear message, and the shell answers
# (through a GPT disk image, as `make usb` writes for a stick)
osrun_log none --timeout 120 --gpt help
check "boot without a model (GPT disk) reaches the shell" [ "$(cat $TMP/none.rc)" = 0 ]
check "boot without a model says so" has none '[Nn]o model'
check "shell answers help without a model" section_has none help 'info'
exit 0

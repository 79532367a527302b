# Helpers for the QEMU boot suites (t-40, t-50 ... t-53, t-71, t-72): sourced, not run.
# Each suite boots $BUILD/BOOTX64.EFI through tools/osrun under QEMU TCG.
BUILD=${BUILD:-build}
EFI=$BUILD/BOOTX64.EFI
SHARED_MODELS=../shared/conformance/models
TMP=$(mktemp -d /tmp/boot-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; }
skip() { echo "SKIP: $1 ($2)"; }
# check NAME COMMAND...: PASS if the command succeeds, else FAIL.
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }

# run_units NAME...: runs the host unit tests $BUILD/host/test_NAME (their
# PASS/FAIL lines go to the output); a missing binary, or a failing exit
# status without a FAIL line, is a FAIL.
run_units() {
	local t bin out rc
	for t in "$@"; do
		bin=$BUILD/host/test_$t
		if [ ! -x "$bin" ]; then
			fail "unit tests test_$t built ($bin missing: make unit)"
			continue
		fi
		out=$("$bin" 2>&1)
		rc=$?
		echo "$out"
		[ $rc -eq 0 ] || grep -q '^FAIL' <<<"$out" || fail "test_$t exit status $rc"
	done
}

# True (and says why) when QEMU, OVMF or the image are missing: the caller
# then prints its checks as SKIP / FAIL and exits.
boot_unavailable() {
	if ! command -v qemu-system-x86_64 >/dev/null || [ ! -r /usr/share/ovmf/OVMF.fd ] ||
		! command -v mformat >/dev/null; then
		echo "qemu-system-x86_64, OVMF or mtools not installed (make deps)"
		return 0
	fi
	return 1
}

# boot_ready CHECK...: true when a boot can run (QEMU, OVMF, mtools, $EFI);
# else prints each CHECK as SKIP (or a FAIL when only the image is missing)
# and returns false: `boot_ready "a" "b" || exit 0`.
boot_ready() {
	local why c
	if why=$(boot_unavailable); then
		for c in "$@"; do skip "$c" "$why"; done
		return 1
	fi
	if [ ! -f "$EFI" ]; then
		fail "boot image $EFI exists (make efi)"
		return 1
	fi
}

# osrun_log NAME [osrun args...]: boots, transcript in $TMP/NAME.log, the
# exit status in $TMP/NAME.rc. A failed boot prints the tail of the log.
osrun_log() {
	local name=$1; shift
	tools/osrun --quiet "$@" >"$TMP/$name.log" 2>&1
	local rc=$?
	echo $rc >"$TMP/$name.rc"
	if [ $rc -ne 0 ]; then
		echo "# osrun $name exited $rc; last lines:"
		tail -n 15 "$TMP/$name.log" | sed 's/^/#   /'
	fi
	return $rc
}

# has NAME REGEX: the transcript of boot NAME matches (grep -E).
has() { grep -Eq -- "$2" "$TMP/$1.log"; }

# A small valid GGUF for when no conformance model and no mkmodel exist:
# a header, a few keys and one f32 tensor; not a runnable model.
# make_tiny_gguf FILE [NAME]: NAME goes into general.name (changes the CRC).
make_tiny_gguf() {
	python3 - "$1" "${2:-boot-test}" <<'PY'
import struct, sys
def s(x): b = x.encode(); return struct.pack("<Q", len(b)) + b
kv = [s("general.architecture") + struct.pack("<I", 8) + s("llama"),
      s("general.name") + struct.pack("<I", 8) + s(sys.argv[2])]
t = s("w") + struct.pack("<I", 2) + struct.pack("<QQ", 64, 64) + struct.pack("<IQ", 0, 0)
h = struct.pack("<IIQQ", 0x46554747, 3, 1, len(kv)) + b"".join(kv) + t
h += b"\0" * (-len(h) % 32)
data = bytes((i * 37) & 255 for i in range(64 * 64 * 4))
open(sys.argv[1], "wb").write(h + data)
PY
}

# section NAME CMD: what the shell printed for CMD in boot NAME.
section() {
	python3 - "$TMP/$1.log" "$2" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
m = re.search(r"llm> " + re.escape(sys.argv[2]) + r"\n(.*?)(\nllm> |\Z)", log, re.S)
sys.stdout.write(m.group(1) if m else "")
PY
}
# section_has NAME CMD REGEX
section_has() { section "$1" "$2" | grep -Eq -- "$3"; }

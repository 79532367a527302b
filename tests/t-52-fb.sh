#!/usr/bin/env bash
# Framebuffer console (issue 2): boots without a model, runs `help`, takes a
# QEMU screendump (monitor `screendump`, converted to PNG by tools/osrun) and
# checks that the screen shows text: several bands of rows holding
# non-background pixels, the shape of lines of glyphs, not an empty or a
# filled screen; and the blue status line across the top row with text in
# it. `make screenshot` makes docs/screenshot.png the same way. First the
# host test of the console's pixel formats (test_fbcon: 32-bpp BGRX and the
# 16-bpp 5:6:5 / 5:5:5 modes OVMF under QEMU never offers).
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

if [ -x "$BUILD/host/test_fbcon" ]; then
	out=$("$BUILD/host/test_fbcon" 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || grep -q '^FAIL' <<<"$out" || fail "fb: test_fbcon exit status $rc"
else
	fail "fb: host test $BUILD/host/test_fbcon built (make unit)"
fi

if why=$(boot_unavailable); then
	skip "framebuffer shows text" "$why"
	exit 0
fi
if [ ! -f "$EFI" ]; then
	fail "boot image $EFI exists (make efi)"
	exit 0
fi
osrun_log fb --timeout 150 --screendump "$TMP/screen.png" help
check "fb: boot and screendump" [ "$(cat $TMP/fb.rc)" = 0 ]
if [ ! -s "$TMP/screen.png" ]; then
	fail "fb: screendump written"
	exit 0
fi
python3 - "$TMP/screen.png" <<'PY'
import struct, sys, zlib
from collections import Counter
data = open(sys.argv[1], "rb").read()
def res(good, what):
    print("%s: fb %s" % ("PASS" if good else "FAIL", what))
# decode the PNG osrun wrote (RGB, 8 bit, filter 0 on every row)
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, tag = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if tag == b"IHDR":
        w, h = struct.unpack(">II", body[:8])
    elif tag == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = 1 + 3 * w
rows = [raw[y * stride + 1:(y + 1) * stride] for y in range(h)]
res(w >= 640 and h >= 480 and len(raw) == h * stride, "screendump is a %dx%d image" % (w, h))
px = Counter()
for r in rows[::4]:
    px.update(r[i:i + 3] for i in range(0, len(r), 12))
bg = px.most_common(1)[0][0]
ink = []
for r in rows:
    ink.append(sum(1 for i in range(0, len(r), 3) if r[i:i + 3] != bg))
inked = [y for y in range(h) if ink[y] > 0]
# bands: runs of rows with ink (one text line each, ~8-32 rows tall)
bands, start = [], None
for y in range(h + 1):
    on = y < h and ink[y] > 0
    if on and start is None:
        start = y
    elif not on and start is not None:
        bands.append((start, y))
        start = None
text_bands = [b for b in bands if 6 <= b[1] - b[0] <= 40]
total = sum(ink)
res(len(text_bands) >= 6, "%d text lines on screen (>= 6)" % len(text_bands))
frac = total / float(w * h)
res(0.002 < frac < 0.5, "ink covers %.1f%% of the screen" % (100 * frac))
# glyphs: inside a text band the ink is broken into many short runs
b0 = text_bands[len(text_bands) // 2] if text_bands else (0, 0)
mid = rows[(b0[0] + b0[1]) // 2] if text_bands else b""
runs = sum(1 for i in range(3, len(mid), 3) if mid[i:i + 3] != bg and mid[i - 3:i] == bg)
res(runs >= 10, "a text line has glyph-like ink runs (%d)" % runs)
# the status line: the top text row on its own blue (0x1f4f8f, core/fbcon.c)
# with white text in it (" llm-os | model: ... | cpus: N")
blue, white = b"\x1f\x4f\x8f", b"\xff\xff\xff"
top = rows[2:14]
nb = sum(1 for r in top for i in range(0, len(r), 3) if r[i:i + 3] == blue)
nw = sum(1 for r in top for i in range(0, len(r), 3) if r[i:i + 3] == white)
res(nb > 0.5 * w * len(top) and nw > 50,
    "status line at the top (%d%% status blue, %d white text pixels)" % (100 * nb // (w * len(top)), nw))
PY
exit 0

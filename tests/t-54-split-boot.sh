#!/usr/bin/env bash
# Split models at boot (ai/gguf_split.h), two QEMU boots:
#   1. the ESP holds a split model with its second file missing and a good
#      3-file split of the demo model in IQ4_NL: the menu lists each model
#      once ("(3 files)"), booting the first names the missing file before
#      ExitBootServices and offers the menu again, and the good one loads
#      with one progress bar, maps in order (mapcheck) and generates exactly
#      the ids of the host tool on the same files (greedy and seeded);
#   2. the ESP holds a set whose second file comes from a 4-file split: the
#      loader names it, and the shell starts without a model, saying why.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh
LLM=$BUILD/host/llm
MK=$BUILD/host/mkmodel

if why=$(boot_unavailable); then
	for c in menu missing load ids mismatched; do skip "split boot $c" "$why"; done
	exit 0
fi
for f in "$EFI" "$LLM" "$MK"; do
	if [ ! -f "$f" ]; then
		fail "split boot: $f exists (make efi host)"
		exit 0
	fi
done
D=$TMP/esp
mkdir -p "$D"
"$MK" --preset demo --type iq4_nl --split 3 -o "$D/demo.gguf" 2>/dev/null
"$MK" --preset demo --type iq4_nl --split 3 --seed 7 -o "$D/broken.gguf" 2>/dev/null
"$MK" --preset demo --type iq4_nl --split 4 -o "$TMP/four.gguf" 2>/dev/null
rm -f "$D/broken-00002-of-00003.gguf"
P="Once upon a time"
G="generate --ids --temp 0 -n 16 $P"
S="generate --ids --temp 0.8 --seed 42 -n 16 $P"
hg=$(timeout 60 "$LLM" generate "$D/demo-00001-of-00003.gguf" --ids --temp 0 -n 16 -p "$P" --kernels avx2 2>/dev/null)
hs=$(timeout 60 "$LLM" generate "$D/demo-00001-of-00003.gguf" --ids --temp 0.8 --seed 42 -n 16 -p "$P" \
	--kernels avx2 2>/dev/null)
models=()
for f in "$D"/*.gguf; do models+=(--model "$f"); done
osrun_log split --timeout 240 "${models[@]}" '!wait Booting .* in' '!keys \r' '!wait Choose another model' \
	'!keys 2' model mapcheck "$G" "$S"
menu_once() {
	[ "$(grep -cE '^ .  [12]  \\(broken|demo)-00001-of-00003\.gguf .*\(3 files\)' "$TMP/split.log")" -ge 2 ] &&
		! has split '0000[23]-of-00003\.gguf +[0-9.]+ MiB'
}
same_ids() { # boot, command, host ids
	[ -n "$3" ] && [ "$(section "$1" "$2" | head -1)" = "$3" ]
}
check "split boot: the menu lists each split model once" menu_once
check "split boot: the missing file is named before ExitBootServices" \
	has split 'error: \\broken-00002-of-00003\.gguf: missing \(file 2 of the 3'
check "split boot: the other model loads from its 3 files" \
	has split 'demo-00001-of-00003\.gguf: [0-9]+ bytes in 3 files, crc32'
check "split boot: the model is split in 3 files" section_has split model '^split: 3 files'
check "split boot: mapped in order (mapcheck)" section_has split mapcheck ': match'
check "split boot: greedy ids as the host's ($hg)" same_ids split "$G" "$hg"
check "split boot: seeded ids as the host's" same_ids split "$S" "$hs"

# a file of another split in the set
B=$TMP/bad
mkdir -p "$B"
"$MK" --preset demo --type iq4_nl --split 3 -o "$B/bad.gguf" 2>/dev/null
cp "$TMP/four-00002-of-00004.gguf" "$B/bad-00002-of-00003.gguf"
osrun_log mismatched --timeout 200 --model "$B/bad-00001-of-00003.gguf" --model "$B/bad-00002-of-00003.gguf" \
	--model "$B/bad-00003-of-00003.gguf" info
check "split boot: a mismatched file is named before ExitBootServices" \
	has mismatched 'error: \\bad-00002-of-00003\.gguf: split\.count 4, but .*says 3'
check "split boot: the shell starts without the model, saying why" \
	section_has mismatched info 'model: no model loaded \(\\bad-00002-of-00003\.gguf: split\.count 4'
exit 0

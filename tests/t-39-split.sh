#!/usr/bin/env bash
# Split GGUF models (llama-gguf-split's NAME-0000k-of-0000N.gguf): the unit
# test of ai/gguf_split.c (names, set finding, split keys, sets opened in
# memory), then `llm` on sets that mkmodel --split writes: the logits and
# greedy ids of a model split in 3 files, and in 4 with metadata alone in the
# first (llama-gguf-split --no-tensor-first-split), are byte-identical to the
# unsplit file's; a later file given, a missing, a mismatched and a truncated
# file each fail with one message naming the file.
# Checked once by hand with the llama.cpp at /work/llama.cpp (not needed
# here): llama.cpp loads mkmodel's split files with the unsplit file's
# logits, llama-gguf-split --merge accepts them, and llm gives identical
# logits on files that llama-gguf-split --split wrote.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_built split "$LLM" "$MK" "$BUILD/host/test_gguf_split"
"$BUILD/host/test_gguf_split" || rc=1
mk() { "$MK" --preset qwen2-tiny --type iq4_xs "$@" 2>"$TMP/mk.err" || fail "split-mkmodel $*" "$(cat "$TMP/mk.err")"; }
mk -o "$TMP/one.gguf"
mk --split 3 -o "$TMP/three.gguf"
mk --split 4 --split-meta-first -o "$TMP/four.gguf"
ids="79 423 101 1288 365 258 257 399 101 44 257 464 1594 397 107 1460"
want=$("$LLM" eval "$TMP/one.gguf" --tokens "$ids" --top 8 | md5sum)
gen=$("$LLM" generate "$TMP/one.gguf" -p "Once upon a time" -n 8 --temp 0 --ids 2>/dev/null)
for s in three-00001-of-00003 four-00001-of-00004; do
	got=$("$LLM" eval "$TMP/$s.gguf" --tokens "$ids" --top 8 2>&1 | md5sum)
	[ "$got" = "$want" ] && pass "split-eval $s" || fail "split-eval $s" "logits differ from the unsplit file's"
	got=$("$LLM" generate "$TMP/$s.gguf" -p "Once upon a time" -n 8 --temp 0 --ids 2>/dev/null)
	[ -n "$got" ] && [ "$got" = "$gen" ] && pass "split-generate $s" || fail "split-generate $s" "'$got' vs '$gen'"
done
if "$LLM" info "$TMP/three-00001-of-00003.gguf" 2>&1 | grep -qx 'split: 3 files'; then
	pass "split-info"
else
	fail "split-info"
fi

# errors: status 1 and one message naming the file
expect_err() { # name, message part, llm arguments...
	local name=$1 msg=$2
	shift 2
	out=$(timeout 20 "$LLM" "$@" 2>&1)
	st=$?
	if [ $st -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qF -- "$msg" <<<"$out"; then
		pass "split-error-$name"
	else
		fail "split-error-$name" "status $st: $(head -c 300 <<<"$out")"
	fi
}
t3=$TMP/three
expect_err later "three-00002-of-00003.gguf is file 2 of the 3 of a split model: give the first, $t3-00001-of-00003.gguf" \
	info "$t3-00002-of-00003.gguf"
mv "$t3-00002-of-00003.gguf" "$TMP/saved.gguf"
expect_err missing "$t3-00002-of-00003.gguf: No such file or directory (file 2 of the 3 of this model)" \
	info "$t3-00001-of-00003.gguf"
cp "$TMP/four-00003-of-00004.gguf" "$t3-00002-of-00003.gguf"
expect_err mismatched "$t3-00002-of-00003.gguf: split.no says file 3, expected file 2" \
	info "$t3-00001-of-00003.gguf"
head -c -64 "$TMP/saved.gguf" >"$t3-00002-of-00003.gguf"
expect_err truncated "$t3-00002-of-00003.gguf: tensor" info "$t3-00001-of-00003.gguf"
cp "$t3-00001-of-00003.gguf" "$TMP/lone.gguf"
expect_err renamed "lone.gguf: the model is split into 3 files, 1 given" info "$TMP/lone.gguf"
exit $rc

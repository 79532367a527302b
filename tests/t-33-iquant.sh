#!/usr/bin/env bash
# IQ4_NL and IQ4_XS against llama.cpp, with no ../shared needed: mkmodel
# writes each model afresh (deterministic; its simple IQ4 quantizer), and
# tests/conformance.py compares the tokens and the teacher-forced logits (one
# position at a time, and batched) with tests/data/llamacpp-ref/NAME.ref at
# every kernel level this CPU runs, on 1 and 2 threads; the IQ4_NL models
# also --exact (every listed logit as llama.cpp's to the last printed digit:
# the same summation order). The IQ4_XS dot products equal ggml's bit for
# bit too (checked outside the repo against libggml-cpu's vec_dot), but
# its model lands one ulp off at two steps (from elsewhere in the pass).
#   qwen2-tiny-iq4_nl, qwen2-tiny-iq4_xs: every 2-D weight in that type.
#   llama-demo-iq4_nl: the demo llama shape (n_ff 384: 12 blocks per row).
# The .ref files are llama.cpp's logits (the 2026 snapshot at /work/llama.cpp,
# built -march=native on an AVX2 machine, which runs both types through
# ggml_vec_dot_iq4_*), computed from exactly these files by a libllama
# program outside the repository on the plain path: use_extra_bufts =
# false, flash attention off, one thread, one token per decode.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
LLM=${LLM:-$BUILD/host/llm}
MK=$BUILD/host/mkmodel
REFS=tests/data/llamacpp-ref
rc=0
for f in "$LLM" "$MK"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: iquant ($f not built: make host)"
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
recipe() {
	case $1 in
	qwen2-tiny-*) echo "--preset qwen2-tiny --type ${1#qwen2-tiny-}" ;;
	llama-demo-*) echo "--preset demo --type ${1#llama-demo-}" ;;
	esac
}
for v in qwen2-tiny-iq4_nl qwen2-tiny-iq4_xs llama-demo-iq4_nl; do
	# shellcheck disable=SC2046
	if ! "$MK" $(recipe "$v") -o "$tmp/$v.gguf" 2>/dev/null; then
		echo "FAIL: iquant-mkmodel-$v"
		rc=1
		continue
	fi
	cp "$REFS/$v.ref" "$tmp/"
done
have() { grep -qw "$1" /proc/cpuinfo; }
for k in scalar avx2 avx512; do
	if { [ $k = avx512 ] && ! have avx512_vnni; } || { [ $k = avx2 ] && ! have avx2; }; then
		echo "SKIP: iquant $k (CPU lacks it)"
		continue
	fi
	for t in 1 2; do
		python3 tests/conformance.py --llm "$LLM" --extra "--kernels $k -t $t" "$tmp" |
			sed "s/^\(PASS\|FAIL\|SKIP\): \([^ ]*\) /\1: \2 [$k -t $t] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
		python3 tests/conformance.py --exact --only iq4_nl --llm "$LLM" --extra "--kernels $k -t $t" "$tmp" |
			sed "s/^\(PASS\|FAIL\|SKIP\): \([^ ]*\) /\1: \2-exact [$k -t $t] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	done
done
exit $rc

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
. tests/lib.sh
need_built iquant "$LLM" "$MK"
ref_models qwen2-tiny-iq4_nl qwen2-tiny-iq4_xs llama-demo-iq4_nl
for k in scalar avx2 avx512; do
	cpu_runs $k iquant || continue
	for t in 1 2; do
		python3 tests/conformance.py --llm "$LLM" --extra "--kernels $k -t $t" "$TMP/refs" |
			sed "s/^\(PASS\|FAIL\|SKIP\): \([^ ]*\) /\1: \2 [$k -t $t] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
		python3 tests/conformance.py --exact --only iq4_nl --llm "$LLM" --extra "--kernels $k -t $t" "$TMP/refs" |
			sed "s/^\(PASS\|FAIL\|SKIP\): \([^ ]*\) /\1: \2-exact [$k -t $t] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	done
done
exit $rc

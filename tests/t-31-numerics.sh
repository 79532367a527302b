#!/usr/bin/env bash
# Summation order shared with llama.cpp (tests/unit/test_numerics.c):
# ai_fmaf against libm's fmaf, and the Q4_0/Q5_0/Q8_0 dot products at every
# kernel level bit-identical to a model of ggml's x86 kernels.
cd "$(dirname "$0")/.." || exit 2
bin=${BUILD:-build}/host/test_numerics
if [ ! -x "$bin" ]; then
	echo "FAIL: numerics: $bin not built (make unit)"
	exit 1
fi
"$bin"

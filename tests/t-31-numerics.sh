#!/usr/bin/env bash
# Summation order shared with llama.cpp (tests/unit/test_numerics.c):
# ai_fmaf against libm's fmaf, and the Q4_0/Q5_0/Q8_0 dot products at every
# kernel level bit-identical to a model of ggml's x86 kernels; and ai/vmath's
# exp, softmax and SwiGLU (tests/unit/test_vmath.c) equal to a model of
# ggml_v_expf, and its f16 rounding, RoPE, f16 dots in double, RMSNorm and
# adds equal to the scalar reference, at every kernel level.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_built numerics "$BUILD/host/test_numerics" "$BUILD/host/test_vmath"
"$BUILD/host/test_numerics" || rc=1
"$BUILD/host/test_vmath" || rc=1
exit $rc

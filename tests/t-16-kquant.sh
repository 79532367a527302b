#!/usr/bin/env bash
# K-quant kernels (Q2_K..Q6_K, Q8_K): layouts, hand-built blocks, dots vs
# dequantized dots, every SIMD level vs the scalar reference, the Q8_K
# quantizer byte for byte, and real tensors from ../shared/conformance
# (the K-quant files vs the F32 file; SKIP when ../shared is absent).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_built "kquant unit test" "$BUILD/host/test_kquant"
"$BUILD/host/test_kquant" ../shared

#!/usr/bin/env bash
# K-quant kernels (Q2_K..Q6_K, Q8_K): layouts, hand-built blocks, dots vs
# dequantized dots, every SIMD level vs the scalar reference, the Q8_K
# quantizer byte for byte, and real tensors from ../shared/conformance
# (the K-quant files vs the F32 file; SKIP when ../shared is absent).
cd "$(dirname "$0")/.." || exit 2
bin=${BUILD:-build}/host/test_kquant
if [ ! -x "$bin" ]; then
	echo "FAIL: kquant unit test ($bin not built: make unit)"
	exit 1
fi
"$bin" ../shared

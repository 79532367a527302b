#!/usr/bin/env bash
# The fast matmul paths change no result (reads ../shared/conformance; SKIP
# when it is absent): for every quantized conformance model, the logits of
# 40 positions are byte-identical whether the prompt runs token by token
# (4-row kernels), as one batch (4x4 tiles; K-quants: 4-token columns) or
# as batches of 13 (tails), on 1 or 2 threads, with the host pool cutting
# each dispatch into 1 or 4 tasks per worker, at the avx512 and avx2 levels.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
need_shared fastpaths
need_built fastpaths "$LLM"
ids=$(seq 1 40 | awk '{ printf "%d ", ($1 * 37) % 250 + 1 }')
for m in q4_0 q5_0 q8_0 q2_k q3_k_m q4_k_m q5_k_m q6_k; do
	g=$SHARED_MODELS/synth-llama-$m.gguf
	[ -f "$g" ] || { skip "fastpaths $m" "no $g"; continue; }
	for k in avx512 avx2; do
		cpu_runs $k "fastpaths $m" || continue
		same_logits "fastpaths $m $k" "$g" "$ids" "--kernels $k" "split4 -t 1 --batch 40" \
			"split4 -t 2 --batch 40" "split4 -t 2 --batch 13" "split4 -t 2" \
			"split1 -t 2 --batch 40" "split1 -t 2"
	done
done

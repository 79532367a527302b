#!/usr/bin/env bash
# The fast matmul paths change no result (reads ../shared/conformance; SKIP
# when it is absent): for every quantized conformance model, the logits of
# 40 positions are byte-identical whether the prompt runs token by token
# (4-row kernels), as one batch (4x4 tiles; K-quants: 4-token columns) or
# as batches of 13 (tails), on 1 or 2 threads, with the host pool cutting
# each dispatch into 1 or 4 tasks per worker, at the avx512 and avx2 levels.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
LLM=${LLM:-$BUILD/host/llm}
models=../shared/conformance/models
if [ ! -d "$models" ]; then
	echo "SKIP: fastpaths (../shared/conformance absent)"
	exit 0
fi
if [ ! -x "$LLM" ]; then
	echo "FAIL: fastpaths ($LLM not built: make host)"
	exit 1
fi
ids=$(seq 1 40 | awk '{ printf "%d ", ($1 * 37) % 250 + 1 }')
have() { grep -qw "$1" /proc/cpuinfo; }
for m in q4_0 q5_0 q8_0 q2_k q3_k_m q4_k_m q5_k_m q6_k; do
	g=$models/synth-llama-$m.gguf
	[ -f "$g" ] || { echo "SKIP: fastpaths $m (no $g)"; continue; }
	for k in avx512 avx2; do
		if { [ $k = avx512 ] && ! have avx512_vnni; } || { [ $k = avx2 ] && ! have avx2; }; then
			echo "SKIP: fastpaths $m $k (CPU lacks it)"
			continue
		fi
		ref=$("$LLM" eval "$g" --tokens "$ids" --top 16 --kernels $k -t 1 | md5sum)
		bad=""
		for run in "-t 1 --batch 40" "-t 2 --batch 40" "-t 2 --batch 13" "-t 2" \
			"split1 -t 2 --batch 40" "split1 -t 2"; do
			split=4
			case $run in split1*) split=1 run=${run#split1 } ;; esac
			got=$(LLM_POOL_SPLIT=$split "$LLM" eval "$g" --tokens "$ids" --top 16 --kernels $k $run | md5sum)
			[ "$got" = "$ref" ] || bad="$bad [$run split $split]"
		done
		if [ -z "$bad" ]; then
			echo "PASS: fastpaths $m $k"
		else
			echo "FAIL: fastpaths $m $k (differs from token by token on 1 thread:$bad)"
		fi
	done
done

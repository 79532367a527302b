#!/bin/bash
# pf-sweep: measure the AVX2 K-quant token-generation prefetch distance
# (KQ_PF_AVX2 in ai/kernels/kquant_avx2.c). kbench is built once per
# distance (build/pf-N/host/kbench, -DKQ_PF_AVX2=N), then the builds run in
# turn, ROUNDS times, so that a noisy machine disturbs them alike; prints the
# median and the range of kbench's ms per call for each type and distance.
#
#   tools/pf-sweep.sh [DISTANCE...]        (default: 32768 16384 8192 4096)
#   PF_TYPES="q4_K q6_K" PF_ARGS="-m 256 -t 1 -r 3" PF_ROUNDS=7
#
# -m 256 streams the weights from DRAM, which is where the prefetch matters;
# add "-s 192" to PF_ARGS to cut them into 192 matrices, as a model's layers
# (or a mixture's experts) are.
set -e
cd "$(dirname "$0")/.."
dists=${*:-32768 16384 8192 4096}
types=${PF_TYPES:-q4_K q6_K}
args=${PF_ARGS:--m 256 -t 1 -r 3}
rounds=${PF_ROUNDS:-7}
for d in $dists; do
	case $d in '' | *[!0-9]*) echo "pf-sweep: a distance is a number of bytes, not '$d'" >&2; exit 2 ;; esac
done
case $rounds in '' | *[!0-9]* | 0) echo "pf-sweep: PF_ROUNDS must be a positive number" >&2; exit 2 ;; esac

for d in $dists; do
	echo "pf-sweep: building kbench with KQ_PF_AVX2=$d (build/pf-$d)" >&2
	make -s BUILD="build/pf-$d" HOST_OPT="-O2 -g -DKQ_PF_AVX2=$d" "build/pf-$d/host/kbench" >&2
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for r in $(seq "$rounds"); do
	echo "pf-sweep: round $r of $rounds" >&2
	for t in $types; do
		for d in $dists; do
			# shellcheck disable=SC2086 # args are kbench options
			ms=$("build/pf-$d/host/kbench" "$t" $args | grep -o '[0-9.]* ms per call' | cut -d' ' -f1)
			[ -n "$ms" ] || { echo "pf-sweep: kbench $t $args printed no time" >&2; exit 1; }
			echo "$t $d $ms" >>"$tmp"
		done
	done
done

echo "kbench TYPE $args, $rounds rounds, ms per call (median, min-max):"
for t in $types; do
	for d in $dists; do
		awk -v t="$t" -v d="$d" '$1 == t && $2 == d { print $3 }' "$tmp" | sort -g |
			awk -v t="$t" -v d="$d" '{ v[NR] = $1 } END {
				printf "%-6s KQ_PF_AVX2 %6d: %8.3f  (%.3f-%.3f)\n", t, d, v[int((NR + 1) / 2)], v[1], v[NR] }'
	done
done

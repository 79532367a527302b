#!/usr/bin/env bash
# make bench: tok/s of the host engine on synthetic models of real shapes,
# for each thread count, beside llama.cpp's llama-bench when LLAMA_BENCH
# points at one (built locally by you; not part of this project), plus the
# DRAM streaming-read rate and the share of it token generation reaches.
#
# Machines are noisy: each (model, threads) cell runs BENCH_REPS rounds, and
# in each round our engine and llama.cpp run back to back (same time window,
# same file, warm page cache); the table shows the median of the rounds.
# The read rate of a shared machine moves too (here between ~40 and ~70
# GB/s on 2 threads within minutes), so every round probes it right before
# our run and "% of read bw" is the median of the rounds' own ratios.
#
#   BENCH_MODELS  preset:type list   (default: tinyllama:q4_0 tinyllama:q8_0 tinyllama:q4_k_m
#                 qwen3-1.7b:q4_k_m gemma3-1b:q4_k_m qwen3moe-a3b:q4_k_m; the last one
#                 is 3.5 GB, Qwen3-30B-A3B's layers with 8 of its 48: "tg GB/s" and
#                 "% of read bw" count the bytes a token reads, its 8 experts of 128)
#   BENCH_THREADS thread counts      (default: 1 2)
#   BENCH_P / BENCH_N                prompt / generated tokens (default 64 / 32)
#   BENCH_REPS    rounds per cell    (default 5)
#   LLAMA_BENCH   path to llama-bench (optional)
#   BENCH_KERNELS weight types for the kernel table (default: q4_0 q8_0 q4_K q6_K;
#                 empty: no table): host/kbench alone, cache-hot on 1 thread
#                 (the kernel's ceiling) and from DRAM on each thread count
#                 (what the kernel streams, as a share of the probe's rate)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}
HB=$B/host
MD=$B/models
P=${BENCH_P:-64}
N=${BENCH_N:-32}
R=${BENCH_REPS:-5}
models=${BENCH_MODELS:-"tinyllama:q4_0 tinyllama:q8_0 tinyllama:q4_k_m qwen3-1.7b:q4_k_m gemma3-1b:q4_k_m qwen3moe-a3b:q4_k_m"}
threads=${BENCH_THREADS:-"1 2"}
mkdir -p "$MD"

median() { python3 -c 'import statistics, sys; print("%.1f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

probe() { "$HB/bwprobe" -t "$1" -m 512 | sed -n 's/.*: \([0-9.]*\) GB\/s.*/\1/p'; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians of $R rounds; pp$P and tg$N in tok/s"
echo

hdr="| model | threads | pp$P | tg$N | tg GB/s | read GB/s | % of read bw |"
sep="|---|---|---|---|---|---|---|"
if [ -n "${LLAMA_BENCH:-}" ]; then
	hdr="$hdr llama.cpp pp$P | llama.cpp tg$N | pp ratio | tg ratio |"
	sep="$sep---|---|---|---|"
fi
echo "$hdr"
echo "$sep"
for m in $models; do
	preset=${m%%:*} type=${m#*:}
	f=$MD/$preset-$type.gguf
	[ -f "$f" ] || "$HB/mkmodel" --preset "$preset" --type "$type" -o "$f" >&2
	bytes=$(python3 tools/gguf_tg_bytes.py "$f")
	for t in $threads; do
		pps=() tgs=() lpps=() ltgs=() bws=() pcts=()
		for ((r = 0; r < R; r++)); do
			b=$(probe "$t")
			out=$("$HB/llm" bench "$f" -t "$t" -p "$P" -n "$N" -r 1)
			pps+=("$(sed -n "s/^pp $P: \([0-9.]*\) tok\/s.*/\1/p" <<<"$out")")
			tg=$(sed -n "s/^tg $N: \([0-9.]*\) tok\/s.*/\1/p" <<<"$out")
			tgs+=("$tg") bws+=("$b")
			pcts+=("$(python3 -c "print(100*$bytes*$tg/1e9/$b)")")
			if [ -n "${LLAMA_BENCH:-}" ]; then
				csv=$("$LLAMA_BENCH" -m "$f" -t "$t" -p "$P" -n "$N" -r 1 -o csv 2>/dev/null)
				read -r lpp ltg < <(python3 -c '
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.stdin.read())))
pp = [r["avg_ts"] for r in rows if r["n_prompt"] != "0"]
tg = [r["avg_ts"] for r in rows if r["n_gen"] != "0"]
print(float(pp[0]), float(tg[0]))' <<<"$csv")
				lpps+=("$lpp") ltgs+=("$ltg")
			fi
		done
		pp=$(median "${pps[@]}") tg=$(median "${tgs[@]}")
		gbs=$(python3 -c "print(f'{$bytes*$tg/1e9:.1f}')")
		pct=$(median "${pcts[@]}")
		row="| $preset $type | $t | $pp | $tg | $gbs | $(median "${bws[@]}") | $(python3 -c "print(round($pct))")% |"
		if [ -n "${LLAMA_BENCH:-}" ]; then
			lpp=$(median "${lpps[@]}") ltg=$(median "${ltgs[@]}")
			row="$row $lpp | $ltg | $(python3 -c "print(f'{$pp/$lpp:.2f} | {$tg/$ltg:.2f} |')")"
		fi
		echo "$row"
	done
done
kernels=${BENCH_KERNELS-"q4_0 q8_0 q4_K q6_K"}
if [ -n "$kernels" ]; then
	echo
	hdr="| kernel | cache-hot, 1 thread |" sep="|---|---|"
	for t in $threads; do
		hdr="$hdr DRAM, $t threads | % of read bw |" sep="$sep---|---|"
	done
	echo "$hdr"
	echo "$sep"
	gb() { sed -n 's/.*: \([0-9.]*\) GB\/s of weights.*/\1/p'; }
	for k in $kernels; do
		row="| $k | $("$HB/kbench" "$k" -m 0.5 | gb) GB/s |"
		for t in $threads; do
			b=$(probe "$t")
			g=$("$HB/kbench" "$k" -m 1024 -r 3 -t "$t" | gb)
			row="$row $g GB/s | $(python3 -c "print(f'{100*$g/$b:.0f}')")% |"
		done
		echo "$row"
	done
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# The OS runs the model (issue 5): under QEMU TCG (-cpu max: AVX2 kernels),
# the shell's `generate --ids` prints exactly the ids of the host tool
# (`llm generate --ids --kernels avx2`) on the same file and prompt: greedy
# (--temp 0 -n 24) and seeded sampling (--temp 0.8 --seed 42), each with
# -smp 1 and -smp 4. Models: a demo GGUF made by mkmodel (always), a
# mixture of experts (mkmodel --preset qwen3moe-tiny --type q4_k_m: q/k
# norms, experts run on every CPU; one boot, -smp 2), and from
# ../shared/conformance/models (SKIP when ../shared is absent):
# aidreams260K-f32 and synth-llama q8_0, q4_0, q4_k_m.
# E2E_SMP="1 4" picks the boots.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
export BUILD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PROMPT="Once upon a time"
SMPS=${E2E_SMP:-1 4}

need() {
	for f in "$BUILD/BOOTX64.EFI" "$BUILD/host/llm" "$BUILD/host/mkmodel"; do
		[ -x "$f" ] || [ -f "$f" ] || { echo "SKIP: e2e ($f missing: make efi host)"; exit 0; }
	done
	if ! command -v qemu-system-x86_64 > /dev/null || [ ! -f /usr/share/ovmf/OVMF.fd ]; then
		echo "SKIP: e2e (no qemu-system-x86_64 or OVMF)"
		exit 0
	fi
}
need

# The line printed after the echoed command line $2 in transcript $1.
after_cmd() {
	awk -v c="llm> $2" 'f { print; exit } $0 == c { f = 1 }' "$1"
}

# check NAME MODEL [SMPS]: host ids vs the OS's at each -smp
check() {
	local name=$1 model=$2 smps=${3:-$SMPS}
	local g="generate --ids --temp 0 -n 24 $PROMPT"
	local s="generate --ids --temp 0.8 --seed 42 -n 24 $PROMPT"
	local hg hs
	hg=$(timeout 60 "$BUILD/host/llm" generate "$model" --ids --temp 0 -n 24 -p "$PROMPT" \
		--kernels avx2 2> /dev/null | head -1)
	hs=$(timeout 60 "$BUILD/host/llm" generate "$model" --ids --temp 0.8 --seed 42 -n 24 \
		-p "$PROMPT" --kernels avx2 2> /dev/null | head -1)
	if [ -z "$hg" ] || [ -z "$hs" ]; then
		echo "FAIL: $name: host llm generate gave no ids"
		return
	fi
	for n in $smps; do
		local log="$tmp/$name-$n.log"
		if ! timeout 200 tools/osrun --quiet --smp "$n" --model "$model" --timeout 180 \
			"$g" "$s" > "$log" 2>&1; then
			echo "FAIL: $name smp$n: boot + generate (osrun failed)"
			tail -8 "$log"
			continue
		fi
		local og os
		og=$(after_cmd "$log" "$g")
		os=$(after_cmd "$log" "$s")
		if [ "$og" = "$hg" ]; then
			echo "PASS: $name smp$n: greedy ids match the host ($(echo "$hg" | wc -w) ids)"
		else
			echo "FAIL: $name smp$n: greedy ids: host '$hg', os '$og'"
		fi
		if [ "$os" = "$hs" ]; then
			echo "PASS: $name smp$n: seeded sampling ids match the host"
		else
			echo "FAIL: $name smp$n: seeded ids: host '$hs', os '$os'"
		fi
	done
}

# 1. the demo model: no ../shared needed
if "$BUILD/host/mkmodel" --preset demo -o "$tmp/demo.gguf" > /dev/null 2>&1; then
	check demo "$tmp/demo.gguf"
else
	echo "FAIL: demo: mkmodel --preset demo failed"
fi

# 2. a mixture of experts (qwen3moe)
if "$BUILD/host/mkmodel" --preset qwen3moe-tiny --type q4_k_m -o "$tmp/moe.gguf" > /dev/null 2>&1; then
	check qwen3moe-tiny-q4_k_m "$tmp/moe.gguf" 2
else
	echo "FAIL: qwen3moe: mkmodel --preset qwen3moe-tiny failed"
fi

# 3. the conformance models
M=../shared/conformance/models
if [ ! -d "$M" ]; then
	echo "SKIP: conformance models (../shared absent)"
	exit 0
fi
for f in aidreams260K-f32 synth-llama-q8_0 synth-llama-q4_0 synth-llama-q4_k_m; do
	if [ -f "$M/$f.gguf" ]; then
		check "$f" "$M/$f.gguf"
	else
		echo "SKIP: $f (not in $M)"
	fi
done

#!/usr/bin/env bash
# The checks to run when a bigger machine is lent for a few minutes (this
# workplace's `device` tool: 16 cores, AVX-512, no QEMU installed), in one
# go, each part bounded in time:
#
#   tools/device-check.sh OUTDIR
#
# 1. the machine: CPU model, cores, the AVX-512 subsets the kernels use,
#    whether /dev/kvm exists and answers KVM_GET_API_VERSION;
# 2. the kernel and conformance suites (t-15, t-16, t-33, t-30, t-34, t-37)
#    at every kernel level the CPU has: on an AVX-512 machine the first run
#    of the AVX-512 kernels outside the machine they were written on;
# 3. tok/s of `llm` on 1, half and all cores (tools/bench.sh; with
#    LLAMA_BENCH=/path/to/llama-bench, llama.cpp beside it in the same
#    rounds);
# 4. with a usable /dev/kvm, qemu-system-x86_64 and OVMF: the OS booted under
#    KVM with -cpu host on all cores, the shell's `bench` against `llm bench`
#    on the same model and core count (in-OS speed is only real under KVM).
#
# Needs build/host as `make host unit build/host/kbench build/host/bwprobe`
# leaves it (and build/BOOTX64.EFI for 4); the suites read ../shared as
# they do everywhere. BENCH_MODELS / BENCH_REPS pass to tools/bench.sh
# (default here: tinyllama:q4_k_m qwen3-1.7b:q4_k_m, 2 rounds). Everything
# goes to OUTDIR/device-check.log; the last lines are a summary.
# DEVICE_PARTS picks parts (default "1 2 3 4"; part 1 always runs).
cd "$(dirname "$0")/.." || exit 2
out=${1:?usage: tools/device-check.sh OUTDIR}
mkdir -p "$out"
log=$out/device-check.log
: >"$log"
B=${BUILD:-build}
summary=()
say() { echo "$*" | tee -a "$log"; }
# part NAME SECONDS COMMAND...: runs it bounded, its output in the log
part() {
	local name=$1 secs=$2 t0 rc
	shift 2
	say "==== $name (at most ${secs}s)"
	t0=$(date +%s)
	timeout --kill-after=10 "$secs" "$@" >>"$log" 2>&1
	rc=$?
	summary+=("$name: exit $rc in $(($(date +%s) - t0)) s")
	say "==== $name: exit $rc"
	return $rc
}

# ---- 1. the machine ----------------------------------------------------------------
ncpu=$(nproc)
say "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -sr); $ncpu CPUs"
say "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
say "avx-512 subsets: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
	grep -E '^avx512(f|bw|vl|dq|_vnni|vnni|_bf16|bf16)$' | tr '\n' ' ')"
kvm=$(python3 - <<'PY'
import fcntl, os
try:
    fd = os.open("/dev/kvm", os.O_RDWR)
except OSError as e:
    print("no (%s)" % e.strerror)
else:
    v = fcntl.ioctl(fd, 0xAE00)  # KVM_GET_API_VERSION
    print("yes (API version %d; whether QEMU with OVMF runs on it is part 4)" % v)
PY
)
say "/dev/kvm (opens, KVM_GET_API_VERSION): $kvm"
summary+=("kvm: $kvm")

want() { [[ " ${DEVICE_PARTS:-1 2 3 4} " == *" $1 "* ]]; }

# ---- 2. the suites at every level --------------------------------------------------
if want 2; then
	# side by side: each suite is mostly one thread, and the lease is short
	say "==== suites t-15 t-16 t-33 t-30 t-34 t-37 (at most ${SUITE_SECONDS:-200}s)"
	for t in t-15 t-16 t-33 t-30 t-34 t-37; do
		timeout --kill-after=10 "${SUITE_SECONDS:-200}" bash tests/run.sh "$t" >"$out/suite-$t.log" 2>&1 &
	done
	wait
	for t in t-15 t-16 t-33 t-30 t-34 t-37; do
		cat "$out/suite-$t.log" >>"$log"
		summary+=("suite $t: $(grep -E '^[0-9]+ passed' "$out/suite-$t.log" | tail -n 1)")
		grep -E '^(FAIL|SKIP)' "$out/suite-$t.log" | head -n 20 | sed "s/^/  $t /" >>"$out/.fails"
		rm -f "$out/suite-$t.log"
	done
	[ -s "$out/.fails" ] && { say "failures and skips:"; tee -a "$log" <"$out/.fails"; }
	rm -f "$out/.fails"
fi

# ---- 3. tok/s on 1, half, all cores ------------------------------------------------
if want 3; then
	half=$((ncpu / 2))
	# LLAMA_BENCH may still be building beside this script (LLAMA_BENCH_WAIT seconds)
	for _ in $(seq 1 "${LLAMA_BENCH_WAIT:-0}"); do
		[ -z "${LLAMA_BENCH:-}" ] || [ -x "$LLAMA_BENCH" ] && break
		sleep 1
	done
	if [ -n "${LLAMA_BENCH:-}" ] && [ ! -x "$LLAMA_BENCH" ]; then
		say "llama-bench not there ($LLAMA_BENCH): our engine alone"
		unset LLAMA_BENCH
	fi
	part "bench" "${BENCH_SECONDS:-270}" env BENCH_MODELS="${BENCH_MODELS:-tinyllama:q4_k_m qwen3-1.7b:q4_k_m}" \
		BENCH_THREADS="1 $half $ncpu" BENCH_REPS="${BENCH_REPS:-2}" BENCH_KERNELS="${BENCH_KERNELS-}" \
		bash tools/bench.sh
	grep -E '^\|' "$log" | tail -n 12 | tee "$out/bench-table.md" >/dev/null
fi

# ---- 4. the OS under KVM -----------------------------------------------------------
if ! want 4; then
	:
elif [ "${kvm%% *}" != yes ]; then
	summary+=("in-OS under KVM: not run (/dev/kvm: $kvm)")
elif ! command -v qemu-system-x86_64 >/dev/null || [ ! -f /usr/share/ovmf/OVMF.fd ]; then
	summary+=("in-OS under KVM: not run (no qemu-system-x86_64 or /usr/share/ovmf/OVMF.fd)")
else
	m=$B/models/tinyllama-q4_k_m.gguf
	mkdir -p "$B/models"
	[ -f "$m" ] || "$B/host/mkmodel" --preset tinyllama --type q4_k_m -o "$m" >>"$log" 2>&1
	part "llm bench, $ncpu threads" 120 "$B/host/llm" bench "$m" -t "$ncpu" -p 64 -n 32
	host=$(grep -E '^tg [0-9]+:' "$log" | tail -n 1)
	# a KVM that cannot run OVMF (a nested, paravirtual one) stops with
	# "KVM internal error ... emulation failure" at OVMF's first x87
	# instruction: osrun then times out, bounded here
	part "OS bench under KVM, -smp $ncpu" 200 python3 tools/osrun --kvm --smp "$ncpu" --model "$m" \
		--timeout 180 info 'bench -p 64 -n 32'
	grep -q 'KVM internal error' "$log" && summary+=("  QEMU under this KVM: $(grep -m1 -A0 'emulation failure' "$log" || echo 'KVM internal error')")
	summary+=("  host: $host; OS: $(grep -E 'tg [0-9]+:' "$log" | grep -vF "$host" | tail -n 1)")
fi

say "==== summary"
for s in "${summary[@]}"; do say "$s"; done

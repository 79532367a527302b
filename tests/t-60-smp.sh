#!/usr/bin/env bash
# SMP (issue 4). On the host: the ACPI tables (test_acpi: MADT, FADT, \_S5, the
# RSDT fallback, the xAPIC/x2APIC choice) and the dispatcher
# protocol (test_dispatch), both also under ASan via `make asan`. Under QEMU
# TCG with -smp 1/2/4/8: every CPU comes online (`cpus`, ending with
# "N of N CPUs online"; `info` shows the count), the parallel
# self-test matches the single-core results exactly (`smptest`: slice sums,
# f32 GEMV, the engine's q8_0 matmul through par_for) and every CPU ran
# tasks; a fault on CPU 1 (`apfault`, debug) gives the panic report naming
# CPU 1 instead of a hang. Prints the GEMV wall-time ratios (informative
# only: TCG vCPUs are host threads on a shared host).
# SMP_TEST_CPUS="1 2" picks the boots (default "1 2 4 8").
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
export BUILD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. host: ACPI table walk (synthetic and corrupted tables) and the
#    dispatcher protocol (pthreads as CPUs)
for u in acpi dispatch; do
	if [ -x "$BUILD/host/test_$u" ]; then
		timeout 120 "$BUILD/host/test_$u" > "$tmp/$u.log" 2>&1
		rc=$?
		sed -n "s/^\(PASS\|FAIL\|SKIP\): /\1: $u: /p" "$tmp/$u.log"
		[ "$rc" -eq 0 ] || { echo "FAIL: $u: test_$u exited $rc"; tail -5 "$tmp/$u.log"; }
	else
		echo "SKIP: $u (no $BUILD/host/test_$u: make unit)"
	fi
done

# 2. QEMU boots
if [ ! -f "$BUILD/BOOTX64.EFI" ]; then
	echo "SKIP: smp boots (no $BUILD/BOOTX64.EFI: make efi)"
	exit 0
fi
if ! command -v qemu-system-x86_64 > /dev/null || [ ! -f /usr/share/ovmf/OVMF.fd ]; then
	echo "SKIP: smp boots (no qemu-system-x86_64 or OVMF)"
	exit 0
fi

for n in ${SMP_TEST_CPUS:-1 2 4 8}; do
	log="$tmp/smp$n.log"
	tools/osrun --quiet --smp "$n" --timeout 300 cpus smptest cpus info > "$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: smp$n: boot + cpus + smptest (osrun exit $rc)"
		tail -15 "$log"
		continue
	fi
	if grep -q "^$n of $n CPUs online" "$log"; then
		echo "PASS: smp$n: cpus says $n of $n CPUs online"
	else
		echo "FAIL: smp$n: cpus does not say $n of $n CPUs online"
		grep -E "CPUs online|smp:" "$log" | head -5
	fi
	# `cpus` ends with the count; `info` includes it
	last_line=$(awk '/^llm> cpus$/ { c = 1; l = ""; next } /^llm> / { c = 0 } c && NF { l = $0 } END { print l }' "$log")
	if [ "$last_line" = "$n of $n CPUs online" ]; then
		echo "PASS: smp$n: cpus ends with '$n of $n CPUs online'"
	else
		echo "FAIL: smp$n: cpus ends with '$last_line'"
	fi
	if grep -q "^cpus: $n online" "$log"; then
		echo "PASS: smp$n: info includes the CPU count"
	else
		echo "FAIL: smp$n: info lacks 'cpus: $n online'"
	fi
	# the last `cpus` table (after smptest): one row per CPU, each ran tasks
	last=$(awk '/^cpu  apic/{t=""} /^ *[0-9]+ +[0-9]+ +(BSP|online) /{t=t $0 "\n"} END{printf "%s", t}' "$log")
	nrows=$(printf '%b' "$last" | grep -c .)
	if [ "$nrows" -eq "$n" ]; then
		echo "PASS: smp$n: cpus lists $n CPU rows"
	else
		echo "FAIL: smp$n: cpus lists $nrows CPU rows, want $n"
	fi
	idle=$(printf '%b' "$last" | awk '$6 == 0 {print $1}' | tr '\n' ' ')
	if [ "$nrows" -gt 0 ] && [ -z "$idle" ]; then
		echo "PASS: smp$n: every CPU ran smptest tasks"
	else
		echo "FAIL: smp$n: CPUs that ran no task: ${idle:-none listed}"
	fi
	if grep -q '^smptest: PASS' "$log" && ! grep -q '^smptest: .*FAIL' "$log"; then
		echo "PASS: smp$n: smptest sums and GEMV equal the single-core results"
	else
		echo "FAIL: smp$n: smptest"
		grep '^smptest:' "$log"
	fi
	grep -E '^smptest: (gemv x|speedup|empty|engine)' "$log" | sed "s/^/  [smp$n] /"
	# per-GEMV microseconds on all cores of this boot, for the -smp ratio
	sed -n 's/^smptest: gemv x\([0-9]*\): .*, [0-9]* cores \([0-9]*\) us/\1 \2/p' "$log" |
		awk '{ printf "%d\n", $2 / $1 }' > "$tmp/gemv$n"
done

if [ -s "$tmp/gemv1" ] && [ -s "$tmp/gemv2" ]; then
	echo "  GEMV 1024x1024 wall time: -smp 1 $(cat "$tmp/gemv1") us, -smp 2 $(cat "$tmp/gemv2") us" \
		"(ratio $(awk -v a="$(cat "$tmp/gemv1")" -v b="$(cat "$tmp/gemv2")" 'BEGIN{printf "%.2f", b ? a / b : 0}'))"
fi

# 3. a fault on CPU 1 -> panic report naming CPU 1 (debug command)
if [[ " ${SMP_TEST_CPUS:-1 2 4 8} " == *" 2 "* ]]; then
	printf 'debug=1\n' > "$tmp/llm.cfg"
	tools/osrun --quiet --smp 2 --timeout 120 --until 'system halted' \
		--esp-extra "$tmp/llm.cfg=llm.cfg" apfault > "$tmp/fault.log" 2>&1
	if grep -q 'PANIC on CPU 1: exception 6' "$tmp/fault.log" &&
		grep -q 'system halted' "$tmp/fault.log"; then
		echo "PASS: apfault: panic report names CPU 1"
	else
		echo "FAIL: apfault: no panic report naming CPU 1"
		tail -15 "$tmp/fault.log"
	fi
fi
exit 0

#!/usr/bin/env bash
# The host build again under AddressSanitizer + UndefinedBehaviorSanitizer
# (`make asan`: clang, into $BUILD/asan): every $BUILD/asan/host/test_*
# binary, through the host-only suites that run it (t-10-gguf with its
# malformed corpus, ...; QEMU suites are left out and their binaries run
# bare), and the conformance suite tests/t-30-conformance.sh (reads
# ../shared; SKIPs of its own), tests/t-35-llm.sh and t-36-variants.sh,
# all with BUILD=$BUILD/asan and
# LLM=$BUILD/asan/host/llm; then the fuzz harnesses' replay drivers
# (build/asan/host/replay_NAME, fuzz/replay.c) over the kept findings
# tests/data/fuzz-regress/NAME/ and the seeds fuzz/seed-NAME/. One line per
# suite or binary; any FAIL or sanitizer report fails it. Takes about 3-4 minutes on 2 cores.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
A=$BUILD/asan
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! make -s -j2 asan BUILD="$BUILD" >"$log" 2>&1; then
	echo "FAIL: asan-build (make asan)"
	tail -n 30 "$log"
	exit 1
fi
echo "PASS: asan-build"

rc=0
# run NAME CMD...: one PASS/FAIL line for a whole sanitized run; on failure
# the run's FAIL lines and the end of its sanitizer report.
run() {
	local name=$1
	shift
	timeout 240 "$@" >"$log" 2>&1
	local st=$?
	if [ $st -eq 0 ] && ! grep -qE '^FAIL: |ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$log"; then
		local what
		what="$(grep -c '^PASS: ' "$log") checks"
		grep -q '^replayed [0-9]* inputs' "$log" && what=$(grep -o '^replayed [0-9]* inputs' "$log")
		echo "PASS: asan-$name ($what)"
	else
		echo "FAIL: asan-$name (status $st)"
		grep '^replay: ' "$log" | tail -n 1 | sed 's/^/    last input: /'
		grep -E '^FAIL: ' "$log" | head -n 10 | sed 's/^/    /'
		grep -nE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$log" | head -n 5
		grep -E '^    #[0-9]' "$log" | head -n 12
		rc=1
	fi
}

# Each unit test binary runs through the suites that run it (so with their
# arguments), with BUILD pointing at the sanitized build; a binary that no
# host-only suite names runs bare.
n=0 suites=
for t in "$A"/host/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	n=$((n + 1))
	# suites that boot the OS in QEMU are left out: their host binaries run bare
	found=$(grep -lw "$name" tests/t-*.sh | grep -v -e t-90-asan -e t-30-conformance |
		xargs -r grep -LE 'qemu|BOOTX64|osrun|boot-lib')
	if [ -z "$found" ]; then
		run "$name" "$t"
	fi
	suites="$suites $found"
done
[ $n -gt 0 ] || { echo "FAIL: asan-unit (no test binaries in $A/host)"; rc=1; }
for s in $(printf '%s\n' $suites | sort -u); do
	s=${s#tests/}
	BUILD=$A LLM=$A/host/llm run "${s%.sh}" bash "tests/$s"
done

if [ -f tests/t-30-conformance.sh ]; then
	if [ -x "$A/host/llm" ]; then
		BUILD=$A LLM=$A/host/llm run t-30-conformance bash tests/t-30-conformance.sh
	else
		echo "FAIL: asan-t-30-conformance (no $A/host/llm)"
		rc=1
	fi
else
	echo "SKIP: asan-t-30-conformance (no tests/t-30-conformance.sh yet)"
fi
# the fuzz harnesses' kept findings and seeds, replayed without libFuzzer
# (fuzz/replay.c): tests/data/fuzz-regress/NAME/ and fuzz/seed-NAME/
nr=0
for r in "$A"/host/replay_*; do
	[ -x "$r" ] || continue
	name=${r##*/replay_}
	seed=fuzz/seed-$name
	[ "$name" = tokenizer ] && seed=fuzz/seed-tok
	dirs=
	for d in "tests/data/fuzz-regress/$name" "$seed"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	[ -n "$dirs" ] || continue
	nr=$((nr + 1))
	# shellcheck disable=SC2086 # several directories
	run "replay-$name" "$r" $dirs
done
[ $nr -gt 0 ] || { echo "FAIL: asan-replay (no replay_* binaries in $A/host)"; rc=1; }
# the llm suites that name no unit binary: model variants (mkmodel + llm)
for s in t-35-llm t-36-variants; do
	[ -f "tests/$s.sh" ] && BUILD=$A LLM=$A/host/llm run "$s" bash "tests/$s.sh"
done
exit $rc

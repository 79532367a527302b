#!/usr/bin/env bash
# Runs the test suites tests/t-*.sh (or those matching $1) in order.
# A suite prints one line per check: "PASS: name", "FAIL: name" or
# "SKIP: name (why)". A suite that exits non-zero without printing a FAIL
# counts as one failure, and so does a suite in which bash could not find a
# command (a helper function not sourced, a tool not installed: the check
# that called it would otherwise pass or vanish silently). Ends with the
# line "N passed, N failed, N skipped".
cd "$(dirname "$0")/.." || exit 2
export BUILD=${BUILD:-build}
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in tests/t-*.sh; do
	case "$t" in *"${1:-}"*) ;; *) continue ;; esac
	echo "=== $t"
	start=$(date +%s)
	bash "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited with status $rc"
		f=1
	fi
	nf=$(grep -cE '^[^ ]+: line [0-9]+: .*: command not found$' "$log")
	if [ "$nf" -gt 0 ]; then
		echo "FAIL: $t: $nf command(s) not found (lines above)"
		f=$((f + 1))
	fi
	echo "=== $t: $p passed, $f failed, $s skipped ($(( $(date +%s) - start )) s)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# The include rules of docs/architecture.md, checked on the sources: the
# platform floors (core/ mm/ smp/ lib/ fs/) include nothing from the rooms
# above them (init/ shell/ dev/ net/ ai/) but the parallel_for hook
# (ai/parallel.h); ai/ includes only ai/ and C library headers; drivers
# (dev/) reach the platform, never the shell, the network or the engine;
# nothing includes init/ (kmain starts everything; nothing calls back).
cd "$(dirname "$0")/.." || exit 2
rc=0

# rule NAME DIRS BANNED-REGEX [ALLOWED-REGEX]: no '#include "X"' in DIRS
# where X matches BANNED and not ALLOWED.
rule() {
	local name=$1 dirs=$2 banned=$3 allowed=${4:-^$} bad
	bad=$(for d in $dirs; do
		[ -d "$d" ] && grep -rHn --include='*.[chS]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$d"
	done | awk -v b="$banned" -v a="$allowed" '{
		match($0, /"[^"]*"/); inc = substr($0, RSTART + 1, RLENGTH - 2)
		if (inc ~ b && inc !~ a) print
	}')
	if [ -z "$bad" ]; then
		echo "PASS: layers: $name"
	else
		echo "FAIL: layers: $name"
		echo "$bad" | sed 's/^/  /'
		rc=1
	fi
}

rule "the platform floors include nothing above them" "core mm smp lib fs" \
	'^(init|shell|dev|net|ai)/' '^ai/parallel\.h$'
rule "ai/ includes only ai/" "ai" '.' '^ai/'
rule "drivers reach the platform only" "dev" '^(init|shell|net|ai)/'
rule "nothing includes init/" "efi fs core mm smp lib shell dev net ai host tests" '^init/'

# ai/'s system headers: the C library's (gcc's freestanding headers and
# lib/include's, which the OS build has) and the SIMD intrinsics
libc=$(cd lib/include && ls *.h | sed 's/\.h$//' | paste -sd '|')
bad=$(grep -rHn --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' ai |
	grep -vE "<(float|limits|stdarg|stdbool|stddef|stdint|$libc|immintrin)\.h>")
if [ -z "$bad" ]; then
	echo "PASS: layers: ai/ includes only C library headers"
else
	echo "FAIL: layers: ai/ includes only C library headers"
	echo "$bad" | sed 's/^/  /'
	rc=1
fi
exit $rc

#!/usr/bin/env bash
# Runs libFuzzer harnesses for a set time each and ends with a table of
# executions and findings per harness (`make fuzz`, `make fuzz-long`).
#
#   FZ=build/fuzz FUZZ_JOBS=2 tools/fuzz-long.sh SECONDS NAME:SEEDDIR:ARGS...
#
# With FUZZ_RUNS=N a harness stops once it has run N executions (SECONDS
# stays the cap): `make fuzz-long FUZZ_LONG_RUNS=10000000` gives each
# harness the time it needs and no more.
#
# Each harness NAME runs $FZ/fuzz_NAME on fuzz/corpus-NAME (kept between
# runs, git-ignored) plus SEEDDIR for SECONDS of wall time, FUZZ_JOBS
# harnesses at a time (each one process; two on a 2-core machine). A
# finding (crash, leak, timeout of FUZZ_TIMEOUT seconds, out of memory)
# stops libFuzzer: it is counted, its input kept as
# $FZ/NAME-crash-<sha1> (etc.), and the harness restarts for the time that
# is left, so one finding does not hide the next. Logs: $FZ/log-NAME.txt.
# Ctrl-C (or a TERM to this script) stops every harness; the table still
# comes, the harnesses stopped early marked "interrupted" (libFuzzer's exit
# status 72 for an interrupt is not a finding).
# Exit status 1 if any harness had a finding, did not run or was interrupted.
cd "$(dirname "$0")/.." || exit 2
FZ=${FZ:-build/fuzz}
JOBS=${FUZZ_JOBS:-2}
TIMEOUT=${FUZZ_TIMEOUT:-10}
MAX_FINDINGS=${FUZZ_MAX_FINDINGS:-10}
RUNS=${FUZZ_RUNS:-0}
case $RUNS in '' | *[!0-9]*) echo "fuzz: FUZZ_RUNS must be a number of executions, not '$RUNS'" >&2; exit 2 ;; esac
secs=${1:?usage: tools/fuzz-long.sh SECONDS NAME:SEEDDIR:ARGS...}
shift
res=$(mktemp -d)
trap 'rm -rf "$res"' EXIT

# execs LOG: the executions of one libFuzzer run
execs() {
	local n
	n=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$1" | tail -n 1 | grep -o '[0-9]*$')
	[ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$1" | tail -n 1 | tr -d '#')
	echo "${n:-0}"
}

# one NAME SEEDDIR ARGS: runs the harness for $secs, writes $res/NAME
one() {
	local name=$1 seed=$2 args=$3 bin=$FZ/fuzz_$1 log=$FZ/log-$1.txt
	local start now left total=0 found=0 first= runs=0 st n before after lim stop=
	# the fuzzers take INT/TERM (their handler replaces the ignore); this
	# loop outlives them to write its line
	trap '' INT TERM
	mkdir -p "fuzz/corpus-$name"
	: >"$log"
	if [ ! -x "$bin" ]; then
		echo "$name 0 0 0 1 no-binary" >"$res/$name"
		return
	fi
	start=$(date +%s)
	while :; do
		now=$(date +%s)
		left=$((secs - (now - start)))
		[ $left -ge 1 ] || break
		[ $found -lt "$MAX_FINDINGS" ] || break
		lim=
		if [ "$RUNS" -gt 0 ]; then
			[ $total -lt "$RUNS" ] || break
			lim=-runs=$((RUNS - total))
		fi
		before=$(ls "$FZ" | grep -cE "^$name-(crash|leak|timeout|oom)-")
		# shellcheck disable=SC2086 # ARGS are several words
		"$bin" -max_total_time=$left $lim -timeout="$TIMEOUT" -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$FZ/$name-" $args "fuzz/corpus-$name" "$seed" >"$log.run" 2>&1
		st=$?
		runs=$((runs + 1))
		cat "$log.run" >>"$log"
		n=$(execs "$log.run")
		total=$((total + n))
		if [ $st -eq 72 ]; then
			stop=interrupted
			break
		fi
		after=$(ls "$FZ" | grep -cE "^$name-(crash|leak|timeout|oom)-")
		if [ $st -ne 0 ] || [ "$after" -gt "$before" ]; then
			found=$((found + 1))
			[ -n "$first" ] || first=$(ls -t "$FZ" | grep -E "^$name-(crash|leak|timeout|oom)-" | head -n 1)
			[ -n "$first" ] || first="status-$st"
			# a run that dies at once again and again would spin: stop
			[ "$n" -gt 0 ] || break
		fi
	done
	rm -f "$log.run"
	now=$(date +%s)
	echo "$name $((now - start)) $total $(ls "fuzz/corpus-$name" | wc -l) $found ${first:--} $stop" >"$res/$name"
}

# INT or TERM: stop the fuzzers of this run (children of its subshells),
# then let the subshells write their lines
interrupted=
stop_all() {
	interrupted=1
	local p
	for p in $(jobs -p); do
		pkill -INT -P "$p" 2>/dev/null
	done
}
trap stop_all INT TERM

echo "fuzz: $# harness(es), $secs s each$([ "$RUNS" = 0 ] || echo " at most, or $RUNS executions"), $JOBS at a time, started $(date '+%Y-%m-%d %H:%M:%S %Z')"
names=
for spec in "$@"; do
	name=${spec%%:*}
	rest=${spec#*:}
	seed=${rest%%:*}
	args=${rest#*:}
	names="$names $name"
	while [ -z "$interrupted" ] && [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	[ -z "$interrupted" ] || break
	echo "fuzz: $name (log $FZ/log-$name.txt)"
	one "$name" "$seed" "$args" &
done
# a trapped signal ends `wait` early: wait again until the subshells are done
while [ -n "$(jobs -rp)" ]; do
	wait
done
echo "fuzz: $([ -n "$interrupted" ] && echo interrupted || echo finished) $(date '+%Y-%m-%d %H:%M:%S %Z')"

rc=0
printf '%-10s %8s %14s %9s %8s %9s  %s\n' harness seconds executions exec/s corpus findings first
for name in $names; do
	if [ ! -f "$res/$name" ]; then
		printf '%-10s %8s %14s %9s %8s %9s  %s\n' "$name" - - - - - \
			"$([ -n "$interrupted" ] && echo "not started (interrupted)" || echo "did not run")"
		rc=1
		continue
	fi
	read -r n s e c f first stop <"$res/$name"
	printf '%-10s %8d %14d %9d %8d %9d  %s\n' "$n" "$s" "$e" $((s > 0 ? e / s : 0)) "$c" "$f" \
		"$([ "$first" = - ] || echo "$FZ/$first")${stop:+ ($stop)}"
	[ "$f" = 0 ] && [ -z "$stop" ] || rc=1
done
exit $rc

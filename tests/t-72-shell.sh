#!/usr/bin/env bash
# Bad input at the OS shell (issue 5), under QEMU: an unknown command, bad
# numbers, bad options, an empty prompt, a prompt longer than the context,
# a context too large for memory, and the engine commands with no model
# loaded each give a message, and the shell stays alive (the next command
# runs). With the demo model and an llm.cfg (ctx/temp/seed): `set` shows
# the llm.cfg values, `model` the details, `stats` the tok/s and time to
# first token, `bench` pp/tg tok/s and the cores used (after set threads).
# Needs no ../shared (the model is mkmodel's demo).
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh
export BUILD
tmp=$TMP

for f in "$BUILD/BOOTX64.EFI" "$BUILD/host/mkmodel"; do
	[ -f "$f" ] || { echo "SKIP: shell ($f missing: make efi host)"; exit 0; }
done
if why=$(boot_unavailable); then
	skip shell "$why"
	exit 0
fi
"$BUILD/host/mkmodel" --preset demo -o "$tmp/demo.gguf" > /dev/null 2>&1 ||
	{ echo "FAIL: shell: mkmodel --preset demo failed"; exit 0; }

# expect LOG NAME TEXT: TEXT (fixed string) is in LOG
expect() {
	if grep -qF -- "$3" "$1"; then echo "PASS: $2"; else echo "FAIL: $2 (no '$3')"; fi
}

# 1. no model
log="$tmp/nomodel.log"
timeout 200 tools/osrun --quiet --smp 1 --timeout 180 \
	'generate hello' 'chat' 'bench' 'model' 'set ctx 64' 'echo alive-1' > "$log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && echo "PASS: no model: the shell survives every command" ||
	{ echo "FAIL: no model: osrun exit $rc"; tail -10 "$log"; }
expect "$log" "no model: generate says so" "generate: no model loaded"
expect "$log" "no model: chat says so" "chat: no model loaded"
expect "$log" "no model: bench says so" "bench: no model loaded"
expect "$log" "no model: model says so" "model: no model loaded"
expect "$log" "no model: set ctx says so" "set ctx: no model loaded"
expect "$log" "no model: shell alive" "alive-1"

# 2. bad input with the demo model
long=$(for i in $(seq 1 40); do printf 'once upon a time '; done)
log="$tmp/bad.log"
# llm.cfg's ctx/temp/seed become the defaults `set` shows
printf 'ctx=96\ntemp=0.5\nseed=7\n' > "$tmp/llm.cfg"
timeout 220 tools/osrun --quiet --smp 2 --model "$tmp/demo.gguf" --timeout 200 \
	--esp-extra "$tmp/llm.cfg=llm.cfg" 'set' 'model' 'stats' \
	'frobnicate now' \
	'generate -n abc hello' 'generate --temp -1 hello' 'generate --top-p 7 hello' \
	'generate --seed -3 hello' 'generate --bogus hello' 'generate -n' 'generate' \
	'generate ""' 'generate --temp 0' \
	'set temp banana' 'set top-k 1.5' 'set threads 99' 'set nosuchkey 1' 'set temp' \
	'bench -p x' 'bench -q 3' 'chat extra' \
	'set ctx 16777216' 'set ctx 32' "generate $long" \
	'generate --ids --temp 0 -n 4 Once upon a time' 'stats' \
	'set threads 1' 'bench -p 8 -n 4 -r 1' 'set threads 2' 'bench -p 8 -n 4 -r 1' \
	'echo alive-2' > "$log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && echo "PASS: bad input: the shell survives every command" ||
	{ echo "FAIL: bad input: osrun exit $rc"; tail -10 "$log"; }
expect "$log" "unknown command" "unknown command 'frobnicate'"
expect "$log" "generate -n abc" "-n: bad number 'abc'"
expect "$log" "generate --temp -1" "--temp: bad number '-1'"
expect "$log" "generate --top-p 7" "--top-p: bad number '7'"
expect "$log" "generate --seed -3" "--seed: bad number '-3'"
expect "$log" "generate --bogus" "generate: unknown option '--bogus'"
expect "$log" "generate -n (no value)" "generate: option -n needs a value"
expect "$log" "generate (no prompt)" "generate: no prompt given"
expect "$log" "generate \"\" (empty prompt)" "generate: empty prompt"
expect "$log" "generate usage on bad arguments" "usage: generate [-n N]"
expect "$log" "set temp banana" "temp: bad number 'banana'"
expect "$log" "set top-k 1.5" "top-k: bad number '1.5'"
expect "$log" "set threads 99" "threads: bad number '99'"
expect "$log" "set unknown key" "set: unknown key 'nosuchkey'"
expect "$log" "set temp (no value)" "set temp: value missing"
expect "$log" "bench -p x" "-p: bad number 'x'"
expect "$log" "bench -q" "bench: unknown argument '-q'"
expect "$log" "chat extra" "usage: chat"
expect "$log" "set ctx too large: reduced with a message" "positions do not fit"
expect "$log" "set ctx 32" "ctx: 32 positions"
expect "$log" "prompt longer than the context" "longer than the context (32)"
n=$(awk '$0 == "llm> generate --ids --temp 0 -n 4 Once upon a time" { getline; print; exit }' "$log")
[ "$(echo "$n" | wc -w)" -ge 1 ] && [ -z "$(echo "$n" | tr -d '0-9 ')" ] &&
	echo "PASS: generate still works after the errors ($n)" ||
	echo "FAIL: generate after the errors printed '$n'"
# section CMD: the output of the first `llm> CMD` in $log
section() { awk -v c="llm> $1" '$0 == c { f = 1; next } f && /^llm> / { exit } f' "$log"; }
sec_has() { # sec_has NAME CMD REGEX
	if section "$2" | grep -Eq -- "$3"; then echo "PASS: $1"; else echo "FAIL: $1 (no /$3/ after $2)"; fi
}
sec_has "llm.cfg ctx=96 is the context" set '^ctx 96$'
sec_has "llm.cfg temp=0.5 is the default temperature" set '^temp 0.5$'
sec_has "llm.cfg seed=7 is the default seed" set '^seed 7$'
sec_has "set shows threads of the online CPUs" set '^threads 2 \(of 2 online\)$'
sec_has "model: architecture" model '^architecture: llama$'
sec_has "model: layers and vocab" model '^n_vocab: [0-9]+$'
sec_has "model: tensor types" model '^tensor types: [a-z0-9_]+:[0-9]+'
sec_has "model: context and cores" model '^context: 96 positions, 0 used; cores: 2$'
sec_has "stats before any generation" stats '^stats: nothing generated yet$'
st=$(awk '$0 == "llm> stats" { n++ } n == 2 && $0 != "llm> stats" { if (/^llm> /) exit; print }' "$log")
grep -Eq '^prompt: [0-9]+ tokens in [0-9.]+ ms \([0-9.]+ tok/s\)' <<<"$st" &&
	grep -Eq '^generated: 4 tokens in [0-9.]+ ms \([0-9.]+ tok/s\)' <<<"$st" &&
	grep -Eq '^first token after [0-9.]+ ms; stop: token limit' <<<"$st" &&
	echo "PASS: stats: prompt/generation tok/s and time to first token" ||
	{ echo "FAIL: stats after generate"; echo "$st" | sed 's/^/#   /'; }
b1=$(awk '$0 == "llm> bench -p 8 -n 4 -r 1" { n++ } n == 1 && $0 != "llm> bench -p 8 -n 4 -r 1" { if (/^llm> /) exit; print }' "$log")
b2=$(awk '$0 == "llm> bench -p 8 -n 4 -r 1" { n++ } n == 2 && $0 != "llm> bench -p 8 -n 4 -r 1" { if (/^llm> /) exit; print }' "$log")
grep -Eq '^pp 8: [0-9.]+ tok/s' <<<"$b1" && grep -Eq '^tg 4: [0-9.]+ tok/s' <<<"$b1" &&
	echo "PASS: bench reports pp and tg tok/s" || { echo "FAIL: bench output"; echo "$b1" | sed 's/^/#   /'; }
grep -q ', 1 cores,' <<<"$b1" && grep -q ', 2 cores,' <<<"$b2" &&
	echo "PASS: bench reports the cores used (set threads 1, then 2)" ||
	echo "FAIL: bench cores: '$(grep cores <<<"$b1")' / '$(grep cores <<<"$b2")'"
expect "$log" "bad input: shell alive" "alive-2"

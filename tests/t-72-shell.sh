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

boot_ready "shell: no model" "shell: bad input" || exit 0
need_built shell "$MK"
"$MK" --preset demo -o "$TMP/demo.gguf" > /dev/null 2>&1 ||
	{ fail "shell: mkmodel --preset demo"; exit 0; }

# expect BOOT NAME TEXT: TEXT (fixed string) is in the transcript of BOOT
expect() {
	if grep -qF -- "$3" "$TMP/$1.log"; then pass "$2"; else fail "$2" "no '$3'"; fi
}

# 1. no model
osrun_log nomodel --smp 1 --timeout 180 \
	'generate hello' 'chat' 'bench' 'model' 'set ctx 64' 'echo alive-1'
check "no model: the shell survives every command" [ "$(cat "$TMP/nomodel.rc")" = 0 ]
expect nomodel "no model: generate says so" "generate: no model loaded"
expect nomodel "no model: chat says so" "chat: no model loaded"
expect nomodel "no model: bench says so" "bench: no model loaded"
expect nomodel "no model: model says so" "model: no model loaded"
expect nomodel "no model: set ctx says so" "set ctx: no model loaded"
expect nomodel "no model: shell alive" "alive-1"

# 2. bad input with the demo model
long=$(for i in $(seq 1 40); do printf 'once upon a time '; done)
# llm.cfg's ctx/temp/seed become the defaults `set` shows
printf 'ctx=96\ntemp=0.5\nseed=7\n' > "$TMP/llm.cfg"
osrun_log bad --smp 2 --model "$TMP/demo.gguf" --timeout 200 \
	--esp-extra "$TMP/llm.cfg=llm.cfg" 'set' 'model' 'stats' \
	'frobnicate now' \
	'generate -n abc hello' 'generate --temp -1 hello' 'generate --top-p 7 hello' \
	'generate --seed -3 hello' 'generate --bogus hello' 'generate -n' 'generate' \
	'generate ""' 'generate --temp 0' \
	'set temp banana' 'set top-k 1.5' 'set threads 99' 'set nosuchkey 1' 'set temp' \
	'bench -p x' 'bench -q 3' 'chat extra' \
	'set ctx 16777216' 'set ctx 32' "generate $long" \
	'generate --ids --temp 0 -n 4 Once upon a time' 'stats' \
	'set threads 1' 'bench -p 8 -n 4 -r 1' 'set threads 2' 'bench -p 8 -n 4 -r 1' \
	'echo alive-2'
check "bad input: the shell survives every command" [ "$(cat "$TMP/bad.rc")" = 0 ]
expect bad "unknown command" "unknown command 'frobnicate'"
expect bad "generate -n abc" "-n: bad number 'abc'"
expect bad "generate --temp -1" "--temp: bad number '-1'"
expect bad "generate --top-p 7" "--top-p: bad number '7'"
expect bad "generate --seed -3" "--seed: bad number '-3'"
expect bad "generate --bogus" "generate: unknown option '--bogus'"
expect bad "generate -n (no value)" "generate: option -n needs a value"
expect bad "generate (no prompt)" "generate: no prompt given"
expect bad "generate \"\" (empty prompt)" "generate: empty prompt"
expect bad "generate usage on bad arguments" "usage: generate [-n N]"
expect bad "set temp banana" "temp: bad number 'banana'"
expect bad "set top-k 1.5" "top-k: bad number '1.5'"
expect bad "set threads 99" "threads: bad number '99'"
expect bad "set unknown key" "set: unknown key 'nosuchkey'"
expect bad "set temp (no value)" "set temp: value missing"
expect bad "bench -p x" "-p: bad number 'x'"
expect bad "bench -q" "bench: unknown argument '-q'"
expect bad "chat extra" "usage: chat"
expect bad "set ctx too large: reduced with a message" "positions do not fit"
expect bad "set ctx 32" "ctx: 32 positions"
expect bad "prompt longer than the context" "longer than the context (32)"
n=$(section bad "generate --ids --temp 0 -n 4 Once upon a time" | head -1)
[ "$(echo "$n" | wc -w)" -ge 1 ] && [ -z "$(echo "$n" | tr -d '0-9 ')" ] &&
	pass "generate still works after the errors ($n)" ||
	fail "generate after the errors printed '$n'"
sec_has() { # sec_has NAME CMD REGEX
	if section_has bad "$2" "$3"; then pass "$1"; else fail "$1" "no /$3/ after $2"; fi
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
st=$(section bad stats 2)
grep -Eq '^prompt: [0-9]+ tokens in [0-9.]+ ms \([0-9.]+ tok/s\)' <<<"$st" &&
	grep -Eq '^generated: 4 tokens in [0-9.]+ ms \([0-9.]+ tok/s\)' <<<"$st" &&
	grep -Eq '^first token after [0-9.]+ ms; stop: token limit' <<<"$st" &&
	pass "stats: prompt/generation tok/s and time to first token" ||
	{ fail "stats after generate"; echo "$st" | sed 's/^/#   /'; }
b1=$(section bad "bench -p 8 -n 4 -r 1" 1)
b2=$(section bad "bench -p 8 -n 4 -r 1" 2)
grep -Eq '^pp 8: [0-9.]+ tok/s' <<<"$b1" && grep -Eq '^tg 4: [0-9.]+ tok/s' <<<"$b1" &&
	pass "bench reports pp and tg tok/s" || { fail "bench output"; echo "$b1" | sed 's/^/#   /'; }
grep -q ', 1 cores,' <<<"$b1" && grep -q ', 2 cores,' <<<"$b2" &&
	pass "bench reports the cores used (set threads 1, then 2)" ||
	fail "bench cores: '$(grep cores <<<"$b1")' / '$(grep cores <<<"$b2")'"
expect bad "bad input: shell alive" "alive-2"

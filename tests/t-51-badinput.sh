#!/usr/bin/env bash
# Bad inputs at boot (issue 2): a non-GGUF file named x.gguf, a truncated
# GGUF, a GGUF with corrupt metadata, an empty ESP, a model bigger than the VM's RAM (-m 512, a 600 MB
# sparse file), parse-valid models with nonsense hyperparameters (RoPE
# base 1e-30, head count 0, epsilon NaN, context length 2^40) and a bad
# llm.cfg line each give one clear message and the shell still answers; the debug `panic-test` prints the panic report
# (vector, RIP) on serial instead of hanging. Uses ../shared's aidreams
# model for the truncated file when present, else a synthetic GGUF.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh

if why=$(boot_unavailable); then
	for c in not-gguf truncated empty-esp too-big hostile panic-test; do skip "bad input $c" "$why"; done
	exit 0
fi
if [ ! -f "$EFI" ]; then
	fail "boot image $EFI exists (make efi)"
	exit 0
fi

# boot_bad NAME REGEX [osrun args and commands]: the message appears and
# `help` answers.
boot_bad() {
	local name=$1 re=$2; shift 2
	osrun_log "$name" --timeout 150 "$@" help
	check "$name: shell answers after the error" section_has "$name" help 'info'
	check "$name: clear message" has "$name" "$re"
}

# a text file named like a model, listed first in the boot menu: Enter
# boots it, it fails, the menu comes back and 2 picks the good model
printf 'This is not a model, just text in a file named x.gguf.\n' >"$TMP/x.gguf"
make_tiny_gguf "$TMP/y.gguf" good
boot_bad not-gguf 'x\.gguf: not a GGUF model' --model "$TMP/x.gguf" --model "$TMP/y.gguf" \
	'!wait Booting .* in' '!keys \r' '!wait Choose another model' '!keys 2' info
check "not-gguf: the menu offers the other model after the failure" section_has not-gguf info 'y\.gguf'

# the first 60% of a real model
SRC=$SHARED_MODELS/aidreams260K-f32.gguf
[ -f "$SRC" ] || { SRC=$TMP/tiny.gguf; make_tiny_gguf "$SRC"; }
mkdir -p "$TMP/cut"
head -c $(( $(stat -c %s "$SRC") * 6 / 10 )) "$SRC" >"$TMP/cut/cut.gguf"
boot_bad truncated 'cut\.gguf: truncated GGUF' --model "$TMP/cut/cut.gguf"

# a good header followed by a key of an unknown value type
python3 - "$TMP/bad-kv.gguf" <<'PY'
import struct, sys
def s(x): b = x.encode(); return struct.pack("<Q", len(b)) + b
h = struct.pack("<IIQQ", 0x46554747, 3, 0, 1) + s("general.architecture") + struct.pack("<I", 99)
open(sys.argv[1], "wb").write(h + b"\0" * 4096)
PY
boot_bad corrupt 'bad-kv\.gguf: corrupt GGUF' --model "$TMP/bad-kv.gguf"

# parse-valid models with nonsense hyperparameters (tools/mkbadgguf.py's
# hostile-* cases, the kind the GGUF fuzzer makes; the first is issue 15's
# finding): the loader takes them, model_load refuses them naming the key
# and value, `model` and `generate` repeat why, and the shell still answers.
# One boot each (the kernel cannot go back to the menu): four in all.
python3 tools/mkbadgguf.py "$TMP/bad" >/dev/null
for c in 'rope-base-1e-30:llama\.rope\.freq_base: value 1e-30 out of range' \
	'head-count-0:llama\.attention\.head_count: value 0 out of range' \
	'eps-nan:llama\.attention\.layer_norm_rms_epsilon: value nan out of range' \
	'ctx-2p40:llama\.context_length: value 1099511627776 out of range'; do
	name=${c%%:*} re=${c#*:}
	mkdir -p "$TMP/h-$name"
	cp "$TMP/bad/hostile-$name.gguf" "$TMP/h-$name/$name.gguf"
	osrun_log "hostile-$name" --timeout 150 --model "$TMP/h-$name/$name.gguf" model 'generate -n 4 Hello' help
	check "hostile $name: the boot says what is wrong" has "hostile-$name" "model: not loaded: $name\.gguf: key $re"
	check "hostile $name: model says it too" section_has "hostile-$name" model "no model loaded .*$re"
	check "hostile $name: generate refuses" section_has "hostile-$name" 'generate -n 4 Hello' 'no model loaded'
	check "hostile $name: shell answers" section_has "hostile-$name" help 'info'
done

# nothing on the ESP but the loader; `info` reports the missing model
osrun_log empty --timeout 120 info
check "empty ESP: shell answers" [ "$(cat $TMP/empty.rc)" = 0 ]
check "empty ESP: info says no model" section_has empty info '[Nn]o model'

# a valid header declaring a 600 MB tensor, extended to 600 MB with a hole
make_huge_gguf "$TMP/big.gguf" 600
boot_bad too-big 'big\.gguf: the model \([0-9]+ MiB\) does not fit in free memory' \
	--mem 512 --model "$TMP/big.gguf"

# debug enabled from llm.cfg (with one bad line to warn about), then a fault
printf '# test config\ndebug=1\ncolour=blue\n' >"$TMP/llm.cfg"
osrun_log panic --timeout 150 --cmd-timeout 60 --until '(?s)panic-test\n.*RIP[ :=]*0x[0-9a-fA-F]+' \
	--esp-extra "$TMP/llm.cfg" panic-test
check "llm.cfg: unknown key reported" has panic "llm.cfg line 3: unknown key ignored: 'colour'"
check "panic-test: report with vector and RIP on serial" \
	python3 -c "
import re, sys
log = open('$TMP/panic.log', errors='replace').read()
i = log.find('llm> panic-test')
rep = log[i:] if i >= 0 else ''
ok = re.search(r'(?i)panic', rep) and re.search(r'(?i)(vector|exception) *\d+', rep) \\
    and re.search(r'RIP[ :=]*0x[0-9a-fA-F]+', rep)
sys.exit(0 if ok else 1)"
check "panic-test: osrun saw the report (no hang)" [ "$(cat $TMP/panic.rc)" = 0 ]
exit 0

#!/usr/bin/env bash
# The shell's `chat` (issue 5) under QEMU on a synthetic GGUF with a ChatML
# template (mkmodel --preset chat; no ../shared needed): the template is
# detected; with `set verbose 1` each turn shows the text fed to the model,
# which must equal the expected ChatML rendering: the first turn the whole
# prompt, the second only the continuation (the KV cache is kept); /reset
# starts over with the system prompt from `set system`; Ctrl-C stops a
# reply and the chat answers again; /exit returns to the shell; Ctrl-C
# stops the shell's `generate` as well; `set think off` and the chat's
# /think on switch how thinking shows.
cd "$(dirname "$0")/.." || exit 2
. tests/boot-lib.sh
export BUILD
tmp=$TMP

for f in "$BUILD/BOOTX64.EFI" "$BUILD/host/mkmodel"; do
	[ -f "$f" ] || { echo "SKIP: chat ($f missing: make efi host)"; exit 0; }
done
if why=$(boot_unavailable); then
	skip chat "$why"
	exit 0
fi
if ! "$BUILD/host/mkmodel" --preset chat -o "$tmp/chat.gguf" > /dev/null 2>&1; then
	echo "FAIL: chat: mkmodel --preset chat failed"
	exit 0
fi

log="$tmp/chat.log"
timeout 280 tools/osrun --quiet --smp 2 --model "$tmp/chat.gguf" --timeout 260 \
	'set verbose 1' 'set temp 0' 'set n 64' \
	'!keys chat\r' '!wait you> ' \
	'!keys hello there\r' '!wait you> ' \
	'!keys how are you?\r' '!wait you> ' \
	'!keys /exit\r' '!prompt' \
	'set system You are terse.' 'set think off' 'set' \
	'!keys chat\r' '!wait you> ' \
	'!keys /think on\r' '!wait you> ' \
	'!keys tell me a long story\r' '!wait story\n.' '!keys \x03' '!wait you> ' \
	'!keys /reset\r' '!wait you> ' \
	'!keys again\r' '!wait you> ' \
	'!keys /exit\r' '!prompt' \
	'stats' \
	'!keys generate -n 2000 --temp 0 hello\r' '!wait hello\n.' '!keys \x03' '!prompt' \
	'echo alive' > "$log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL: chat: osrun exit $rc"
	tail -20 "$log"
	exit 0
fi

ok() { # ok NAME COND...
	local name=$1
	shift
	if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fi
}
has() { grep -qF -- "$1" "$log"; }
nth_fed() { grep '^\[fed ' "$log" | sed -n "$1p" | sed 's/^\[fed [0-9]* bytes\] //'; }

ok "chat: ChatML template detected" has "(chatml template"
T1='<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n'
T2='<|im_end|>\n<|im_start|>user\nhow are you?<|im_end|>\n<|im_start|>assistant\n'
T3='<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\ntell me a long story<|im_end|>\n<|im_start|>assistant\n'
T4='<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n'
f1=$(nth_fed 1) f2=$(nth_fed 2) f3=$(nth_fed 3) f4=$(nth_fed 4)
[ "$f1" = "$T1" ] && echo "PASS: chat: turn 1 feeds the ChatML rendering" ||
	echo "FAIL: chat: turn 1 fed '$f1', expected '$T1'"
[ "$f2" = "$T2" ] && echo "PASS: chat: turn 2 feeds only the continuation (KV cache kept)" ||
	echo "FAIL: chat: turn 2 fed '$f2', expected '$T2'"
[ "$f3" = "$T3" ] && echo "PASS: chat: set system: the system turn is rendered" ||
	echo "FAIL: chat: system turn fed '$f3', expected '$T3'"
[ "$f4" = "$T4" ] && echo "PASS: chat: /reset starts the conversation over" ||
	echo "FAIL: chat: after /reset fed '$f4', expected '$T4'"
reply=$(awk '/^you> hello there$/ { getline; print; exit }' "$log")
[ -n "$reply" ] && [ "${reply#\[fed}" = "$reply" ] && echo "PASS: chat: turn 1 has a reply" ||
	echo "FAIL: chat: no reply to turn 1"
ok "chat: /reset answers" has "(conversation reset)"
ok "set think off: acknowledged and listed by set" grep -qx "think off" "$log"
ok "chat: /think on answers" has "(thinking shown dimmed)"
n_stop=$(grep -c '^\[stopped\]' "$log")
[ "$n_stop" -ge 1 ] && awk '/^\[stopped\]/ { s = 1 } s && /^you> \/reset/ { f = 1 } END { exit !f }' "$log" &&
	echo "PASS: chat: Ctrl-C stops the reply and the chat answers again" ||
	echo "FAIL: chat: Ctrl-C did not stop the reply"
[ "$(grep -c '^(chat ended)' "$log")" -eq 2 ] && echo "PASS: chat: /exit returns to the shell" ||
	echo "FAIL: chat: /exit"
ok "chat: stats after a stopped reply" has "stop: stopped"
[ "$n_stop" -ge 2 ] && grep -qx "alive" "$log" &&
	echo "PASS: generate: Ctrl-C stops it and the shell answers" ||
	echo "FAIL: generate: Ctrl-C (stopped markers: $n_stop)"

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

boot_ready chat || exit 0
need_built chat "$MK"
"$MK" --preset chat -o "$TMP/chat.gguf" > /dev/null 2>&1 ||
	{ fail "chat: mkmodel --preset chat"; exit 0; }

osrun_log chat --smp 2 --model "$TMP/chat.gguf" --timeout 260 \
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
	'echo alive' || { fail "chat: osrun exit $(cat "$TMP/chat.rc")"; exit 0; }
log=$TMP/chat.log
says() { grep -qF -- "$1" "$log"; } # says TEXT: the transcript has TEXT
nth_fed() { grep '^\[fed ' "$log" | sed -n "$1p" | sed 's/^\[fed [0-9]* bytes\] //'; }

check "chat: ChatML template detected" says "(chatml template"
T1='<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n'
T2='<|im_end|>\n<|im_start|>user\nhow are you?<|im_end|>\n<|im_start|>assistant\n'
T3='<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\ntell me a long story<|im_end|>\n<|im_start|>assistant\n'
T4='<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n'
f1=$(nth_fed 1) f2=$(nth_fed 2) f3=$(nth_fed 3) f4=$(nth_fed 4)
expect_eq "chat: turn 1 feeds the ChatML rendering" "$f1" "$T1"
expect_eq "chat: turn 2 feeds only the continuation (KV cache kept)" "$f2" "$T2"
expect_eq "chat: set system: the system turn is rendered" "$f3" "$T3"
expect_eq "chat: /reset starts the conversation over" "$f4" "$T4"
reply=$(awk '/^you> hello there$/ { getline; print; exit }' "$log")
[ -n "$reply" ] && [ "${reply#\[fed}" = "$reply" ] && pass "chat: turn 1 has a reply" ||
	fail "chat: no reply to turn 1"
check "chat: /reset answers" says "(conversation reset)"
check "set think off: acknowledged and listed by set" grep -qx "think off" "$log"
check "chat: /think on answers" says "(thinking shown dimmed)"
n_stop=$(grep -c '^\[stopped\]' "$log")
[ "$n_stop" -ge 1 ] && awk '/^\[stopped\]/ { s = 1 } s && /^you> \/reset/ { f = 1 } END { exit !f }' "$log" &&
	pass "chat: Ctrl-C stops the reply and the chat answers again" ||
	fail "chat: Ctrl-C did not stop the reply"
[ "$(grep -c '^(chat ended)' "$log")" -eq 2 ] && pass "chat: /exit returns to the shell" ||
	fail "chat: /exit"
check "chat: stats after a stopped reply" says "stop: stopped"
[ "$n_stop" -ge 2 ] && grep -qx "alive" "$log" &&
	pass "generate: Ctrl-C stops it and the shell answers" ||
	fail "generate: Ctrl-C (stopped markers: $n_stop)"

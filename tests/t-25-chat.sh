#!/usr/bin/env bash
# Chat templates: detection from tokenizer.chat_template, exact renderings
# of each family (against llama.cpp's jinja renderings of the real Qwen3,
# Gemma 2/3, Phi-3.5, Phi-4, Phi-4-mini and DeepSeek-R1 templates,
# tests/data/llamacpp-chat/render.txt), follow-up turns, thinking blocks
# dimmed or hidden, stop tokens and stop strings (tests/unit/test_chat.c;
# needs no ../shared); `llm chat` on mkmodel's ChatML "chat" preset with the
# Qwen3 and R1 templates of that data file; and multi-turn chat with a
# kept KV cache on ../shared/conformance/models/aidreams260K-f32.gguf
# and on mkmodel's ChatML "chat" preset (tests/unit/test_chat_session.c;
# the first SKIPs when ../shared is absent).
cd "$(dirname "$0")/.." || exit 2
B=${BUILD:-build}/host
for t in test_chat test_chat_session; do
	if [ ! -x "$B/$t" ]; then
		echo "FAIL: $t not built (make unit)"
	elif [ $t = test_chat_session ]; then
		"$B/$t" ../shared/conformance/models/aidreams260K-f32.gguf
		# mkmodel's "chat" preset: ChatML template, markers as control tokens
		if [ -x "$B/mkmodel" ]; then
			d=$(mktemp -d)
			if "$B/mkmodel" --preset chat -o "$d/mkmodel-chat.gguf" >/dev/null 2>&1; then
				"$B/$t" "$d/mkmodel-chat.gguf"
			else
				echo "FAIL: mkmodel --preset chat"
			fi
			rm -rf "$d"
		else
			echo "SKIP: chat session on mkmodel --preset chat (mkmodel not built)"
		fi
	else
		"$B/$t"
	fi
done

# ---- llm chat: the text fed per turn, with the model's and other templates ----
LLM=$B/llm
if [ ! -x "$LLM" ] || [ ! -x "$B/mkmodel" ]; then
	echo "FAIL: llm chat (llm or mkmodel not built)"
	exit 0
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$B/mkmodel" --preset chat -o "$d/m.gguf" >/dev/null 2>&1 || echo "FAIL: mkmodel --preset chat"
tmpl() { grep "^F $1 " tests/data/llamacpp-chat/render.txt | cut -d' ' -f5 | xxd -r -p >"$d/$1.jinja"; }
tmpl qwen3
tmpl r1-distill-llama
fed() { # the "fed" lines of a two-turn chat, options in "$@"
	printf 'hi\nthere\n' | "$LLM" chat "$d/m.gguf" -n 3 --temp 0 -t 1 --show-prompt "$@" 2>&1 >/dev/null |
		grep '^llm: fed' | sed 's/^llm: fed [0-9]* bytes: //'
}
check() { # name, want, got
	if [ "$2" == "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1"; diff <(echo "$2") <(echo "$3") | head -4; fi
}
check "llm chat: the model's ChatML template, first turn and continuation" \
	'<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n
<|im_end|>\n<|im_start|>user\nthere<|im_end|>\n<|im_start|>assistant\n' "$(fed)"
check "llm chat --think off: Qwen3's empty thinking block (enable_thinking=false)" \
	'<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n
<|im_end|>\n<|im_start|>user\nthere<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n' \
	"$(fed --think off --chat-template-file "$d/qwen3.jinja")"
check "llm chat --think on: Qwen3 replies think" \
	'<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n
<|im_end|>\n<|im_start|>user\nthere<|im_end|>\n<|im_start|>assistant\n' \
	"$(fed --think on --chat-template-file "$d/qwen3.jinja")"
check "llm chat: DeepSeek R1's reply opens with <think> (its template has no switch)" \
	'<｜User｜>hi<｜Assistant｜><think>\n
<｜end▁of▁sentence｜><｜User｜>there<｜Assistant｜><think>\n' \
	"$(fed --think off --system '' --chat-template-file "$d/r1-distill-llama.jinja")"
if printf 'hi\n' | "$LLM" chat "$d/m.gguf" --think maybe >/dev/null 2>&1; then
	echo "FAIL: llm chat --think maybe is refused"
else
	echo "PASS: llm chat --think maybe is refused"
fi
exit 0

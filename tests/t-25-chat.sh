#!/usr/bin/env bash
# Chat templates: detection from tokenizer.chat_template, exact renderings
# (against llama.cpp's jinja renderings of the real Qwen3, Gemma 2/3, Phi-3.5,
# Phi-4, Phi-4-mini, DeepSeek-R1 templates: tests/data/llamacpp-chat/render.txt),
# thinking blocks dimmed or hidden in the stream
# of each family, follow-up turns, stop tokens and stop strings
# (tests/unit/test_chat.c; needs no ../shared), and multi-turn chat with a
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
exit 0

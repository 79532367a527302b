/* Chat template tests: detection from template sources, exact renderings of
 * each family (derived from the families' documented templates), follow-up
 * turns equal to full re-renders, stop tokens and stop strings.
 * Prints one "PASS: name" / "FAIL: name" line per check. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat.h"
#include "ai/tokenizer.h"
#include "tests/unit/tok_gguf.h"
#include "tests/unit/check.h"


static const struct chat_msg conv[4] = {
	{"system", "You are helpful."},
	{"user", "Hi!"},
	{"assistant", "Hello there."},
	{"user", "How are you?"},
};

static const char *const want_full[CHAT_KIND_COUNT] = {
	[CHAT_PLAIN] = ("You are helpful.\n\nUser: Hi!\nAssistant: Hello there.\nUser: How are you?\n"
		       "Assistant:"),
	[CHAT_LLAMA2] = ("[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHi! [/INST] Hello there. </s>"
			"<s>[INST] How are you? [/INST]"),
	[CHAT_LLAMA3] = ("<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
			"<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
			"<|start_header_id|>assistant<|end_header_id|>\n\nHello there.<|eot_id|>"
			"<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>"
			"<|start_header_id|>assistant<|end_header_id|>\n\n"),
	[CHAT_CHATML] = ("<|im_start|>system\nYou are helpful.<|im_end|>\n"
			"<|im_start|>user\nHi!<|im_end|>\n"
			"<|im_start|>assistant\nHello there.<|im_end|>\n"
			"<|im_start|>user\nHow are you?<|im_end|>\n"
			"<|im_start|>assistant\n"),
	[CHAT_ZEPHYR] = ("<|system|>\nYou are helpful.</s>\n<|user|>\nHi!</s>\n"
			"<|assistant|>\nHello there.</s>\n<|user|>\nHow are you?</s>\n<|assistant|>\n"),
	[CHAT_PHI3] = ("<|system|>\nYou are helpful.<|end|>\n<|user|>\nHi!<|end|>\n"
		      "<|assistant|>\nHello there.<|end|>\n<|user|>\nHow are you?<|end|>\n<|assistant|>\n"),
};

/* Single user turn without a system prompt, with the assistant prefix. */
static const char *const want_one[CHAT_KIND_COUNT] = {
	[CHAT_PLAIN] = ("User: Hi!\nAssistant:"),
	[CHAT_LLAMA2] = ("[INST] Hi! [/INST]"),
	[CHAT_LLAMA3] = ("<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
			"<|start_header_id|>assistant<|end_header_id|>\n\n"),
	[CHAT_CHATML] = ("<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n"),
	[CHAT_ZEPHYR] = ("<|user|>\nHi!</s>\n<|assistant|>\n"),
	[CHAT_PHI3] = ("<|user|>\nHi!<|end|>\n<|assistant|>\n"),
};

static void render_suite(void)
{
	char buf[1024], a[1024], b[256];

	for (int k = 0; k < CHAT_KIND_COUNT; k++) {
		const char *name = chat_kind_name((enum chat_kind)k);
		int n = chat_render((enum chat_kind)k, conv, 4, true, buf, sizeof(buf));
		check(n == (int)strlen(want_full[k]) && strcmp(buf, want_full[k]) == 0,
		      "chat %s: renders a 4-message conversation exactly", name);
		if (n >= 0 && strcmp(buf, want_full[k]) != 0)
			printf("  got: \"%s\"\n", buf);
		n = chat_render((enum chat_kind)k, conv + 1, 1, true, buf, sizeof(buf));
		check(n >= 0 && strcmp(buf, want_one[k]) == 0, "chat %s: renders one user turn", name);
		/* first turn + generated reply + continuation == full render */
		int n1 = chat_render((enum chat_kind)k, conv, 2, true, a, sizeof(a));
		const char *reply = (k == CHAT_LLAMA2 || k == CHAT_PLAIN) ? " Hello there." : "Hello there.";
		int n2 = chat_render_continue((enum chat_kind)k, conv + 3, 1, b, sizeof(b));
		bool ok = n1 >= 0 && n2 >= 0;
		if (ok) {
			strcat(a, reply);
			strcat(a, b);
			ok = strcmp(a, want_full[k]) == 0;
		}
		check(ok, "chat %s: first turn + reply + continue == full render", name);
		n = chat_render((enum chat_kind)k, conv, 4, true, buf, strlen(want_full[k]));
		check(n == -1, "chat %s: -1 when the buffer is one byte short", name);
	}
	static const struct chat_msg bad[1] = {{"wizard", "x"}};
	check(chat_render(CHAT_CHATML, bad, 1, true, buf, sizeof(buf)) == -1, "chat: unknown role is an error");
	static const struct chat_msg ws[1] = {{"user", "  padded\n "}};
	check(chat_render(CHAT_LLAMA3, ws, 1, false, buf, sizeof(buf)) > 0 &&
	      strcmp(buf, "<|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|>") == 0,
	      "chat llama3: content is trimmed as the template's | trim");
}

/* Template sources abridged from the models' tokenizer_config.json. */
static const struct {
	const char *tmpl;
	enum chat_kind want;
	const char *what;
} detect_cases[] = {
	{"{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + "
	 "message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ "
	 "'<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and "
	 "add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
	 CHAT_ZEPHYR, "TinyLlama chat"},
	{"{% if messages[0]['role'] == 'system' %}{% set system_message = '<<SYS>>\\n' + "
	 "messages[0]['content'] | trim + '\\n<</SYS>>\\n\\n' %}{% endif %}{% for message in "
	 "messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content | trim + "
	 "' [/INST]' }}{% endif %}{% endfor %}",
	 CHAT_LLAMA2, "Llama 2"},
	{"{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
	 "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | "
	 "trim + '<|eot_id|>' %}{{ content }}{% endfor %}",
	 CHAT_LLAMA3, "Llama 3"},
	{"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ "
	 "'<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' "
	 "+ message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}",
	 CHAT_CHATML, "Qwen2"},
	{"{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + "
	 "message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + "
	 "message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}",
	 CHAT_PHI3, "Phi-3"},
	{"{{ messages }}", CHAT_PLAIN, "unknown template"},
};

static void detect_suite(void)
{
	char err[256], sys[128];

	for (size_t i = 0; i < sizeof(detect_cases) / sizeof(detect_cases[0]); i++) {
		struct gb b;
		struct gguf g;
		gb_init(&b);
		gb_kv_str(&b, "tokenizer.chat_template", detect_cases[i].tmpl);
		bool ok = gb_open(&b, &g, err, sizeof(err)) == 0 && chat_detect(&g) == detect_cases[i].want;
		check(ok, "chat detect: %s template -> %s", detect_cases[i].what,
		      chat_kind_name(detect_cases[i].want));
		int n = chat_default_system(&g, sys, sizeof(sys));
		if (detect_cases[i].want == CHAT_CHATML)
			check(n > 0 && strcmp(sys, "You are a helpful assistant.") == 0,
			      "chat: default system prompt read from the Qwen2 template");
		else if (i == 0)
			check(n == 0, "chat: no default system prompt in a template without one");
		gguf_close(&g);
		free(b.p);
	}
	struct gb b;
	struct gguf g;
	gb_init(&b);
	gb_kv_str(&b, "general.name", "x");
	check(gb_open(&b, &g, err, sizeof(err)) == 0 && chat_detect(&g) == CHAT_PLAIN,
	      "chat detect: no tokenizer.chat_template -> plain");
	gguf_close(&g);
	free(b.p);
	check(chat_detect_str(NULL, 0) == CHAT_PLAIN, "chat detect: NULL template -> plain");
}

static int stream_all(enum chat_kind k, const char *const *pieces, char *out, bool *stopped)
{
	struct chat_stream s;
	char tmp[256];
	int n = 0;
	chat_stream_init(&s, k);
	for (int i = 0; pieces[i] && !s.stopped; i++) {
		int m = chat_stream_feed(&s, pieces[i], (int)strlen(pieces[i]), tmp, sizeof(tmp));
		memcpy(out + n, tmp, (size_t)m);
		n += m;
	}
	n += chat_stream_flush(&s, out + n, 256);
	out[n] = 0;
	*stopped = s.stopped;
	return n;
}

static void stop_suite(void)
{
	static const char *const p1[] = {"Hello", "\nUs", "er: more", NULL};
	static const char *const p2[] = {"a\n", "b", "\n", NULL};
	static const char *const p3[] = {"fine<|im", "_end|>junk", NULL};
	char out[512];
	bool stopped;

	stream_all(CHAT_PLAIN, p1, out, &stopped);
	check(stopped && strcmp(out, "Hello") == 0, "chat stream: plain stops at \"\\nUser:\" split over pieces");
	stream_all(CHAT_PLAIN, p2, out, &stopped);
	check(!stopped && strcmp(out, "a\nb\n") == 0, "chat stream: held bytes come out when no stop follows");
	stream_all(CHAT_CHATML, p3, out, &stopped);
	check(stopped && strcmp(out, "fine") == 0, "chat stream: chatml marker as plain text stops");

	/* a gpt2 vocabulary (GPT-2 byte map) with the ChatML markers as control tokens */
	static char chars[256][3];
	const char *toks[258];
	int32_t types[258];
	static const char *const merges[] = {"a b"};
	for (int i = 0, extra = 0; i < 256; i++) {
		bool keep = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174;
		int c = keep ? i : 256 + extra++;
		if (c < 0x80)
			chars[i][0] = (char)c;
		else
			chars[i][0] = (char)(0xC0 | c >> 6), chars[i][1] = (char)(0x80 | (c & 63));
		toks[i] = chars[i];
		types[i] = 1;
	}
	toks[256] = "<|im_start|>", types[256] = 3;
	toks[257] = "<|im_end|>", types[257] = 3;
	struct gb b;
	struct gguf g;
	char err[256];
	gb_init(&b);
	gb_kv_str(&b, "tokenizer.ggml.model", "gpt2");
	gb_kv_str(&b, "tokenizer.ggml.pre", "qwen2");
	gb_kv_strs(&b, "tokenizer.ggml.tokens", toks, 258);
	gb_kv_i32s(&b, "tokenizer.ggml.token_type", types, 258);
	gb_kv_strs(&b, "tokenizer.ggml.merges", merges, 1);
	struct tokenizer *t = gb_open(&b, &g, err, sizeof(err)) == 0 ? tokenizer_load(&g, err, sizeof(err)) : NULL;
	check(t != NULL, "chat: test vocabulary loads");
	if (t) {
		check(chat_is_stop_token(CHAT_CHATML, t, 257) && chat_is_stop_token(CHAT_CHATML, t, 256) &&
		      !chat_is_stop_token(CHAT_CHATML, t, 'a') && !chat_is_stop_token(CHAT_LLAMA3, t, 256),
		      "chat: stop tokens (<|im_end|>, <|im_start|>) for chatml only");
		char buf[256];
		int32_t ids[64];
		chat_render(CHAT_CHATML, conv + 1, 1, true, buf, sizeof(buf));
		int n = tokenizer_encode(t, buf, strlen(buf), false, true, ids, 64);
		static const int32_t want[] = {256, 'u', 's', 'e', 'r', 10, 'H', 'i', '!', 257, 10, 256,
			'a', 's', 's', 'i', 's', 't', 'a', 'n', 't', 10};
		check(n == 22 && memcmp(ids, want, sizeof(want)) == 0,
		      "chat: rendered markers encode to their special tokens");
		tokenizer_free(t);
	}
	gguf_close(&g);
	free(b.p);
}

int main(void)
{
	render_suite();
	detect_suite();
	stop_suite();
	return n_fail ? 1 : 0;
}

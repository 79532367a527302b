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
		if (!want_full[k])
			continue; /* the newer families: against llama.cpp's renderings below */
		int n = chat_render((enum chat_kind)k, 0, conv, 4, true, buf, sizeof(buf));
		check(n == (int)strlen(want_full[k]) && strcmp(buf, want_full[k]) == 0,
		      "chat %s: renders a 4-message conversation exactly", name);
		if (n >= 0 && strcmp(buf, want_full[k]) != 0)
			printf("  got: \"%s\"\n", buf);
		n = chat_render((enum chat_kind)k, 0, conv + 1, 1, true, buf, sizeof(buf));
		check(n >= 0 && strcmp(buf, want_one[k]) == 0, "chat %s: renders one user turn", name);
		/* first turn + generated reply + continuation == full render */
		int n1 = chat_render((enum chat_kind)k, 0, conv, 2, true, a, sizeof(a));
		const char *reply = (k == CHAT_LLAMA2 || k == CHAT_PLAIN) ? " Hello there." : "Hello there.";
		int n2 = chat_render_continue((enum chat_kind)k, 0, conv + 3, 1, b, sizeof(b));
		bool ok = n1 >= 0 && n2 >= 0;
		if (ok) {
			strcat(a, reply);
			strcat(a, b);
			ok = strcmp(a, want_full[k]) == 0;
		}
		check(ok, "chat %s: first turn + reply + continue == full render", name);
		n = chat_render((enum chat_kind)k, 0, conv, 4, true, buf, strlen(want_full[k]));
		check(n == -1, "chat %s: -1 when the buffer is one byte short", name);
	}
	static const struct chat_msg bad[1] = {{"wizard", "x"}};
	check(chat_render(CHAT_CHATML, 0, bad, 1, true, buf, sizeof(buf)) == -1, "chat: unknown role is an error");
	static const struct chat_msg ws[1] = {{"user", "  padded\n "}};
	check(chat_render(CHAT_LLAMA3, 0, ws, 1, false, buf, sizeof(buf)) > 0 &&
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
		chat_render(CHAT_CHATML, 0, conv + 1, 1, true, buf, sizeof(buf));
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

/* ---- thinking blocks in the stream ------------------------------------------------ */

static void think_case(enum chat_kind k, bool show, const char *const *pieces, const char *want,
		       const char *what)
{
	struct chat_think t;
	char out[512], tmp[256];
	int n = 0;
	chat_think_init(&t, k, 0, show ? CHAT_THINK_DIM : CHAT_THINK_HIDE);
	for (int i = 0; pieces[i]; i++) {
		int m = chat_think_feed(&t, pieces[i], (int)strlen(pieces[i]), tmp, sizeof(tmp));
		memcpy(out + n, tmp, (size_t)m);
		n += m;
	}
	n += chat_think_flush(&t, out + n, 64);
	out[n] = 0;
	check(!strcmp(out, want), "chat think %s %s: %s", chat_kind_name(k), show ? "shown" : "hidden", what);
	if (strcmp(out, want)) {
		printf("  got \"");
		for (char *p = out; *p; p++)
			printf(*p == '\n' ? "\\n" : *p == '\033' ? "\\e" : "%c", *p);
		printf("\"\n");
	}
}

static void think_suite(void)
{
	static const char *const q[] = {"<think>", "\nhmm\n", "</think>", "\n\nAnswer", NULL};
	static const char *const split[] = {"<thi", "nk>x</th", "ink>\n", "\ny", NULL};
	static const char *const r1[] = {"I think", "</think>", "\n\nA", NULL};
	static const char *const cut[] = {"<think>abc", NULL};
	static const char *const plain[] = {"a<b", "<thinking> c <", NULL};

	think_case(CHAT_QWEN3, true, q, CHAT_DIM "\nhmm\n" CHAT_UNDIM "\n\nAnswer", "tags dropped, dimmed");
	think_case(CHAT_QWEN3, false, q, "Answer", "block and its newlines dropped");
	think_case(CHAT_QWEN3, true, split, CHAT_DIM "x" CHAT_UNDIM "\n\ny", "tags split over pieces");
	think_case(CHAT_QWEN3, false, split, "y", "tags split over pieces");
	think_case(CHAT_DEEPSEEK_R1, true, r1, CHAT_DIM "I think" CHAT_UNDIM "\n\nA", "reply opens inside the block");
	think_case(CHAT_DEEPSEEK_R1, false, r1, "A", "reply opens inside the block");
	think_case(CHAT_QWEN3, true, cut, CHAT_DIM "abc" CHAT_UNDIM, "a reply cut while thinking restores the colour");
	think_case(CHAT_QWEN3, true, plain, "a<b<thinking> c <", "text that only looks like a tag");
	struct chat_think t;
	char out[64];
	chat_think_init(&t, CHAT_QWEN3, 0, CHAT_THINK_RAW);
	int n = chat_think_feed(&t, "<think>x</think>y", 17, out, sizeof(out));
	n += chat_think_flush(&t, out + n, 8);
	check(n == 17 && !memcmp(out, "<think>x</think>y", 17), "chat think raw: the reply as generated");
}

/* ---- llama.cpp's renderings of the real templates -------------------------- */

#define MAX_CASES 32
#define MAX_MSGS 8

struct ccase {
	char id[32];
	int gen, think, n;
	struct chat_msg m[MAX_MSGS];
};

static char *unhex_dup(const char *h, size_t n)
{
	char *s = malloc(n / 2 + 1);
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned v;
		sscanf(h + i, "%2x", &v);
		s[i / 2] = (char)v;
	}
	s[n / 2] = 0;
	return s;
}

static char *line_get(FILE *f)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	int c;
	while ((c = fgetc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap)
			b = realloc(b, cap *= 2);
		b[n++] = (char)c;
	}
	b[n] = 0;
	if (c == EOF && n == 0) {
		free(b);
		return NULL;
	}
	return b;
}

static enum chat_kind kind_by_name(const char *s)
{
	for (int k = 0; k < CHAT_KIND_COUNT; k++)
		if (!strcmp(chat_kind_name((enum chat_kind)k), s))
			return (enum chat_kind)k;
	return CHAT_KIND_COUNT;
}

/* tests/data/llamacpp-chat/render.txt: every R line rendered by chat_render
 * with the kind detected from its family's template. */
static void llamacpp_suite(const char *path)
{
	FILE *f = fopen(path, "r");
	static struct ccase cases[MAX_CASES];
	int n_cases = 0;
	char *line, fam[64] = "", *tmpl = NULL;
	enum chat_kind kind = CHAT_PLAIN;
	int n_ok = 0, n_all = 0, fam_ok = 0, fam_all = 0;
	char sys[256];
	int has_sys = 0;

	if (!f) {
		check(false, "chat: read %s", path);
		return;
	}
	while ((line = line_get(f)) != NULL) {
		char a[64], b[64];
		int off;
		if (line[0] == 'C' && n_cases < MAX_CASES) {
			struct ccase *c = &cases[n_cases++];
			sscanf(line, "C %31s %d %d %n", c->id, &c->gen, &c->think, &off);
			for (char *p = line + off; *p && c->n < MAX_MSGS;) {
				char *colon = strchr(p, ':'), *end = strchr(p, ' ');
				if (!colon)
					break;
				if (!end)
					end = p + strlen(p);
				c->m[c->n].role = strndup(p, (size_t)(colon - p));
				c->m[c->n++].content = unhex_dup(colon + 1, (size_t)(end - colon - 1));
				p = *end ? end + 1 : end;
			}
		} else if (line[0] == 'F' && sscanf(line, "F %63s %63s %*s %n", a, b, &off) == 2) {
			if (fam[0])
				check(fam_ok == fam_all && fam_all > 0, "chat %s (%s): %d conversations render as llama.cpp's jinja",
				      fam, chat_kind_name(kind), fam_all);
			free(tmpl);
			tmpl = unhex_dup(line + off, strlen(line + off));
			snprintf(fam, sizeof(fam), "%s", a);
			kind = chat_detect_str(tmpl, strlen(tmpl));
			check(kind == kind_by_name(b), "chat detect: %s's template -> %s (got %s)", fam, b,
			      chat_kind_name(kind));
			struct gb gb;
			struct gguf g;
			char err[128];
			gb_init(&gb);
			gb_kv_str(&gb, "tokenizer.chat_template", tmpl);
			has_sys = gb_open(&gb, &g, err, sizeof(err)) == 0 && chat_default_system(&g, sys, sizeof(sys)) > 0;
			gguf_close(&g);
			free(gb.p);
			fam_ok = fam_all = 0;
		} else if (line[0] == 'R' && sscanf(line, "R %63s %63s %n", a, b, &off) == 2) {
			struct ccase *c = NULL;
			for (int i = 0; i < n_cases; i++)
				if (!strcmp(cases[i].id, b))
					c = &cases[i];
			char *want = unhex_dup(line + off, strlen(line + off));
			static char got[8192];
			struct chat_msg m[MAX_MSGS + 1];
			int n = 0, len = -1;
			if (c) {
				if (has_sys && strcmp(c->m[0].role, "system")) /* the session adds the default */
					m[n++] = (struct chat_msg){"system", sys};
				memcpy(m + n, c->m, sizeof(*m) * (size_t)c->n);
				n += c->n;
				unsigned opts = !c->think && chat_think_switch_str(tmpl, strlen(tmpl)) ? CHAT_NO_THINK : 0;
				len = chat_render(kind, opts, m, n, c->gen, got, sizeof(got));
			}
			bool ok = len >= 0 && !strcmp(got, want);
			if (!ok && fam_all - fam_ok < 2) {
				printf("  %s %s:\n  want \"", fam, b);
				for (char *p = want; *p; p++)
					printf(*p == '\n' ? "\\n" : "%c", *p);
				printf("\"\n  got  \"");
				for (char *p = got; len >= 0 && *p; p++)
					printf(*p == '\n' ? "\\n" : "%c", *p);
				printf("\"\n");
			}
			fam_ok += ok, fam_all++, n_ok += ok, n_all++;
			/* "multi" = first turn + reply "A1" + continue (not for R1, whose
			 * cache keeps the "<think>\n" its prompt opened) */
			if (c && !strcmp(b, "multi") && kind != CHAT_DEEPSEEK_R1) {
				static char first[8192], more[1024];
				int n1 = chat_render(kind, 0, m, n - 2, true, first, sizeof(first));
				int n2 = chat_render_continue(kind, 0, m + n - 1, 1, more, sizeof(more));
				bool same = n1 >= 0 && n2 >= 0 && strlen(first) + 2 + strlen(more) == strlen(want) &&
					    !strncmp(want, first, strlen(first)) &&
					    !strncmp(want + strlen(first), "A1", 2) &&
					    !strcmp(want + strlen(first) + 2, more);
				check(same, "chat %s: first turn + reply + continue == llama.cpp's full render", fam);
			}
			free(want);
		}
		free(line);
	}
	if (fam[0])
		check(fam_ok == fam_all && fam_all > 0, "chat %s (%s): %d conversations render as llama.cpp's jinja",
		      fam, chat_kind_name(kind), fam_all);
	check(n_all >= 90 && n_ok == n_all, "chat: %d of %d renderings equal llama.cpp's", n_ok, n_all);
	free(tmpl);
	for (int i = 0; i < n_cases; i++)
		for (int k = 0; k < cases[i].n; k++) {
			free((char *)cases[i].m[k].role);
			free((char *)cases[i].m[k].content);
		}
	fclose(f);
}

int main(int argc, char **argv)
{
	render_suite();
	detect_suite();
	stop_suite();
	think_suite();
	llamacpp_suite(argc > 1 ? argv[1] : "tests/data/llamacpp-chat/render.txt");
	return n_fail ? 1 : 0;
}

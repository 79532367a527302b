/*
 * Chat templates: turn a list of messages into the prompt text a chat model
 * was trained on. The family is detected from the GGUF key
 * tokenizer.chat_template (a Jinja source) by characteristic substrings;
 * each family is rendered by hand (no Jinja engine):
 *
 *   CHAT_LLAMA2  [INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST] A </s><s>[INST] U2 [/INST]
 *   CHAT_LLAMA3  <|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>...
 *   CHAT_CHATML  <|im_start|>user\nU<|im_end|>\n...<|im_start|>assistant\n
 *                (Qwen, SmolLM, ...)
 *   CHAT_ZEPHYR  <|user|>\nU</s>\n<|assistant|>\n   (TinyLlama chat)
 *   CHAT_PHI3    <|user|>\nU<|end|>\n<|assistant|>\n   (Phi-3, Phi-3.5)
 *   CHAT_QWEN3   ChatML whose replies think in <think>..</think> (Qwen3);
 *                history replies lose their thinking as the template drops it
 *   CHAT_GEMMA   <start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\n (Gemma 3)
 *   CHAT_GEMMA2  the same without a system role: llama.cpp joins the system
 *                prompt to the first message with "\n" (Gemma 1, 2)
 *   CHAT_PHI4    <|im_start|>user<|im_sep|>U<|im_end|><|im_start|>assistant<|im_sep|>
 *   CHAT_PHI4_MINI <|system|>S<|end|><|user|>U<|end|><|assistant|>
 *   CHAT_DEEPSEEK3 S<｜User｜>U<｜Assistant｜>A<｜end▁of▁sentence｜>
 *   CHAT_DEEPSEEK_R1 the same, the reply opened with "<think>\n" (R1 distills)
 *   CHAT_PLAIN   S\n\nUser: U\nAssistant: A\nUser: U2\nAssistant:
 *
 * Each renders as llama.cpp's jinja engine renders the model's own template
 * (tests/data/llamacpp-chat/render.txt), less a leading BOS: encode with
 * tokenizer_encode(..., add_bos = chat_wants_bos(k, t), parse_special =
 * true), so that the markers become their special tokens. CHAT_NO_THINK
 * renders the template's enable_thinking = false (Qwen3: an empty thinking
 * block after the assistant header), for templates that have the switch
 * (chat_think_switch()).
 *
 * Multi-turn with a kept KV cache: the first turn feeds
 * chat_render(history, n, true); the model then generates the reply into
 * the cache, stopping at a token for which chat_is_stop_token() holds (that
 * token is not evaluated) or at a stop string (struct chat_stream). Each
 * later turn feeds only chat_render_continue(new messages), which closes
 * the assistant turn and opens the next one; the cache then holds the same
 * text as a full re-render of the whole conversation. A turn that ended on
 * a stop string (not a token) left that text in the cache: re-feed the whole
 * conversation with chat_render then (or accept the extra text).
 */
#ifndef AI_CHAT_H
#define AI_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/gguf.h"
#include "ai/tokenizer.h"

enum chat_kind {
	CHAT_PLAIN = 0, /* no or unrecognised template */
	CHAT_LLAMA2,
	CHAT_LLAMA3,
	CHAT_CHATML,
	CHAT_ZEPHYR,
	CHAT_PHI3,
	CHAT_QWEN3,
	CHAT_GEMMA,
	CHAT_GEMMA2,
	CHAT_PHI4,
	CHAT_PHI4_MINI,
	CHAT_DEEPSEEK3,
	CHAT_DEEPSEEK_R1,
	CHAT_KIND_COUNT
};

/* chat_render options */
enum { CHAT_NO_THINK = 1 }; /* the template's enable_thinking = false */

struct chat_msg {
	const char *role; /* "system", "user" or "assistant" */
	const char *content;
};

enum chat_kind chat_detect(const struct gguf *g);
/* The same from the template text itself (s, n); s may be NULL. */
enum chat_kind chat_detect_str(const char *s, size_t n);
const char *chat_kind_name(enum chat_kind k); /* "llama2", "chatml", ... */
/* The template has an enable_thinking switch (CHAT_NO_THINK does something). */
bool chat_think_switch(const struct gguf *g);
bool chat_think_switch_str(const char *s, size_t n);
/* Replies may think in <think>..</think> blocks (Qwen3, DeepSeek R1). */
bool chat_thinks(enum chat_kind k);
/* BOS goes first: the vocabulary adds it, or the template writes it. */
bool chat_wants_bos(enum chat_kind k, const struct tokenizer *t);

/* The whole conversation msgs[0..n), then (add_assistant_prefix) the header
 * that starts the assistant's reply. opts: CHAT_NO_THINK. Writes a
 * NUL-terminated string. Returns its length, or -1 if it does not fit in
 * outlen (or bad role). */
int chat_render(enum chat_kind k, unsigned opts, const struct chat_msg *msgs, int n,
		bool add_assistant_prefix, char *out, size_t outlen);

/* The text to feed after an assistant reply that is already in the cache
 * (generated after chat_render(..., true) or a previous continue): the end
 * of the assistant turn, msgs[0..n) (usually one user message), and the
 * assistant prefix. Returns the length, or -1 as chat_render. (Unlike a
 * full render, the cache keeps the reply's thinking.) */
int chat_render_continue(enum chat_kind k, unsigned opts, const struct chat_msg *msgs, int n,
			 char *out, size_t outlen);

/* True when id ends an assistant turn: an end-of-generation token of the
 * vocabulary, or this template's end/next-turn marker as a single token. */
bool chat_is_stop_token(enum chat_kind k, const struct tokenizer *t, int32_t id);

/* Stop strings for templates whose turn end may arrive as plain text
 * (CHAT_PLAIN: "\nUser:"; the markers of the others when the vocabulary has
 * no single token for them). NULL-terminated. */
const char *const *chat_stop_strings(enum chat_kind k);

/* Streaming stop-string filter for generated pieces: holds back the bytes
 * that might begin a stop string, and drops a stop string and all after it.
 * Stop strings longer than CHAT_HOLD_MAX + 1 bytes may be missed. */
#define CHAT_HOLD_MAX 64
struct chat_stream {
	enum chat_kind kind;
	const char *const *stops; /* NULL-terminated */
	char hold[CHAT_HOLD_MAX];
	int n_hold;
	bool stopped; /* a stop string was seen: stop generating */
};

/* With the template's stop strings (chat_stop_strings(k)). */
void chat_stream_init(struct chat_stream *s, enum chat_kind k);
/* With the caller's list instead (e.g. the template's plus an API
 * request's "stop"); stops must outlive the filter. */
void chat_stream_init_stops(struct chat_stream *s, const char *const *stops);
/* Feed a piece; writes the bytes now safe to show into out (outlen must be
 * at least len + CHAT_HOLD_MAX) and returns their count. */
int chat_stream_feed(struct chat_stream *s, const char *piece, int len, char *out, int outlen);
/* End of the reply: the held bytes (unless stopped). Same return. */
int chat_stream_flush(struct chat_stream *s, char *out, int outlen);

/* Thinking in a streamed reply. CHAT_THINK_DIM drops the <think> and
 * </think> tags and shows the thinking between CHAT_DIM and CHAT_UNDIM (gray
 * on the OS console and on terminals); CHAT_THINK_HIDE drops the thinking
 * and the newlines that follow </think>; CHAT_THINK_RAW passes the reply
 * as generated. A DeepSeek R1 reply starts inside the block its prompt
 * opened. */
enum chat_think_mode { CHAT_THINK_HIDE, CHAT_THINK_DIM, CHAT_THINK_RAW };
#define CHAT_DIM "\033[90m"
#define CHAT_UNDIM "\033[0m"
#define CHAT_THINK_EXTRA 32 /* out needs len + CHAT_THINK_EXTRA bytes */
struct chat_think {
	int mode;     /* enum chat_think_mode */
	bool in;      /* inside a block */
	bool dimmed;  /* CHAT_DIM written, CHAT_UNDIM not yet */
	bool skip_nl; /* after a hidden block: drop the newlines */
	char hold[8];
	int n_hold;
};

void chat_think_init(struct chat_think *t, enum chat_kind k, unsigned opts, enum chat_think_mode m);
int chat_think_feed(struct chat_think *t, const char *piece, int len, char *out, int outlen);
int chat_think_flush(struct chat_think *t, char *out, int outlen);

/* The default system prompt written into a ChatML template (Qwen:
 * "You are a helpful assistant."), if any: length, or 0 if none. */
int chat_default_system(const struct gguf *g, char *out, size_t outlen);
/* The same from the template text (s, n). */
int chat_default_system_str(const char *s, size_t n, char *out, size_t outlen);

#endif

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
 *   CHAT_PHI3    <|user|>\nU<|end|>\n<|assistant|>\n
 *   CHAT_PLAIN   S\n\nUser: U\nAssistant: A\nUser: U2\nAssistant:
 *
 * The rendered text never contains the leading BOS: encode it with
 * tokenizer_encode(..., add_bos = tokenizer_wants_bos(t), parse_special =
 * true), so that the markers become their special tokens.
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
	CHAT_KIND_COUNT
};

struct chat_msg {
	const char *role; /* "system", "user" or "assistant" */
	const char *content;
};

enum chat_kind chat_detect(const struct gguf *g);
/* The same from the template text itself (s, n); s may be NULL. */
enum chat_kind chat_detect_str(const char *s, size_t n);
const char *chat_kind_name(enum chat_kind k); /* "llama2", "chatml", ... */

/* The whole conversation msgs[0..n), then (add_assistant_prefix) the header
 * that starts the assistant's reply. Writes a NUL-terminated string.
 * Returns its length, or -1 if it does not fit in outlen (or bad role). */
int chat_render(enum chat_kind k, const struct chat_msg *msgs, int n,
		bool add_assistant_prefix, char *out, size_t outlen);

/* The text to feed after an assistant reply that is already in the cache
 * (generated after chat_render(..., true) or a previous continue): the end
 * of the assistant turn, msgs[0..n) (usually one user message), and the
 * assistant prefix. Returns the length, or -1 as chat_render. */
int chat_render_continue(enum chat_kind k, const struct chat_msg *msgs, int n,
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

/* The default system prompt written into a ChatML template (Qwen:
 * "You are a helpful assistant."), if any: length, or 0 if none. */
int chat_default_system(const struct gguf *g, char *out, size_t outlen);

#endif

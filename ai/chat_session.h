/*
 * A multi-turn chat on one model with the KV cache kept between turns: the
 * glue between the chat templates (ai/chat.h) and the generation loop
 * (ai/generate.h) that both the OS shell's `chat` and a host tool can use.
 *
 *   chat_session_init(&cs, chat_detect(&g), system_prompt);
 *   for each line the user types:
 *       chat_session_turn(&cs, f, tk, s, line, &gp, &io, &st, err, errlen);
 *   "/reset": chat_session_reset(&cs);  end: chat_session_free(&cs);
 *
 * The first turn feeds the rendered system prompt + user message (with BOS)
 * at position 0; later turns feed only chat_render_continue() text after the
 * cached reply. The reply streams through io->on_token with stop strings
 * filtered out (struct chat_stream) and, for templates whose replies think
 * (Qwen3, DeepSeek R1), the thinking dimmed or hidden (struct chat_think,
 * chat_session_set_think); a template stop token or stop string ends the
 * turn.
 */
#ifndef AI_CHAT_SESSION_H
#define AI_CHAT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/chat.h"
#include "ai/generate.h"

struct chat_session {
	enum chat_kind kind;
	char *system;   /* system prompt, NULL or "" for none (owned) */
	int n_past;     /* tokens of this conversation in the KV cache */
	bool started;   /* the first turn has been fed */
	char *last;     /* the text fed by the last turn (owned; for display/tests) */
	int last_len;
	int n_turns;
	int32_t pending; /* last reply token not yet in the cache (-1: none) */
	unsigned opts;   /* chat_render options (CHAT_NO_THINK) */
	int think;       /* enum chat_think_mode */
};

/* system may be NULL (no system prompt); chat_default_system() gives the
 * template's own default (Qwen's "You are a helpful assistant."), which
 * the model expects when the user sets none. Returns 0, or -1 out of memory. */
int chat_session_init(struct chat_session *cs, enum chat_kind k, const char *system);
/* How replies show their thinking (CHAT_THINK_DIM by default). Hidden
 * thinking is not generated at all where the template has an
 * enable_thinking switch (chat_think_switch). From the next turn on. */
void chat_session_set_think(struct chat_session *cs, enum chat_think_mode m, bool has_switch);
/* Change the system prompt; takes effect at the next reset. */
int chat_session_set_system(struct chat_session *cs, const char *system);
/* Forget the conversation: the next turn starts at position 0. */
void chat_session_reset(struct chat_session *cs);
void chat_session_free(struct chat_session *cs);

/* One exchange: feed the user's message, generate the reply (gp->n_predict
 * caps it; < 0 = until a stop or the context is full). add_bos and
 * parse_special in gp are ignored (the session decides). Returns 0, or -1
 * with a message (e.g. the conversation no longer fits the context: the
 * caller should reset). On a flush of held-back text at the end,
 * io->on_token gets id -1. */
int chat_session_turn(struct chat_session *cs, struct forward *f, const struct tokenizer *tk,
		      struct sampler *s, const char *user, const struct gen_params *gp,
		      const struct gen_io *io, struct gen_stats *st, char *err, size_t errlen);

#endif

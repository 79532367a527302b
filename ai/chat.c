/* Chat templates: family detection from tokenizer.chat_template, rendering
 * of conversations and follow-up turns, and stop conditions. */
#include <string.h>

#include "ai/chat.h"

static const char *const kind_names[CHAT_KIND_COUNT] = {
	[CHAT_PLAIN] = "plain", [CHAT_LLAMA2] = "llama2", [CHAT_LLAMA3] = "llama3",
	[CHAT_CHATML] = "chatml", [CHAT_ZEPHYR] = "zephyr", [CHAT_PHI3] = "phi3",
};

const char *chat_kind_name(enum chat_kind k)
{
	return (unsigned)k < CHAT_KIND_COUNT ? kind_names[k] : "?";
}

static bool has(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; s && i + m <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
			return true;
	return false;
}

enum chat_kind chat_detect_str(const char *s, size_t n)
{
	if (has(s, n, "<|im_start|>"))
		return CHAT_CHATML;
	if (has(s, n, "<|start_header_id|>"))
		return CHAT_LLAMA3;
	if (has(s, n, "<|user|>"))
		return has(s, n, "<|end|>") ? CHAT_PHI3 : CHAT_ZEPHYR;
	if (has(s, n, "[INST]"))
		return CHAT_LLAMA2;
	return CHAT_PLAIN;
}

enum chat_kind chat_detect(const struct gguf *g)
{
	struct gguf_str s;
	if (!g || !gguf_get_str(g, "tokenizer.chat_template", &s))
		return CHAT_PLAIN;
	return chat_detect_str(s.p, (size_t)s.n);
}

/* ---- rendering ----------------------------------------------------------- */

struct wr {
	char *out;
	size_t cap, n;
	bool bad;
};

static void put_n(struct wr *w, const char *s, size_t n)
{
	if (w->bad || n >= w->cap - w->n) { /* keep room for the NUL */
		w->bad = true;
		return;
	}
	memcpy(w->out + w->n, s, n);
	w->n += n;
}

static void put(struct wr *w, const char *s) { put_n(w, s, strlen(s)); }

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Jinja's trim / Python's strip. */
static void put_trim(struct wr *w, const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && is_ws(*s))
		s++, n--;
	while (n > 0 && is_ws(s[n - 1]))
		n--;
	put_n(w, s, n);
}

enum role { R_SYSTEM, R_USER, R_ASSISTANT, R_BAD };

static enum role role_of(const char *r)
{
	if (!r)
		return R_BAD;
	if (!strcmp(r, "system"))
		return R_SYSTEM;
	if (!strcmp(r, "user"))
		return R_USER;
	if (!strcmp(r, "assistant"))
		return R_ASSISTANT;
	return R_BAD;
}

/* The assistant-turn header. */
static void put_prefix(struct wr *w, enum chat_kind k)
{
	switch (k) {
	case CHAT_LLAMA2:
		break; /* the user turn ends with " [/INST]" */
	case CHAT_LLAMA3:
		put(w, "<|start_header_id|>assistant<|end_header_id|>\n\n");
		break;
	case CHAT_CHATML:
		put(w, "<|im_start|>assistant\n");
		break;
	case CHAT_ZEPHYR:
	case CHAT_PHI3:
		put(w, "<|assistant|>\n");
		break;
	default:
		put(w, "Assistant:");
		break;
	}
}

/* What closes an assistant turn whose content is already written. */
static void put_assistant_end(struct wr *w, enum chat_kind k)
{
	switch (k) {
	case CHAT_LLAMA2:
		put(w, " </s>");
		break;
	case CHAT_LLAMA3:
		put(w, "<|eot_id|>");
		break;
	case CHAT_CHATML:
		put(w, "<|im_end|>\n");
		break;
	case CHAT_ZEPHYR:
		put(w, "</s>\n");
		break;
	case CHAT_PHI3:
		put(w, "<|end|>\n");
		break;
	default:
		put(w, "\n");
		break;
	}
}

/* msgs[0..n). first_turn: Llama 2 opens its first [INST] without "<s>"
 * (the tokenizer adds BOS) and later ones with it. */
static void put_msgs(struct wr *w, enum chat_kind k, const struct chat_msg *msgs, int n,
		     bool first_turn)
{
	const char *sys = NULL; /* Llama 2: system text folded into the next user turn */

	for (int i = 0; i < n; i++) {
		enum role r = role_of(msgs[i].role);
		const char *c = msgs[i].content ? msgs[i].content : "";
		static const char *const rn[] = {"system", "user", "assistant"};

		if (r == R_BAD) {
			w->bad = true;
			return;
		}
		switch (k) {
		case CHAT_LLAMA2:
			if (r == R_SYSTEM) {
				sys = c;
			} else if (r == R_USER) {
				put(w, first_turn ? "[INST] " : "<s>[INST] ");
				if (sys) {
					put(w, "<<SYS>>\n");
					put_trim(w, sys);
					put(w, "\n<</SYS>>\n\n");
					sys = NULL;
				}
				put_trim(w, c);
				put(w, " [/INST]");
				first_turn = false;
			} else {
				put(w, " ");
				put_trim(w, c);
				put_assistant_end(w, k);
			}
			break;
		case CHAT_LLAMA3:
			put(w, "<|start_header_id|>");
			put(w, rn[r]);
			put(w, "<|end_header_id|>\n\n");
			put_trim(w, c);
			put(w, "<|eot_id|>");
			break;
		case CHAT_CHATML:
			put(w, "<|im_start|>");
			put(w, rn[r]);
			put(w, "\n");
			put(w, c);
			put(w, "<|im_end|>\n");
			break;
		case CHAT_ZEPHYR:
		case CHAT_PHI3:
			put(w, "<|");
			put(w, rn[r]);
			put(w, "|>\n");
			put(w, c);
			put(w, k == CHAT_ZEPHYR ? "</s>\n" : "<|end|>\n");
			break;
		default:
			if (r == R_SYSTEM) {
				put(w, c);
				put(w, "\n\n");
			} else {
				put(w, r == R_USER ? "User: " : "Assistant: ");
				put(w, c);
				put(w, "\n");
			}
			break;
		}
	}
	if (k == CHAT_LLAMA2 && sys) { /* a trailing system message with no user turn */
		put(w, first_turn ? "[INST] " : "<s>[INST] ");
		put(w, "<<SYS>>\n");
		put_trim(w, sys);
		put(w, "\n<</SYS>>\n\n [/INST]");
	}
}

static int finish(struct wr *w)
{
	if (w->bad)
		return -1;
	w->out[w->n] = 0;
	return (int)w->n;
}

int chat_render(enum chat_kind k, const struct chat_msg *msgs, int n,
		bool add_assistant_prefix, char *out, size_t outlen)
{
	struct wr w = {out, outlen, 0, !out || outlen == 0 || n < 0 || (n > 0 && !msgs)};
	if ((unsigned)k >= CHAT_KIND_COUNT)
		return -1;
	put_msgs(&w, k, msgs, n, true);
	if (add_assistant_prefix)
		put_prefix(&w, k);
	return finish(&w);
}

int chat_render_continue(enum chat_kind k, const struct chat_msg *msgs, int n,
			 char *out, size_t outlen)
{
	struct wr w = {out, outlen, 0, !out || outlen == 0 || n < 0 || (n > 0 && !msgs)};
	if ((unsigned)k >= CHAT_KIND_COUNT)
		return -1;
	put_assistant_end(&w, k);
	put_msgs(&w, k, msgs, n, false);
	put_prefix(&w, k);
	return finish(&w);
}

/* ---- stop conditions ----------------------------------------------------- */

static const char *const stops[CHAT_KIND_COUNT][3] = {
	[CHAT_PLAIN] = {"\nUser:", NULL},
	[CHAT_LLAMA2] = {"</s>", "[INST]", NULL},
	[CHAT_LLAMA3] = {"<|eot_id|>", "<|start_header_id|>", NULL},
	[CHAT_CHATML] = {"<|im_end|>", "<|im_start|>", NULL},
	[CHAT_ZEPHYR] = {"</s>", "<|user|>", NULL},
	[CHAT_PHI3] = {"<|end|>", "<|user|>", NULL},
};

const char *const *chat_stop_strings(enum chat_kind k)
{
	return stops[(unsigned)k < CHAT_KIND_COUNT ? k : CHAT_PLAIN];
}

bool chat_is_stop_token(enum chat_kind k, const struct tokenizer *t, int32_t id)
{
	if (tokenizer_is_eog(t, id))
		return true;
	for (const char *const *s = chat_stop_strings(k); *s; s++)
		if (tokenizer_find(t, *s, strlen(*s)) == id)
			return true;
	return false;
}

void chat_stream_init(struct chat_stream *s, enum chat_kind k)
{
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->stops = chat_stop_strings(k);
}

void chat_stream_init_stops(struct chat_stream *s, const char *const *stops)
{
	memset(s, 0, sizeof(*s));
	s->stops = stops;
}

/* Length of the longest suffix of b[0..n) that is a proper prefix of a stop
 * string; sets *hit to the offset of a complete stop string, or -1. */
static int partial(const char *const *stop, const char *b, int n, int *hit)
{
	int keep = 0;
	*hit = -1;
	for (const char *const *s = stop; *s; s++) {
		int m = (int)strlen(*s);
		for (int i = 0; i + m <= n; i++)
			if (memcmp(b + i, *s, (size_t)m) == 0 && (*hit < 0 || i < *hit))
				*hit = i;
		for (int k = m - 1; k > keep; k--)
			if (k <= n && memcmp(b + n - k, *s, (size_t)k) == 0) {
				keep = k;
				break;
			}
	}
	return keep;
}

int chat_stream_feed(struct chat_stream *s, const char *piece, int len, char *out, int outlen)
{
	int n = 0, hit, keep;

	if (s->stopped || len < 0 || outlen < s->n_hold + len)
		return 0;
	memcpy(out, s->hold, (size_t)s->n_hold);
	memcpy(out + s->n_hold, piece, (size_t)len);
	n = s->n_hold + len;
	keep = partial(s->stops, out, n, &hit);
	if (hit >= 0) {
		s->stopped = true;
		s->n_hold = 0;
		return hit;
	}
	if (keep > CHAT_HOLD_MAX)
		keep = CHAT_HOLD_MAX;
	memcpy(s->hold, out + n - keep, (size_t)keep);
	s->n_hold = keep;
	return n - keep;
}

int chat_stream_flush(struct chat_stream *s, char *out, int outlen)
{
	int n = s->stopped || outlen < s->n_hold ? 0 : s->n_hold;
	memcpy(out, s->hold, (size_t)n);
	s->n_hold = 0;
	return n;
}

/* ---- default system prompt ------------------------------------------------ */

int chat_default_system(const struct gguf *g, char *out, size_t outlen)
{
	static const char head[] = "<|im_start|>system\\n";
	struct gguf_str s;
	size_t hn = sizeof(head) - 1;

	if (!g || !outlen || !gguf_get_str(g, "tokenizer.chat_template", &s))
		return 0;
	for (size_t i = 0; i + hn <= s.n; i++) {
		if (memcmp(s.p + i, head, hn) != 0)
			continue;
		size_t b = i + hn, e = b;
		while (e < s.n && !strchr("<'\"{}\\", s.p[e]))
			e++;
		if (e == b || e + 10 > s.n || memcmp(s.p + e, "<|im_end|>", 10) != 0)
			continue; /* not a literal message */
		if (e - b >= outlen)
			return 0;
		memcpy(out, s.p + b, e - b);
		out[e - b] = 0;
		return (int)(e - b);
	}
	return 0;
}

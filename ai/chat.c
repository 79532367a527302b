/* Chat templates: family detection from tokenizer.chat_template, rendering
 * of conversations and follow-up turns as the models' own templates render
 * them, and stop conditions. */
#include <string.h>

#include "ai/chat.h"

#define FB "\357\275\234" /* U+FF5C, DeepSeek's bar */
#define LB "\342\226\201" /* U+2581 */
#define DS_USER "<" FB "User" FB ">"
#define DS_ASSISTANT "<" FB "Assistant" FB ">"
#define DS_EOS "<" FB "end" LB "of" LB "sentence" FB ">"

static const char *const kind_names[CHAT_KIND_COUNT] = {
	[CHAT_PLAIN] = "plain", [CHAT_LLAMA2] = "llama2", [CHAT_LLAMA3] = "llama3",
	[CHAT_CHATML] = "chatml", [CHAT_ZEPHYR] = "zephyr", [CHAT_PHI3] = "phi3",
	[CHAT_QWEN3] = "qwen3", [CHAT_GEMMA] = "gemma", [CHAT_GEMMA2] = "gemma2", [CHAT_PHI4] = "phi4",
	[CHAT_PHI4_MINI] = "phi4-mini", [CHAT_DEEPSEEK3] = "deepseek3",
	[CHAT_DEEPSEEK_R1] = "deepseek-r1",
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
		return has(s, n, "<|im_sep|>") ? CHAT_PHI4 : has(s, n, "<think>") ? CHAT_QWEN3 : CHAT_CHATML;
	if (has(s, n, "<|start_header_id|>"))
		return CHAT_LLAMA3;
	if (has(s, n, "<|user|>") || has(s, n, "<|assistant|>")) {
		if (!has(s, n, "<|end|>"))
			return CHAT_ZEPHYR;
		/* Phi-4-mini puts the content right after the role tag */
		return has(s, n, "|>' + message['content']") ? CHAT_PHI4_MINI : CHAT_PHI3;
	}
	if (has(s, n, "<start_of_turn>")) /* Gemma 3 folds a system prompt in itself */
		return has(s, n, "first_user_prefix") ? CHAT_GEMMA : CHAT_GEMMA2;
	if (has(s, n, DS_USER) && has(s, n, DS_ASSISTANT))
		return has(s, n, "<think>") ? CHAT_DEEPSEEK_R1 : CHAT_DEEPSEEK3;
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

bool chat_think_switch_str(const char *s, size_t n) { return has(s, n, "enable_thinking"); }

bool chat_think_switch(const struct gguf *g)
{
	struct gguf_str s;
	return g && gguf_get_str(g, "tokenizer.chat_template", &s) &&
	       chat_think_switch_str(s.p, (size_t)s.n);
}

bool chat_thinks(enum chat_kind k) { return k == CHAT_QWEN3 || k == CHAT_DEEPSEEK_R1; }

bool chat_wants_bos(enum chat_kind k, const struct tokenizer *t)
{
	/* these templates start with {{ bos_token }} */
	return tokenizer_wants_bos(t) || k == CHAT_GEMMA || k == CHAT_GEMMA2 || k == CHAT_DEEPSEEK3 ||
	       k == CHAT_DEEPSEEK_R1;
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

/* Jinja's trim as llama.cpp's engine does it (C isspace). */
static bool is_ws(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void put_trim(struct wr *w, const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && is_ws(*s))
		s++, n--;
	while (n > 0 && is_ws(s[n - 1]))
		n--;
	put_n(w, s, n);
}

/* a + "\n" + b, trimmed as one string. */
static void put_trim2(struct wr *w, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na > 0 && is_ws(*a))
		a++, na--;
	if (na == 0) { /* "\n" + b: the newline goes with the leading whitespace */
		put_trim(w, b);
		return;
	}
	while (nb > 0 && is_ws(b[nb - 1]))
		nb--;
	if (nb == 0) { /* a + "\n" + whitespace: a, right-trimmed */
		while (na > 0 && is_ws(a[na - 1]))
			na--;
		put_n(w, a, na);
		return;
	}
	put_n(w, a, na);
	put(w, "\n");
	put_n(w, b, nb);
}

/* s[0..n) less leading / trailing '\n' (Python's strip('\n') family). */
static void nl_strip(const char **s, size_t *n, bool left, bool right)
{
	while (left && *n > 0 && **s == '\n')
		(*s)++, (*n)--;
	while (right && *n > 0 && (*s)[*n - 1] == '\n')
		(*n)--;
}

static const char *find_last(const char *s, const char *needle)
{
	const char *last = NULL;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		last = p;
	return last;
}

/* A reply split as Qwen3's and R1's templates split it: the answer after
 * the last </think>, the thinking before the first (after its last <think>). */
struct split {
	const char *ans, *think;
	size_t n_ans, n_think;
	bool had_tag;
};

static struct split think_split(const char *c)
{
	struct split r = {c, "", strlen(c), 0, false};
	const char *first = strstr(c, "</think>");
	if (!first)
		return r;
	r.had_tag = true;
	r.ans = find_last(c, "</think>") + 8;
	r.n_ans = strlen(r.ans);
	r.think = c;
	r.n_think = (size_t)(first - c);
	nl_strip(&r.think, &r.n_think, false, true);
	for (size_t i = 0; i + 7 <= r.n_think; i++) /* after the last <think> */
		if (!memcmp(r.think + i, "<think>", 7)) {
			r.n_think -= i + 7;
			r.think += i + 7;
			i = (size_t)-1;
		}
	nl_strip(&r.think, &r.n_think, true, false);
	return r;
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
static void put_prefix(struct wr *w, enum chat_kind k, unsigned opts)
{
	switch (k) {
	case CHAT_LLAMA2:
	case CHAT_PHI4:
		break; /* the user turn ends with it */
	case CHAT_LLAMA3:
		put(w, "<|start_header_id|>assistant<|end_header_id|>\n\n");
		break;
	case CHAT_CHATML:
		put(w, "<|im_start|>assistant\n");
		break;
	case CHAT_QWEN3:
		put(w, "<|im_start|>assistant\n");
		if (opts & CHAT_NO_THINK)
			put(w, "<think>\n\n</think>\n\n");
		break;
	case CHAT_ZEPHYR:
	case CHAT_PHI3:
		put(w, "<|assistant|>\n");
		break;
	case CHAT_PHI4_MINI:
		put(w, "<|assistant|>");
		break;
	case CHAT_GEMMA:
	case CHAT_GEMMA2:
		put(w, "<start_of_turn>model\n");
		break;
	case CHAT_DEEPSEEK3:
		put(w, DS_ASSISTANT);
		break;
	case CHAT_DEEPSEEK_R1:
		put(w, DS_ASSISTANT "<think>\n");
		if (opts & CHAT_NO_THINK)
			put(w, "</think>");
		break;
	default:
		put(w, "Assistant:");
		break;
	}
}

/* What closes an assistant turn whose content is already written. */
static void put_assistant_end(struct wr *w, enum chat_kind k)
{
	static const char *const end[CHAT_KIND_COUNT] = {
		[CHAT_PLAIN] = "\n", [CHAT_LLAMA2] = " </s>", [CHAT_LLAMA3] = "<|eot_id|>",
		[CHAT_CHATML] = "<|im_end|>\n", [CHAT_QWEN3] = "<|im_end|>\n", [CHAT_ZEPHYR] = "</s>\n",
		[CHAT_PHI3] = "<|end|>\n", [CHAT_PHI4] = "<|im_end|>", [CHAT_PHI4_MINI] = "<|end|>",
		[CHAT_GEMMA] = "<end_of_turn>\n", [CHAT_GEMMA2] = "<end_of_turn>\n", [CHAT_DEEPSEEK3] = DS_EOS, [CHAT_DEEPSEEK_R1] = DS_EOS,
	};
	put(w, end[k]);
}

static void put_qwen3_assistant(struct wr *w, const char *c, bool after_query, bool last)
{
	struct split sp = think_split(c);
	const char *a = sp.ans;
	size_t na = sp.n_ans;
	if (sp.had_tag)
		nl_strip(&a, &na, true, false);
	put(w, "<|im_start|>assistant\n");
	if (after_query && (last || sp.n_think > 0)) {
		const char *t = sp.think;
		size_t nt = sp.n_think;
		nl_strip(&t, &nt, true, true);
		put(w, "<think>\n");
		put_n(w, t, nt);
		put(w, "\n</think>\n\n");
		nl_strip(&a, &na, true, false);
	}
	put_n(w, a, na);
	put(w, "<|im_end|>\n");
}

/* msgs[0..n). first_turn: the conversation starts here (Llama 2 opens its
 * first [INST] without "<s>"; system prompts that only open a conversation). */
static void put_msgs(struct wr *w, enum chat_kind k, const struct chat_msg *msgs, int n,
		     bool first_turn)
{
	const char *sys = NULL; /* Llama 2, Gemma: system text folded into the next user turn */
	int last_query = n - 1;
	static const char *const rn[] = {"system", "user", "assistant"};

	for (int i = n - 1; i >= 0; i--)
		if (role_of(msgs[i].role) == R_USER) {
			last_query = i;
			break;
		}
	if ((k == CHAT_DEEPSEEK3 || k == CHAT_DEEPSEEK_R1) && first_turn) {
		for (int i = 0; i < n; i++) /* the last system message, before everything */
			if (role_of(msgs[i].role) == R_SYSTEM)
				sys = msgs[i].content ? msgs[i].content : "";
		if (sys)
			put(w, sys);
	}
	for (int i = 0; i < n; i++) {
		enum role r = role_of(msgs[i].role);
		const char *c = msgs[i].content ? msgs[i].content : "";

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
		case CHAT_QWEN3:
			if (k == CHAT_QWEN3 && r == R_ASSISTANT) {
				put_qwen3_assistant(w, c, i > last_query, i == n - 1);
				break;
			}
			put(w, "<|im_start|>");
			put(w, rn[r]);
			put(w, "\n");
			put(w, c);
			put(w, "<|im_end|>\n");
			break;
		case CHAT_ZEPHYR:
		case CHAT_PHI3:
			if (k == CHAT_PHI3 && r == R_SYSTEM && !*c)
				break; /* Phi-3.5 skips an empty system message */
			put(w, "<|");
			put(w, rn[r]);
			put(w, "|>\n");
			put(w, c);
			put(w, k == CHAT_ZEPHYR ? "</s>\n" : "<|end|>\n");
			break;
		case CHAT_PHI4_MINI:
			put(w, "<|");
			put(w, rn[r]);
			put(w, "|>");
			put(w, c);
			put(w, "<|end|>");
			break;
		case CHAT_PHI4:
			if (r == R_ASSISTANT) {
				put(w, c);
				put(w, "<|im_end|>");
				break;
			}
			put(w, r == R_SYSTEM ? "<|im_start|>system<|im_sep|>" : "<|im_start|>user<|im_sep|>");
			put(w, c);
			put(w, r == R_SYSTEM ? "<|im_end|>" : "<|im_end|><|im_start|>assistant<|im_sep|>");
			break;
		case CHAT_GEMMA:
		case CHAT_GEMMA2:
			if (r == R_SYSTEM && i == 0 && first_turn) {
				sys = c; /* opens the first turn */
				break;
			}
			put(w, r == R_ASSISTANT ? "<start_of_turn>model\n" :
			       r == R_USER ? "<start_of_turn>user\n" : "<start_of_turn>system\n");
			if (sys && k == CHAT_GEMMA) { /* Gemma 3: "S\n\n", then the trimmed message */
				put(w, sys);
				put(w, "\n\n");
			} else if (sys) { /* llama.cpp: "S\nU" as one message, trimmed */
				put_trim2(w, sys, c);
				put(w, "<end_of_turn>\n");
				sys = NULL;
				break;
			}
			sys = NULL;
			put_trim(w, c);
			put(w, "<end_of_turn>\n");
			break;
		case CHAT_DEEPSEEK3:
		case CHAT_DEEPSEEK_R1:
			if (r == R_USER) {
				put(w, DS_USER);
				put(w, c);
			} else if (r == R_ASSISTANT) {
				struct split sp = think_split(c);
				put(w, DS_ASSISTANT);
				put_n(w, sp.ans, sp.n_ans);
				put(w, DS_EOS);
			}
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

int chat_render(enum chat_kind k, unsigned opts, const struct chat_msg *msgs, int n,
		bool add_assistant_prefix, char *out, size_t outlen)
{
	struct wr w = {out, outlen, 0, !out || outlen == 0 || n < 0 || (n > 0 && !msgs)};
	if ((unsigned)k >= CHAT_KIND_COUNT)
		return -1;
	put_msgs(&w, k, msgs, n, true);
	if (add_assistant_prefix)
		put_prefix(&w, k, opts);
	return finish(&w);
}

int chat_render_continue(enum chat_kind k, unsigned opts, const struct chat_msg *msgs, int n,
			 char *out, size_t outlen)
{
	struct wr w = {out, outlen, 0, !out || outlen == 0 || n < 0 || (n > 0 && !msgs)};
	if ((unsigned)k >= CHAT_KIND_COUNT)
		return -1;
	put_assistant_end(&w, k);
	put_msgs(&w, k, msgs, n, false);
	put_prefix(&w, k, opts);
	return finish(&w);
}

/* ---- stop conditions ----------------------------------------------------- */

static const char *const stops[CHAT_KIND_COUNT][3] = {
	[CHAT_PLAIN] = {"\nUser:", NULL},
	[CHAT_LLAMA2] = {"</s>", "[INST]", NULL},
	[CHAT_LLAMA3] = {"<|eot_id|>", "<|start_header_id|>", NULL},
	[CHAT_CHATML] = {"<|im_end|>", "<|im_start|>", NULL},
	[CHAT_QWEN3] = {"<|im_end|>", "<|im_start|>", NULL},
	[CHAT_ZEPHYR] = {"</s>", "<|user|>", NULL},
	[CHAT_PHI3] = {"<|end|>", "<|user|>", NULL},
	[CHAT_PHI4] = {"<|im_end|>", "<|im_start|>", NULL},
	[CHAT_PHI4_MINI] = {"<|end|>", "<|user|>", NULL},
	[CHAT_GEMMA] = {"<end_of_turn>", "<start_of_turn>", NULL},
	[CHAT_GEMMA2] = {"<end_of_turn>", "<start_of_turn>", NULL},
	[CHAT_DEEPSEEK3] = {DS_EOS, DS_USER, NULL},
	[CHAT_DEEPSEEK_R1] = {DS_EOS, DS_USER, NULL},
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

/* ---- default system prompt ------------------------------------------------ */

int chat_default_system_str(const char *s, size_t n, char *out, size_t outlen)
{
	static const char head[] = "<|im_start|>system\\n";
	size_t hn = sizeof(head) - 1;

	if (!s || !outlen)
		return 0;
	for (size_t i = 0; i + hn <= n; i++) {
		if (memcmp(s + i, head, hn) != 0)
			continue;
		size_t b = i + hn, e = b;
		while (e < n && !strchr("<'\"{}\\", s[e]))
			e++;
		if (e == b || e + 10 > n || memcmp(s + e, "<|im_end|>", 10) != 0)
			continue; /* not a literal message */
		if (e - b >= outlen)
			return 0;
		memcpy(out, s + b, e - b);
		out[e - b] = 0;
		return (int)(e - b);
	}
	return 0;
}

int chat_default_system(const struct gguf *g, char *out, size_t outlen)
{
	struct gguf_str s;
	if (!g || !gguf_get_str(g, "tokenizer.chat_template", &s))
		return 0;
	return chat_default_system_str(s.p, (size_t)s.n, out, outlen);
}

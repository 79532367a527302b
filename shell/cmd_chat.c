/* chat: talk to the model in its chat template (ai/chat.h, detected from
 * the GGUF), one exchange per line, the conversation kept in the KV cache
 * (ai/chat_session.h). Replies stream to both consoles; Ctrl-C stops one. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ai/chat.h"
#include "ai/chat_session.h"
#include "core/console.h"
#include "core/input.h"
#include "core/kprintf.h"
#include "shell/cmd_chat.h"
#include "shell/line.h"
#include "shell/llm.h"
#include "shell/status.h"

static void on_piece(void *user, int32_t id, const char *piece, int len)
{
	(void)id;
	int *n = user;
	if (len > 0)
		console_write(piece, (size_t)len);
	(*n)++;
}

/* Prints the text fed to the model on one line, escaped (\n, \xNN). */
static void show_fed(const char *s, int n)
{
	char buf[256];
	int k = 0;
	kprintf("[fed %d bytes] ", n);
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (k > (int)sizeof buf - 8) {
			console_write(buf, (size_t)k);
			k = 0;
		}
		if (c == '\n') {
			buf[k++] = '\\';
			buf[k++] = 'n';
		} else if (c == '\\') {
			buf[k++] = '\\';
			buf[k++] = '\\';
		} else if (c < 0x20 || c == 0x7f) {
			k += snprintf(buf + k, sizeof buf - k, "\\x%02x", c);
		} else {
			buf[k++] = (char)c;
		}
	}
	console_write(buf, (size_t)k);
	kprintf("\n");
}

/* The system prompt: `set system`, else the template's default, else none. */
static const char *system_prompt(struct llm *L, char *buf, size_t len)
{
	if (L->system[0])
		return L->system;
	if (chat_default_system(&L->g, buf, len) > 0)
		return buf;
	return NULL;
}

static bool is_cmd(const char *line, const char *cmd)
{
	size_t n = strlen(cmd);
	return !strncmp(line, cmd, n) && (line[n] == 0 || line[n] == ' ');
}

int cmd_chat(int argc, char **argv)
{
	(void)argv;
	struct llm *L = llm_get();
	if (argc > 1) {
		kprintf("usage: chat   (then type messages; /reset starts over, /think on|off, /exit leaves)\n");
		return -1;
	}
	if (llm_require("chat") != 0)
		return -1;
	static char line[1024], sysbuf[512];
	struct chat_session cs;
	enum chat_kind kind = chat_detect(&L->g);
	if (chat_session_init(&cs, kind, system_prompt(L, sysbuf, sizeof sysbuf)) != 0) {
		kprintf("chat: out of memory\n");
		return -1;
	}
	bool think_switch = chat_think_switch(&L->g);
	chat_session_set_think(&cs, L->think_off ? CHAT_THINK_HIDE : CHAT_THINK_DIM, think_switch);
	sampler_set_params(L->s, &L->sp);
	kprintf("chat with %s (%s template, context %d). /reset starts over, /exit or Ctrl-C leaves.\n",
		L->name, chat_kind_name(kind), forward_n_ctx(L->f));
	if (chat_thinks(kind))
		kprintf("(the model thinks first: shown dimmed; /think off or set think off hides it)\n");
	status_set_ctx(0, forward_n_ctx(L->f));
	for (;;) {
		int n = line_read(CHAT_PROMPT, line, sizeof line);
		if (n < 0)
			break; /* Ctrl-C at the input line */
		char *msg = line;
		while (*msg == ' ' || *msg == '\t')
			msg++;
		if (!*msg)
			continue;
		if (is_cmd(msg, "/exit") || is_cmd(msg, "/quit") || is_cmd(msg, "/bye"))
			break;
		if (is_cmd(msg, "/reset")) {
			chat_session_set_system(&cs, system_prompt(L, sysbuf, sizeof sysbuf));
			chat_session_reset(&cs);
			status_set_ctx(0, forward_n_ctx(L->f));
			kprintf("(conversation reset)\n");
			continue;
		}
		if (is_cmd(msg, "/think")) {
			const char *a = msg + 6;
			while (*a == ' ')
				a++;
			if (strcmp(a, "on") && strcmp(a, "off")) {
				kprintf("/think on | /think off\n");
				continue;
			}
			L->think_off = !strcmp(a, "off");
			chat_session_set_think(&cs, L->think_off ? CHAT_THINK_HIDE : CHAT_THINK_DIM, think_switch);
			kprintf("(thinking %s)\n", L->think_off ? "hidden" : "shown dimmed");
			continue;
		}
		if (msg[0] == '/') {
			kprintf("unknown chat command '%s': /reset starts over, /think on|off, /exit leaves\n", msg);
			continue;
		}
		char err[256];
		int pieces = 0;
		struct gen_io io = {on_piece, llm_should_stop, llm_now_ns, &pieces};
		struct gen_params gp = {L->n_set ? L->n_predict : -1, true, true};
		struct gen_stats st;
		input_ctrl_c(); /* drop a stale Ctrl-C */
		int rc = chat_session_turn(&cs, L->f, L->tk, L->s, msg, &gp, &io, &st, err, sizeof err);
		if (rc != 0) {
			kprintf("chat: %s\n", err);
			if (cs.started && cs.n_past > 0)
				kprintf("(type /reset to start a new conversation)\n");
			continue;
		}
		kprintf("\n");
		if (st.stop == GEN_STOP_USER)
			kprintf("[stopped]\n");
		if (L->verbose)
			show_fed(cs.last, cs.last_len);
		llm_note_stats(&st, cs.n_past);
	}
	chat_session_free(&cs);
	kprintf("(chat ended)\n");
	return 0;
}

/* The shell's `chat` command (shell/cmd_chat.c): a multi-turn conversation
 * with the loaded model in its own chat template, KV cache kept between
 * turns; /reset, /exit (or Ctrl-C at the input line) inside. */
#ifndef SHELL_CMD_CHAT_H
#define SHELL_CMD_CHAT_H

#define CHAT_PROMPT "you> "

int cmd_chat(int argc, char **argv);

#endif

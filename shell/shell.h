/*
 * The shell: prompt "llm> " on serial and framebuffer at once, one line
 * per command, words split on blanks ("..." groups words). Commands live
 * in one table in shell/shell.c, one line each.
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdbool.h>

#include "core/boot_info.h"

#define SHELL_PROMPT "llm> "

struct shell_cmd {
	const char *name, *usage, *help;
	int (*fn)(int argc, char **argv); /* 0 = ok; argv[0] is the name */
	bool debug;                       /* listed/run only with debug on */
};

/* Runs the shell forever. */
void shell_run(struct boot_info *bi) __attribute__((noreturn));
/* Runs one command line (what the prompt does with a typed line). */
int shell_exec(char *line);
/* The raw text after the command name on the current line (for commands
 * such as generate that take free text), or "" */
const char *shell_rest(int argi);
bool shell_debug(void);
struct boot_info *shell_boot_info(void);

#endif

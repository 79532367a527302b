/* Shell commands around the engine (shell/cmd_gen.c): generate, bench,
 * stats, model, set. shell/shell.c lists them; each prints its usage on bad
 * arguments and returns 0 / -1 like every shell command. */
#ifndef SHELL_CMD_GEN_H
#define SHELL_CMD_GEN_H

#include <stdbool.h>

int cmd_gen_generate(int argc, char **argv);
int cmd_gen_bench(int argc, char **argv);
int cmd_gen_stats(int argc, char **argv);
int cmd_gen_model(int argc, char **argv);
int cmd_gen_set(int argc, char **argv);

/* Number parsing for the commands: the whole word must be a number in
 * [lo, hi]; on failure prints "OPT: bad number 'S' (...)" and returns false. */
bool cmd_gen_int(const char *opt, const char *s, long lo, long hi, long *out);

#endif

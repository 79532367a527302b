/*
 * The OpenAI-compatible API in the OS: the HTTP server (net/http.h) on the
 * model the shell uses (shell/llm.h), over lwIP TCP (net/tcp.h).
 *
 *   - starts at boot when llm.cfg says api=on (serve_boot), or with the
 *     shell's `serve`; never otherwise;
 *   - listens on port= (default 8080) on every card;
 *   - requests are parsed as bytes arrive (in lwIP's callbacks, cheap
 *     answers such as /health at once); generations run one at a time
 *     while the shell waits at its prompt (core/poll's idle work), with the
 *     network pumped between tokens so streaming and disconnects work;
 *   - the boot screen, `serve`, `net` and the status line show the address
 *     (http://IP:PORT/), and say plainly when no api_key protects it.
 */
#ifndef NET_SERVE_H
#define NET_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/boot_info.h"

/* At boot after llm_init: starts the API when bi->cfg.api. */
void serve_boot(const struct boot_info *bi);
/* The shell's `serve`: starts the API (when not running) and shows it. */
int serve_cmd(int argc, char **argv);
/* One line for `net`: the API's address and state. */
void serve_describe(char *buf, size_t n);

#endif

/*
 * The OS side of the engine: the model the loader mapped (mm/vmm.h), opened
 * once at boot with the same ai/ calls as the host tool (gguf_open_split,
 * model_load, tokenizer_load), the forward context sized from the memory
 * that is free, and the shell's generation settings (`set`). The commands
 * generate/bench/stats/model/set (shell/cmd_gen.c) and chat
 * (shell/cmd_chat.c) share this one state. BSP only: the shell is the only
 * caller.
 */
#ifndef SHELL_LLM_H
#define SHELL_LLM_H

#include <stdbool.h>
#include <stdint.h>

#include "ai/forward.h"
#include "ai/generate.h"
#include "ai/gguf.h"
#include "ai/model.h"
#include "ai/sampler.h"
#include "ai/tokenizer.h"
#include "core/boot_info.h"

#define LLM_DEFAULT_CTX 2048 /* as the host tool: min(model maximum, this) */
#define LLM_BATCH 64         /* prompt tokens per forward step, as the host */
#define LLM_MIN_CTX 16
#define LLM_RESERVE (8ull << 20) /* bytes left free for the heap and stacks */

struct llm {
	bool loaded;               /* model, tokenizer and context are usable */
	char name[96];             /* file name of the model */
	char error[256];           /* why not loaded */
	uint64_t file_size;
	struct gguf g;
	struct model m;
	struct tokenizer *tk;
	struct forward *f;         /* NULL when no context fits */
	struct sampler *s;
	struct sampler_params sp;  /* `set temp/top-k/...`, used by generate and chat */
	int n_predict;             /* `set n`: default tokens per generate (128) */
	bool n_set;                /* `set n` given: it caps chat replies too (else: until the turn ends) */
	int threads;               /* cores the engine uses */
	char system[512];          /* `set system`: chat system prompt ("" = template default) */
	bool verbose;              /* `set verbose 1`: show the text fed to the model */
	bool think_off;            /* `set think off`: hide thinking (and skip it where the template can) */
	bool have_stats;
	struct gen_stats last;     /* the last generation */
	int ctx_used;              /* positions in the cache after the last generation */
	uint64_t kv_epoch;         /* bumped after every shell command: the API server
				      (net/serve.c) then knows the KV cache is no longer its own */
};

/* The shared state (never NULL; ->loaded says if a model is there). */
struct llm *llm_get(void);

/* At boot after smp_init: open the mapped model, select the best kernels,
 * size the context from free memory (cfg ctx or min(n_ctx_train, 2048),
 * halved until it fits, with a message). Never panics: on any error the
 * shell runs without a model and says why. */
void llm_init(struct boot_info *bi);

/* Re-create the forward context with n_ctx positions (clamped to what
 * fits, with a message). Returns the size chosen, or -1 (message printed). */
int llm_set_ctx(int n_ctx);

/* Use n cores (1..online). */
void llm_set_threads(int n);

/* Callbacks for struct gen_io: TSC time; Ctrl-C from serial or keyboard. */
uint64_t llm_now_ns(void *user);
bool llm_should_stop(void *user);

/* Record a finished generation: stats for `stats`, the status line. */
void llm_note_stats(const struct gen_stats *st, int ctx_used);

/* Fails with "no model loaded (why)" when there is none; else 0. */
int llm_require(const char *cmd);

#endif

/* The engine in the OS: the mapped model opened at boot, the forward
 * context sized from free memory, and the settings the shell commands
 * share (shell/llm.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ai/gguf_split.h"
#include "ai/parallel.h"
#include "ai/quant.h"
#include "core/input.h"
#include "core/kprintf.h"
#include "core/timer.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "shell/llm.h"
#include "shell/status.h"
#include "smp/smp.h"

static struct llm llm;

struct llm *llm_get(void)
{
	return &llm;
}

uint64_t llm_now_ns(void *user)
{
	(void)user;
	return timer_now_ns();
}

bool llm_should_stop(void *user)
{
	(void)user;
	return input_ctrl_c();
}

int llm_require(const char *cmd)
{
	if (llm.loaded && llm.f)
		return 0;
	if (llm.loaded)
		kprintf("%s: no context (out of memory): try set ctx N with a smaller N\n", cmd);
	else
		kprintf("%s: no model loaded (%s)\n", cmd, llm.error[0] ? llm.error : "none");
	return -1;
}

void llm_note_stats(const struct gen_stats *st, int ctx_used)
{
	llm.last = *st;
	llm.have_stats = true;
	llm.ctx_used = ctx_used;
	status_set_ctx(ctx_used, llm.f ? forward_n_ctx(llm.f) : 0);
	double tps = gen_tg_tps(st);
	if (tps > 0)
		status_set_speed(tps);
}

void llm_set_threads(int n)
{
	int max = smp_ncpus_online();
	if (n < 1)
		n = 1;
	if (n > max)
		n = max;
	llm.threads = n;
	par_set_runner(n > 1 ? smp_parallel_for : NULL, n);
	status_set_cpus(n);
}

/* The largest context <= want (halving, at least LLM_MIN_CTX) whose
 * buffers fit in the free memory less LLM_RESERVE; 0 if none does. */
static int ctx_that_fits(int want)
{
	uint64_t free_b = pmm_free_bytes();
	uint64_t avail = free_b > LLM_RESERVE ? free_b - LLM_RESERVE : 0;
	for (int n = want; n >= LLM_MIN_CTX; n /= 2)
		if (forward_bytes(&llm.m, n, LLM_BATCH) <= avail)
			return n;
	return 0;
}

int llm_set_ctx(int want)
{
	char err[256];
	if (!llm.loaded) {
		kprintf("set ctx: no model loaded\n");
		return -1;
	}
	forward_free(llm.f); /* give its memory back before measuring */
	llm.f = NULL;
	llm.ctx_used = 0;
	int n = ctx_that_fits(want);
	while (n >= LLM_MIN_CTX) {
		llm.f = forward_new(&llm.m, n, LLM_BATCH, err, sizeof err);
		if (llm.f)
			break;
		n /= 2; /* fragmented memory: try smaller */
	}
	if (!llm.f) {
		kprintf("context: not even %d positions fit in %lu MiB free memory\n", LLM_MIN_CTX,
			(unsigned long)(pmm_free_bytes() >> 20));
		status_set_ctx(0, 0);
		return -1;
	}
	if (n < want)
		kprintf("context: %d positions do not fit in %lu MiB free memory; using %d\n", want,
			(unsigned long)((pmm_free_bytes() + forward_bytes(&llm.m, n, LLM_BATCH)) >> 20), n);
	status_set_ctx(0, n);
	return n;
}

void llm_init(struct boot_info *bi)
{
	char err[256];
	sampler_defaults(&llm.sp);
	llm.n_predict = 128;
	llm.threads = par_nth(); /* smp_init installed the runner (llm.cfg threads caps it) */
	if (bi->cfg.temp_set)
		llm.sp.temp = bi->cfg.temp;
	if (bi->cfg.seed_set)
		llm.sp.seed = bi->cfg.seed;
	int level = quant_init(QUANT_AVX512); /* the best the CPU (and XCR0) allows */
	if (!bi->has_model || !vmm_model_base()) {
		snprintf(llm.error, sizeof llm.error, "%s",
			 bi->load_error[0] ? bi->load_error : "no model file on the stick");
		return;
	}
	const char *name = bi->model.name;
	for (const char *p = name; *p; p++)
		if (*p == '\\' || *p == '/')
			name = p + 1;
	snprintf(llm.name, sizeof llm.name, "%s", name);
	llm.file_size = vmm_model_size();
	/* one file, or the files of a split model (named for messages) */
	static struct gguf_part parts[BOOT_MAX_PARTS];
	static char part_names[BOOT_MAX_PARTS][BOOT_NAME_MAX];
	uint32_t np = vmm_model_parts();
	size_t pl;
	int no, count;
	bool split = np > 1 && gguf_split_parse_name(llm.name, &pl, &no, &count);
	for (uint32_t i = 0; i < np; i++) {
		uint64_t len;
		parts[i].base = vmm_model_part(i, &len);
		parts[i].len = (size_t)len;
		if (!split || gguf_split_name(part_names[i], BOOT_NAME_MAX, llm.name, pl, (int)i + 1, (int)np) != 0)
			snprintf(part_names[i], BOOT_NAME_MAX, "%s", i ? "a later file" : llm.name);
		parts[i].name = part_names[i];
	}
	if (gguf_open_split(&llm.g, parts, (int)np, err, sizeof err) != 0) {
		snprintf(llm.error, sizeof llm.error, "%s", err);
		goto fail;
	}
	if (model_load(&llm.m, &llm.g, err, sizeof err) != 0) {
		snprintf(llm.error, sizeof llm.error, "%s: %s", llm.name, err);
		goto fail_gguf;
	}
	if (model_pack(&llm.m) != 0) /* the fast kernels' layouts, same logits */
		kprintf("llm: out of memory packing Q4_0 weights; running them unpacked\n");
	llm.tk = tokenizer_load(&llm.g, err, sizeof err);
	if (!llm.tk) {
		snprintf(llm.error, sizeof llm.error, "%s: tokenizer: %s", llm.name, err);
		goto fail_model;
	}
	llm.s = sampler_new(&llm.sp, llm.m.n_vocab);
	if (!llm.s) {
		snprintf(llm.error, sizeof llm.error, "%s: out of memory for the sampler", llm.name);
		goto fail_tok;
	}
	llm.loaded = true;
	int want = bi->cfg.ctx ? (int)bi->cfg.ctx
			       : (llm.m.n_ctx_train < LLM_DEFAULT_CTX ? llm.m.n_ctx_train : LLM_DEFAULT_CTX);
	if (want < 1)
		want = LLM_DEFAULT_CTX;
	int n = llm_set_ctx(want);
	status_set_cpus(llm.threads);
	kprintf("model: %s, %s, %d layers, %.1f MiB of weights, vocab %d; context %d; %s kernels, %d cores\n",
		llm.name, llm.m.arch_name, llm.m.n_layer, llm.m.weight_bytes / 1048576.0, llm.m.n_vocab,
		n > 0 ? n : 0, quant_level_name(level), llm.threads);
	return;
fail_tok:
	tokenizer_free(llm.tk);
	llm.tk = NULL;
fail_model:
	model_free(&llm.m);
fail_gguf:
	gguf_close(&llm.g);
fail:
	kprintf("model: not loaded: %s\n", llm.error);
}

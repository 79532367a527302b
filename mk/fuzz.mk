# libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined), one per
# parser of outside input: the GGUF parser with the model and tokenizer
# loaders and a forward pass (gguf), the tokenizer (tokenizer), the JSON
# parser/writer (json), the HTTP server and API (http), llm.cfg (cfg), chat
# templates and reply filters (chat), the generation options (genopt), the
# sampler (sampler), split GGUF sets and the boot scanner (split).
#
#   make fuzz            build $(BUILD)/fuzz/fuzz_* and run each for
#                        FUZZ_SECONDS (default 60), one after the other
#   make fuzz-long       each for FUZZ_LONG_SECONDS (default 1200), two at a
#                        time (FUZZ_JOBS), then a table of executions and
#                        findings per harness (tools/fuzz-long.sh; the last
#                        figures are in docs/reliability.md)
#   FUZZ_LONG_RUNS=N     (with fuzz-long) a harness stops at N executions,
#                        FUZZ_LONG_SECONDS being the cap
#   make fuzz-build      only build them
#   FUZZ=NAME            (with fuzz, fuzz-long) only that harness
#
# Seeds (in the repo): fuzz/seed-NAME/ (tools/mkbadgguf.py --seeds and
# --split-seeds, tools/mkfuzzseeds.py). New inputs go to fuzz/corpus-NAME/
# (git-ignored), findings to $(BUILD)/fuzz/crash-* (leak-, timeout-, oom-).
# Reproduce one: $(BUILD)/fuzz/fuzz_NAME FILE, or without libFuzzer
# $(BUILD)/host/replay_NAME FILE (mk/host.mk). Keep it: copy it to
# tests/data/fuzz-regress/NAME/, which tests/t-90-asan.sh replays under
# ASan+UBSan in `make test`.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_LONG_SECONDS ?= 1200
FUZZ_LONG_RUNS ?= 0
FUZZ_JOBS ?= 2
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# No -Werror on ai/ here: the gcc host build gates warnings; a clang-only
# warning in someone's file should not stop the fuzzers.
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -I. -fno-strict-aliasing \
	-fno-omit-frame-pointer $(FUZZ_SAN)
FZ := $(BUILD)/fuzz

FUZZ_NAMES := gguf tokenizer json http cfg chat genopt sampler split
FUZZ_AI_OBJ := $(patsubst %.c,$(FZ)/%.o,$(wildcard ai/*.c ai/kernels/*.c))
FUZZ_NET_OBJ := $(patsubst %.c,$(FZ)/%.o,$(NET_SRC)) $(FZ)/gen/net_page.o
FUZZ_BIN := $(FUZZ_NAMES:%=$(FZ)/fuzz_%)

# libFuzzer arguments per harness: dictionary and input size
FUZZ_ARGS_gguf := -dict=fuzz/gguf.dict -max_len=65536
FUZZ_ARGS_tokenizer := -max_len=512
FUZZ_ARGS_json := -max_len=4096
FUZZ_ARGS_http := -dict=fuzz/http.dict -max_len=8192
FUZZ_ARGS_cfg := -dict=fuzz/cfg.dict -max_len=2048
FUZZ_ARGS_chat := -dict=fuzz/chat.dict -max_len=4096
FUZZ_ARGS_genopt := -dict=fuzz/genopt.dict -max_len=512
FUZZ_ARGS_sampler := -max_len=1024
FUZZ_ARGS_split := -dict=fuzz/gguf.dict -max_len=65536
FUZZ_SEED_tokenizer := tok

$(FZ)/%_avx2.o: FUZZ_XFLAGS += $(AVX2_FLAGS)
$(FZ)/%_avx512.o: FUZZ_XFLAGS += $(AVX512_FLAGS)
# The arithmetic (kernels, the forward pass, the math, the sampler's heap):
# edge coverage but no comparison tracing. Its loop bounds told libFuzzer
# nothing and cost three quarters of every execution of the gguf and
# sampler harnesses; the sanitizers check it all the same.
FUZZ_NUMERIC := $(patsubst %.c,$(FZ)/%.o,$(wildcard ai/kernels/*.c) ai/forward.c ai/matmul.c \
	ai/vmath.c ai/aimath.c ai/moe.c ai/sampler.c ai/parallel.c ai/generate.c)
$(FUZZ_NUMERIC): FUZZ_XFLAGS += -fno-sanitize-coverage=trace-cmp

$(FZ)/ai/%.o: ai/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_XFLAGS) -MMD -MP -c $< -o $@

$(FZ)/net/%.o: net/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FZ)/gen/net_page.o: $(NET_PAGE_C)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# An archive, so that each harness links (and libFuzzer scans the coverage
# counters of) only the objects it calls: fuzz_cfg none, fuzz_genopt one.
$(FZ)/libfuzz.a: $(FUZZ_AI_OBJ) $(FUZZ_NET_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FZ)/libfuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -MMD -MP $< $(FZ)/libfuzz.a -o $@ -lm -pthread

FUZZ_RUN := $(if $(FUZZ),$(FUZZ),$(FUZZ_NAMES))
# NAME:SEEDDIR:ARGS for tools/fuzz-long.sh
FUZZ_SPECS = $(foreach n,$(FUZZ_RUN),'$(n):fuzz/seed-$(or $(FUZZ_SEED_$(n)),$(n)):$(FUZZ_ARGS_$(n))')

.PHONY: fuzz fuzz-build fuzz-long
fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FZ=$(FZ) FUZZ_JOBS=1 bash tools/fuzz-long.sh $(FUZZ_SECONDS) $(FUZZ_SPECS)

fuzz-long: fuzz-build
	FZ=$(FZ) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_RUNS=$(FUZZ_LONG_RUNS) bash tools/fuzz-long.sh $(FUZZ_LONG_SECONDS) $(FUZZ_SPECS)

-include $(shell find $(FZ) -name '*.d' 2>/dev/null)

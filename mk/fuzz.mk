# libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined); not part
# of `make test`.
#
#   make fuzz            build $(BUILD)/fuzz/fuzz_* and run each for
#                        FUZZ_SECONDS (default 60)
#   make fuzz-build      only build them
#
# Seeds (in the repo): fuzz/seed-gguf/ (small valid GGUFs; regenerate with
# tools/mkbadgguf.py --seeds) and fuzz/seed-tok/ (texts). New inputs go to
# fuzz/corpus-*/ (git-ignored), crashes to $(BUILD)/fuzz/crash-*.
# Reproduce one: $(BUILD)/fuzz/fuzz_gguf FILE.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# No -Werror on ai/ here: the gcc host build gates warnings; a clang-only
# warning in someone's file should not stop the fuzzers.
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -I. -fno-strict-aliasing \
	-fno-omit-frame-pointer $(FUZZ_SAN)
FZ := $(BUILD)/fuzz

FUZZ_AI_OBJ := $(patsubst %.c,$(FZ)/%.o,$(wildcard ai/*.c ai/kernels/*.c))
FUZZ_BIN := $(FZ)/fuzz_gguf $(FZ)/fuzz_tokenizer

$(FZ)/%_avx2.o: FUZZ_XFLAGS = $(AVX2_FLAGS)
$(FZ)/%_avx512.o: FUZZ_XFLAGS = $(AVX512_FLAGS)

$(FZ)/ai/%.o: ai/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_XFLAGS) -MMD -MP -c $< -o $@

$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_AI_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -MMD -MP $< $(FUZZ_AI_OBJ) -o $@ -lm -pthread

# run-fuzzer NAME SEEDDIR EXTRA-ARGS
define run-fuzzer
	@mkdir -p fuzz/corpus-$(1)
	$(FZ)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FZ)/ -print_final_stats=1 $(3) fuzz/corpus-$(1) $(2)
endef

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	$(call run-fuzzer,gguf,fuzz/seed-gguf,-dict=fuzz/gguf.dict -max_len=65536)
	$(call run-fuzzer,tokenizer,fuzz/seed-tok,-max_len=512)

-include $(shell find $(FZ) -name '*.d' 2>/dev/null)

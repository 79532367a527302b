# libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined); not part
# of `make test`: the GGUF parser, the tokenizer, the JSON parser/writer and
# the HTTP server (net/).
#
#   make fuzz            build $(BUILD)/fuzz/fuzz_* and run each for
#                        FUZZ_SECONDS (default 60)
#   make fuzz-build      only build them
#
# Seeds (in the repo): fuzz/seed-gguf/ (small valid GGUFs; regenerate with
# tools/mkbadgguf.py --seeds), fuzz/seed-tok/ (texts), fuzz/seed-json/ and
# fuzz/seed-http/ (requests; fuzz/http.dict has the protocol's words). New inputs go to
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
FUZZ_NET_OBJ := $(patsubst %.c,$(FZ)/%.o,$(NET_SRC)) $(FZ)/gen/net_page.o
FUZZ_BIN := $(FZ)/fuzz_gguf $(FZ)/fuzz_tokenizer $(FZ)/fuzz_json $(FZ)/fuzz_http

$(FZ)/%_avx2.o: FUZZ_XFLAGS = $(AVX2_FLAGS)
$(FZ)/%_avx512.o: FUZZ_XFLAGS = $(AVX512_FLAGS)

$(FZ)/ai/%.o: ai/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_XFLAGS) -MMD -MP -c $< -o $@

$(FZ)/net/%.o: net/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FZ)/gen/net_page.o: $(NET_PAGE_C)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_AI_OBJ) $(FUZZ_NET_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -MMD -MP $< $(FUZZ_AI_OBJ) $(FUZZ_NET_OBJ) -o $@ -lm -pthread

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
	$(call run-fuzzer,json,fuzz/seed-json,-max_len=4096)
	$(call run-fuzzer,http,fuzz/seed-http,-dict=fuzz/http.dict -max_len=8192)

-include $(shell find $(FZ) -name '*.d' 2>/dev/null)

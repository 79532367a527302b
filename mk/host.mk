# The engine (ai/) built for Linux, the host tools and the unit tests.
#
#   make host       build/host/llm and build/host/mkmodel
#   make unit       build/host/test_* from tests/unit/test_*.c
#   make asan       the same under AddressSanitizer + UBSan in build/asan,
#                   with the fuzz harnesses' replay drivers (replay_NAME)

HOST_CC ?= gcc
HOST_OPT ?= -O2 -g
HOST_CFLAGS := $(HOST_OPT) -std=gnu11 -Wall -Wextra -Werror -I. -pthread -fno-strict-aliasing
HOST_LDLIBS := -pthread -lm
HB := $(BUILD)/host

AVX2_FLAGS := -mavx2 -mfma -mf16c
AVX512_FLAGS := $(AVX2_FLAGS) -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni

AI_SRC := $(wildcard ai/*.c ai/kernels/*.c)
AI_OBJ := $(AI_SRC:%.c=$(HB)/%.o)
LLM_OBJ := $(patsubst %.c,$(HB)/%.o,$(wildcard host/llm*.c) host/pool.c host/hugemem.c)
MKMODEL_OBJ := $(patsubst %.c,$(HB)/%.o,$(wildcard host/mkmodel*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(HB)/%,$(UNIT_SRC))
UNIT_COMMON := $(patsubst %.c,$(HB)/%.o,$(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c)) host/pool.c)

$(HB)/%_avx2.o: XFLAGS = $(AVX2_FLAGS)
$(HB)/%_avx512.o: XFLAGS = $(AVX512_FLAGS)

$(HB)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(XFLAGS) -MMD -MP -c $< -o $@

$(HB)/llm: $(LLM_OBJ) $(AI_OBJ) $(NET_HOST_OBJ)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

$(HB)/mkmodel: $(MKMODEL_OBJ) $(AI_OBJ)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

# kbench: one kernel alone, cache-hot (-m 1) or from DRAM (-m 1024).
$(HB)/kbench: $(HB)/host/kbench.o $(HB)/host/pool.o $(HB)/host/hugemem.o $(AI_OBJ)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

$(HB)/test_%: $(HB)/tests/unit/test_%.o $(UNIT_COMMON) $(AI_OBJ) $(NET_HOST_OBJ)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

# The fuzz harnesses without libFuzzer (fuzz/replay.c): each replays the
# inputs it is given, for tests/t-90-asan.sh (mk/fuzz.mk has the fuzzers).
REPLAY_BIN := $(patsubst fuzz/fuzz_%.c,$(HB)/replay_%,$(wildcard fuzz/fuzz_*.c))
$(HB)/replay_%: $(HB)/fuzz/fuzz_%.o $(HB)/fuzz/replay.o $(AI_OBJ) $(NET_HOST_OBJ)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

.SECONDARY:
.PHONY: host unit replay asan
host: $(HB)/llm $(if $(MKMODEL_OBJ),$(HB)/mkmodel)
unit: $(UNIT_BIN)
replay: $(REPLAY_BIN)

asan:
	$(MAKE) BUILD=$(BUILD)/asan HOST_CC=clang \
		HOST_OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		host unit replay

-include $(shell find $(HB) -name '*.d' 2>/dev/null)

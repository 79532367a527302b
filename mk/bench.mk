# make bench: host tok/s for synthetic models of real shapes, 1 and 2 threads,
# beside llama.cpp's llama-bench when LLAMA_BENCH names one, plus the DRAM
# streaming-read rate. See tools/bench.sh and docs/performance.md.
.PHONY: bench
bench: $(BUILD)/host/llm $(BUILD)/host/mkmodel $(BUILD)/host/bwprobe $(BUILD)/host/kbench
	BUILD=$(BUILD) bash tools/bench.sh

$(BUILD)/host/bwprobe: host/bwprobe.c host/hugemem.c host/hugemem.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) host/bwprobe.c host/hugemem.c -o $@ -pthread


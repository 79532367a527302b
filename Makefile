# bare-metal LLM OS: BOOTX64.EFI, the host tool `llm`, and the tests.
#
#   make            build/BOOTX64.EFI and build/host/llm
#   make run        boot it in QEMU with OVMF (models/*.gguf or a demo model)
#   make test       every suite; ends with "N passed, N failed"
#   make deps       apt-get install what the build and tests need
#
# Each part of the tree has its own fragment in mk/.

BUILD ?= build
export BUILD

.PHONY: all
all: efi host

include $(sort $(wildcard mk/*.mk))

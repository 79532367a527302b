# make help: the targets a user needs, in one screen.
.PHONY: help
help:
	@echo "make            build/BOOTX64.EFI and the host tool build/host/llm"
	@echo "make run        boot it in QEMU + OVMF with models/*.gguf (or a demo model);"
	@echo "                serial console on this terminal; quit with 'poweroff' or Ctrl-A X"
	@echo "                (RUN_SMP=4 RUN_MEM=4096 RUN_QEMU_EXTRA=... to change the VM)"
	@echo "make esp        build/esp/: the boot volume as a folder (BOOTX64.EFI, models,"
	@echo "                llm.cfg), and its FAT32 image build/esp.img"
	@echo "make usb        build/usb.img: GPT disk image to dd onto a USB stick"
	@echo "make test       every suite in tests/t-*.sh (TESTS=t-50 picks some)"
	@echo "make deps       apt-get install what is missing"
	@echo "make host unit  the host tool, model generator and unit tests"
	@echo "make asan       host tool + unit tests under ASan/UBSan (build/asan)"
	@echo "make fuzz       libFuzzer on the GGUF parser and tokenizer"
	@echo "make bench      host tok/s on synthetic models of real shapes"
	@echo "make screenshot docs/screenshot.png from a QEMU screendump"
	@echo "tools/osrun     boot headless and script the shell: tools/osrun --help"
	@echo "BUILD=dir       build somewhere else than build/"

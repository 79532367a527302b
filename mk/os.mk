# The OS: build/BOOTX64.EFI (a gnu-efi UEFI application), its ESP image and
# `make run` in QEMU + OVMF.
#
#   make efi        $(BUILD)/BOOTX64.EFI from efi/ fs/ core/ mm/ smp/ lib/ init/ shell/ ai/
#   make esp        $(BUILD)/esp/ (the ESP as a folder: \EFI\BOOT\BOOTX64.EFI,
#                   \models\, \llm.cfg) and its FAT32 image $(BUILD)/esp.img
#   make usb        $(BUILD)/usb.img: the same as a GPT disk (dd it to a stick)
#   make sign       sign BOOTX64.EFI with your own Secure Boot key (SIGN_KEY, SIGN_CERT)
#   make run        boot esp.img in QEMU (TCG, OVMF), serial on the terminal
#   make screenshot docs/screenshot.png from a QEMU screendump
#
# Only efi/ sees the gnu-efi headers; everything else is built against our
# own libc headers (lib/include) plus gcc's freestanding ones. We link
# crt0 + libgnuefi (the self-relocator) but not libefi, so the firmware
# helpers never clash with lib/'s memcpy/memset. Other fragments append
# generated C files (e.g. the console font) to OS_GEN_SRC.

OS_CC ?= gcc
OS_LD ?= ld
OS_OBJCOPY ?= objcopy
OS := $(BUILD)/os
EFI_LIBDIR ?= /usr/lib
EFI_INCDIR ?= /usr/include/efi

OS_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fpic \
	-fshort-wchar -mno-red-zone -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I. -DLLM_OS=1
# -D_LIBC_LIMITS_H_: gcc's limits.h then defines everything itself instead
# of include_next-ing a libc limits.h that -nostdinc hides.
OS_LIBC_FLAGS := -nostdinc -isystem lib/include -isystem $(shell $(OS_CC) -print-file-name=include) \
	-D_LIBC_LIMITS_H_
OS_EFI_FLAGS := -I$(EFI_INCDIR) -I$(EFI_INCDIR)/x86_64 -DGNU_EFI_USE_MS_ABI

OS_SRC := $(wildcard efi/*.c fs/*.c core/*.c mm/*.c smp/*.c lib/*.c init/*.c shell/*.c dev/*.c \
	net/*.c net/lwip/*.c ai/*.c ai/kernels/*.c)
OS_ASM := $(wildcard efi/*.S fs/*.S core/*.S mm/*.S smp/*.S lib/*.S init/*.S dev/*.S net/*.S)
OS_OBJ := $(OS_SRC:%.c=$(OS)/%.o) $(OS_ASM:%.S=$(OS)/%.o)
OS_GEN_OBJ = $(patsubst %.c,%.o,$(OS_GEN_SRC))

$(OS)/%_avx2.o: OS_XFLAGS = $(AVX2_FLAGS)
$(OS)/%_avx512.o: OS_XFLAGS = $(AVX512_FLAGS)
# the network code sees lwIP's headers (mk/net.mk)
NET_OBJ := $(filter $(OS)/net/%,$(OS_OBJ))
$(NET_OBJ): OS_XFLAGS = $(LWIP_CFLAGS)
$(NET_OBJ): | $(LWIP_STAMP)

$(OS)/efi/%.o: efi/%.c
	@mkdir -p $(dir $@)
	$(OS_CC) $(OS_CFLAGS) $(OS_EFI_FLAGS) -MMD -MP -c $< -o $@

$(OS)/%.o: %.c
	@mkdir -p $(dir $@)
	$(OS_CC) $(OS_CFLAGS) $(OS_LIBC_FLAGS) $(OS_XFLAGS) -MMD -MP -c $< -o $@

$(OS)/%.o: %.S
	@mkdir -p $(dir $@)
	$(OS_CC) $(OS_CFLAGS) $(OS_LIBC_FLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

# Generated sources live under $(BUILD); their objects sit next to them.
$(OS_GEN_OBJ): %.o: %.c
	$(OS_CC) $(OS_CFLAGS) $(OS_LIBC_FLAGS) -MMD -MP -c $< -o $@

$(OS)/bootx64.so: $(OS_OBJ) $(OS_GEN_OBJ) $(OS_LIB_OBJ)
	$(OS_LD) -nostdlib -znocombreloc -T $(EFI_LIBDIR)/elf_x86_64_efi.lds -shared \
		-Bsymbolic --no-undefined -L$(EFI_LIBDIR) $(EFI_LIBDIR)/crt0-efi-x86_64.o \
		$(OS_OBJ) $(OS_GEN_OBJ) $(OS_LIB_OBJ) -lgnuefi -o $@

$(BUILD)/BOOTX64.EFI: $(OS)/bootx64.so
	$(OS_OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# ---- ESP image and QEMU ----------------------------------------------------

ESP_MODELS := $(wildcard models/*.gguf)
ESP_DEMO := $(BUILD)/demo.gguf
ESP_DIR := $(BUILD)/esp
ESP_CFG ?= $(wildcard llm.cfg)

$(ESP_DEMO): $(BUILD)/host/mkmodel
	$(BUILD)/host/mkmodel --preset demo -o $@

# `make esp` / `make usb`: always rebuilt (cheap). $(ESP_DIR) is laid out as
# the stick will be: EFI/BOOT/BOOTX64.EFI; models/ with models/*.gguf, else
# the demo model; llm.cfg from ./llm.cfg (or ESP_CFG=FILE) when there is
# one; ESP_EXTRA adds files (FILE=DEST, e.g. ESP_EXTRA=my.cfg=llm.cfg).
# The images are made from that folder.
.PHONY: efi esp esp-dir usb run
efi: $(BUILD)/BOOTX64.EFI

ESP_FILES = $(foreach m,$(or $(ESP_MODELS),$(ESP_DEMO)),$(m)=models/$(notdir $(m))) \
	$(if $(ESP_CFG),$(ESP_CFG)=llm.cfg) $(ESP_EXTRA)
esp-dir: $(BUILD)/BOOTX64.EFI $(if $(ESP_MODELS),,$(ESP_DEMO))
	python3 tools/mkesp --stage $(ESP_DIR) --efi $(BUILD)/BOOTX64.EFI $(ESP_FILES)

esp: esp-dir
	python3 tools/mkesp -o $(BUILD)/esp.img --tree $(ESP_DIR)

usb: esp-dir
	python3 tools/mkesp --gpt -o $(BUILD)/usb.img --tree $(ESP_DIR)
	@echo "write it with: sudo dd if=$(BUILD)/usb.img of=/dev/sdX bs=4M conv=fsync"
	@echo "or copy what is in $(ESP_DIR)/ onto a FAT32 stick"

# `make sign SIGN_KEY=db.key SIGN_CERT=db.crt`: signs BOOTX64.EFI with your
# own key (Debian's sbsigntools) for firmware that keeps Secure Boot on with
# that key enrolled; SIGN_OUT is where the signed image goes (default: in
# place, so a later `make usb` takes it). The README says how to make a key.
SIGN_OUT ?= $(BUILD)/BOOTX64.EFI
.PHONY: sign
sign: $(BUILD)/BOOTX64.EFI
	@if [ -z "$(SIGN_KEY)" ] || [ -z "$(SIGN_CERT)" ]; then \
		echo "make sign: give SIGN_KEY=key.pem SIGN_CERT=cert.pem (see the README)"; exit 1; fi
	sbsign --key $(SIGN_KEY) --cert $(SIGN_CERT) --output $(SIGN_OUT).tmp $(BUILD)/BOOTX64.EFI
	mv $(SIGN_OUT).tmp $(SIGN_OUT)
	sbverify --cert $(SIGN_CERT) $(SIGN_OUT)

# QEMU memory: 2 GiB, or the largest model + 1 GiB when that is more.
RUN_SMP ?= 2
RUN_MEM ?= $(shell python3 tools/mkesp --suggest-mem $(if $(ESP_MODELS),$(ESP_MODELS),$(ESP_DEMO)))
# a window when there is a desktop and QEMU has its GTK module, else headless
RUN_DISPLAY = $(if $(DISPLAY)$(WAYLAND_DISPLAY),$(if $(shell qemu-system-x86_64 \
	-display help 2>/dev/null | grep -x gtk),-display gtk,-display none),-display none)

run: deps esp
	qemu-system-x86_64 -accel tcg -cpu max -smp $(RUN_SMP) -m $(RUN_MEM) \
		-bios /usr/share/ovmf/OVMF.fd \
		-drive if=virtio,format=raw,file=$(BUILD)/esp.img \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial mon:stdio $(RUN_DISPLAY) -no-reboot $(RUN_QEMU_EXTRA)

-include $(shell find $(OS) -name '*.d' 2>/dev/null)

# docs/screenshot.png: the console after SHOT_CMDS, from a QEMU screendump.
SHOT_MODEL ?= $(firstword $(ESP_MODELS) $(wildcard $(ESP_DEMO)))
SHOT_CMDS ?= info help
.PHONY: screenshot
screenshot: $(BUILD)/BOOTX64.EFI
	python3 tools/osrun --timeout 300 $(if $(SHOT_MODEL),--model $(SHOT_MODEL)) \
		--screendump docs/screenshot.png $(SHOT_CMDS)

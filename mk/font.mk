# The console font: a PSF font from Debian's console-setup-linux package,
# converted to C at build time (tools/psf2c.py) into $(BUILD)/os/font.c,
# which os.mk compiles and links with the kernel (OS_GEN_SRC).
#
#   make efi FONT=/usr/share/consolefonts/Lat15-Terminus16.psf.gz

FONT ?= /usr/share/consolefonts/Uni2-Terminus16.psf.gz
FONT_C := $(BUILD)/os/font.c

OS_GEN_SRC += $(FONT_C)

$(FONT_C): tools/psf2c.py $(FONT)
	@mkdir -p $(dir $@)
	python3 tools/psf2c.py $(FONT) -o $@

$(FONT):
	@echo "font $(FONT) missing: run 'make deps' (package console-setup-linux)"; exit 1

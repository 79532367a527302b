# The HTTP server and OpenAI-compatible API (net/http*.c, net/json*.c,
# net/api*.c, net/server.c: portable C like ai/):
# linked into the host tool (`llm serve`), the unit tests and BOOTX64.EFI
# (os.mk takes net/*.c itself). The chat page net/page.html becomes C at
# build time (tools/file2c.py). This fragment sorts before host.mk and
# os.mk, which use what it defines.

# (the rest of net/ is the OS's network stack: lwIP glue, mk/net.mk)
NET_SRC := $(wildcard net/http*.c net/json*.c net/api*.c net/server.c)
NET_PAGE_C := $(BUILD)/gen/net_page.c
NET_HOST_OBJ := $(NET_SRC:%.c=$(BUILD)/host/%.o) $(BUILD)/host/gen/net_page.o

$(NET_PAGE_C): net/page.html tools/file2c.py
	@mkdir -p $(dir $@)
	python3 tools/file2c.py net_page_html $< $@

$(BUILD)/host/gen/net_page.o: $(NET_PAGE_C)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

OS_GEN_SRC += $(NET_PAGE_C)

/*
 * Host test of core/fbcon.c on framebuffers in plain memory: the pixel
 * values it writes for 32-bpp BGRX and for the 16-bpp bit-mask modes
 * (5:6:5 and 5:5:5) real firmware offers and QEMU's OVMF does not, text
 * that reaches video memory only through the shadow, nothing written
 * past the framebuffer. A one-glyph font (all pixels set) stands in for
 * the generated one; pmm_alloc_pages is malloc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fbcon.c"
#include "tests/unit/check.h"

static const uint8_t glyph[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const struct font_map fmap[1] = { { '?', 0 } };
const struct font font_default = {
	.width = 8, .height = 16, .stride = 1, .glyph_bytes = 16, .n_glyphs = 1,
	.glyphs = glyph, .n_map = 1, .map = fmap,
};

void *pmm_alloc_pages(uint64_t n)
{
	return calloc(n, PAGE_SIZE);
}

#define W 640
#define H 480
#define PITCH 648 /* pixels per line: wider than the visible width */
#define GUARD 4096

/* A W x H framebuffer (PITCH pixels a line) of bpp bits in plain memory,
 * filled with 0xAB, followed by GUARD bytes of 0xAB. */
static struct boot_fb fake_fb(uint32_t bpp, uint32_t format, uint32_t rm, uint32_t gm,
			      uint32_t bm)
{
	size_t bytes = (size_t)PITCH * H * (bpp / 8);
	uint8_t *mem = malloc(bytes + GUARD);
	memset(mem, 0xAB, bytes + GUARD);
	return (struct boot_fb){
		.base = (uint64_t)(uintptr_t)mem, .size = bytes, .width = W, .height = H,
		.pitch = PITCH, .bpp = bpp, .format = format,
		.red_mask = rm, .green_mask = gm, .blue_mask = bm,
	};
}

/* The GUARD bytes after a framebuffer of `bytes` still hold 0xAB. */
static bool guard_intact(const uint8_t *mem, size_t bytes)
{
	for (size_t i = bytes; i < bytes + GUARD; i++)
		if (mem[i] != 0xAB)
			return false;
	return true;
}

/* rgb (0xRRGGBB) in 5:6:5 / 5:5:5 */
static uint16_t rgb565(uint32_t rgb)
{
	return (uint16_t)(((rgb >> 19) & 0x1f) << 11 | ((rgb >> 10) & 0x3f) << 5 | ((rgb >> 3) & 0x1f));
}
static uint16_t rgb555(uint32_t rgb)
{
	return (uint16_t)(((rgb >> 19) & 0x1f) << 10 | ((rgb >> 11) & 0x1f) << 5 | ((rgb >> 3) & 0x1f));
}

static void run16(const char *name, uint32_t rm, uint32_t gm, uint32_t bm,
		  uint16_t (*pack)(uint32_t))
{
	struct boot_fb fb = fake_fb(16, BOOT_FB_BITMASK, rm, gm, bm);
	uint8_t *mem = (uint8_t *)(uintptr_t)fb.base;
	size_t bytes = fb.size;
	fbcon_init(&fb);
	fbcon_write("x", 1);
	uint16_t *p = (uint16_t *)mem;
	check(!fbcon_present() && p[PITCH * 100 + 100] == 0xABAB,
	      "%s: nothing drawn before the shadow exists", name);
	fbcon_enable_shadow();
	check(fbcon_present(), "%s: on once the shadow exists", name);
	fbcon_write("\x1b[2J\x1b[H", 7);
	fbcon_write("x", 1); /* one glyph (all ink) at text cell (0, 0), under the status row */
	check(p[PITCH * (16 + 5) + 3] == pack(RGB_FG), "%s: glyph pixel is the foreground (0x%04x)",
	      name, p[PITCH * (16 + 5) + 3]);
	check(p[PITCH * 300 + 400] == pack(RGB_BG), "%s: background pixel (0x%04x, want 0x%04x)",
	      name, p[PITCH * 300 + 400], pack(RGB_BG));
	check(p[PITCH * 4 + 600] == pack(RGB_STATUS_BG), "%s: status row colour", name);
	check(guard_intact(mem, bytes), "%s: nothing written past the framebuffer", name);
	free(fc.shadow);
	free(mem);
}

int main(void)
{
	run16("rgb565", 0xF800, 0x07E0, 0x001F, rgb565);
	run16("rgb555", 0x7C00, 0x03E0, 0x001F, rgb555);

	struct boot_fb fb = fake_fb(32, BOOT_FB_BGRX, 0, 0, 0);
	uint8_t *mem = (uint8_t *)(uintptr_t)fb.base;
	size_t bytes = fb.size;
	fbcon_init(&fb);
	uint32_t *p = (uint32_t *)mem;
	check(fbcon_present() && p[PITCH * 300 + 400] == RGB_BG,
	      "bgrx: drawn at once, straight into the framebuffer");
	fbcon_enable_shadow();
	fbcon_write("x", 1);
	check(p[PITCH * (16 + 5) + 3] == RGB_FG && p[PITCH * 4 + 600] == RGB_STATUS_BG,
	      "bgrx: glyph and status row through the shadow");
	check(guard_intact(mem, bytes), "bgrx: nothing written past the framebuffer");

	free(fc.shadow);
	fb.bpp = 24;
	fbcon_init(&fb);
	check(!fbcon_present(), "24 bpp refused (serial console only)");
	free(mem);
	return n_fail ? 1 : 0;
}

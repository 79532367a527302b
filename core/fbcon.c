/* The framebuffer text console (see core/fbcon.h). */
#include <string.h>

#include "core/fbcon.h"
#include "core/font.h"
#include "mm/pmm.h"

#define FB_MAX_PARAMS 4
#define FB_MAX_COLS 512 /* the word-wrap row buffer; wider screens wrap hard */

static const uint32_t ansi_rgb[16] = {
	0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xcccccc,
	0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff,
};
#define RGB_FG 0xcccccc
#define RGB_BG 0x0c0c0c
#define RGB_STATUS_FG 0xffffff
#define RGB_STATUS_BG 0x1f4f8f

static struct {
	bool on;
	void *fb;              /* the framebuffer: 32 or 16 bits per pixel */
	uint32_t *shadow;      /* 32-bit canvas; NULL: draw straight into a 32-bit fb */
	uint32_t width, height, pitch; /* pixels */
	int bytes_pp;          /* the framebuffer's bytes per pixel: 4 or 2 */
	bool need_shadow;      /* 16 bpp: nothing is drawn before the shadow exists */
	int rshift, gshift, bshift;    /* bit positions of 8-bit channels */
	uint32_t rmask, gmask, bmask;  /* the channels' bits in a pixel */
	const struct font *font;
	int scale;            /* 1, or 2 on very large screens */
	int cw, ch;           /* cell size in pixels */
	int cols, rows;       /* text area, below the status row */
	int x, y;             /* cursor cell in the text area */
	uint32_t fg, bg;      /* pixel values */
	uint32_t fg_rgb;
	bool bold, inverse;
	int dirty_lo, dirty_hi; /* pixel rows to copy to fb, lo >= hi: none */
	/* UTF-8 and escape parsing state, kept between writes */
	uint32_t cp;
	int need;
	int esc; /* 0 none, 1 after ESC, 2 in CSI */
	int params[FB_MAX_PARAMS], nparams;
	bool cursor_shown;
	bool wordwrap;
	/* what the cursor's row holds, for moving a word to the next row */
	struct fb_cell {
		uint32_t cp, fg, bg;
	} row[FB_MAX_COLS];
} fc;

static int mask_shift(uint32_t m)
{
	int s = 0;
	if (!m)
		return 0;
	while (!(m & 1)) {
		m >>= 1;
		s++;
	}
	/* masks narrower than 8 bits: keep the top bits of the channel */
	int w = 0;
	while (m & 1) {
		m >>= 1;
		w++;
	}
	return s - (8 - w);
}

static uint32_t pix(uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	uint32_t v = 0;
	v |= (fc.rshift >= 0 ? r << fc.rshift : r >> -fc.rshift) & fc.rmask;
	v |= (fc.gshift >= 0 ? g << fc.gshift : g >> -fc.gshift) & fc.gmask;
	v |= (fc.bshift >= 0 ? b << fc.bshift : b >> -fc.bshift) & fc.bmask;
	return v;
}

static uint32_t *canvas(void)
{
	return fc.shadow ? fc.shadow : (uint32_t *)fc.fb;
}

static void mark(int y0, int y1)
{
	if (fc.dirty_lo >= fc.dirty_hi) {
		fc.dirty_lo = y0;
		fc.dirty_hi = y1;
		return;
	}
	if (y0 < fc.dirty_lo)
		fc.dirty_lo = y0;
	if (y1 > fc.dirty_hi)
		fc.dirty_hi = y1;
}

/* Copies the dirty pixel rows from the shadow to the framebuffer (16 bpp:
 * each 32-bit canvas pixel holds the 16-bit value). */
static void flush(void)
{
	if (fc.shadow && fc.dirty_lo < fc.dirty_hi) {
		uint64_t first = (uint64_t)fc.dirty_lo * fc.pitch;
		uint64_t n = (uint64_t)(fc.dirty_hi - fc.dirty_lo) * fc.pitch;
		if (fc.bytes_pp == 4) {
			memcpy((uint32_t *)fc.fb + first, fc.shadow + first, n * 4);
		} else {
			volatile uint16_t *d = (uint16_t *)fc.fb + first;
			const uint32_t *src = fc.shadow + first;
			for (uint64_t i = 0; i < n; i++)
				d[i] = (uint16_t)src[i];
		}
	}
	fc.dirty_lo = fc.dirty_hi = 0;
}

static void fill(int px, int py, int w, int h, uint32_t v)
{
	uint32_t *c = canvas();
	for (int j = 0; j < h; j++) {
		uint32_t *row = c + (uint64_t)(py + j) * fc.pitch + px;
		for (int i = 0; i < w; i++)
			row[i] = v;
	}
	mark(py, py + h);
}

/* Draws code point cp in cell (cx, row) where row counts from the top of
 * the screen (0 = status line). */
static void draw_cell(int cx, int row, uint32_t cp, uint32_t fg, uint32_t bg)
{
	const struct font *f = fc.font;
	const uint8_t *g = font_glyph(f, cp);
	uint32_t *c = canvas();
	int px = cx * fc.cw, py = row * fc.ch;
	for (uint32_t gy = 0; gy < f->height; gy++) {
		const uint8_t *bits = g + gy * f->stride;
		for (int sy = 0; sy < fc.scale; sy++) {
			uint32_t *line = c + (uint64_t)(py + gy * fc.scale + sy) * fc.pitch + px;
			for (uint32_t gx = 0; gx < f->width; gx++) {
				uint32_t v = (bits[gx >> 3] & (0x80 >> (gx & 7))) ? fg : bg;
				for (int sx = 0; sx < fc.scale; sx++)
					line[gx * fc.scale + sx] = v;
			}
		}
	}
	mark(py, py + fc.ch);
}

/* XORs an underline at the cursor: drawing it twice removes it. */
static void cursor_toggle(void)
{
	uint32_t *c = canvas();
	int px = fc.x * fc.cw, py = (fc.y + 1) * fc.ch + fc.ch - 2 * fc.scale;
	if (fc.x >= fc.cols)
		px = (fc.cols - 1) * fc.cw;
	for (int j = 0; j < 2 * fc.scale; j++) {
		uint32_t *row = c + (uint64_t)(py + j) * fc.pitch + px;
		for (int i = 0; i < fc.cw; i++)
			row[i] ^= fc.rmask | fc.gmask | fc.bmask;
	}
	mark(py, py + 2 * fc.scale);
	fc.cursor_shown = !fc.cursor_shown;
}

static void row_clear(int from)
{
	for (int i = from; i < FB_MAX_COLS; i++)
		fc.row[i].cp = ' ';
}

void fbcon_init(const struct boot_fb *fb)
{
	memset(&fc, 0, sizeof fc);
	fc.bytes_pp = fb->bpp == 16 ? 2 : 4;
	if (fb->format == BOOT_FB_NONE || !fb->base || fb->width < 320 || fb->height < 200 ||
	    (fb->bpp != 16 && fb->bpp != 32) || fb->pitch < fb->width ||
	    (uint64_t)fb->pitch * fb->height * fc.bytes_pp > fb->size + 4096)
		return;
	fc.fb = (void *)(uintptr_t)fb->base;
	fc.width = fb->width;
	fc.height = fb->height;
	fc.pitch = fb->pitch;
	switch (fb->format) {
	case BOOT_FB_RGBX:
		fc.rshift = 0, fc.gshift = 8, fc.bshift = 16;
		fc.rmask = 0xff, fc.gmask = 0xff00, fc.bmask = 0xff0000;
		break;
	case BOOT_FB_BGRX:
		fc.rshift = 16, fc.gshift = 8, fc.bshift = 0;
		fc.rmask = 0xff0000, fc.gmask = 0xff00, fc.bmask = 0xff;
		break;
	default:
		fc.rshift = mask_shift(fb->red_mask);
		fc.gshift = mask_shift(fb->green_mask);
		fc.bshift = mask_shift(fb->blue_mask);
		fc.rmask = fb->red_mask, fc.gmask = fb->green_mask, fc.bmask = fb->blue_mask;
		break;
	}
	fc.font = &font_default;
	fc.scale = fb->width >= 2400 ? 2 : 1;
	fc.cw = (int)fc.font->width * fc.scale;
	fc.ch = (int)fc.font->height * fc.scale;
	fc.cols = (int)fb->width / fc.cw;
	fc.rows = (int)fb->height / fc.ch - 1;
	fc.fg_rgb = RGB_FG;
	fc.fg = pix(RGB_FG);
	fc.bg = pix(RGB_BG);
	fc.wordwrap = true;
	if (fc.bytes_pp != 4) {
		fc.need_shadow = true; /* the 32-bit canvas comes with memory */
		return;
	}
	fc.on = true;
	fbcon_clear();
	fbcon_set_status("");
}

void fbcon_enable_shadow(void)
{
	if ((!fc.on && !fc.need_shadow) || fc.shadow)
		return;
	uint64_t bytes = (uint64_t)fc.pitch * fc.height * 4;
	uint32_t *s = pmm_alloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!s)
		return;
	fc.shadow = s;
	if (fc.need_shadow) {
		fc.on = true;
		fbcon_clear();
		fbcon_set_status("");
		return;
	}
	memcpy(s, fc.fb, bytes); /* one slow read of video memory */
}

bool fbcon_present(void)
{
	return fc.on;
}

uint64_t fbcon_fb_base(void)
{
	return (uint64_t)(uintptr_t)fc.fb;
}

void fbcon_size(int *cols, int *rows)
{
	*cols = fc.on ? fc.cols : 0;
	*rows = fc.on ? fc.rows : 0;
}

void fbcon_clear(void)
{
	if (!fc.on)
		return;
	fill(0, fc.ch, fc.width, fc.height - fc.ch, fc.bg);
	fc.x = fc.y = 0;
	fc.cursor_shown = false;
	row_clear(0);
	flush();
}

void fbcon_set_status(const char *text)
{
	if (!fc.on)
		return;
	uint32_t fg = pix(RGB_STATUS_FG), bg = pix(RGB_STATUS_BG);
	fill(0, 0, fc.width, fc.ch, bg);
	for (int i = 0; i < fc.cols && text[i]; i++)
		draw_cell(i, 0, (unsigned char)text[i], fg, bg);
	flush();
}

static void scroll(void)
{
	uint32_t *c = canvas();
	uint64_t top = (uint64_t)fc.ch * fc.pitch, line = (uint64_t)fc.ch * fc.pitch;
	memmove(c + top, c + top + line, (uint64_t)(fc.rows - 1) * line * 4);
	fill(0, fc.rows * fc.ch, fc.width, fc.ch, fc.bg);
	mark(fc.ch, (fc.rows + 1) * fc.ch);
}

static void newline(void)
{
	row_clear(0);
	fc.x = 0;
	if (++fc.y >= fc.rows) {
		fc.y = fc.rows - 1;
		scroll();
	}
}

/* At the right edge with a word under way: moves the word's start (after
 * the row's last blank) to the next row, unless the word is very long. */
static void wrap_word(void)
{
	int s = fc.cols - 1;
	while (s >= 0 && fc.row[s].cp != ' ')
		s--;
	int n = fc.cols - 1 - s;
	if (s <= 0 || n <= 0 || n > fc.cols / 2 || fc.cols > FB_MAX_COLS) {
		newline();
		return;
	}
	struct fb_cell word[FB_MAX_COLS / 2 + 1];
	memcpy(word, &fc.row[s + 1], n * sizeof word[0]);
	for (int i = s + 1; i < fc.cols; i++)
		draw_cell(i, fc.y + 1, ' ', fc.bg, fc.bg);
	newline();
	for (int i = 0; i < n; i++) {
		draw_cell(i, fc.y + 1, word[i].cp, word[i].fg, word[i].bg);
		fc.row[i] = word[i];
	}
	fc.x = n;
}

static void put_cp(uint32_t cp)
{
	if (fc.x >= fc.cols) {
		if (fc.wordwrap && cp == ' ') {
			newline(); /* the blank that ends the row is not drawn */
			return;
		}
		if (fc.wordwrap)
			wrap_word();
		else
			newline();
	}
	uint32_t fg = fc.fg, bg = fc.bg;
	if (fc.inverse) {
		fg = fc.bg;
		bg = fc.fg;
	}
	draw_cell(fc.x, fc.y + 1, cp, fg, bg);
	if (fc.x < FB_MAX_COLS)
		fc.row[fc.x] = (struct fb_cell){cp, fg, bg};
	fc.x++;
}

void fbcon_set_wordwrap(bool on)
{
	fc.wordwrap = on;
}

static void set_fg(uint32_t rgb)
{
	fc.fg_rgb = rgb;
	fc.fg = pix(rgb);
}

static void sgr(void)
{
	if (!fc.nparams)
		fc.params[fc.nparams++] = 0;
	for (int i = 0; i < fc.nparams; i++) {
		int p = fc.params[i];
		if (p == 0) {
			set_fg(RGB_FG);
			fc.bg = pix(RGB_BG);
			fc.bold = fc.inverse = false;
		} else if (p == 1) {
			fc.bold = true;
		} else if (p == 7) {
			fc.inverse = true;
		} else if (p == 27) {
			fc.inverse = false;
		} else if (p >= 30 && p <= 37) {
			set_fg(ansi_rgb[p - 30 + (fc.bold ? 8 : 0)]);
		} else if (p == 39) {
			set_fg(RGB_FG);
		} else if (p >= 90 && p <= 97) {
			set_fg(ansi_rgb[p - 90 + 8]);
		} else if (p >= 40 && p <= 47) {
			fc.bg = pix(ansi_rgb[p - 40]);
		} else if (p == 49) {
			fc.bg = pix(RGB_BG);
		}
	}
}

static void csi_final(char c)
{
	int n = fc.nparams ? fc.params[0] : 0;
	switch (c) {
	case 'm':
		sgr();
		break;
	case 'K': /* erase to end of line (0), whole line (2) */
		if (n == 2) {
			fill(0, (fc.y + 1) * fc.ch, fc.width, fc.ch, fc.bg);
			row_clear(0);
		} else if (fc.x < fc.cols) {
			fill(fc.x * fc.cw, (fc.y + 1) * fc.ch, (fc.cols - fc.x) * fc.cw, fc.ch, fc.bg);
			row_clear(fc.x);
		}
		break;
	case 'C':
		fc.x += n ? n : 1;
		if (fc.x > fc.cols - 1)
			fc.x = fc.cols - 1;
		break;
	case 'D':
		fc.x -= n ? n : 1;
		if (fc.x < 0)
			fc.x = 0;
		break;
	case 'J':
		if (n == 2)
			fbcon_clear();
		break;
	case 'H':
		fc.x = fc.nparams > 1 && fc.params[1] > 0 ? fc.params[1] - 1 : 0;
		fc.y = n > 0 ? n - 1 : 0;
		if (fc.x >= fc.cols)
			fc.x = fc.cols - 1;
		if (fc.y >= fc.rows)
			fc.y = fc.rows - 1;
		/* unknown contents: no blanks, so no word moves on this row */
		for (int i = 0; i < FB_MAX_COLS; i++)
			fc.row[i].cp = 'x';
		break;
	default:
		break;
	}
}

static void put_byte(unsigned char b)
{
	if (fc.esc == 1) {
		fc.esc = b == '[' ? 2 : 0;
		fc.nparams = 0;
		fc.params[0] = 0;
		return;
	}
	if (fc.esc == 2) {
		if (b >= '0' && b <= '9') {
			if (!fc.nparams)
				fc.nparams = 1;
			int *p = &fc.params[fc.nparams - 1];
			if (*p < 10000)
				*p = *p * 10 + (b - '0');
		} else if (b == ';') {
			if (!fc.nparams)
				fc.nparams = 1;
			if (fc.nparams < FB_MAX_PARAMS)
				fc.params[fc.nparams++] = 0;
		} else if (b >= 0x40 && b <= 0x7e) {
			fc.esc = 0;
			csi_final((char)b);
		} else if (b != '?') {
			fc.esc = 0;
		}
		return;
	}
	if (fc.need) {
		if ((b & 0xc0) == 0x80) {
			fc.cp = (fc.cp << 6) | (b & 0x3f);
			if (--fc.need == 0)
				put_cp(fc.cp);
			return;
		}
		fc.need = 0;
		put_cp(0xfffd);
	}
	if (b < 0x80) {
		switch (b) {
		case '\n':
			newline();
			break;
		case '\r':
			fc.x = 0;
			break;
		case '\b':
			if (fc.x > 0)
				fc.x--;
			break;
		case '\t':
			do
				put_cp(' ');
			while (fc.x % 8 && fc.x < fc.cols);
			break;
		case 0x1b:
			fc.esc = 1;
			break;
		default:
			if (b >= 0x20 && b != 0x7f)
				put_cp(b);
			break;
		}
	} else if ((b & 0xe0) == 0xc0) {
		fc.cp = b & 0x1f, fc.need = 1;
	} else if ((b & 0xf0) == 0xe0) {
		fc.cp = b & 0x0f, fc.need = 2;
	} else if ((b & 0xf8) == 0xf0) {
		fc.cp = b & 0x07, fc.need = 3;
	} else {
		put_cp(0xfffd);
	}
}

void fbcon_write(const char *s, size_t n)
{
	if (!fc.on)
		return;
	if (fc.cursor_shown)
		cursor_toggle();
	for (size_t i = 0; i < n; i++)
		put_byte((unsigned char)s[i]);
	cursor_toggle();
	flush();
}

/* Binary search of the font's Unicode table. */
const uint8_t *font_glyph(const struct font *f, uint32_t cp)
{
	uint32_t lo = 0, hi = f->n_map;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (f->map[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n_map && f->map[lo].cp == cp && f->map[lo].glyph < f->n_glyphs)
		return f->glyphs + (uint64_t)f->map[lo].glyph * f->glyph_bytes;
	return cp == '?' ? f->glyphs : font_glyph(f, '?');
}

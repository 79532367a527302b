/* A bitmap console font (generated from a PSF file by tools/psf2c.py). */
#ifndef CORE_FONT_H
#define CORE_FONT_H

#include <stdint.h>

struct font_map {
	uint32_t cp;    /* Unicode code point */
	uint32_t glyph; /* index into glyphs */
};

struct font {
	uint32_t width, height; /* pixels */
	uint32_t stride;        /* bytes per glyph row, MSB = leftmost pixel */
	uint32_t glyph_bytes;   /* stride * height */
	uint32_t n_glyphs;
	const uint8_t *glyphs;
	uint32_t n_map;
	const struct font_map *map; /* sorted by cp */
};

extern const struct font font_default;

/* The bitmap for code point cp, or for '?' when the font lacks it. */
const uint8_t *font_glyph(const struct font *f, uint32_t cp);

#endif

/*
 * Framebuffer text console: the GOP framebuffer as a grid of font cells,
 * UTF-8 text, scrolling, colours, a subset of ANSI escapes (SGR colours
 * 30-37/90-97/40-47/0/1/7, K erase line, C/D cursor right/left, J clear,
 * H home), a cursor, and a status line on the top row that text never
 * scrolls over. Draws into a RAM shadow (after fbcon_enable_shadow) and
 * copies changed rows to the framebuffer, since reading video memory is
 * slow. Framebuffers of 32 bits per pixel (RGBX, BGRX, bit masks) and of
 * 16 (5:6:5, 5:5:5 bit masks; the shadow then holds the 16-bit values and
 * nothing shows before it exists). Not locked: core/console.c serialises
 * callers.
 */
#ifndef CORE_FBCON_H
#define CORE_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/boot_info.h"

void fbcon_init(const struct boot_fb *fb);
/* Allocates the shadow buffer from pmm (call after pmm_init). */
void fbcon_enable_shadow(void);
bool fbcon_present(void);
void fbcon_write(const char *s, size_t n);
/* Text on the top row (cut to the width), "" clears it. */
void fbcon_set_status(const char *text);
void fbcon_clear(void);
/* Word wrap (default on): a word reaching the right edge moves whole to
 * the next row, unless it is longer than half a row. */
void fbcon_set_wordwrap(bool on);
/* Text cells (columns x rows, without the status line); 0 without fb. */
void fbcon_size(int *cols, int *rows);
/* Framebuffer address and bytes, for mapping it write-combining. */
uint64_t fbcon_fb_base(void);

#endif
